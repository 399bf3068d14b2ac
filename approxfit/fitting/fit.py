"""The one fitting core: :func:`fit` checks its arguments, builds the problem, runs a
solver and assembles the :class:`~approxfit.fitting.result.FitResult`, for every family.

* The tanh, sigmoid and poly families (an inner polynomial p) are solved here, with
  the algorithms of :mod:`approxfit.fitting.engine` and
  :mod:`approxfit.fitting.optimality`, on the free part of p in a well-conditioned basis
  (:mod:`approxfit.fitting.basis`: Chebyshev polynomials on the range, or scaled
  monomials; least squares keeps plain monomials where they are well conditioned):
  least squares (Levenberg–Marquardt) for ``objective="l2"``; for
  ``objective="minimax"``, Remez's exchange on the samples and then on continuous
  points with de la Vallée Poussin's bound when the problem is Haar, the level-set LP
  otherwise, so that every minimax result carries a proven lower bound.  The fitted
  approximant keeps the Chebyshev form when the monomial one would lose accuracy.
* The rational family ``P/Q`` is solved by :mod:`approxfit.fitting.rational`, from the
  Padé approximant when it has no pole on the range.

Whatever the family, this module alone checks the fixed coefficients (finite, named,
present for the family, degree and parity), decides whether the error is odd or even
(:func:`error_symmetry`, which lets the minimax certificate look at ``x > 0`` only),
holds a minimax fit to its certificate
(:func:`approxfit.fitting.engine.judge_certificate`) and measures the result.

Error messages name the Python parameter in backticks (```fix```); the command line
turns them into its flags (``--fix``).
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.coefficients import check_fixed
from approxfit.approximants.families import (
    MAX_DEGREE,
    PARITIES,
    Family,
    coefficient_names,
    get_family,
    poly_value,
    powers_for,
    vander,
)
from approxfit.core.checks import InputTypeError, check_choice, check_float, check_int, shown
from approxfit.core.exceptions import ComputationError, ConvergenceWarning, InputError
from approxfit.core.grids import Grid, check_range, make_grid
from approxfit.core.names import FAMILY_NAMES, GRID_KINDS, default_on
from approxfit.core.resources import require_memory
from approxfit.core.targets import Target, check_regular, resolve_target
from approxfit.fitting.basis import Basis, choose_basis
from approxfit.fitting.engine import (
    Problem,
    Solution,
    judge_certificate,
    least_squares,
    start_vector,
)
from approxfit.fitting.optimality import (
    EPS,
    Optimum,
    haar_region,
    make_certificate,
    solve_minimax,
)
from approxfit.fitting.rational import pade_start, rational_layout, solve_rational
from approxfit.fitting.result import FitResult
from approxfit.measure.metrics import approximant_metrics, outside_metrics

__all__ = ["DEFAULT_RANGE", "DEFAULT_SAMPLES", "ERRORS", "FIT_COPIES", "MAX_ITER", "OBJECTIVES",
           "ONS", "default_den_parity", "error_symmetry", "fit", "fit_memory", "sample_grid"]

Array = np.ndarray
OBJECTIVES: tuple[str, ...] = ("l2", "minimax")
ERRORS: tuple[str, ...] = ("absolute", "relative")
ONS: tuple[str, ...] = ("gate", "value")
DEFAULT_RANGE: tuple[float, float] = (-10.0, 10.0)
DEFAULT_SAMPLES = 20001
MAX_ITER = 10_000
"""The largest iteration cap of the minimax loop that :func:`fit` accepts."""


def fit(target: str | Target, family: str | Family, grid: Grid | str | None = None, *,
        degree: int = 3, parity: str | None = None,
        fix: Mapping[str, float | str] | None = None, on: str | None = None,
        objective: str = "l2", range: Sequence[float] = DEFAULT_RANGE,
        samples: int | None = None, step: float | None = None,
        clamp: float | str | None = None, max_iter: int = 200, expr: str | None = None,
        den_degree: int | None = 2, den_parity: str | None = None,
        start: Mapping[str, float] | None = None, error: str = "absolute",
        weight: str | None = None) -> FitResult:
    """Fit an approximant family to a target; the library call behind ``approxfit fit``.

    The keywords follow the command line's options (``--fix`` is ``fix``, ``--range``
    is ``range``, …) and have its defaults, so that ``fit("gelu", "tanh", degree=3)``
    gives what ``approxfit fit gelu tanh --degree 3`` prints.

    Parameters
    ----------
    target : str or Target
        What to approximate: a built-in's name (``"gelu"``), ``"gelu:mu=M,sigma=S"``,
        a :class:`~approxfit.core.targets.Target`, or with ``expr`` the name of a new
        target (see :func:`approxfit.core.targets.resolve_target`).
    family : str or Family
        ``"tanh"``, ``"sigmoid"``, ``"poly"`` or ``"rational"`` (``P/Q``, see
        :mod:`approxfit.fitting.rational`; it takes ``den_degree`` and ``den_parity``).
    grid : Grid or {"uniform", "chebyshev"}, optional
        The sample points (:func:`approxfit.core.grids.make_grid`), or how to make them
        from ``range``, ``samples`` and ``step`` (default ``"uniform"``; see
        :func:`sample_grid`).
    degree : int
        Highest power of the inner polynomial (of P for ``rational``), 0–40.
    parity : {"odd", "even", "none"}, optional
        Powers of the inner polynomial. Default: what the target's symmetry suggests
        for the family.
    fix : mapping, optional
        Coefficients held fixed, by name: numbers or safe expressions, e.g.
        ``{"c1": "sqrt(2/pi)"}`` (:func:`approxfit.core.expr.parse_number`).
    on : {"gate", "value"}, optional
        Whether the error is measured on the target's gate or its value. Default: the
        gate for tanh and sigmoid (when the target has one), else the value.
    objective : {"l2", "minimax"}
        Least squares, or the smallest largest absolute error (with a certificate).
    range : (float, float)
        The fit range ``(lo, hi)``, when ``grid`` is not a Grid.
    samples : int, optional
        Number of points of a uniform or Chebyshev grid; 20001 when neither
        ``samples`` nor ``step`` is given.
    step : float, optional
        Sample exactly ``numpy.arange(lo, hi, step)``, as the seed's code does.
    clamp : float, str or None, optional
        A tail guard at ±C (tanh and sigmoid): beyond it the gate takes its limits 0
        and 1, so that the approximant stays right on the whole real line even when p
        turns over outside the range. A number or an expression string, ``"range"``
        (C at the range's larger end) or None / ``"none"`` (no guard). C may not lie
        inside the range.
    max_iter : int
        Iteration cap of the minimax loop, 1 … 10 000 (:data:`MAX_ITER`).
    expr : str, optional
        A formula in x for a new target called ``target`` (it has no gate).
    den_degree : int
        rational: degree of the denominator ``Q = 1 + d·x^k + …`` (default 2).
    den_parity : {"even", "odd", "none"}, optional
        rational: powers of Q. Default: even when what is fitted has a symmetry (the
        value an odd or even parity, as tanh and erf; the gate ``g − ½`` odd), else
        none (gelu and silu on the value), see :func:`default_den_parity`.
    start : mapping, optional
        Starting values of the free coefficients, by name: finite numbers, one for
        every free coefficient (a value given for a fixed one is ignored; ``fix``
        holds it). Checked like ``fix``: an unknown name or a missing, non-finite or
        non-number value is refused, naming ``start``. Default: a weighted linear
        fit of the inner polynomial (then, for minimax, Remez's exchange or the
        least-squares fit); for rational the Padé approximant (needs sympy), or
        Loeb's linearisation when that has a pole on the range.
    error : {"absolute", "relative"}
        What is minimised: ``model − y`` or ``(model − y)/|y|`` (the weight ``1/|y|``
        of the fitted quantity, gate or value), for l2 and minimax alike; the
        certificate's errors and lower bound are then those of the relative error.
        A gated family fitted on a value ``f = s(x)·g`` (gelu, silu, mish) has the
        relative error of ``G(p)`` against ``g`` (the factor cancels), so it is fitted on
        the gate (``on`` becomes ``"gate"``): no singularity at the zero x = 0. A zero
        of what is fitted at x = 0 is accepted only where the approximant vanishes
        there whatever its free coefficients (``c0`` absent or fixed to 0, e.g.
        ``parity`` odd); any other zero on the range is refused.
    weight : str, optional
        A safe expression in x (:func:`approxfit.core.expr.parse`), finite and > 0 on
        the range: the error minimised is ``weight(x)·(model − y)`` (with
        ``error="relative"``, ``weight(x)·(model − y)/|y|``).

    Returns
    -------
    FitResult
        ``.approximant``, ``.coefficients``, ``.metrics``, ``.certificate`` (minimax),
        ``.summary()`` for the text the command line prints.

    Raises
    ------
    TypeError
        For an argument of the wrong kind (the message names it).
    InputError
        For an argument with a wrong value (the message names it).
    ComputationError
        When the residuals or the Jacobian are not finite at the start, the linear
        programme fails, or a rational fit has a pole on the range.

    Warns
    -----
    ConvergenceWarning
        When the fit stopped before it met its convergence criteria.
    RuntimeWarning
        When the approximant breaks down outside the range.

    Examples
    --------
    >>> r = fit("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"}, step=0.01)
    >>> round(r.scaled["a3"], 7)
    0.0448465
    >>> from approxfit.core.grids import make_grid
    >>> r = fit("gelu", "tanh", make_grid(-10, 10, step=0.01), degree=3,
    ...         fix={"c1": (2 / 3.141592653589793) ** 0.5}, on="gate")
    >>> round(r.scaled["a3"], 7)
    0.0448465
    """
    t0 = time.perf_counter()
    tgt = resolve_target(target, expr=expr)
    if isinstance(family, Family):
        fam: Family | None = family
        family_name = family.name
    elif isinstance(family, str):
        family_name = check_choice(family, FAMILY_NAMES, "family")
        fam = None if family_name == "rational" else get_family(family_name)
    else:
        raise InputTypeError(f"`family` must be a str or a Family, got "
                             f"{type(family).__name__} {shown(family)}")
    degree = check_int(degree, "degree", 0, MAX_DEGREE)
    max_iter = check_int(max_iter, "max_iter", 1, MAX_ITER)
    den_degree = 2 if den_degree is None else check_int(den_degree, "den_degree", 1,
                                                        MAX_DEGREE)
    if den_parity is not None:
        den_parity = _choice(den_parity, PARITIES, "den_parity")
    if parity is not None:
        _choice(parity, PARITIES, "parity")
    _choice(objective, OBJECTIVES, "objective")
    _choice(error, ERRORS, "error")
    wexpr = _weight_expression(weight)
    on = default_on(family_name, tgt.has_gate) if on is None else _choice(on, ONS, "on")
    pre_notes: list[str] = []
    if (error == "relative" and on == "value" and fam is not None and fam.gated
            and tgt.has_gate and tgt.relation.offset == 0):
        # f = s(x)·g: the relative error of s·G(p) against s·g is that of G(p) against g.
        on = "gate"
        pre_notes.append(f"relative error of {tgt.name}'s value = {tgt.relation.formula}: "
                         "the factor cancels, so the gate's relative error is minimised")
    if fam is not None and fam.gated and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate, so the {fam.name} family does not "
                         "apply; use the poly family")
    if on == "gate" and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate; use `on` value")
    if start is not None and not isinstance(start, Mapping):
        raise InputTypeError(f"`start` must be a mapping of coefficient names to numbers, "
                             f"got {type(start).__name__} {shown(start)}")
    grid = sample_grid(grid, range=range, samples=samples, step=step)
    clamp_value, tail = _clamp(clamp, grid, fam)

    if fam is None:
        if den_parity is None:
            den_parity = default_den_parity(tgt, on)
        parity, num_powers, den_powers, names = rational_layout(tgt, on, degree, den_degree,
                                                                parity, den_parity)
        what = f"rational of degree {degree} over {den_degree} ({parity} over {den_parity})"
    else:
        parity = fam.default_parity(tgt, on) if parity is None else parity
        powers = powers_for(degree, parity)
        names = coefficient_names(powers)
        what = f"{fam.name} of degree {degree} ({parity})"
    try:
        fixed = check_fixed(fix, names, what)
    except TypeError as exc:            # a value of the wrong type: still bad input
        if isinstance(exc, InputError):
            raise
        raise InputTypeError(str(exc)) from None
    start = _check_start(start, names, fixed, what)
    nfree = len(names) - len(fixed)
    require_memory(fit_memory(grid.size, len(names)),
                   f"`samples` = {grid.size} at {len(names)} coefficients")
    x = np.asarray(grid.x, dtype=float)
    if x.size < nfree + 2:
        raise InputError(f"`samples` must be at least the number of free coefficients + 2 "
                         f"({nfree + 2}), got {x.size}")
    y = tgt.evaluate(x, on=on)
    if not np.all(np.isfinite(y)):
        from approxfit.core.targets import nonfinite_message

        raise ComputationError(nonfinite_message(tgt, x, y))
    check_regular(tgt, grid.lo, grid.hi)          # a pole or a jump between the samples
    symmetry = error_symmetry(tgt, family, parity, on, grid.lo, grid.hi, den_parity)
    wfun = None
    if error == "relative" or wexpr is not None:
        wfun = _weight_function(tgt, on, wexpr, error == "relative")
        _check_weight(wexpr, x, wfun)
        if error == "relative":
            _check_zeros(tgt, on, x, y, fixed, names, fam)
        if symmetry is not None and not np.allclose(wfun(x), wfun(-x), rtol=1e-12, atol=0):
            symmetry = None
    if fam is None:
        if start is None:
            start = pade_start(tgt, degree, den_degree, parity, den_parity, on)
        sol = solve_rational(tgt, grid, y, degree=degree, den_degree=den_degree,
                             num_powers=num_powers, den_powers=den_powers, fixed=fixed,
                             objective=objective, on=on, start=start, max_iter=max_iter,
                             symmetry=symmetry, weight=wfun)
        advice = "a rational function cannot follow the target beyond the range it was fitted on"
    else:
        sol = _solve_inner(tgt, fam, grid, y, powers=powers, fixed=fixed, objective=objective,
                           on=on, start=start, max_iter=max_iter, symmetry=symmetry,
                           clamp=clamp_value, degree=degree, weight=wfun)
        advice = ("set `clamp` to 'range' for a tail guard at the range's end" if fam.gated else
                  "a polynomial cannot follow the target beyond the range it was fitted on")
    cert = None
    converged, message = sol.converged, sol.message
    approx = sol.approximant
    metrics = approximant_metrics(approx, x, lo=grid.lo, hi=grid.hi, exact={on: y})
    if wfun is None:
        measured, wy = metrics[on]["max_abs_error_range"], y
    elif wexpr is None:          # relative: the refined relative maximum on the range
        measured, wy = metrics[on]["max_rel_error_range"], np.ones_like(y)
    else:
        measured, wy = float(np.max(np.abs(sol.residual))), wfun(x) * y
    if objective == "minimax":
        cert = make_certificate(sol, x, symmetry, measured)
        cert, converged, message = judge_certificate(cert, wy, converged, message)
    outside = outside_metrics(approx, grid.lo, grid.hi, on=on)
    notes = pre_notes + list(sol.notes)
    inside = metrics[on]["max_abs_error_range"]
    if advice is not None and outside["max_abs_error"] > max(10 * inside, 1e-6):
        notes.append(
            f"outside the range the error grows to {outside['max_abs_error']:.3g} at "
            f"x = {outside['argmax_abs_error']:.4g} (inside: {inside:.3g}); {advice}")
        warnings.warn(notes[-1], RuntimeWarning, stacklevel=2)
    if not converged:
        warnings.warn(message, ConvergenceWarning, stacklevel=2)
    return FitResult(
        approximant=approx, objective=objective, on=on, degree=degree, parity=parity,
        range=(grid.lo, grid.hi), grid=grid.describe(),
        fixed=tuple(n for n in names if n in fixed), converged=converged,
        message=message, iterations=sol.iterations, seconds=time.perf_counter() - t0,
        metrics=metrics, metrics_outside=outside, certificate=cert,
        history=sol.history, warnings=tuple(notes), tail=tail, error=error,
        weight=None if wexpr is None else weight)


FIT_COPIES = 6
"""float64 arrays of ``samples × (coefficients + 1)`` alive at once in :func:`fit` (the
basis matrix, the Vandermonde matrix of the start, their weighted and scaled copies, the
Jacobian), calibrated by peak RSS; see :func:`fit_memory`."""
FIT_VECTORS = 30
"""float64 vectors of the samples' length alive at once besides (targets, weights …)."""


def fit_memory(samples: int, terms: int) -> int:
    """Bytes :func:`fit` needs at most for ``samples`` points and ``terms`` coefficients:
    ``8 × samples × (FIT_COPIES × (terms + 1) + FIT_VECTORS)``.

    Calibrated by the peak RSS of l2 fits of gelu (a subprocess, ``ru_maxrss`` minus
    the baseline): poly degree 30 (31 terms), 10⁶ samples, 1.67 kB per sample measured,
    1.78 kB estimated; poly degree 10, 10⁶ samples, 0.70 vs 0.82 kB; tanh degree 7
    (4 terms), 5·10⁵ samples, 0.47 vs 0.48 kB.
    """
    return 8 * int(samples) * (FIT_COPIES * (int(terms) + 1) + FIT_VECTORS)


def default_den_parity(target: Target, on: str) -> str:
    """The denominator's default parity: even when the fitted quantity has a symmetry
    (an odd or even value; on the gate, ``g − ½`` odd), else none."""
    if on == "value":
        return "even" if target.value_parity in ("odd", "even") else "none"
    return "even" if target.gate_symmetric else "none"


def sample_grid(grid: Grid | str | None = None, *, range: Sequence[float] = DEFAULT_RANGE,
                samples: int | None = None, step: float | None = None) -> Grid:
    """The sample grid of :func:`fit`, made as ``approxfit fit`` makes it.

    Parameters
    ----------
    grid : Grid or {"uniform", "chebyshev"}, optional
        A Grid is returned as it is (then ``samples`` and ``step`` must be None and
        ``range`` the default or the Grid's own); a kind (default ``"uniform"``) is
        sampled on ``range``.
    range : (float, float)
        ``(lo, hi)``, finite, ``lo < hi``.
    samples : int, optional
        Number of points; 20001 when neither ``samples`` nor ``step`` is given.
    step : float, optional
        Sample exactly ``numpy.arange(lo, hi, step)``.

    Returns
    -------
    Grid

    Examples
    --------
    >>> sample_grid().size, sample_grid(step=0.01).size
    (20001, 2000)
    """
    if isinstance(range, str) or not isinstance(range, Sequence | np.ndarray):
        raise InputTypeError(f"`range` must be a pair of numbers (lo, hi), got "
                             f"{type(range).__name__} {shown(range)}")
    if len(range) != 2:
        raise InputError(f"`range` must be a pair of numbers (lo, hi), got {len(range)} "
                         "values")
    for v in range:
        check_float(v, "range", finite=False)
    if samples is not None:
        samples = check_int(samples, "samples")
    if step is not None:
        step = check_float(step, "step", 0.0, lo_open=True)
    if samples is not None and step is not None:
        raise InputError("give either `samples` or `step`, not both")
    if isinstance(grid, Grid):
        if samples is not None or step is not None:
            raise InputError("`grid` is a Grid: it has its points, so `samples` and `step` "
                             "do not apply")
        lo, hi = (float(v) for v in range)
        if (lo, hi) != DEFAULT_RANGE and (lo, hi) != (grid.lo, grid.hi):
            raise InputError(f"`range` ({lo:g}, {hi:g}) differs from the range of the Grid "
                             f"given as `grid` ({grid.lo:g}, {grid.hi:g})")
        return grid
    if grid is None:
        grid = "uniform"
    elif not isinstance(grid, str):
        raise InputTypeError(f"`grid` must be a Grid or one of {', '.join(GRID_KINDS)}, got "
                             f"{type(grid).__name__} {shown(grid)}")
    check_choice(grid, GRID_KINDS, "grid")
    lo, hi = check_range(range[0], range[1], what="`range`")
    if samples is None and step is None:
        samples = DEFAULT_SAMPLES
    return make_grid(lo, hi, samples=samples, grid=grid, step=step)


def error_symmetry(target: Target, family: str | Family, parity: str, on: str,
                   lo: float, hi: float, den_parity: str = "even") -> str | None:
    """Whether the fit's error is odd or even about 0 (None if neither).

    A gated family with odd p on a gate symmetric about ½ has an odd gate error;
    on the value, ``f = x·g`` makes it even and ``f = 2g − 1`` keeps it odd.  A
    polynomial of the value's own parity has an error of that parity, and so has a
    rational ``P/Q`` with such a P over an even Q.  Only a symmetric range
    (``lo = −hi``) keeps the problem symmetric.
    """
    # numpy.isclose(lo, −hi, rtol=0, atol=…) on two floats, without its array overhead.
    atol = 1e-12 * max(1.0, abs(hi))
    if not (lo == -hi or (np.isfinite(atol) and abs(lo - (-hi)) <= atol)):
        return None
    name = family.name if isinstance(family, Family) else family
    if name in ("tanh", "sigmoid"):
        if not (parity == "odd" and target.gate_symmetric):
            return None
        if on == "gate":
            return "odd"
        return "even" if target.relation.name == "product" else "odd"
    if name == "rational" and den_parity != "even":
        return None
    if on == "value" and parity in ("odd", "even") and target.value_parity == parity:
        return parity
    return None


def _choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    return check_choice(value, choices, name)


def _check_start(start: Mapping[str, Any] | None, names: Sequence[str],
                 fixed: Mapping[str, float], what: str) -> dict[str, float] | None:
    """The starting values by name, checked like ``fix``: known names, finite numbers,
    one for every free coefficient (values of fixed ones are dropped)."""
    if start is None:
        return None
    unknown = [str(n) for n in start if n not in names]
    if unknown:
        raise InputError(f"`start` names {', '.join(unknown)}, which {what} does not have; "
                         f"it has {', '.join(names)}")
    out: dict[str, float] = {}
    for name, value in start.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputTypeError(f"`start` {name} must be a number, got "
                                 f"{type(value).__name__} {shown(value)}")
        v = float(value)
        if not np.isfinite(v):
            raise InputError(f"`start` {name} must be finite, got {v}")
        if name not in fixed:
            out[name] = v
    start_vector(out, [n for n in names if n not in fixed])      # every free one given
    return out


def _clamp(clamp: Any, grid: Grid, fam: Family | None) -> tuple[float | None, str | None]:
    if clamp is None or clamp == "none":
        return None, None
    if fam is None or not fam.gated:
        raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid families")
    end = max(abs(grid.lo), abs(grid.hi))
    if clamp == "range":
        c = end
    elif isinstance(clamp, str):
        from approxfit.core.expr import parse_number

        c = parse_number(clamp, what="`clamp`")
    else:
        c = check_float(clamp, "clamp", finite=False)
    if not (np.isfinite(c) and c >= end):
        raise InputError(f"`clamp` must be at least the range's larger end ({end:g}), got "
                         f"{clamp!r}")
    return c, f"tail guard at ±{c:g}: beyond it the gate is 0 (x < −{c:g}) or 1 (x > {c:g})"


@dataclass(frozen=True, eq=False)
class _Problem(Problem):
    """The weighted residual ``w·(model(θ) − y)`` on points, and its Jacobian.

    ``model = factor·G(p) + offset`` with ``p = fixed(x) + B(x)·θ``: θ are the
    coefficients of the free part of p in a well-conditioned basis
    (:class:`~approxfit.fitting.basis.Basis`), ``fixed`` the terms held fixed.
    """

    x: Array
    y: Array
    w: Array
    family: Family
    basis: Basis
    bmat: Array          # the basis on x
    fixedp: Array        # the fixed terms of p on x
    fixedabs: Array      # Σ |fixed terms| on x
    factor: Array        # s(x): d(model)/dG, per point
    offset: float        # model = factor·G(p) + offset
    rebuild: Callable[[Array], _Problem]
    horner: tuple[tuple[int, ...], Array, Array] | None = None   # plain monomials
    unit: tuple[bool, bool] = (False, False)     # factor ≡ 1, w ≡ 1 (skip × 1: same bits)
    # The last full residual's (θ, p, G(p)), for magnitude() at the same θ.
    _last: dict[str, tuple[Array, Array, Array]] = field(default_factory=dict, repr=False)

    @property
    def linear(self) -> bool:
        """Whether the model is linear in its coefficients (poly)."""
        return not self.family.gated

    def _p(self, theta: Array, idx: Array | None) -> Array:
        if self.horner is not None:
            # Plain monomials: Horner's rule on all coefficients, as the approximant does.
            powers, free, base = self.horner
            full = base.copy()
            full[free] = theta
            return poly_value(self.x if idx is None else self.x[idx], full, powers)
        b = self.bmat if idx is None else self.bmat[idx]
        f = self.fixedp if idx is None else self.fixedp[idx]
        return f + b @ theta

    def _pick(self, a: Array, idx: Array | None) -> Array:
        return a if idx is None else a[idx]

    def residual(self, theta: Array, idx: Array | None = None) -> Array:
        p = self._p(theta, idx)
        with np.errstate(all="ignore"):
            g = self.family.outer(p)
            if idx is None:
                self._last["full"] = (np.array(theta, dtype=float), p, g)
            # w·(s·G + o − y), in place after the first new array (fewer temporaries);
            # a factor or weight of exactly 1 is skipped (x·1 = x in floating point).
            unit_s, unit_w = self.unit
            model = g + self.offset if unit_s else self._pick(self.factor, idx) * g
            if not unit_s:
                model += self.offset
            model -= self._pick(self.y, idx)
            if not unit_w:
                model *= self._pick(self.w, idx)
            return model

    def _outer_full(self, theta: Array) -> tuple[Array, Array]:
        """``p`` and ``G(p)`` on all points at ``theta``: those of the last full residual
        when it was taken at exactly this θ (same bits), else computed."""
        last = self._last.get("full")
        theta = np.asarray(theta, dtype=float)
        if last is not None and last[0].shape == theta.shape and np.array_equal(last[0], theta):
            return last[1], last[2]
        p = self._p(theta, None)
        with np.errstate(all="ignore"):
            return p, self.family.outer(p)

    def jacobian(self, theta: Array, idx: Array | None = None) -> Array:
        p = self._p(theta, idx)
        b = self.bmat if idx is None else self.bmat[idx]
        with np.errstate(all="ignore"):
            ws = self._pick(self.w, idx) * self._pick(self.factor, idx)   # the same products
            return ws[:, None] * (
                self.family.outer_dp(p)[:, None] * b)

    def signs(self) -> Array:
        """``sign(s(x))``: the alternation that matters is that of ``sign(r)·sign(s)``."""
        return np.sign(self.factor)

    def at(self, x: Array) -> _Problem:
        return self.rebuild(np.asarray(x, dtype=float))

    def magnitude(self, theta: Array) -> float:
        """``max |w·s|·(|G(p)| + G′(p)·Σ|terms of p|)``: what rounding scales with."""
        terms = np.abs(self.bmat) @ np.abs(theta) + self.fixedabs
        p, h = self._outer_full(theta)
        with np.errstate(all="ignore"):
            g = np.abs(h) + np.abs(self.family.derivative_from(p, h)) * terms
        return float(np.max(np.abs(self.w * self.factor) * g))

    def level_rows(self, level: float, center: Array):
        """``|w·(s·G(p) + o − y)| ≤ level`` as ``p ∈ [G⁻¹(lo), G⁻¹(hi)]`` per point.

        With ``e = level/w``: ``G(p) ∈ [(y − e − o)/s, (y + e − o)/s]`` (swapped for
        s < 0); at s = 0 the point needs ``|o − y| ≤ e``, which no coefficient changes.
        For the gated families ``G⁻¹(≤ 0) = −∞``, ``G⁻¹(≥ 1) = +∞`` and an interval
        entirely outside (0, 1) is infeasible.
        """
        e = level / self.w
        lo_v, hi_v = self.y - e - self.offset, self.y + e - self.offset
        s = self.factor
        zero = s == 0
        if np.any(np.abs(self.offset - self.y[zero]) > e[zero]):
            return None
        ss = np.where(zero, 1.0, s)
        g1, g2 = lo_v / ss, hi_v / ss
        glo, ghi = np.where(s > 0, g1, g2), np.where(s > 0, g2, g1)
        glo, ghi = glo[~zero], ghi[~zero]
        b, f = self.bmat[~zero], self.fixedp[~zero]
        # How far each bound of p moves when the level changes by 100 %.
        du = (e / np.abs(ss))[~zero]
        if self.family.gated:
            if np.any(glo >= 1) or np.any(ghi <= 0):
                return None
            k = 0.5 if self.family.name == "tanh" else 1.0
            with np.errstate(all="ignore"):
                plo = np.where(glo > 0, k * (np.log(glo) - np.log1p(-glo)), -np.inf)
                phi = np.where(ghi < 1, k * (np.log(ghi) - np.log1p(-ghi)), np.inf)
                ulo = du * k / np.maximum(glo * (1 - glo), 1e-300)
                uhi = du * k / np.maximum(ghi * (1 - ghi), 1e-300)
        else:
            plo, phi, ulo, uhi = glo, ghi, du, du
        fl, fh = np.isfinite(plo), np.isfinite(phi)
        a_ub = np.vstack([-b[fl], b[fh]])
        b_ub = np.concatenate([f[fl] - plo[fl], phi[fh] - f[fh]])
        unit = np.concatenate([ulo[fl], uhi[fh]])
        return a_ub, b_ub, unit, None, None, _same, _same


def _same(z: Array) -> Array:
    return z


def _make_problem(tgt: Target, fam: Family, on: str, basis: Basis, fixed_k: Mapping[int, float],
                  weight: Callable[[Array], Array] | None) -> Callable[[Array], _Problem]:
    """``x ↦`` the problem on the points x (targets, weights and bases evaluated there)."""
    base_kind = "gate" if fam.gated else on
    fixed_powers = tuple(sorted(fixed_k))
    fixed_coef = np.array([fixed_k[k] for k in fixed_powers])
    horner = None
    if basis.plain:
        powers = tuple(sorted({*fixed_powers, *basis.powers}))
        horner = (powers, np.array([k not in fixed_k for k in powers]),
                  np.array([fixed_k.get(k, 0.0) for k in powers]))

    def make(x: Array, y: Array | None = None) -> _Problem:
        y = tgt.evaluate(x, on=on) if y is None else y
        if on == "value" and base_kind == "gate":
            factor, offset = tgt.relation.scale(x).astype(float), tgt.relation.offset
        else:
            factor, offset = np.ones_like(x), 0.0
        if fixed_powers:
            v = vander(x, fixed_powers)
            fixedp, fixedabs = v @ fixed_coef, np.abs(v) @ np.abs(fixed_coef)
        else:
            fixedp = fixedabs = np.zeros_like(x)
        w = np.ones_like(x) if weight is None else np.asarray(weight(x), dtype=float)
        unit = (bool(np.all(factor == 1.0)), weight is None)
        return _Problem(x, y, w, fam, basis, basis.matrix(x), fixedp, fixedabs, factor,
                        float(offset), make, horner, unit)

    return make


def _solve_inner(tgt: Target, fam: Family, grid: Grid, y: Array, *,
                 powers: tuple[int, ...], fixed: Mapping[str, float], objective: str,
                 on: str, start: Mapping[str, float] | None, max_iter: int,
                 symmetry: str | None, clamp: float | None, degree: int,
                 weight: Callable[[Array], Array] | None = None) -> Solution:
    """Fit a family of an inner polynomial p (tanh, sigmoid, poly)."""
    fixed_k = {int(name[1:]): v for name, v in fixed.items()}
    free = np.array([k not in fixed_k for k in powers])
    free_powers = tuple(k for k in powers if k not in fixed_k)
    x = np.asarray(grid.x, dtype=float)
    base_kind = "gate" if fam.gated else on
    overflow = (f"x^{max(powers)} overflows on [{grid.lo:g}, {grid.hi:g}]; try a smaller "
                "range or a lower degree")
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(vander(x[[0, -1]], powers))):
            raise ComputationError(overflow)
    basis = choose_basis(free_powers, grid.lo, grid.hi)
    if objective == "l2" and _monomials_suffice(x, free_powers):
        # Least squares keeps the plain monomial parametrisation where it is well
        # conditioned (Levenberg–Marquardt's answer, to its stopping tolerance, then
        # stays what it always was); the Chebyshev basis where it is not.
        basis = Basis("monomial", free_powers, (-1.0, 1.0))
    make = _make_problem(tgt, fam, on, basis, fixed_k, weight)
    prob = make(x, y)
    all_powers = bool(free_powers) and set(free_powers) == set(range(max(free_powers) + 1))
    opt: Optimum | None = None
    tol = 0.0
    try:
        c0 = _start(prob, tgt, start, powers, fixed_k, gate=y if on == "gate" else None)
        r0 = prob.residual(c0)
        if not np.all(np.isfinite(r0)):
            raise ComputationError(f"the residuals are not finite at the start: {overflow}")
        if objective == "minimax":
            region = haar_region(symmetry, grid.lo, grid.hi, all_powers, 0 in free_powers)
            cfree, converged, message, iterations, history, opt, tol = solve_minimax(
                prob, c0, max_iter=max_iter, region=region, lo=grid.lo, hi=grid.hi,
                start_is_l2=prob.linear, r0=r0)
        else:
            cfree, converged, message, iterations, history = least_squares(prob, c0)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        if isinstance(exc, InputError):
            raise
        raise ComputationError(f"the fit failed numerically ({exc}); try a smaller range or "
                               "a lower degree") from None
    coef = np.array([fixed_k.get(k, 0.0) for k in powers])
    coef[free] = basis.to_monomial(cfree)
    if not np.all(np.isfinite(coef)):
        raise ComputationError("the fit produced non-finite coefficients; try a smaller range "
                               "or a lower degree")
    name = f"{fam.name}{degree}-{objective}-{on}"
    resid = prob.residual(cfree) if opt is None or opt.residual is None else opt.residual
    achieved = opt.achieved if opt is not None else float(np.max(np.abs(resid)))
    s = max(abs(grid.lo), abs(grid.hi))
    lost = 64 * EPS * float(np.sum(np.abs(coef) * s ** np.asarray(powers, dtype=float)))
    gp = float(fam.outer_dp(np.zeros(1))[0]) * float(np.max(np.abs(prob.factor)))
    if lost * gp > 1e-3 * achieved:
        # The monomial form would lose accuracy: keep the Chebyshev series of p.
        cheb = basis.chebyshev_series(cfree, fixed_k, powers)
        approx = Approximant.from_chebyshev(fam.name, powers, tuple(float(v) for v in cheb),
                                            basis.domain, tgt, base=base_kind, clamp=clamp,
                                            name=name)
    else:
        approx = Approximant(fam.name, powers, tuple(float(c) for c in coef), tgt,
                             base=base_kind, clamp=clamp, name=name)
    return Solution(approx, resid, int(free.sum()), converged, message,
                    iterations, tuple(history), optimum=opt, tolerance=tol)


def _monomials_suffice(x: Array, powers: tuple[int, ...]) -> bool:
    """Whether the column-scaled monomial Vandermonde matrix on a subsample of ``x`` has
    a condition number below 1e6 (least squares in it loses < 1e-10 relative)."""
    if not powers:
        return True
    sub = x[np.unique(np.linspace(0, x.size - 1, min(x.size, 513)).round().astype(np.intp))]
    with np.errstate(all="ignore"):
        v = vander(sub, powers)
        scale = np.max(np.abs(v), axis=0)
    if not np.all(np.isfinite(v)):
        return False
    scale[scale == 0] = 1.0
    try:
        return bool(np.linalg.cond(v / scale) < 1e6)
    except np.linalg.LinAlgError:
        return False


def _start(prob: _Problem, tgt: Target, start: Mapping[str, float] | None,
           powers: tuple[int, ...], fixed: dict[int, float], gate: Array | None = None
           ) -> Array:
    """Starting basis coefficients: given (as monomial coefficients), or a weighted
    linear fit of the inner p.  ``gate`` is the target's gate on ``prob.x`` when the
    caller has it (a fit on the gate), else it is evaluated."""
    if start is not None:
        c = start_vector(start, [f"c{k}" for k in powers if k not in fixed])
        return prob.basis.from_monomial(c)
    x = prob.x
    a = prob.bmat
    pick = None
    if prob.horner is not None:
        # Plain monomials: the columns exactly as selected before the bases existed (the
        # memory layout decides BLAS's summation order, hence the last bits of the start).
        powers_all, free, _ = prob.horner
        v = vander(x, powers_all)
        pick = lambda rows: v[rows][:, free]                # noqa: E731
        a = v[:, free]
    if prob.family.gated:
        g = tgt.gate(x) if gate is None else gate
        rows = np.flatnonzero((g > 1e-9) & (g < 1 - 1e-9))
        if rows.size < a.shape[1] + 1:
            raise ComputationError(
                f"the gate of {tgt.name} is within 1e-9 of 0 or 1 at almost every sample of "
                f"[{x[0]:g}, {x[-1]:g}], so there is nothing to fit; choose a range that "
                "contains the transition, e.g. `range` -10 10")
        # The points kept: usually one run of samples (a monotone gate), then a slice
        # (views, not gathers; the same values either way).
        ok = slice(rows[0], rows[-1] + 1) if rows[-1] - rows[0] + 1 == rows.size else rows
        gk = g[ok]
        z = np.log(gk) - np.log1p(-gk)                # logit of the gate
        if prob.family.name == "tanh":
            z = 0.5 * z
        # The gate moves by g(1 − g)·Δp, and the value by |factor| times that.
        w = gk * (1 - gk) * np.abs(prob.factor[ok]) * prob.w[ok] + 1e-300
        rhs = z - prob.fixedp[ok]
        a = a[ok] if pick is None else pick(ok)
    else:
        w = prob.w
        rhs = prob.y - prob.offset - prob.fixedp        # poly: factor 1
    # Column maxima one column at a time (a reduction across the rows of a narrow
    # C-ordered matrix is several times slower; a maximum is exact in any order).
    scale = np.array([np.max(np.abs(a[:, j])) for j in range(a.shape[1])]).reshape(
        a.shape[1:])
    scale[scale == 0] = 1.0
    aw = (a / scale) * w[:, None]
    if prob.linear:
        # For poly this is the least-squares solution itself: solve it accurately.
        sol, *_ = np.linalg.lstsq(aw, rhs * w, rcond=None)
        return sol / scale
    # A start only: normal equations on scaled columns are accurate enough and much
    # quicker than an SVD of the tall matrix; fall back to lstsq if they are singular.
    try:
        sol = np.linalg.solve(aw.T @ aw, aw.T @ (rhs * w))
    except np.linalg.LinAlgError:
        sol, *_ = np.linalg.lstsq(aw, rhs * w, rcond=None)
    if not np.all(np.isfinite(sol)):
        sol, *_ = np.linalg.lstsq(aw, rhs * w, rcond=None)
    return sol / scale


def _weight_expression(weight: Any):
    """The parsed ``weight`` expression (in x), or None."""
    if weight is None:
        return None
    if not isinstance(weight, str):
        raise InputTypeError(f"`weight` must be an expression in x (a str), got "
                             f"{type(weight).__name__} {shown(weight)}")
    from approxfit.core.expr import parse

    return parse(weight, allow_x=True, what="`weight`")


def _weight_function(tgt: Target, on: str, wexpr: Any, relative: bool
                     ) -> Callable[[Array], Array]:
    """``x ↦ w(x)``: the weight expression (or 1), divided by ``|y|`` for relative error.

    Where the fitted quantity is exactly 0 (only x = 0 is let through, where the
    approximant vanishes too, see :func:`_check_zeros`) the residual is 0 whatever the
    weight: 1 is used there.
    """
    def w(x: Array) -> Array:
        x = np.asarray(x, dtype=float)
        out = np.ones_like(x)
        if wexpr is not None:
            with np.errstate(all="ignore"):
                out = out * np.asarray(wexpr.evaluate(x), dtype=float)
        if relative:
            ay = np.abs(tgt.evaluate(x, on=on))
            with np.errstate(divide="ignore"):
                out = np.where(ay > 0, out / np.where(ay > 0, ay, 1.0), out)
        return out

    return w


def _check_weight(wexpr: Any, x: Array, wfun: Callable[[Array], Array]) -> None:
    if wexpr is None:
        return
    with np.errstate(all="ignore"):
        v = np.broadcast_to(np.asarray(wexpr.evaluate(x), dtype=float), x.shape)
    bad = ~(np.isfinite(v) & (v > 0))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"`weight` must be finite and > 0 on the range; it is {v[i]:g} at "
                         f"x = {x[i]:g}")


def _check_zeros(tgt: Target, on: str, x: Array, y: Array, fixed: Mapping[str, float],
                 names: Sequence[str], fam: Family | None) -> None:
    """Refuse relative error where what is fitted has a zero the approximant cannot share.

    A zero at x = 0 is accepted when the approximant vanishes there whatever its free
    coefficients: ``c0`` absent or fixed to 0 (and, for a gated family on the value,
    the relation ``2g − 1``, whose model ``2G(p) − 1`` is 0 when p(0) = 0).
    """
    zero = y == 0
    change = np.flatnonzero(np.sign(y[:-1]) * np.sign(y[1:]) < 0)
    where = [float(v) for v in x[zero]] + [float(0.5 * (x[i] + x[i + 1])) for i in change]
    if not where:
        return
    h = float(np.max(np.diff(x))) if x.size > 1 else 0.0
    others = [v for v in where if abs(v) > h]
    quantity = f"{tgt.name}'s {on}"
    if others:
        raise InputError(f"`error` relative: {quantity} is 0 at x ≈ {others[0]:.6g} on the "
                         "range, where its relative error is unbounded; choose a range "
                         "without it or use `error` absolute")
    c0_zero = "c0" not in names or ("c0" in fixed and float(fixed["c0"]) == 0.0)
    gated_ok = fam is None or not fam.gated or (on == "gate" or tgt.relation.name == "odd")
    if not (c0_zero and gated_ok):
        why = ("the approximant does not vanish there (its constant term c0 is free)"
               if gated_ok else "this family's approximant cannot vanish there")
        raise InputError(f"`error` relative: {quantity} is 0 at x = 0, where its relative "
                         f"error is unbounded unless the approximant is 0 too, and {why}; "
                         "fix c0 = 0 (`fix` c0=0) or use `parity` odd, fit f(x)/x as a "
                         "new target (`expr`), or use `error` absolute")
