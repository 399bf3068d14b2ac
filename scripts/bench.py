"""Benchmark approxfit against plain scipy/numpy baselines.

Run from the project's root::

    python scripts/bench.py            # full run, writes results/bench.json and results/bench.md
    python scripts/bench.py --quick    # smoke test (a few seconds; what the test suite runs)
    python scripts/bench.py --out DIR  # write DIR/bench.json and DIR/bench.md instead

Eight sections, each timed with :func:`time.perf_counter` over several repeats and
reported as medians:

1. ``minimax_nonlinear`` — approxfit's minimax fit (trust-region SLP + Remez
   exchange) of the tanh and sigmoid families to gelu's gate and value, against
   :func:`scipy.optimize.minimize` (Nelder–Mead, Powell) on the max error and
   iterated l_p least squares (p doubling to 256), all from approxfit's own
   least-squares fit.
2. ``minimax_poly`` — approxfit's polynomial minimax (discrete Remez) against
   :meth:`numpy.polynomial.Chebyshev.interpolate` and one big
   :func:`scipy.optimize.linprog` on the whole grid.
3. ``least_squares`` — approxfit's least squares against
   :func:`scipy.optimize.curve_fit` (same data, model, Jacobian, start, solver).
4. ``cli`` — cold subprocess wall times of ``approxfit --help``, ``approxfit fit``
   and ``approxfit reproduce``.
5. ``scaling`` — fit time against the number of samples and the degree.
6. ``hard_cases`` — the issue's minimax cases against Sollya's remez.
7. ``verify`` — exhaustive verification of a degree-5 tanh-GELU: every bfloat16 and
   float16 input against a per-input mpmath reference, and float32's 4.3e9 inputs
   projected from evenly spread blocks, serial and on every local core
   (``--float32-full`` runs the whole float32 sweep once).
8. ``coefficients`` — ``fit … --coefficients F`` (:func:`fit_in_format`) on the five
   cases of ``tests/test_fpcoeff.py`` against Sollya's ``fpminimax`` (a process) and
   round-to-nearest plus ``--reoptimise``'s ±2 ulp search, every method's error
   measured the same way.

Every number is written to ``bench.json`` (sorted keys, atomic write) and the
tables, the headline ratios and the targets to ``bench.md``.  A slow measurement
is repeated until its repeat count or its time budget is used up (at least once);
the number of runs is recorded next to each median.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from bench_report import fmt_ratio, render_markdown
from numpy.polynomial import Chebyshev
from numpy.polynomial import chebyshev as npcheb
from scipy.optimize import curve_fit, least_squares, linprog, minimize
from scipy.special import expit

import approxfit
from approxfit.approximants.families import get_family, powers_for
from approxfit.core.exceptions import ApproxfitError
from approxfit.core.grids import Grid, make_grid
from approxfit.core.io import dumps, write_atomic
from approxfit.core.targets import Target, get_target
from approxfit.fitting.fit import fit
from approxfit.fitting.result import FitResult
from approxfit.measure.metrics import approximant_metrics, error_metrics, outside_metrics

ROOT = Path(__file__).resolve().parent.parent
SECTIONS: tuple[str, ...] = ("minimax_nonlinear", "minimax_poly", "least_squares", "cli",
                             "scaling", "hard_cases", "verify", "coefficients")
#: Relative tolerance under which two max errors count as equal.
EQUAL_RTOL = 1e-9
#: Largest relative coefficient difference that counts as "equal coefficients".
COEF_RTOL = 1e-6
_TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: How the linprog baseline is solved: HiGHS at approxfit's own tolerances, and when
#: HiGHS reports numerical difficulties (status 4), interior point, then its defaults.
LP_LADDER: tuple[tuple[str, dict[str, float]], ...] = (
    ("highs", _TIGHT), ("highs-ipm", _TIGHT), ("highs", {}))

Array = np.ndarray


# ---------------------------------------------------------------------------
# the issue's hard cases (section 6)
# ---------------------------------------------------------------------------
#: approxfit's targets in Sollya's language (the ones sections 6 and 9 use).
SOLLYA_TARGETS: dict[str, str] = {
    "erf": "erf(x)", "tanh": "tanh(x)", "gelu": "x/2*(1+erf(x/sqrt(2)))",
    "phi": "(1+erf(x/sqrt(2)))/2", "silu": "x/(1+exp(-x))", "softplus": "log(1+exp(x))",
    "sigmoid": "1/(1+exp(-x))", "exp2": "2^x",
}
#: Sollya's remez stops within this relative distance of the optimum (its default is 1e-5).
SOLLYA_QUALITY = 1e-9


@dataclass(frozen=True)
class HardCase:
    """One of the issue's cases: a minimax fit timed in process, as a command, and by Sollya.

    Attributes
    ----------
    name : str
        Key in ``bench.json``.
    target, family : str
        As for ``approxfit fit``.
    degree : int
        The degree.
    lo, hi : float
        The range.
    samples : int or None
        Samples (None: approxfit's default).
    on : str or None
        The fitted quantity (None: the default).
    expr : str or None
        The target's formula when ``target`` is ``"expr"`` (Sollya's syntax too).
    error : str or None
        ``"relative"`` for a relative-error fit (None: the API's default, absolute).
    target_s : float or None
        A time the in-process fit must stay under.
    """

    name: str
    target: str
    family: str
    degree: int
    lo: float
    hi: float
    samples: int | None = None
    on: str | None = None
    expr: str | None = None
    error: str | None = None
    target_s: float | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keywords of :func:`approxfit.fit`."""
        kw: dict[str, Any] = {"degree": self.degree, "objective": "minimax",
                              "range": (self.lo, self.hi)}
        for key in ("samples", "on", "expr", "error"):
            if getattr(self, key) is not None:
                kw[key] = getattr(self, key)
        return kw

    def argv(self) -> list[str]:
        """The same fit as ``approxfit fit`` arguments."""
        out = ["fit", self.target, self.family, "--degree", str(self.degree), "--objective",
               "minimax", "--range", f"{self.lo:g}", f"{self.hi:g}"]
        for key in ("samples", "on", "expr", "error"):
            if getattr(self, key) is not None:
                out += [f"--{key}", str(getattr(self, key))]
        return out

    def sollya_f(self) -> str | None:
        """The target in Sollya's language, or None (not a polynomial fit Sollya can do)."""
        if self.family != "poly":
            return None
        return self.expr if self.target == "expr" else SOLLYA_TARGETS.get(self.target)


HARD_FULL: tuple[HardCase, ...] = (
    HardCase("tanh5_gate_20001", "gelu", "tanh", 5, -10.0, 10.0, samples=20_001,
             target_s=0.010),
    HardCase("asymmetric_sigmoid7", "gelu", "sigmoid", 7, -4.0, 10.0, on="value"),
    HardCase("poly24_gelu", "gelu", "poly", 24, -8.0, 8.0),
    HardCase("poly30_silu", "silu", "poly", 30, -10.0, 10.0),
    HardCase("poly21_tanh_1001", "tanh", "poly", 21, -4.0, 4.0, samples=1001),
    HardCase("relative_exp5", "expr", "poly", 5, 0.0, 1.0, expr="exp(x)", error="relative"),
)
HARD_QUICK: tuple[HardCase, ...] = (
    HardCase("tanh5_gate_20001", "gelu", "tanh", 5, -10.0, 10.0, samples=20_001,
             target_s=0.010),
    HardCase("poly9_erf", "erf", "poly", 9, -3.0, 3.0, samples=2001),
)


# ---------------------------------------------------------------------------
# coefficients in a format (section 9)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FormatCase:
    """A case of ``fit … --coefficients F`` timed against Sollya's ``fpminimax`` and the
    rounding baseline (the five cases of ``tests/test_fpcoeff.py``).

    Attributes
    ----------
    name : str
        Key in ``bench.json`` (the test's case id).
    target : str
        An approxfit target that Sollya knows (:data:`SOLLYA_TARGETS`).
    degree : int
        Degree of the polynomial.
    fmt : str
        The coefficients' format.
    lo, hi : float
        The range.
    error : {"absolute", "relative"}
        The error minimised.
    parity : str or None
        ``"odd"``/``"even"`` or None.
    fixed : tuple of (str, float)
        Coefficients held exactly (Sollya's constrained part).
    precision : int
        Sollya's significand bits for the format (24, 11, 8).
    needs_minimax : bool
        Pass the float64 minimax's free part as fpminimax's last argument (where Sollya's
        own Remez fails: a constrained part on [0, 1]).
    """

    name: str
    target: str
    degree: int
    fmt: str
    lo: float
    hi: float
    error: str = "absolute"
    parity: str | None = None
    fixed: tuple[tuple[str, float], ...] = ()
    precision: int = 24
    needs_minimax: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Keywords of :func:`approxfit.fitting.fpcoeff.fit_in_format` (after the family)."""
        kw: dict[str, Any] = {"target": self.target, "family": "poly", "degree": self.degree,
                              "formats": self.fmt, "range_": (self.lo, self.hi)}
        if self.error != "absolute":
            kw["error"] = self.error
        if self.parity is not None:
            kw["parity"] = self.parity
        if self.fixed:
            kw["fixed"] = dict(self.fixed)
        return kw

    def argv(self) -> list[str]:
        """The same fit as ``approxfit fit`` arguments."""
        out = ["fit", self.target, "poly", "--degree", str(self.degree), "--range",
               f"{self.lo:g}", f"{self.hi:g}", "--coefficients", self.fmt]
        if self.error != "absolute":
            out += ["--error", self.error]
        if self.parity is not None:
            out += ["--parity", self.parity]
        for n, v in self.fixed:
            out += ["--fix", f"{n}={v:g}"]
        return out


FORMAT_FULL: tuple[FormatCase, ...] = (
    FormatCase("exp2-3-c0=1-float32-relative", "exp2", 3, "float32", 0.0, 1.0,
               error="relative", fixed=(("c0", 1.0),), needs_minimax=True),
    FormatCase("exp2-5-float32-relative", "exp2", 5, "float32", 0.0, 1.0, error="relative"),
    FormatCase("gelu-6-float32-absolute", "gelu", 6, "float32", -3.0, 3.0),
    FormatCase("sigmoid-5-float16-absolute", "sigmoid", 5, "float16", 0.0, 4.0, precision=11),
    FormatCase("tanh-odd7-bfloat16-relative", "tanh", 7, "bfloat16", 0.0, 1.0,
               error="relative", parity="odd", precision=8),
)
#: ``--quick``: the fastest case (about 0.4 s in process).
FORMAT_QUICK: tuple[FormatCase, ...] = (FORMAT_FULL[-1],)


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    """What the run measures and how often.

    Attributes
    ----------
    quick : bool
        The smoke-test configuration.
    nonlinear_cases : tuple of (str, int)
        ``(family, degree)`` pairs of section 1.
    ons : tuple of str
        ``"gate"`` and/or ``"value"``.
    samples : int
        Samples on [−10, 10] for sections 1 and 3.
    poly_targets, poly_ranges, poly_degrees : tuple
        The grid of section 2.
    poly_samples : int
        Samples per range in section 2.
    ls_cases : tuple of (str, int)
        ``(family, degree)`` pairs of section 3.
    fast_repeats, slow_repeats : int
        Repeats of cheap and of expensive measurements.
    fast_budget, slow_budget, poly_budget, nonlinear_budget : float
        Seconds after which a measurement stops repeating (``poly_budget`` for
        the many small cases of section 2, ``nonlinear_budget`` for the
        interleaved rounds of section 1).
    cli_repeats, reproduce_repeats : int
        Repeats of the issue's subprocess timings (0 skips reproduce).
    extra_cli_repeats : int
        Repeats of the extra subprocess timings (import floor, the l2 fit).
    scaling_samples : tuple of int
        Sample counts of the scaling section.
    scaling_tanh_degrees, scaling_poly_degrees : tuple of int
        Degrees of the scaling section.
    hard_cases : tuple of HardCase
        The issue's cases of section 6.
    hard_process_repeats : int
        Repeats of section 6's whole-process timings (approxfit and Sollya).
    verify_repeats, verify_mpmath_inputs, verify_float32_blocks, verify_float32_block
        Section 8 (see :func:`bench_verify`); ``verify_float32_full`` runs its whole sweep.
    format_cases : tuple of FormatCase
        The cases of section 9 (coefficients in a format).
    format_repeats : int
        Interleaved rounds of section 9 (approxfit, the baseline, Sollya).
    format_budget : float
        Seconds per case of section 9 after which no further round is started.
    """

    quick: bool
    nonlinear_cases: tuple[tuple[str, int], ...]
    ons: tuple[str, ...]
    samples: int
    poly_targets: tuple[str, ...]
    poly_ranges: tuple[float, ...]
    poly_degrees: tuple[int, ...]
    poly_samples: int
    ls_cases: tuple[tuple[str, int], ...]
    fast_repeats: int
    slow_repeats: int
    fast_budget: float
    slow_budget: float
    poly_budget: float
    nonlinear_budget: float
    cli_repeats: int
    reproduce_repeats: int
    extra_cli_repeats: int
    scaling_samples: tuple[int, ...]
    scaling_tanh_degrees: tuple[int, ...]
    scaling_poly_degrees: tuple[int, ...]
    hard_cases: tuple[HardCase, ...]
    hard_process_repeats: int
    verify_repeats: int = 5
    verify_mpmath_inputs: int | None = None
    verify_float32_blocks: int = 16
    verify_float32_block: int = 2**22
    verify_float32_full: bool = False
    format_cases: tuple[FormatCase, ...] = FORMAT_FULL
    format_repeats: int = 3
    format_budget: float = 40.0


FULL = Config(
    quick=False,
    nonlinear_cases=(("tanh", 3), ("tanh", 5), ("tanh", 7),
                     ("sigmoid", 1), ("sigmoid", 3), ("sigmoid", 5)),
    ons=("gate", "value"), samples=20_001,
    poly_targets=("erf", "tanh", "gelu"), poly_ranges=(2.0, 4.0, 8.0),
    poly_degrees=(5, 7, 9, 11, 13, 15), poly_samples=5_001,
    ls_cases=(("tanh", 3), ("tanh", 5), ("tanh", 7),
              ("sigmoid", 1), ("sigmoid", 3), ("sigmoid", 5)),
    fast_repeats=5, slow_repeats=3, fast_budget=0.3, slow_budget=0.3, poly_budget=0.15,
    nonlinear_budget=1.2,
    cli_repeats=5, reproduce_repeats=5, extra_cli_repeats=3,
    scaling_samples=(1_000, 10_000, 100_000, 1_000_000),
    scaling_tanh_degrees=(1, 3, 5, 7, 9, 11, 13, 15),
    scaling_poly_degrees=tuple(range(1, 16)),
    hard_cases=HARD_FULL, hard_process_repeats=3,
)

QUICK = Config(
    quick=True,
    nonlinear_cases=(("tanh", 3), ("sigmoid", 1)), ons=("gate",), samples=2_001,
    poly_targets=("erf", "gelu"), poly_ranges=(3.0,), poly_degrees=(5, 9), poly_samples=2_001,
    ls_cases=(("tanh", 3), ("sigmoid", 1)),
    fast_repeats=2, slow_repeats=1, fast_budget=0.1, slow_budget=0.1, poly_budget=0.1,
    nonlinear_budget=0.1,
    cli_repeats=1, reproduce_repeats=0, extra_cli_repeats=1,
    scaling_samples=(1_000, 10_000), scaling_tanh_degrees=(1, 3), scaling_poly_degrees=(1, 5),
    hard_cases=HARD_QUICK, hard_process_repeats=1,
    verify_repeats=1, verify_mpmath_inputs=2048, verify_float32_blocks=4,
    verify_float32_block=2**18, format_cases=FORMAT_QUICK, format_repeats=1,
    format_budget=0.1,
)


# ---------------------------------------------------------------------------
# timing helpers
# ---------------------------------------------------------------------------
@dataclass
class Timing:
    """A median wall time and the runs behind it.

    Attributes
    ----------
    median : float
        Median of ``runs`` in seconds.
    runs : list of float
        Every run's wall time in seconds.
    value : Any
        What the last run returned.
    """

    median: float
    runs: list[float]
    value: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the returned value)."""
        return {"median_s": self.median, "runs_s": self.runs, "n": len(self.runs)}


def timed(fn: Callable[[], Any], *, repeats: int, budget: float) -> Timing:
    """Call ``fn`` up to ``repeats`` times, stopping once ``budget`` seconds are spent.

    Parameters
    ----------
    fn : callable
        What to time; called without arguments.
    repeats : int
        Largest number of calls (at least one call is always made).
    budget : float
        Seconds after which no further call is started.

    Returns
    -------
    Timing
        The median, the individual runs and the last return value.
    """
    runs: list[float] = []
    value = None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        value = fn()
        runs.append(time.perf_counter() - t0)
        if sum(runs) >= budget:
            break
    return Timing(statistics.median(runs), runs, value)


def timed_interleaved(fns: dict[str, Callable[[], Any]], *, repeats: int, budget: float
                      ) -> dict[str, Timing]:
    """Time several callables in turn (A, B, C, A, B, C, …) so that they share the load.

    Parameters
    ----------
    fns : dict
        Name → callable without arguments.
    repeats : int
        Largest number of rounds (at least one round is always made).
    budget : float
        Seconds (all callables together) after which no further round is started.

    Returns
    -------
    dict
        Name → :class:`Timing`.
    """
    runs: dict[str, list[float]] = {k: [] for k in fns}
    values: dict[str, Any] = {}
    spent = 0.0
    for _ in range(max(1, repeats)):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            values[name] = fn()
            dt = time.perf_counter() - t0
            runs[name].append(dt)
            spent += dt
        if spent >= budget:
            break
    return {k: Timing(statistics.median(v), v, values[k]) for k, v in runs.items()}


def quiet_fit(target: str, family: str, grid: Grid, **kwargs: Any) -> FitResult:
    """:func:`approxfit.fitting.fit.fit` with its warnings silenced (the bench records them itself).

    Parameters
    ----------
    target, family : str
        As for :func:`~approxfit.fitting.fit.fit`.
    grid : Grid
        The samples.
    **kwargs
        Passed on (``degree``, ``objective``, ``on``, ``start``, …).

    Returns
    -------
    FitResult
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(target, family, grid, **kwargs)


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, or None when either is missing or ``b`` is zero."""
    if a is None or b is None or b == 0 or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return a / b


#: How every method's max error is measured (sections 1 and 2), as bench.md states it.
ERROR_RULE = ("max |error| over the continuous range for every method alike: each method's "
              "coefficients are measured by approxfit.measure.metrics.error_metrics (every "
              "local extremum on the samples refined between them, the metric approxfit "
              "reports); the maxima on the samples alone are kept as max_error_samples")


def range_max_error(model: Callable[[Array], Array], target: Target, on: str, x: Array,
                    lo: float, hi: float) -> float:
    """``max |model − target|`` over ``[lo, hi]`` (see :data:`ERROR_RULE`).

    Parameters
    ----------
    model : callable
        ``t -> the method's approximation at t``, vectorised.
    target : Target
        What is approximated.
    on : {"value", "gate"}
        The quantity.
    x : numpy.ndarray
        The samples whose local extrema are refined.
    lo, hi : float
        The range.

    Returns
    -------
    float
        The refined maximum (``inf`` if the model overflows).
    """
    def err(t: Array) -> Array:
        with np.errstate(all="ignore"):
            return model(t) - target.evaluate(t, on=on)

    with np.errstate(all="ignore"):
        approx = np.asarray(model(x), dtype=float)
    return float(error_metrics(x, approx, target.evaluate(x, on=on), err, lo=lo,
                               hi=hi)["max_abs_error_range"])


# ---------------------------------------------------------------------------
# the baselines' problems
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GatedProblem:
    """Residual and Jacobian of ``scale(x)·σ(k·p(x)) + offset − y`` for the baselines.

    Independent of approxfit's own kernels (the powers of x are precomputed once),
    but the same residual definition: the tanh family is ``σ(2p)``, the sigmoid
    family ``σ(p)``; on the value the gate is mapped through the target's relation.

    Attributes
    ----------
    x, y : numpy.ndarray
        Samples and the fitted quantity (gate or value) there.
    vander : numpy.ndarray
        ``x**k`` for each power, shape ``(n, len(powers))``.
    k : float
        2 for the tanh family, 1 for sigmoid.
    factor : numpy.ndarray or None
        ``scale(x)`` on the value, None on the gate.
    offset : float
        The relation's offset on the value, 0 on the gate.
    """

    x: Array
    y: Array
    vander: Array
    k: float
    factor: Array | None
    offset: float

    @classmethod
    def build(cls, target: Target, family: str, powers: Sequence[int], x: Array,
              on: str) -> GatedProblem:
        """The problem of fitting ``family`` with ``powers`` to ``target``'s ``on`` at ``x``.

        Parameters
        ----------
        target : Target
            What is approximated.
        family : {"tanh", "sigmoid"}
            The gated family.
        powers : sequence of int
            Powers of the inner polynomial.
        x : numpy.ndarray
            Samples.
        on : {"gate", "value"}
            The fitted quantity.

        Returns
        -------
        GatedProblem
        """
        v = np.empty((x.size, len(powers)))
        for j, p in enumerate(powers):
            v[:, j] = x ** int(p)
        if on == "value":
            rel = target.relation
            factor, offset = np.asarray(rel.scale(x), dtype=float), float(rel.offset)
        else:
            factor, offset = None, 0.0
        k = 2.0 if family == "tanh" else 1.0
        return cls(x, np.asarray(target.evaluate(x, on=on), dtype=float), v, k, factor, offset)

    @staticmethod
    def model(target: Target, family: str, powers: Sequence[int], on: str, c: Array
              ) -> Callable[[Array], Array]:
        """``t -> scale(t)·σ(k·p(t)) + offset`` (or the gate) at any points, for
        :func:`range_max_error`."""
        def at(t: Array) -> Array:
            prob = GatedProblem.build(target, family, powers, np.asarray(t, dtype=float), on)
            return prob.residual(np.asarray(c, dtype=float)) + prob.y
        return at

    def residual(self, c: Array) -> Array:
        """The signed error at every sample."""
        g = expit(self.k * (self.vander @ c))
        if self.factor is not None:
            g = self.factor * g + self.offset
        return g - self.y

    def jacobian(self, c: Array) -> Array:
        """d residual / dc, shape ``(n, len(c))``."""
        z = self.k * (self.vander @ c)
        d = self.k * expit(z) * expit(-z)
        if self.factor is not None:
            d = self.factor * d
        return d[:, None] * self.vander

    def max_error(self, c: Array) -> float:
        """The objective of the direct-search baselines: ``max |residual|``."""
        return float(np.max(np.abs(self.residual(c))))


def run_minimize(prob: GatedProblem, c0: Array, method: str) -> dict[str, Any]:
    """Minimise the max error with :func:`scipy.optimize.minimize` from ``c0``.

    Tolerances are tight and the evaluation budget is large, so that the method
    stops because it has converged, not because it ran out of evaluations.

    Parameters
    ----------
    prob : GatedProblem
        The residual.
    c0 : numpy.ndarray
        The start (approxfit's least-squares coefficients).
    method : {"Nelder-Mead", "Powell"}
        Which direct search.

    Returns
    -------
    dict
        ``coef``, ``max_error``, ``nfev``, ``nit``, ``message``, ``success``.
    """
    if method == "Nelder-Mead":
        options = {"xatol": 1e-12, "fatol": 1e-16, "maxiter": 100_000, "maxfev": 100_000}
    else:
        options = {"xtol": 1e-12, "ftol": 1e-15, "maxiter": 100_000, "maxfev": 100_000}
    res = minimize(prob.max_error, c0, method=method, options=options)
    return {"coef": res.x, "max_error": prob.max_error(res.x), "nfev": int(res.nfev),
            "nit": int(res.nit), "message": str(res.message), "success": bool(res.success)}


def run_lp_iterated(prob: GatedProblem, c0: Array, *, p_max: int = 256,
                    tol: float = 1e-8) -> dict[str, Any]:
    """Iterated l_p least squares, p = 4, 8, …, ``p_max``, warm-started from ``c0`` (p = 2).

    Each stage minimises ``Σ |r_i / s|^p`` as the least-squares problem
    ``u_i·|u_i|^(p/2 − 1)``, ``u = r / s`` (s the stage's starting max error,
    which keeps the powers in range), by Levenberg–Marquardt with an analytic
    Jacobian.

    Parameters
    ----------
    prob : GatedProblem
        The residual.
    c0 : numpy.ndarray
        The l2 fit (the p = 2 stage).
    p_max : int
        The last exponent.
    tol : float
        ``ftol``, ``xtol`` and ``gtol`` of each stage (scipy's defaults; 1e-10
        costs about 1.5× the evaluations for the same error to four digits).

    Returns
    -------
    dict
        ``coef``, ``max_error`` (after the last stage), ``nfev`` and per-stage
        ``stages`` (``p``, ``max_error``, ``nfev``).
    """
    c = np.array(c0, dtype=float)
    stages = []
    nfev = 0
    p = 2
    while p < p_max:
        p *= 2
        s = prob.max_error(c)
        h = p / 2.0

        def fun(cc: Array, s: float = s, h: float = h) -> Array:
            u = prob.residual(cc) / s
            return np.sign(u) * np.abs(u) ** h

        def jac(cc: Array, s: float = s, h: float = h) -> Array:
            u = prob.residual(cc) / s
            return (h * np.abs(u) ** (h - 1.0) / s)[:, None] * prob.jacobian(cc)

        with np.errstate(under="ignore"):
            res = least_squares(fun, c, jac=jac, method="lm", x_scale="jac", ftol=tol,
                                xtol=tol, gtol=tol, max_nfev=2000)
        c = res.x
        nfev += int(res.nfev)
        stages.append({"p": p, "max_error": prob.max_error(c), "nfev": int(res.nfev)})
    return {"coef": c, "max_error": prob.max_error(c), "nfev": nfev, "stages": stages}


def cheb_basis(x: Array, powers: Sequence[int], lo: float, hi: float) -> Array:
    """Chebyshev polynomials ``T_k`` of ``x`` mapped to [−1, 1], one column per power.

    For a symmetric range the odd (even) ``T_k`` span the same space as the odd
    (even) monomials, so the LP baseline fits exactly approxfit's polynomial space,
    in a well-conditioned basis.
    """
    u = (2.0 * x - (lo + hi)) / (hi - lo)
    return npcheb.chebvander(u, max(powers))[:, list(powers)]


def run_linprog_minimax(x: Array, y: Array, powers: Sequence[int], lo: float,
                        hi: float) -> dict[str, Any]:
    """The textbook LP ``min t s.t. |V c − y| ≤ t`` on the whole grid, solved by HiGHS.

    Parameters
    ----------
    x, y : numpy.ndarray
        Samples and target values.
    powers : sequence of int
        The polynomial's powers (the basis is ``T_k`` of the mapped x).
    lo, hi : float
        The range, for the mapping to [−1, 1].

    Returns
    -------
    dict
        ``max_error`` (re-measured on the grid), ``level`` (the LP's t),
        ``status``, the ``attempts`` of :data:`LP_LADDER` it took and ``coef`` (the
        coefficients of the ``T_k``, None on failure).
    """
    v = cheb_basis(x, powers, lo, hi)
    m, n = v.shape
    ones = np.ones((m, 1))
    a_ub = np.block([[v, -ones], [-v, -ones]])
    b_ub = np.concatenate([y, -y])
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    bounds = [(None, None)] * n + [(0, None)]
    attempts = []
    for method, options in LP_LADDER:
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method=method,
                      options=options)
        attempts.append({"method": method, "tight": bool(options), "status": int(res.status),
                         "message": str(res.message)})
        if res.status == 0:
            err = float(np.max(np.abs(v @ res.x[:n] - y)))
            return {"max_error": err, "level": float(res.x[-1]), "status": 0,
                    "attempts": attempts, "coef": res.x[:n].copy()}
    return {"max_error": None, "level": None, "status": int(res.status), "attempts": attempts,
            "coef": None}


# ---------------------------------------------------------------------------
# section 1: nonlinear minimax
# ---------------------------------------------------------------------------
def bench_minimax_nonlinear(cfg: Config) -> dict[str, Any]:
    """Section 1: tanh/sigmoid minimax on gelu over [−10, 10] against three baselines.

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``setup`` and ``cases`` (one entry per family, degree and quantity).
    """
    target = get_target("gelu")
    grid = make_grid(-10.0, 10.0, samples=cfg.samples)
    x = grid.x
    cases = []
    for family, degree in cfg.nonlinear_cases:
        for on in cfg.ons:
            cases.append(_nonlinear_case(cfg, target, grid, x, family, degree, on))
            _progress(f"minimax {family} deg {degree} {on}: "
                      f"x{fmt_ratio(cases[-1]['speedup']['nelder_mead'])} vs NM")
    return {
        "setup": {"target": "gelu", "range": [-10.0, 10.0], "samples": cfg.samples,
                  "grid": "uniform", "start": "approxfit least-squares fit (objective='l2')",
                  "approxfit_time": "whole fit(objective='minimax') call: its linear start, "
                                    "Remez's exchange (with a least-squares start and the "
                                    "SLP loop when Remez alone fails), the certificate and "
                                    "the metrics",
                  "baseline_time": "the optimiser alone, from the given l2 start",
                  "timing": "approxfit's minimax fit, its l2 fit, its result's metrics, "
                            "Nelder-Mead and Powell are timed in turn (interleaved rounds); "
                            "iterated l_p after them",
                  "nelder_mead": "minimize(method='Nelder-Mead', xatol=1e-12, fatol=1e-16, "
                                 "maxiter=maxfev=100000)",
                  "powell": "minimize(method='Powell', xtol=1e-12, ftol=1e-15, "
                            "maxiter=maxfev=100000)",
                  "lp_iterated": "least_squares(method='lm') on u·|u|^(p/2-1), u = r/max|r|, "
                                 "p = 4, 8, ..., 256, scipy's default tolerances (1e-8), "
                                 "warm-started",
                  "error": "on the fitted quantity (gate or value), " + ERROR_RULE +
                           "; Nelder–Mead, Powell and l_p minimise the maximum on the "
                           "samples, approxfit the maximum over the range"},
        "cases": cases,
    }


def _nonlinear_case(cfg: Config, target: Target, grid: Grid, x: Array, family: str,
                    degree: int, on: str) -> dict[str, Any]:
    def l2_fit() -> FitResult:
        return quiet_fit(target.name, family, grid, degree=degree, objective="l2", on=on)

    def mm_fit() -> FitResult:
        return quiet_fit(target.name, family, grid, degree=degree, objective="minimax", on=on)

    # The start every method shares, and the problem the baselines see.
    l2 = l2_fit()
    mm = mm_fit()
    powers = mm.approximant.powers
    c0 = np.array(l2.approximant.coef, dtype=float)
    prob = GatedProblem.build(target, family, powers, x, on)
    err_af_samples = float(mm.certificate.max_error_samples)
    check = prob.max_error(np.array(mm.approximant.coef))
    # Every method measured alike: the maximum over the range (ERROR_RULE).
    err_af = range_max_error(lambda t: mm.approximant.evaluate(t, on=on), target, on, x,
                             grid.lo, grid.hi)

    # approxfit, its l2 start, its metrics and the two direct searches take turns so
    # that background load hits them alike; iterated l_p (the slowest) runs after.
    times = timed_interleaved(
        {"minimax": mm_fit, "l2": l2_fit,
         "metrics": lambda: (approximant_metrics(mm.approximant, x, lo=grid.lo, hi=grid.hi),
                             outside_metrics(mm.approximant, grid.lo, grid.hi, on=on)),
         "nelder_mead": lambda: run_minimize(prob, c0, "Nelder-Mead"),
         "powell": lambda: run_minimize(prob, c0, "Powell")},
        repeats=cfg.slow_repeats, budget=cfg.nonlinear_budget)
    times["lp_iterated"] = timed(lambda: run_lp_iterated(prob, c0),
                                 repeats=cfg.slow_repeats, budget=cfg.slow_budget)
    t_mm, t_l2, t_metrics = times["minimax"], times["l2"], times["metrics"]
    base: dict[str, dict[str, Any]] = {}
    for key in ("nelder_mead", "powell", "lp_iterated"):
        out = dict(times[key].value)
        out["max_error_samples"] = out["max_error"]
        out["max_error"] = range_max_error(
            GatedProblem.model(target, family, powers, on, out["coef"]), target, on, x,
            grid.lo, grid.hi)
        out["coef"] = [float(v) for v in out["coef"]]
        out["time"] = times[key].to_dict()
        base[key] = out
    speedup = {k: ratio(v["time"]["median_s"], t_mm.median) for k, v in base.items()}
    speedup_e2e = {k: ratio(v["time"]["median_s"] + t_l2.median, t_mm.median)
                   for k, v in base.items()}
    err_ratio = {k: ratio(v["max_error"], err_af) for k, v in base.items()}
    return {
        "family": family, "degree": degree, "on": on, "powers": list(powers),
        "approxfit": {"time": t_mm.to_dict(), "max_error": err_af,
                      "max_error_samples": err_af_samples,
                      "converged": bool(mm.converged), "iterations": int(mm.iterations),
                      "message": mm.message,
                      "levelled_ratio": float(mm.certificate.levelled_ratio),
                      "coef": [float(v) for v in mm.approximant.coef],
                      "l2_fit_time": t_l2.to_dict(), "metrics_time": t_metrics.to_dict(),
                      "l2_max_error": prob.max_error(c0),
                      "residual_check_rel": (abs(check - err_af_samples) / err_af_samples
                                             if err_af_samples else 0.0)},
        "baselines": base,
        "speedup": speedup,
        "speedup_including_l2_start": speedup_e2e,
        "error_ratio": err_ratio,
        "error_le_nelder_mead": err_af <= base["nelder_mead"]["max_error"] * (1 + EQUAL_RTOL),
        "error_lt": {k: err_af < v["max_error"] * (1 - EQUAL_RTOL) for k, v in base.items()},
    }


# ---------------------------------------------------------------------------
# section 2: polynomial minimax
# ---------------------------------------------------------------------------
def bench_minimax_poly(cfg: Config) -> dict[str, Any]:
    """Section 2: polynomial minimax on the value against Chebyshev interpolation and linprog.

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``setup`` and ``cases``.
    """
    cases = []
    poly = get_family("poly")
    for name in cfg.poly_targets:
        target = get_target(name)
        for r in cfg.poly_ranges:
            grid = make_grid(-r, r, samples=cfg.poly_samples)
            x = grid.x
            y = np.asarray(target.value(x), dtype=float)
            for degree in cfg.poly_degrees:
                powers = powers_for(degree, poly.default_parity(target, "value"))
                cases.append(_poly_case(cfg, name, grid, x, y, degree, powers))
        _progress(f"poly {name}: {len(cfg.poly_ranges) * len(cfg.poly_degrees)} cases")
    return {
        "setup": {"on": "value", "samples": cfg.poly_samples, "grid": "uniform",
                  "approxfit": "fit(family='poly', objective='minimax', on='value'), parity "
                               "as the target's (odd for erf and tanh)",
                  "chebyshev": "numpy.polynomial.Chebyshev.interpolate(f, degree, "
                               "domain=[lo, hi]) (all powers)",
                  "linprog": "min t s.t. |V c - y| <= t on the whole grid, V = T_k((x - mid)/"
                             "half) for approxfit's powers, HiGHS at feasibility tolerances 1e-10 "
                             "(approxfit's); on status 4 retried with highs-ipm, then "
                             "HiGHS's defaults (the time includes the retries). Error: "
                             + ERROR_RULE + " (linprog minimises the maximum on the samples, "
                             "approxfit the maximum over the range)",
                  "error": ERROR_RULE},
        "cases": cases,
    }


def _poly_case(cfg: Config, name: str, grid: Grid, x: Array, y: Array, degree: int,
               powers: tuple[int, ...]) -> dict[str, Any]:
    target = get_target(name)

    def af_fit() -> FitResult | str:
        try:
            return quiet_fit(name, "poly", grid, degree=degree, objective="minimax",
                             on="value")
        except ApproxfitError as exc:
            return f"{type(exc).__name__}: {exc}"

    t_af = timed(af_fit, repeats=cfg.slow_repeats, budget=cfg.poly_budget)
    if isinstance(t_af.value, str):
        af: dict[str, Any] = {"time": t_af.to_dict(), "max_error": None, "converged": False,
                              "failed": t_af.value}
        err_af = None
    else:
        r: FitResult = t_af.value
        err_af = range_max_error(lambda t: r.approximant.evaluate(t, on="value"), target,
                                 "value", x, grid.lo, grid.hi)
        af = {"time": t_af.to_dict(), "max_error": err_af,
              "max_error_samples": float(r.certificate.max_error_samples),
              "converged": bool(r.converged),
              "iterations": int(r.iterations), "message": r.message, "failed": None}

    t_ch = timed(lambda: Chebyshev.interpolate(target.value, degree, domain=[grid.lo, grid.hi]),
                 repeats=cfg.fast_repeats, budget=cfg.fast_budget)
    err_ch = range_max_error(t_ch.value, target, "value", x, grid.lo, grid.hi)
    t_lp = timed(lambda: run_linprog_minimax(x, y, powers, grid.lo, grid.hi),
                 repeats=cfg.slow_repeats, budget=cfg.poly_budget)
    lp = dict(t_lp.value)
    lp["time"] = t_lp.to_dict()
    if lp.get("coef") is not None:
        coef = np.asarray(lp.pop("coef"))
        lp["max_error_samples"] = lp["max_error"]
        lp["max_error"] = range_max_error(
            lambda t: cheb_basis(np.asarray(t, dtype=float), powers, grid.lo, grid.hi) @ coef,
            target, "value", x, grid.lo, grid.hi)
    else:
        lp.pop("coef", None)
    return {
        "target": name, "range": [grid.lo, grid.hi], "degree": degree, "powers": list(powers),
        "approxfit": af,
        "chebyshev": {"time": t_ch.to_dict(), "max_error": err_ch},
        "linprog": lp,
        "error_ratio": {"chebyshev": ratio(err_ch, err_af),
                        "linprog": ratio(lp["max_error"], err_af)},
        "time_ratio": {"chebyshev": ratio(t_ch.median, t_af.median),
                       "linprog": ratio(t_lp.median, t_af.median)},
    }


# ---------------------------------------------------------------------------
# section 3: least squares
# ---------------------------------------------------------------------------
def ls_start(family: str, powers: Sequence[int]) -> dict[str, float]:
    """The common start of section 3: the first-order slope of the gate, higher terms 0.

    ``c1 = √(2/π)`` for tanh (``½(1 + tanh(√(2/π)x))``) and ``c1 = 1.702`` for
    sigmoid (``σ(1.702x)``).
    """
    c1 = math.sqrt(2.0 / math.pi) if family == "tanh" else 1.702
    return {f"c{k}": (c1 if k == 1 else 0.0) for k in powers}


def bench_least_squares(cfg: Config) -> dict[str, Any]:
    """Section 3: approxfit's l2 fit against :func:`scipy.optimize.curve_fit`.

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``setup`` and ``cases``.
    """
    target = get_target("gelu")
    grid = make_grid(-10.0, 10.0, samples=cfg.samples)
    x = grid.x
    cases = []
    for family, degree in cfg.ls_cases:
        for on in cfg.ons:
            cases.append(_ls_case(cfg, target, grid, x, family, degree, on))
    _progress(f"least squares: {len(cases)} cases")
    return {
        "setup": {"target": "gelu", "range": [-10.0, 10.0], "samples": cfg.samples,
                  "start": "c1 = sqrt(2/pi) (tanh) or 1.702 (sigmoid), other coefficients 0",
                  "approxfit": "fit(objective='l2', start=...): least_squares(method='lm', "
                               "x_scale='jac', ftol=xtol=gtol=1e-15, max_nfev=2000) plus "
                               "the result's metrics",
                  "curve_fit": "curve_fit(method='lm', jac=..., ftol=xtol=gtol=1e-15, "
                               "maxfev=2000) with approxfit's own family kernels as model "
                               "and Jacobian",
                  "curve_fit_precomputed": "the same, with a hand-written model "
                                           "(x**k precomputed once, expit)",
                  "coef_rel_diff": "max_k |c_k(approxfit) - c_k(curve_fit)| / |c_k(approxfit)|",
                  "timing": "approxfit, its result's metrics and the two curve_fit variants "
                            "are timed in turn (interleaved rounds) so that they share any "
                            "background load"},
        "cases": cases,
    }


def _ls_case(cfg: Config, target: Target, grid: Grid, x: Array, family: str, degree: int,
             on: str) -> dict[str, Any]:
    fam = get_family(family)
    powers = powers_for(degree, fam.default_parity(target, on))
    start = ls_start(family, powers)
    c0 = np.array([start[f"c{k}"] for k in powers])
    y = np.asarray(target.evaluate(x, on=on), dtype=float)
    if on == "value":
        factor, offset = np.asarray(target.relation.scale(x), dtype=float), target.relation.offset
    else:
        factor, offset = np.ones_like(x), 0.0

    def model(xd: Array, *c: float) -> Array:
        return factor * fam.value(xd, np.asarray(c), powers) + offset

    def jac(xd: Array, *c: float) -> Array:
        return factor[:, None] * fam.jacobian(xd, np.asarray(c), powers)

    prob = GatedProblem.build(target, family, powers, x, on)

    def model_pre(_xd: Array, *c: float) -> Array:
        return prob.residual(np.asarray(c)) + prob.y

    def jac_pre(_xd: Array, *c: float) -> Array:
        return prob.jacobian(np.asarray(c))

    tol = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "maxfev": 2000}
    first = quiet_fit(target.name, family, grid, degree=degree, objective="l2", on=on,
                      start=start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = timed_interleaved(
            {"approxfit": lambda: fit(target.name, family, grid, degree=degree, objective="l2",
                                      on=on, start=start),
             "metrics": lambda: (approximant_metrics(first.approximant, x, lo=grid.lo,
                                                     hi=grid.hi),
                                 outside_metrics(first.approximant, grid.lo, grid.hi, on=on)),
             "curve_fit": lambda: curve_fit(model, x, y, p0=c0, jac=jac, method="lm", **tol),
             "precomputed": lambda: curve_fit(model_pre, x, y, p0=c0, jac=jac_pre,
                                              method="lm", **tol)},
            repeats=cfg.fast_repeats, budget=3 * cfg.fast_budget)
    t_af, t_cf, t_pre = times["approxfit"], times["curve_fit"], times["precomputed"]
    t_metrics = times["metrics"]
    r: FitResult = t_af.value
    ca = np.array(r.approximant.coef)
    cf = np.asarray(t_cf.value[0])
    cp = np.asarray(t_pre.value[0])
    denom = np.where(ca != 0, np.abs(ca), 1.0)
    rms_af = float(np.sqrt(np.mean(prob.residual(ca) ** 2)))
    rms_cf = float(np.sqrt(np.mean(prob.residual(cf) ** 2)))
    diff = float(np.max(np.abs(ca - cf) / denom))
    return {
        "family": family, "degree": degree, "on": on, "powers": list(powers),
        "start": [float(v) for v in c0],
        "approxfit": {"time": t_af.to_dict(), "metrics_time": t_metrics.to_dict(),
                      "nfev": int(r.iterations), "coef": [float(v) for v in ca],
                      "rmse": rms_af, "converged": bool(r.converged)},
        "curve_fit": {"time": t_cf.to_dict(), "coef": [float(v) for v in cf], "rmse": rms_cf},
        "curve_fit_precomputed": {"time": t_pre.to_dict(), "coef": [float(v) for v in cp]},
        "time_ratio": ratio(t_af.median, t_cf.median),
        "time_ratio_without_metrics": ratio(max(t_af.median - t_metrics.median, 0.0),
                                            t_cf.median),
        "time_ratio_vs_precomputed": ratio(t_af.median, t_pre.median),
        "coef_rel_diff": diff,
        "coef_rel_diff_precomputed": float(np.max(np.abs(ca - cp) / denom)),
        "rmse_rel_diff": abs(rms_af - rms_cf) / rms_cf if rms_cf else 0.0,
        "equal_coefficients": diff <= COEF_RTOL,
    }


# ---------------------------------------------------------------------------
# section 4: command line
# ---------------------------------------------------------------------------
def approxfit_command() -> list[str]:
    """The installed ``approxfit`` console script of this interpreter.

    The script next to ``sys.executable`` is preferred over ``PATH`` lookups so
    that a version manager's shim (which adds its own start-up time) is not
    measured; ``python -m approxfit`` is the last resort.
    """
    exe = Path(sys.executable).parent / "approxfit"
    if exe.is_file() and os.access(exe, os.X_OK):
        return [str(exe)]
    found = shutil.which("approxfit")
    return [found] if found else [sys.executable, "-m", "approxfit"]


def time_command(argv: list[str], *, repeats: int, cwd: Path) -> dict[str, Any]:
    """Median wall time of a subprocess over ``repeats`` cold starts.

    Parameters
    ----------
    argv : list of str
        The command.
    repeats : int
        How many runs.
    cwd : Path
        Working folder of the runs.

    Returns
    -------
    dict
        ``median_s``, ``runs_s``, ``n``, ``returncodes``.
    """
    runs, codes = [], []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False)
        runs.append(time.perf_counter() - t0)
        codes.append(proc.returncode)
    return {"median_s": statistics.median(runs), "runs_s": runs, "n": len(runs),
            "returncodes": codes}


def bench_cli(cfg: Config) -> dict[str, Any]:
    """Section 4: cold subprocess wall times of the command line.

    Parameters
    ----------
    cfg : Config
        What to run (``reproduce_repeats = 0`` skips ``reproduce``).

    Returns
    -------
    dict
        ``setup`` and ``commands`` (name → command, timing, target, met).
    """
    cmd = approxfit_command()
    commands: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="approxfit-bench-") as tmp:
        work = Path(tmp)
        plan: list[tuple[str, list[str], int, float | None]] = [
            ("python_imports", [sys.executable, "-c",
                                "import numpy, scipy.optimize, scipy.special"],
             cfg.extra_cli_repeats, None),
            ("help", [*cmd, "--help"], cfg.cli_repeats, 0.3),
            ("fit_l2", [*cmd, "fit", "gelu", "tanh", "--degree", "3", "--fix",
                        "c1=sqrt(2/pi)", "--step", "0.01"], cfg.extra_cli_repeats, 1.0),
            ("fit_minimax", [*cmd, "fit", "gelu", "tanh", "--degree", "5", "--objective",
                             "minimax"], cfg.cli_repeats, 1.0),
        ]
        if cfg.reproduce_repeats > 0:
            plan.append(("reproduce", [*cmd, "reproduce", "--out", str(work / "reproduce")],
                         cfg.reproduce_repeats, 15.0))
        for name, argv, repeats, target in plan:
            t = time_command(argv, repeats=repeats, cwd=work)
            shown = [Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv)]
            shown = [("<tmp>/reproduce" if a.startswith(tmp) else a) for a in shown]
            commands[name] = {"command": shlex.join(shown), "time": t, "target_s": target,
                              "ok": all(c == 0 for c in t["returncodes"]),
                              "met": None if target is None else t["median_s"] <= target}
            _progress(f"cli {name}: {t['median_s']:.3f} s")
    if "reproduce" not in commands:
        commands["reproduce"] = {"command": "approxfit reproduce --out <tmp>", "time": None,
                                 "target_s": 15.0, "ok": None, "met": None,
                                 "skipped": "--quick"}
    return {"setup": {"executable": cmd[0], "cold": "a new process per run (file cache warm)",
                      "python_imports": "floor: the interpreter plus numpy, scipy.optimize "
                                        "and scipy.special imports, no approxfit"},
            "commands": commands}


# ---------------------------------------------------------------------------
# section 5: scaling
# ---------------------------------------------------------------------------
def loglog_slope(ns: Sequence[float], ts: Sequence[float]) -> float | None:
    """Least-squares slope of log t against log n (1 means linear)."""
    if len(ns) < 2:
        return None
    a, _ = np.polyfit(np.log(np.asarray(ns, float)), np.log(np.asarray(ts, float)), 1)
    return float(a)


def bench_scaling(cfg: Config) -> dict[str, Any]:
    """Section 5: fit time against samples (10³ → 10⁶) and against degree (1 → 15).

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``samples`` (tanh degree 5 on gelu's gate, l2 and minimax) and ``degree``
        (tanh odd degrees on the gate, poly on the value over [−5, 5]).
    """
    rows = []
    for n in cfg.scaling_samples:
        grid = make_grid(-10.0, 10.0, samples=n)
        row: dict[str, Any] = {"samples": n}
        for obj in ("l2", "minimax"):
            t = timed(lambda grid=grid, obj=obj: quiet_fit("gelu", "tanh", grid, degree=5,
                                                           objective=obj, on="gate"),
                      repeats=cfg.slow_repeats, budget=cfg.slow_budget)
            its = int(t.value.iterations)
            row[obj] = {"time": t.to_dict(), "per_sample_us": 1e6 * t.median / n,
                        "iterations": its,
                        "per_sample_per_iteration_us": 1e6 * t.median / n / max(its, 1)}
        rows.append(row)
        _progress(f"scaling n={n}: l2 {row['l2']['time']['median_s']:.3f} s, "
                  f"minimax {row['minimax']['time']['median_s']:.3f} s")
    big = [r for r in rows if r["samples"] >= 10_000]
    big = big if len(big) >= 2 else rows
    slopes = {obj: loglog_slope([r["samples"] for r in big],
                                [r[obj]["time"]["median_s"] for r in big])
              for obj in ("l2", "minimax")}
    # The l2 fit's evaluation count may grow with the samples; per evaluation the
    # cost should be linear.
    slope_per_eval = loglog_slope([r["samples"] for r in big],
                                  [r["l2"]["time"]["median_s"] / max(r["l2"]["iterations"], 1)
                                   for r in big])

    deg_rows = []
    g20 = make_grid(-10.0, 10.0, samples=cfg.samples)
    for d in cfg.scaling_tanh_degrees:
        deg_rows.append(_degree_row(cfg, "tanh", d, g20, "gate"))
    g5 = make_grid(-5.0, 5.0, samples=cfg.samples)
    for d in cfg.scaling_poly_degrees:
        deg_rows.append(_degree_row(cfg, "poly", d, g5, "value"))
    _progress(f"scaling degrees: {len(deg_rows)} fits")
    return {
        "setup": {"samples": "gelu, tanh degree 5, on the gate, uniform on [-10, 10]",
                  "degree": f"minimax on gelu, {cfg.samples} samples: tanh (odd degrees) on "
                            "the gate over [-10, 10]; poly (all powers) on the value over "
                            "[-5, 5]",
                  "slope": "least-squares slope of log(time) on log(samples) for samples "
                           ">= 1e4 (all samples if fewer than two; 1 = linear)"},
        "samples": rows, "loglog_slope": slopes,
        "loglog_slope_l2_per_evaluation": slope_per_eval, "degree": deg_rows,
    }


def _degree_row(cfg: Config, family: str, degree: int, grid: Grid, on: str) -> dict[str, Any]:
    def run() -> FitResult | str:
        try:
            return quiet_fit("gelu", family, grid, degree=degree, objective="minimax", on=on)
        except ApproxfitError as exc:
            return f"{type(exc).__name__}: {exc}"

    t = timed(run, repeats=cfg.slow_repeats, budget=cfg.slow_budget / 2)
    ok = not isinstance(t.value, str)
    return {"family": family, "degree": degree, "on": on, "range": [grid.lo, grid.hi],
            "time": t.to_dict(),
            "iterations": int(t.value.iterations) if ok else None,
            "converged": bool(t.value.converged) if ok else False,
            "max_error": float(t.value.certificate.max_error_samples) if ok else None,
            "failed": None if ok else t.value}


# ---------------------------------------------------------------------------
# section 7: exhaustive verification
# ---------------------------------------------------------------------------
#: The float32 target of issue 14: every finite input within this many seconds on 2 cores.
VERIFY_FLOAT32_TARGET_S = 600.0
#: bfloat16 and float16: every finite input "well under a second".
VERIFY_HALF_TARGET_S = 1.0


def _mpmath_reference_time(approx: Any, fmt: str, n: int | None) -> tuple[float, int, int]:
    """The obvious alternative: the GELU of each input in mpmath (30 digits), rounded to
    the format, one input at a time (the kernel itself evaluated by numpy in the model).
    Returns (seconds, inputs timed, total inputs); with ``n`` only every k-th input is
    timed and the time is scaled to all of them."""
    import mpmath

    from approxfit.lowprec.formats import finite_count, finite_index_range
    from approxfit.lowprec.model import make_model, run_program
    from approxfit.lowprec.reference import round_mpf
    from approxfit.lowprec.verify import sample_indices, ulp_distance, values_at

    start, _ = finite_index_range(fmt)
    total = finite_count(fmt)
    k = total if n is None else min(n, total)
    x = values_at(fmt, sample_indices(start, total, k))
    model = make_model(fmt)
    t0 = time.perf_counter()
    res, _ = run_program(tuple(approx.program(on="value")), x, model)
    with mpmath.workdps(30):
        ref = np.array([round_mpf(mpmath.mpf(v) * mpmath.ncdf(v), fmt)
                        for v in x.astype(np.float64).tolist()])
    ulp_distance(res, ref, fmt)
    dt = time.perf_counter() - t0
    return dt * total / k, k, total


def bench_verify(cfg: Config) -> dict[str, Any]:
    """Section 7: exhaustive ``verify`` of a degree-5 tanh-GELU (minimax on the gate).

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``half`` (bfloat16 and float16: approxfit's time, the mpmath alternative's, the
        ratio) and ``float32`` (projected serial and local times, and the full sweep's
        wall time when ``--float32-full`` was given).
    """
    from approxfit.lowprec.formats import finite_count
    from approxfit.lowprec.verify import verify

    approx = quiet_fit("gelu", "tanh", make_grid(-10.0, 10.0, samples=20_001), degree=5,
                       objective="minimax", clamp="range").approximant   # tails 0 and x
    half = []
    for fmt in ("bfloat16", "float16"):
        verify(approx, "gelu", fmt)                                   # warm
        t = timed(lambda fmt=fmt: verify(approx, "gelu", fmt, executor="serial"),
                  repeats=cfg.verify_repeats, budget=2.0)
        r = t.value
        alt_s, alt_n, total = _mpmath_reference_time(approx, fmt, cfg.verify_mpmath_inputs)
        half.append({"format": fmt, "inputs": r.inputs, "time": t.to_dict(),
                     "incorrectly_rounded": r.incorrectly_rounded, "max_ulp": r.max_ulp,
                     "mpmath_reference_s": alt_s, "mpmath_inputs_timed": alt_n,
                     "speedup_vs_mpmath": ratio(alt_s, t.median),
                     "target_s": VERIFY_HALF_TARGET_S,
                     "met": t.median <= VERIFY_HALF_TARGET_S})
        _progress(f"verify {fmt}: {t.median:.3f} s (mpmath per input {alt_s:.1f} s)")
    total = finite_count("float32")
    n = cfg.verify_float32_blocks * cfg.verify_float32_block
    cpus = os.cpu_count() or 1
    proj: dict[str, Any] = {}
    import resource

    def cpu() -> float:
        own = time.process_time()
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own + kids.ru_utime + kids.ru_stime

    for ex in ("serial", "local"):
        load = _loadavg()
        t0, c0 = time.perf_counter(), cpu()
        r = verify(approx, "gelu", "float32", sample=n, executor=ex,
                   block_size=cfg.verify_float32_block)
        dt, dc = time.perf_counter() - t0, cpu() - c0      # the pool is joined: reaped
        workers = 1 if ex == "serial" else cpus
        proj[ex] = {"sample_s": dt, "projected_s": dt * total / n, "cpu_s": dc,
                    "projected_idle_s": dc * total / n / workers, "loadavg_before": load,
                    "input_set": r.input_set}
        _progress(f"verify float32 {ex}: {dt:.2f} s ({dc:.2f} s CPU) for {n:,} inputs, "
                  f"projected {dt * total / n / 60:.1f} min (on idle cores "
                  f"{dc * total / n / workers / 60:.1f} min)")
    full = None
    if cfg.verify_float32_full:
        t0 = time.perf_counter()
        r = verify(approx, "gelu", "float32", executor="local")
        full = {"wall_s": time.perf_counter() - t0, "inputs": r.inputs,
                "incorrectly_rounded": r.incorrectly_rounded, "max_ulp": r.max_ulp}
        _progress(f"verify float32 full: {full['wall_s']:.0f} s")
    local_s = full["wall_s"] if full else proj["local"]["projected_s"]
    return {"setup": {"kernel": f"{approx.name}: af.fit('gelu', 'tanh', degree=5, "
                                "objective='minimax', clamp='range') on 20 001 samples, "
                                "as published "
                                "(½·x·(1 + tanh p)), float32 arithmetic",
                      "alternative": "per input: mpmath GELU (30 digits) rounded to the "
                                     "format, the kernel by the same model in numpy"
                                     + ("" if cfg.verify_mpmath_inputs is None else
                                        f"; timed on {cfg.verify_mpmath_inputs} evenly "
                                        "spread inputs and scaled to all"),
                      "float32": f"{cfg.verify_float32_blocks} blocks of "
                                 f"{cfg.verify_float32_block:,} evenly spread inputs, "
                                 "wall time scaled to all 4 278 190 080 (projected); CPU "
                                 "time (this process and its workers) scaled and divided "
                                 "by the workers (projected on idle cores)", "cpus": cpus},
            "half": half,
            "float32": {"inputs": total, "sample": n, "serial": proj["serial"],
                        "local": proj["local"],
                        "speedup_local": ratio(proj["serial"]["sample_s"],
                                               proj["local"]["sample_s"]),
                        "full": full, "target_s": VERIFY_FLOAT32_TARGET_S,
                        "met": local_s <= VERIFY_FLOAT32_TARGET_S}}


# ---------------------------------------------------------------------------
# section 6: the issue's hard cases, against Sollya and the release
# ---------------------------------------------------------------------------
def sollya_remez(case: HardCase, *, repeats: int, cwd: Path) -> dict[str, Any]:
    """Sollya's ``remez`` for ``case`` as a whole process: its wall time and its error.

    The script computes the minimax polynomial of full degree (for an odd target on a
    symmetric range the optimum is odd anyway; Sollya 8.0's remez fails on tanh with
    the odd monomials 1, 3, …, 21) at quality :data:`SOLLYA_QUALITY`, then its error
    with ``dirtyinfnorm`` — approxfit's fit also measures its error — absolute, or
    relative (``remez(1, n, I, 1/f)``, error ``p/f − 1``).

    Returns
    -------
    dict
        ``time`` (or None), ``max_error``, ``command``, and ``skipped`` with the reason
        when Sollya is not installed or cannot do the case.
    """
    exe = shutil.which("sollya")
    f = case.sollya_f()
    if exe is None or f is None:
        why = "sollya is not installed" if exe is None else "not a polynomial fit"
        return {"time": None, "max_error": None, "skipped": why}
    interval = f"[{case.lo!r};{case.hi!r}]"
    if case.error == "relative":
        body = (f"p = remez(1, {case.degree}, I, 1/(f), {SOLLYA_QUALITY});\n"
                "print(\"err =\", dirtyinfnorm(p/(f) - 1, I));\n")
    else:
        body = (f"p = remez(f, {case.degree}, I, 1, {SOLLYA_QUALITY});\n"
                "print(\"err =\", dirtyinfnorm(f - p, I));\n")
    script = (f"verbosity = 0!;\ndisplay = decimal!;\nf = {f};\nI = {interval};\n{body}"
              "quit;\n")
    path = cwd / f"{case.name}.sollya"
    path.write_text(script, encoding="utf-8")
    t = time_command([exe, "--warnonstderr", str(path)], repeats=repeats, cwd=cwd)
    proc = subprocess.run([exe, "--warnonstderr", str(path)], cwd=cwd, capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL, timeout=600)
    err = None
    for line in proc.stdout.splitlines():
        if line.startswith("err = "):
            try:
                err = float(line[6:])
            except ValueError:
                err = None
    out: dict[str, Any] = {"time": t, "max_error": err,
                           "command": f"sollya {case.name}.sollya ({body.splitlines()[0]})"}
    if err is None:
        out["failed"] = (proc.stderr.strip() or proc.stdout.strip())[-300:]
    return out


def release_times() -> dict[str, Any] | None:
    """The committed ``results/bench.json`` (the release's times), or None.

    Read from git (``HEAD:results/bench.json``) so that a regenerated file in the
    working tree does not replace the reference; the file itself otherwise.
    """
    import json

    try:
        proc = subprocess.run(["git", "show", "HEAD:results/bench.json"], cwd=ROOT,
                              capture_output=True, text=True, check=False, timeout=30)
        if proc.returncode == 0 and proc.stdout.strip():
            return json.loads(proc.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    path = ROOT / "results" / "bench.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _hard_fit(case: HardCase) -> FitResult | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return approxfit.fit(case.target, case.family, **case.kwargs())
    except TypeError as exc:                 # a keyword this version does not take
        return f"skipped: {exc}"
    except ApproxfitError as exc:
        return f"{type(exc).__name__}: {exc}"


def _hard_error(res: FitResult, case: HardCase) -> float | None:
    m = res.metrics.get(res.on, {})
    key = "max_rel_error_range" if case.error == "relative" else "max_abs_error_range"
    v = m.get(key)
    if v is None and case.error == "relative" and res.certificate is not None:
        v = max(abs(e) for e in res.certificate.errors)
    return None if v is None else float(v)


def bench_hard_cases(cfg: Config) -> dict[str, Any]:
    """Section 6: the issue's cases, in process, as commands, and against Sollya's remez.

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``setup`` and ``cases``.
    """
    cases = []
    cmd = approxfit_command()
    with tempfile.TemporaryDirectory(prefix="approxfit-bench-") as tmp:
        work = Path(tmp)
        for case in cfg.hard_cases:
            t_in = timed(lambda case=case: _hard_fit(case), repeats=cfg.slow_repeats,
                         budget=cfg.slow_budget)
            row: dict[str, Any] = {"name": case.name, "command": shlex.join(
                ["approxfit", *case.argv()]), "target_s": case.target_s}
            if isinstance(t_in.value, str):
                row["approxfit"] = {"time": t_in.to_dict(), "failed": t_in.value,
                                    "max_error": None}
                skipped = t_in.value.startswith("skipped")
            else:
                res: FitResult = t_in.value
                cert = res.certificate
                row["approxfit"] = {
                    "time": t_in.to_dict(), "failed": None, "converged": bool(res.converged),
                    "iterations": int(res.iterations), "message": res.message,
                    "max_error": _hard_error(res, case),
                    "lower_bound": None if cert is None else getattr(cert, "lower_bound", None),
                    "optimality_gap": None if cert is None
                    else getattr(cert, "optimality_gap", None)}
                skipped = False
            row["met"] = (None if case.target_s is None or isinstance(t_in.value, str)
                          else t_in.median <= case.target_s)
            if skipped or cfg.hard_process_repeats == 0:
                row["approxfit_process"] = None
                row["sollya"] = {"time": None, "max_error": None,
                                 "skipped": "the fit was skipped" if skipped else "--quick"}
            else:
                t = time_command([*cmd, *case.argv()], repeats=cfg.hard_process_repeats,
                                 cwd=work)
                row["approxfit_process"] = t
                row["sollya"] = sollya_remez(case, repeats=cfg.hard_process_repeats,
                                             cwd=work)
            s_t = row["sollya"]["time"]
            a_t = row["approxfit_process"]
            row["time_ratio_sollya"] = (None if s_t is None or a_t is None
                                        else ratio(a_t["median_s"], s_t["median_s"]))
            row["error_ratio_sollya"] = ratio(row["approxfit"]["max_error"],
                                              row["sollya"]["max_error"])
            cases.append(row)
            _progress(f"hard {case.name}: {1e3 * t_in.median:.1f} ms in process"
                      + (f", process {a_t['median_s']:.2f} s" if a_t else "")
                      + (f", sollya {s_t['median_s']:.2f} s" if s_t else ""))
    return {
        "setup": {
            "in_process": "approxfit.fit(target, family, objective='minimax', ...) — the "
                          "whole call (certificate and metrics included)",
            "process": "the same fit as `approxfit fit …`, a cold process per run",
            "sollya": f"Sollya's remez(f, n, I, 1, {SOLLYA_QUALITY:g}) (relative: remez(1, n, "
                      f"I, 1/f, {SOLLYA_QUALITY:g})) and dirtyinfnorm of its error, a process "
                      "per run; only for poly fits, full degree n",
            "error": "approxfit: max error over the range as reported (relative for a "
                     "relative fit); Sollya: dirtyinfnorm",
            "time_ratio_sollya": "approxfit process time / Sollya process time",
            "error_ratio_sollya": "approxfit error / Sollya error (1 = the optimum)"},
        "cases": cases,
    }


# ---------------------------------------------------------------------------
# section 9: coefficients in a format, against Sollya's fpminimax and rounding
# ---------------------------------------------------------------------------
_SOLLYA_HEAD = "verbosity = 0!;\ndisplay = decimal!;\nprec = 200!;\npoints = 2001!;\n"
_SOLLYA_LINE = re.compile(r"^(\w+) = ([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$")


def sollya_exact(value: float) -> str:
    """A float as an exact Sollya constant ``m*2^(-e)`` (no decimal rounding)."""
    num, den = float(value).as_integer_ratio()
    return f"({num}*2^(-{den.bit_length() - 1}))"


def sollya_poly(coefs: dict[int, float]) -> str:
    """``Σ c_k·x^k`` in Sollya's language, every coefficient exact."""
    terms = [f"{sollya_exact(c)}*x^{k}" for k, c in sorted(coefs.items()) if c != 0]
    return " + ".join(terms) if terms else "0"


def sollya_values(stdout: str) -> dict[str, float]:
    """The ``name = number`` lines a Sollya script printed, as floats (others ignored).

    The numbers are printed in decimal at 200 bits, so a float32 (or any float64)
    coefficient reads back exactly.
    """
    out = {}
    for line in stdout.splitlines():
        m = _SOLLYA_LINE.match(line.strip())
        if m:
            out[m[1]] = float(m[2])
    return out


def fpminimax_script(case: FormatCase, free64: dict[int, float]) -> str:
    """The Sollya script of ``case``: ``fpminimax`` and its coefficients, printed.

    The same call as ``tests/sollya.py``'s ``fpminimax`` (its recorded results are in
    ``tests/test_fpcoeff.py``): ``fpminimax(f, [|powers|], [|p, …|], I, absolute|relative,
    floating[, q][, P])`` with the fixed coefficients as the constrained part ``q`` and,
    where Sollya's own Remez fails, the float64 minimax's free part as ``P``.

    Parameters
    ----------
    case : FormatCase
        The problem.
    free64 : dict
        Power → float64 minimax coefficient of the free powers.

    Returns
    -------
    str
    """
    powers = sorted(free64)
    fixed = {int(n[1:]): float(v) for n, v in case.fixed}
    mons = "[|" + ", ".join(str(k) for k in powers) + "|]"
    fmts = "[|" + ", ".join(str(case.precision) for _ in powers) + "|]"
    extra = f", {sollya_poly(fixed)}" if fixed else ""
    if case.needs_minimax:
        extra += f", {sollya_poly(free64)}" if fixed else f", 0, {sollya_poly(free64)}"
    lines = "".join(f'print("c{k} =", coeff(p, {k}));\n'
                    for k in sorted({*powers, *fixed}))
    return (f"{_SOLLYA_HEAD}f = {SOLLYA_TARGETS[case.target]};\n"
            f"I = [{sollya_exact(case.lo)};{sollya_exact(case.hi)}];\n"
            f"p = fpminimax(f, {mons}, {fmts}, I, {case.error}, floating{extra});\n"
            f"{lines}quit;\n")


def sollya_errors(case: FormatCase, polys: dict[str, dict[int, float]], exe: str, cwd: Path
                  ) -> dict[str, float | None] | str:
    """Sollya's ``dirtyinfnorm`` (200 bits) of the error of each polynomial, or why not.

    Parameters
    ----------
    case : FormatCase
        The target, range and kind of error.
    polys : dict
        Name → (power → coefficient).
    exe : str
        The ``sollya`` executable.
    cwd : Path
        Working folder.

    Returns
    -------
    dict or str
        Name → max error; a message when Sollya failed.
    """
    err = "q/(f) - 1" if case.error == "relative" else "f - q"
    body = "".join(f"q = {sollya_poly(c)};\nprint(\"{n} =\", dirtyinfnorm({err}, I));\n"
                   for n, c in polys.items())
    script = (f"{_SOLLYA_HEAD}f = {SOLLYA_TARGETS[case.target]};\n"
              f"I = [{sollya_exact(case.lo)};{sollya_exact(case.hi)}];\n{body}quit;\n")
    try:
        proc = subprocess.run([exe, "--warnonstderr"], input=script, cwd=cwd,
                              capture_output=True, text=True, check=False, timeout=600)
    except subprocess.TimeoutExpired:
        return "dirtyinfnorm timed out"
    vals = sollya_values(proc.stdout)
    if proc.returncode != 0 or set(vals) != set(polys):
        return (proc.stderr.strip() or proc.stdout.strip() or "no output")[-300:]
    return {n: vals[n] for n in polys}


def _format_baseline(case: FormatCase) -> tuple[FitResult, Any]:
    """``approxfit fit … --dtype F --reoptimise`` in process: the float64 minimax fit (as
    :func:`fit_in_format` makes it), rounded to nearest, then the ±2 ulp search."""
    from approxfit.fitting.fit import sample_grid
    from approxfit.lowprec.rounding import coefficient_rounding

    kw = case.kwargs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit(case.target, "poly", degree=case.degree, parity=case.parity,
                  fix=kw.get("fixed"), objective="minimax", range=(case.lo, case.hi),
                  error=case.error)
    points = sample_grid("uniform", range=(case.lo, case.hi)).x
    return res, coefficient_rounding(res.approximant, points, case.fmt, on=res.on,
                                     reoptimise=True, fixed=res.fixed)


def _fmt_ratio6(r: float | None) -> str:
    return "—" if r is None else f"{r:.6f}"


def _powers(coefs: dict[str, float]) -> dict[int, float]:
    return {int(n[1:]): float(v) for n, v in coefs.items()}


def bench_coefficients(cfg: Config) -> dict[str, Any]:
    """Section 9: ``fit … --coefficients F`` against Sollya's fpminimax and rounding.

    For each case, three methods are timed interleaved (A, B, C, A, B, C, …):
    :func:`~approxfit.fitting.fpcoeff.fit_in_format` in process, the rounding baseline
    (:func:`_format_baseline`) in process, and Sollya's ``fpminimax`` as a process (its
    start-up is timed apart). Every method's coefficients are then measured the same
    way: approxfit's measure (the fit's 20001-point grid, the maxima refined between
    samples, the one ``fit`` reports), and Sollya's ``dirtyinfnorm`` when installed.

    Parameters
    ----------
    cfg : Config
        What to run.

    Returns
    -------
    dict
        ``setup``, ``sollya_startup`` and ``cases``.
    """
    from approxfit.fitting.fit import sample_grid
    from approxfit.fitting.fpcoeff import fit_in_format
    from approxfit.lowprec.formats import round_to_format
    from approxfit.measure.metrics import approximant_metrics

    exe = shutil.which("sollya")
    cases = []
    with tempfile.TemporaryDirectory(prefix="approxfit-bench-") as tmp:
        work = Path(tmp)
        startup = None
        if exe is not None:
            empty = work / "empty.sollya"
            empty.write_text("quit;\n", encoding="utf-8")
            startup = time_command([exe, "--warnonstderr", str(empty)],
                                   repeats=max(3, cfg.format_repeats), cwd=work)
        for case in cfg.format_cases:
            kw = case.kwargs()
            res64, _ = _format_baseline(case)          # warm-up; the float64 minimax
            free64 = {k: v for k, v in _powers(res64.coefficients).items()
                      if f"c{k}" not in res64.fixed}
            fns: dict[str, Callable[[], Any]] = {
                "approxfit": lambda kw=kw: fit_in_format(**kw),
                "baseline": lambda case=case: _format_baseline(case)}
            script = work / f"{case.name}.sollya"
            script.write_text(fpminimax_script(case, free64), encoding="utf-8")
            if exe is not None:
                fns["sollya"] = lambda script=script: subprocess.run(
                    [exe, "--warnonstderr", str(script)], cwd=work, capture_output=True,
                    text=True, check=False, stdin=subprocess.DEVNULL, timeout=600)
            t = timed_interleaved(fns, repeats=cfg.format_repeats, budget=cfg.format_budget)
            ff = t["approxfit"].value
            res, rounding = t["baseline"].value
            x = sample_grid("uniform", range=(case.lo, case.hi)).x
            on = res.on
            y = res.approximant.target_obj.evaluate(x, on=on)
            key = "max_rel_error_range" if case.error == "relative" else "max_abs_error_range"

            def measure(coefs: dict[str, float], res: FitResult = res, x: Array = x,
                        on: str = on, y: Array = y, key: str = key,
                        case: FormatCase = case) -> float:
                a = res.approximant.with_coefficients(coefs)
                m = approximant_metrics(a, x, lo=case.lo, hi=case.hi, exact={on: y})
                return float(m[on][key])

            names = tuple(res.coefficients)
            polys: dict[str, dict[str, float]] = {
                "approxfit": dict(ff.coefficients),
                "baseline": dict(zip(names, rounding.reoptimised, strict=True)),
                "nearest": dict(zip(names, rounding.rounded, strict=True)),
                "float64": dict(res.coefficients)}
            sollya: dict[str, Any] = {"time": None, "skipped": "sollya is not installed"}
            if exe is not None:
                proc = t["sollya"].value
                vals = sollya_values(proc.stdout)
                sollya = {"time": t["sollya"].to_dict(), "command": f"sollya {script.name}",
                          "script": script.read_text(encoding="utf-8")}
                if proc.returncode != 0 or set(vals) != set(names):
                    sollya["failed"] = (proc.stderr.strip() or proc.stdout.strip()
                                        or "no output")[-300:]
                else:
                    polys["sollya"] = {n: vals[n] for n in names}
                    sollya["representable"] = all(
                        float(round_to_format(v, case.fmt)) == v
                        for v in polys["sollya"].values())
            errors = {m: measure(c) for m, c in polys.items()}
            dirty = (sollya_errors(case, {m: _powers(c) for m, c in polys.items()}, exe, work)
                     if exe is not None else "sollya is not installed")
            methods: dict[str, Any] = {
                m: {"coefficients": c, "max_error": errors[m],
                    "max_error_sollya": dirty.get(m) if isinstance(dirty, dict) else None}
                for m, c in polys.items()}
            methods["approxfit"].update(
                time=t["approxfit"].to_dict(), reported_max_error=ff.max_error,
                proven=ff.proven, proof=ff.proof, milps=ff.milps, nodes=ff.nodes,
                exponent_choices=ff.combos)
            methods["baseline"].update(time=t["baseline"].to_dict(),
                                       evaluations=rounding.evaluations,
                                       steps_ulp=dict(zip(names, rounding.steps, strict=True)))
            a_t = t["approxfit"].median
            row: dict[str, Any] = {
                "name": case.name, "command": shlex.join(["approxfit", *case.argv()]),
                "format": case.fmt, "error": case.error, "methods": methods, "sollya": sollya,
                "sollya_errors": dirty if isinstance(dirty, str) else None,
                "time_ratio": {
                    "baseline": ratio(a_t, t["baseline"].median),
                    "sollya": ratio(a_t, t["sollya"].median) if "sollya" in t else None},
                "error_ratio": {m: ratio(errors[m], errors["approxfit"])
                                for m in polys if m != "approxfit"},
                "error_ratio_sollya_measure": (
                    {m: ratio(dirty[m], dirty["approxfit"]) for m in polys if m != "approxfit"}
                    if isinstance(dirty, dict) else None)}
            cases.append(row)
            _progress(f"coefficients {case.name}: approxfit {a_t:.2f} s, baseline "
                      f"{t['baseline'].median:.2f} s"
                      + (f", sollya {t['sollya'].median:.2f} s; sollya/approxfit error "
                         f"{_fmt_ratio6(row['error_ratio'].get('sollya'))}"
                         if "sollya" in t else ""))
    return {
        "setup": {
            "cases": "the five cases of tests/test_fpcoeff.py (Sollya 8.0's results recorded "
                     "there)",
            "approxfit": "fit_in_format(...) in process — the whole call: the float64 minimax "
                         "fit, the exact search (LP box, MILPs, cutting planes, polish) and "
                         "the measured error",
            "baseline": "`approxfit fit … --dtype F --reoptimise` in process: the same float64 "
                        "minimax fit, rounded to nearest, then coefficient_rounding's ±2 ulp "
                        "search (which minimises the absolute error on the grid, also for a "
                        "relative fit)",
            "sollya": "fpminimax(f, [|powers|], [|p, …|], I, absolute|relative, floating[, q]"
                      "[, P]) and its coefficients printed, a process per run (start-up "
                      "included; see sollya_startup); P, the float64 minimax's free part, only "
                      "where Sollya's Remez fails (c0 = 1 on [0, 1])",
            "timing": "the three methods interleaved, medians of the rounds",
            "error": "every method's coefficients measured the same way: max_error by "
                     "approxfit's measure (20001 uniform points, the maxima refined between "
                     "samples; relative for a relative fit), max_error_sollya by Sollya's "
                     "dirtyinfnorm at 200 bits",
            "time_ratio": "approxfit time / the method's time (> 1: approxfit slower)",
            "error_ratio": "the method's max error / approxfit's (≥ 1: approxfit no worse)"},
        "sollya_startup": startup,
        "cases": cases,
    }


def compare_release(doc: dict[str, Any], release: dict[str, Any] | None) -> dict[str, Any]:
    """This run's times against the release's (the committed ``results/bench.json``).

    Cases are matched by their keys (family, degree, quantity; target, range, degree;
    command; samples) and only when the section's sample count is the release's (so
    ``--quick`` compares little). Only approxfit's own times are compared.

    Returns
    -------
    dict
        ``commit`` and ``date`` of the release, and ``cases``: ``section``, ``case``,
        ``release_s``, ``now_s``, ``ratio`` (now / release; < 1 is faster).
    """
    if release is None:
        return {"skipped": "no committed results/bench.json", "cases": []}
    rows: list[dict[str, Any]] = []

    def add(section: str, case: str, old: float | None, new: float | None) -> None:
        if old is not None and new is not None:
            rows.append({"section": section, "case": case, "release_s": old, "now_s": new,
                         "ratio": ratio(new, old)})

    def index(cases: Sequence[dict[str, Any]], key: Callable[[dict[str, Any]], str]
              ) -> dict[str, dict[str, Any]]:
        return {key(c): c for c in cases}

    def nl_key(c: dict[str, Any]) -> str:
        return f"{c['family']} {c['degree']} {c['on']}"

    def poly_key(c: dict[str, Any]) -> str:
        return f"{c['target']} [{c['range'][0]:g}, {c['range'][1]:g}] deg {c['degree']}"

    def same_setup(section: str, key: str) -> bool:
        return (section in doc and section in release
                and doc[section]["setup"].get(key) == release[section]["setup"].get(key))

    if same_setup("minimax_nonlinear", "samples"):
        old = index(release["minimax_nonlinear"]["cases"], nl_key)
        for c in doc["minimax_nonlinear"]["cases"]:
            if nl_key(c) in old:
                add("minimax_nonlinear", nl_key(c),
                    old[nl_key(c)]["approxfit"]["time"]["median_s"],
                    c["approxfit"]["time"]["median_s"])
    if same_setup("minimax_poly", "samples"):
        old = index(release["minimax_poly"]["cases"], poly_key)
        for c in doc["minimax_poly"]["cases"]:
            if poly_key(c) in old:
                add("minimax_poly", poly_key(c), old[poly_key(c)]["approxfit"]["time"]["median_s"],
                    c["approxfit"]["time"]["median_s"])
    if "cli" in doc and "cli" in release:
        for name, c in doc["cli"]["commands"].items():
            o = release["cli"]["commands"].get(name)
            if o and o.get("time") and c.get("time") and o["command"] == c["command"]:
                add("cli", name, o["time"]["median_s"], c["time"]["median_s"])
    if "scaling" in doc and "scaling" in release:
        old_s = {r["samples"]: r for r in release["scaling"]["samples"]}
        for r in doc["scaling"]["samples"]:
            if r["samples"] in old_s:
                for obj in ("l2", "minimax"):
                    add("scaling", f"{obj} n={r['samples']}",
                        old_s[r["samples"]][obj]["time"]["median_s"], r[obj]["time"]["median_s"])
    if "cases" in doc.get("coefficients", {}) and "cases" in release.get("coefficients", {}):
        old_f = index(release["coefficients"]["cases"], lambda c: c["name"])
        for c in doc["coefficients"]["cases"]:
            if c["name"] in old_f:
                add("coefficients", c["name"],
                    old_f[c["name"]]["methods"]["approxfit"]["time"]["median_s"],
                    c["methods"]["approxfit"]["time"]["median_s"])
    meta = release.get("meta", {})
    ratios = [r["ratio"] for r in rows if r["ratio"] is not None]
    return {"commit": meta.get("git_commit"), "date": meta.get("date"), "cases": rows,
            "ratio_median": _median(ratios), "ratio_max": _max(ratios)}


# ---------------------------------------------------------------------------
# summary and targets (bench.md is rendered by bench_report.py)
# ---------------------------------------------------------------------------
def _median(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def _min(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return min(vals) if vals else None


def _max(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return max(vals) if vals else None


def summarise(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Headline ratios and the issue's targets, from the sections' results.

    Parameters
    ----------
    data : dict
        The sections (as returned by the ``bench_*`` functions).

    Returns
    -------
    (dict, list of dict)
        The headline numbers, and one entry per target: ``name``, ``target``,
        ``value``, ``met``, ``detail``.
    """
    head: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []

    nl = data["minimax_nonlinear"]["cases"]
    sp_nm = [c["speedup"]["nelder_mead"] for c in nl]
    head["minimax_nonlinear"] = {
        "speedup_vs_nelder_mead": {"min": _min(sp_nm), "median": _median(sp_nm),
                                   "max": _max(sp_nm)},
        "speedup_vs_powell_median": _median([c["speedup"]["powell"] for c in nl]),
        "speedup_vs_lp_iterated_median": _median([c["speedup"]["lp_iterated"] for c in nl]),
        "speedup_vs_nelder_mead_including_l2_start_median":
            _median([c["speedup_including_l2_start"]["nelder_mead"] for c in nl]),
        "error_ratio_nelder_mead": {"min": _min([c["error_ratio"]["nelder_mead"] for c in nl]),
                                    "max": _max([c["error_ratio"]["nelder_mead"] for c in nl])},
        "error_ratio_powell": {"min": _min([c["error_ratio"]["powell"] for c in nl]),
                               "max": _max([c["error_ratio"]["powell"] for c in nl])},
        "error_ratio_lp_iterated": {"min": _min([c["error_ratio"]["lp_iterated"] for c in nl]),
                                    "max": _max([c["error_ratio"]["lp_iterated"] for c in nl])},
        "approxfit_time_median_s": _median([c["approxfit"]["time"]["median_s"] for c in nl]),
        "nelder_mead_time_median_s":
            _median([c["baselines"]["nelder_mead"]["time"]["median_s"] for c in nl]),
    }
    n_fast = sum(1 for v in sp_nm if v is not None and v >= 50)
    targets.append({"name": "minimax: ≥ 50× faster than Nelder–Mead", "target": 50.0,
                    "value": _min(sp_nm), "met": n_fast == len(nl),
                    "detail": f"{n_fast} of {len(nl)} cases; speed-up min "
                              f"{fmt_ratio(_min(sp_nm))},"
                              f" median {fmt_ratio(_median(sp_nm))}"})
    n_le = sum(1 for c in nl if c["error_le_nelder_mead"])
    targets.append({"name": "minimax: max error ≤ Nelder–Mead's", "target": 1.0,
                    "value": head["minimax_nonlinear"]["error_ratio_nelder_mead"]["min"],
                    "met": n_le == len(nl),
                    "detail": f"{n_le} of {len(nl)} cases (equal within {EQUAL_RTOL:g} relative "
                              "counts); both measured by the maximum over the range, "
                              "refined between samples"})
    lt_all = [all(c["error_lt"].values()) for c in nl]
    ties = {k: sum(1 for c in nl if not c["error_lt"][k]) for k in nl[0]["error_lt"]} if nl \
        else {}
    targets.append({"name": "minimax: lower max error than every baseline", "target": None,
                    "value": sum(lt_all), "met": all(lt_all) and bool(nl),
                    "detail": f"{sum(lt_all)} of {len(nl)} cases strictly lower than all three; "
                              "not strictly lower: " + ", ".join(
                                  f"{k} {v}" for k, v in ties.items())})

    pc = data["minimax_poly"]["cases"]
    failed = [c for c in pc if c["approxfit"]["failed"]]
    lp_err = [c["error_ratio"]["linprog"] for c in pc]
    head["minimax_poly"] = {
        "cases": len(pc), "approxfit_failed": len(failed),
        "chebyshev_error_ratio": {"min": _min([c["error_ratio"]["chebyshev"] for c in pc]),
                                  "median": _median([c["error_ratio"]["chebyshev"]
                                                     for c in pc]),
                                  "max": _max([c["error_ratio"]["chebyshev"] for c in pc])},
        "linprog_time_ratio": {"min": _min([c["time_ratio"]["linprog"] for c in pc]),
                               "median": _median([c["time_ratio"]["linprog"] for c in pc]),
                               "max": _max([c["time_ratio"]["linprog"] for c in pc])},
        "linprog_error_ratio": {"min": _min(lp_err), "median": _median(lp_err),
                                "max": _max(lp_err)},
    }
    n_le_lp = sum(1 for v in lp_err if v is not None and v >= 1 - 1e-6)
    targets.append({"name": "poly: max error ≤ linprog's (within 1e-6)", "target": 1.0,
                    "kind": "check",
                    "value": _min(lp_err), "met": n_le_lp == len(pc),
                    "detail": f"{n_le_lp} of {len(pc)} cases; approxfit failed in "
                              f"{len(failed)}; both measured by the maximum over the range, "
                              "refined between samples"})

    ls = data["least_squares"]["cases"]
    tr = [c["time_ratio"] for c in ls]
    head["least_squares"] = {
        "time_ratio": {"min": _min(tr), "median": _median(tr), "max": _max(tr)},
        "time_ratio_without_metrics_median":
            _median([c["time_ratio_without_metrics"] for c in ls]),
        "time_ratio_vs_precomputed_median": _median([c["time_ratio_vs_precomputed"]
                                                     for c in ls]),
        "coef_rel_diff_max": _max([c["coef_rel_diff"] for c in ls]),
    }
    n_ok = sum(1 for v in tr if v is not None and v <= 1.5)
    targets.append({"name": "least squares: time ≤ 1.5× curve_fit", "target": 1.5,
                    "value": _max(tr), "met": n_ok == len(ls),
                    "detail": f"{n_ok} of {len(ls)} cases; ratio median "
                              f"{fmt_ratio(_median(tr))}, max {fmt_ratio(_max(tr))}"})
    n_eq = sum(1 for c in ls if c["equal_coefficients"])
    targets.append({"name": f"least squares: equal coefficients (≤ {COEF_RTOL:g} relative)",
                    "target": COEF_RTOL, "value": head["least_squares"]["coef_rel_diff_max"],
                    "met": n_eq == len(ls), "detail": f"{n_eq} of {len(ls)} cases"})

    cli = data["cli"]["commands"]
    head["cli"] = {k: (v["time"]["median_s"] if v["time"] else None) for k, v in cli.items()}
    for key, label in (("help", "`approxfit --help`"), ("fit_l2", "`approxfit fit` (l2)"),
                       ("fit_minimax", "`approxfit fit` (minimax)"),
                       ("reproduce", "`approxfit reproduce`")):
        c = cli[key]
        targets.append({"name": f"CLI: {label} ≤ {c['target_s']:g} s", "target": c["target_s"],
                        "value": c["time"]["median_s"] if c["time"] else None,
                        "met": c["met"],
                        "detail": (f"skipped ({c['skipped']})" if c.get("skipped")
                                   else f"median of {c['time']['n']}")})

    sc = data["scaling"]
    head["scaling"] = {"loglog_slope": sc["loglog_slope"]}
    for obj, s in sc["loglog_slope"].items():
        targets.append({"name": f"scaling: {obj} fit time linear in samples (slope ≤ 1.1)",
                        "target": 1.1, "value": s, "met": s is not None and s <= 1.1,
                        "detail": "log-log slope over samples ≥ 1e4"})
    hc = data["hard_cases"]["cases"]
    head["hard_cases"] = {
        c["name"]: {"in_process_s": c["approxfit"]["time"]["median_s"],
                    "process_s": (c["approxfit_process"] or {}).get("median_s"),
                    "sollya_s": (c["sollya"]["time"] or {}).get("median_s"),
                    "error_ratio_sollya": c["error_ratio_sollya"]} for c in hc}
    for c in hc:
        if c["target_s"] is not None:
            targets.append({"name": f"{c['name']}: in process ≤ {1e3 * c['target_s']:g} ms",
                            "target": c["target_s"],
                            "value": c["approxfit"]["time"]["median_s"], "met": c["met"],
                            "detail": f"`{c['command']}`, median of "
                                      f"{c['approxfit']['time']['n']}"})
    compared = [c for c in hc if c["error_ratio_sollya"] is not None]
    if compared:
        n_opt = sum(1 for c in compared if c["error_ratio_sollya"] <= 1 + 1e-6)
        targets.append({"name": "hard cases: max error ≤ Sollya's remez · (1 + 1e-6)",
                        "target": 1 + 1e-6, "kind": "check",
                        "value": _max([c["error_ratio_sollya"] for c in compared]),
                        "met": n_opt == len(compared),
                        "detail": f"{n_opt} of {len(compared)} cases (Sollya quality "
                                  f"{SOLLYA_QUALITY:g})"})
    vf = data.get("verify")
    if vf and "half" in vf:
        head["verify"] = {h["format"]: {"s": h["time"]["median_s"],
                                        "speedup_vs_mpmath": h["speedup_vs_mpmath"]}
                          for h in vf["half"]}
        for h in vf["half"]:
            targets.append({"name": f"verify: every {h['format']} input ≤ "
                                    f"{h['target_s']:g} s", "target": h["target_s"],
                            "value": h["time"]["median_s"], "met": h["met"],
                            "detail": f"{h['inputs']:,} inputs, median of "
                                      f"{h['time']['n']}; {fmt_ratio(h['speedup_vs_mpmath'])}"
                                      " faster than a per-input mpmath reference"})
        f32 = vf["float32"]
        full = f32["full"]
        value = full["wall_s"] if full else f32["local"]["projected_s"]
        head["verify"]["float32_local_s"] = value
        targets.append({"name": f"verify: every float32 input ≤ "
                                f"{f32['target_s'] / 60:g} min on {vf['setup']['cpus']} "
                                "cores", "target": f32["target_s"], "value": value,
                        "met": f32["met"],
                        "detail": (f"full sweep, wall {full['wall_s'] / 60:.1f} min" if full
                                   else f"projected from {f32['sample']:,} inputs: local "
                                   f"{f32['local']['projected_s'] / 60:.1f} min, serial "
                                   f"{f32['serial']['projected_s'] / 60:.1f} min")})
    fc = data.get("coefficients")
    if fc and "cases" in fc:
        cs = fc["cases"]

        def spread(vals: Sequence[float | None]) -> dict[str, float | None]:
            return {"min": _min(vals), "median": _median(vals), "max": _max(vals)}

        head["coefficients"] = {
            "cases": len(cs),
            "approxfit_s": spread([c["methods"]["approxfit"]["time"]["median_s"] for c in cs]),
            "time_ratio_sollya": spread([c["time_ratio"]["sollya"] for c in cs]),
            "time_ratio_baseline": spread([c["time_ratio"]["baseline"] for c in cs]),
            "error_ratio_sollya": spread([c["error_ratio"].get("sollya") for c in cs]),
            "error_ratio_baseline": spread([c["error_ratio"]["baseline"] for c in cs]),
            "error_ratio_nearest": spread([c["error_ratio"]["nearest"] for c in cs]),
            "proven": sum(1 for c in cs if c["methods"]["approxfit"]["proven"])}
        compared = [c for c in cs if c["error_ratio"].get("sollya") is not None]
        if compared:
            er = [c["error_ratio"]["sollya"] for c in compared]
            n_le = sum(1 for v in er if v >= 1 - EQUAL_RTOL)
            targets.append({
                "name": "coefficients in a format: max error ≤ Sollya's fpminimax",
                "target": 1.0, "value": _min(er), "met": n_le == len(compared),
                "detail": f"{n_le} of {len(compared)} cases (Sollya's error / approxfit's, "
                          f"min shown; equal within {EQUAL_RTOL:g} counts); both measured by "
                          "approxfit's refined maximum over the range"})
        eb = [c["error_ratio"]["baseline"] for c in cs]
        n_b = sum(1 for v in eb if v is not None and v >= 1 - EQUAL_RTOL)
        targets.append({
            "name": "coefficients in a format: max error ≤ rounding + ±2 ulp search",
            "target": 1.0, "kind": "check", "value": _min(eb), "met": n_b == len(cs),
            "detail": f"{n_b} of {len(cs)} cases (`fit --dtype F --reoptimise`'s error / "
                      "approxfit's, min shown)"})
    for t in targets:
        t.setdefault("kind", "issue")
    return head, targets


def _progress(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def warm_up() -> None:
    """Import and exercise every code path once so that no timing pays a first-call cost."""
    g = make_grid(-10.0, 10.0, samples=501)
    quiet_fit("gelu", "tanh", g, degree=3, objective="minimax")
    quiet_fit("erf", "poly", make_grid(-2.0, 2.0, samples=501), degree=5, objective="minimax",
              on="value")
    prob = GatedProblem.build(get_target("gelu"), "tanh", (1, 3), g.x, "gate")
    c = np.array([0.8, 0.035])
    run_minimize(prob, c, "Nelder-Mead")
    run_minimize(prob, c, "Powell")
    run_lp_iterated(prob, c, p_max=8)
    run_linprog_minimax(g.x, prob.y, (1, 3), g.lo, g.hi)
    curve_fit(lambda _x, *cc: prob.residual(np.asarray(cc)) + prob.y, g.x, prob.y, p0=c,
              method="lm")


def run(cfg: Config, sections: Sequence[str]) -> dict[str, Any]:
    """Run the sections and assemble the ``bench.json`` document.

    Parameters
    ----------
    cfg : Config
        What to run.
    sections : sequence of str
        Which sections; the others are present with ``{"skipped": ...}`` only
        when not all are asked for (the report needs every section).

    Returns
    -------
    dict
        ``meta``, ``headline``, ``targets`` and one entry per section.
    """
    t0 = time.perf_counter()
    load_before = _loadavg()
    warm_up()
    fns: dict[str, Callable[[Config], dict[str, Any]]] = {
        "minimax_nonlinear": bench_minimax_nonlinear, "minimax_poly": bench_minimax_poly,
        "least_squares": bench_least_squares, "cli": bench_cli, "scaling": bench_scaling,
        "hard_cases": bench_hard_cases, "verify": bench_verify,
        "coefficients": bench_coefficients}
    doc: dict[str, Any] = {name: fns[name](cfg) for name in SECTIONS if name in sections}
    meta = {
        "quick": cfg.quick, "sections": list(sections),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(), "numpy": np.__version__,
        "scipy": scipy.__version__, "platform": platform.platform(),
        "machine": platform.machine(), "cpus": os.cpu_count(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "approxfit_path": str(Path(approxfit.__file__).resolve().parent),
        "git_commit": _git_commit(), "git_modified": _git_modified(), "wall_s": 0.0,
        "loadavg_1min_before": load_before, "loadavg_1min_after": _loadavg(),
    }
    doc["meta"] = meta
    doc["release"] = compare_release(doc, release_times())
    if all(name in doc for name in SECTIONS):
        doc["headline"], doc["targets"] = summarise(doc)
    else:
        doc["headline"], doc["targets"] = {}, []
    meta["wall_s"] = time.perf_counter() - t0
    return doc


def _loadavg() -> float | None:
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def _git_modified() -> list[str] | None:
    """Files of the working tree that differ from the commit (the bench measures those)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", "approxfit"], cwd=ROOT,
                             capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted(line[3:] for line in out.stdout.splitlines() if line.strip())


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: few cases, small grids, few repeats, no reproduce timing")
    ap.add_argument("--out", type=Path, default=ROOT / "results",
                    help="folder for bench.json and bench.md (default: results/)")
    ap.add_argument("--float32-full", action="store_true",
                    help="verify: also run the whole float32 sweep (every local core; "
                         "minutes) instead of only projecting it")
    ap.add_argument("--sections", default=",".join(SECTIONS),
                    help="comma-separated subset of " + ", ".join(SECTIONS)
                    + " (bench.md needs all)")
    args = ap.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        ap.error(f"unknown sections {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    cfg = QUICK if args.quick else FULL
    if args.float32_full:
        from dataclasses import replace

        cfg = replace(cfg, verify_float32_full=True)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = run(cfg, sections)
    write_atomic(args.out / "bench.json", dumps(doc))
    if doc["targets"]:
        write_atomic(args.out / "bench.md", render_markdown(doc, equal_rtol=EQUAL_RTOL))
    _progress(f"wrote {args.out / 'bench.json'}"
              + (f" and {args.out / 'bench.md'}" if doc["targets"] else "")
              + f" in {doc['meta']['wall_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
