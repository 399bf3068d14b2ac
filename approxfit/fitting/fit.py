"""The one fitting core: :func:`fit` checks its arguments, builds the problem, runs a
solver and assembles the :class:`~approxfit.fitting.result.FitResult`, for every family.

* The tanh, sigmoid and poly families (an inner polynomial p) are solved here, with
  the algorithms of :mod:`approxfit.fitting.engine`: least squares (Levenberg–Marquardt)
  for ``objective="l2"``; for ``objective="minimax"``, Remez's exchange from a weighted
  linear start and, when that does not level the error, the SLP / exchange loop from
  the least-squares fit.
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.coefficients import check_fixed
from approxfit.approximants.families import (
    PARITIES,
    Family,
    coefficient_names,
    get_family,
    powers_for,
    vander,
)
from approxfit.core.exceptions import ComputationError, ConvergenceWarning, InputError
from approxfit.core.grids import Grid, check_range, make_grid
from approxfit.core.names import FAMILY_NAMES, GRID_KINDS, check_choice, default_on
from approxfit.core.targets import Target, resolve_target
from approxfit.fitting.engine import (
    MESSAGES,
    Problem,
    Solution,
    certificate,
    judge_certificate,
    least_squares,
    minimax,
    remez,
    rounding_level,
    start_vector,
)
from approxfit.fitting.rational import pade_start, rational_layout, solve_rational
from approxfit.fitting.result import FitResult
from approxfit.measure.metrics import approximant_metrics, outside_metrics

__all__ = ["DEFAULT_RANGE", "DEFAULT_SAMPLES", "MAX_ITER", "OBJECTIVES", "ONS",
           "error_symmetry", "fit", "sample_grid"]

Array = np.ndarray
OBJECTIVES: tuple[str, ...] = ("l2", "minimax")
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
        start: Mapping[str, float] | None = None) -> FitResult:
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
        Highest power of the inner polynomial (of P for ``rational``), 0–30.
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
        rational: powers of Q (default even).
    start : mapping, optional
        Starting values of the free coefficients, by name: finite numbers, one for
        every free coefficient (a value given for a fixed one is ignored; ``fix``
        holds it). Checked like ``fix``: an unknown name or a missing, non-finite or
        non-number value is refused, naming ``start``. Default: a weighted linear
        fit of the inner polynomial (then, for minimax, Remez's exchange or the
        least-squares fit); for rational the Padé approximant (needs sympy), or
        Loeb's linearisation when that has a pole on the range.

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
        family_name = check_choice(family, FAMILY_NAMES, "`family`")
        fam = None if family_name == "rational" else get_family(family_name)
    else:
        raise TypeError(f"`family` must be a str or a Family, got {type(family).__name__}")
    degree = _integer(degree, "degree")
    max_iter = _integer(max_iter, "max_iter")
    if not 1 <= max_iter <= MAX_ITER:
        raise InputError(f"`max_iter` must be between 1 and {MAX_ITER}, got {max_iter}")
    den_degree = 2 if den_degree is None else _integer(den_degree, "den_degree")
    den_parity = "even" if den_parity is None else _choice(den_parity, PARITIES, "den_parity")
    if parity is not None:
        _choice(parity, PARITIES, "parity")
    _choice(objective, OBJECTIVES, "objective")
    on = default_on(family_name, tgt.has_gate) if on is None else _choice(on, ONS, "on")
    if fam is not None and fam.gated and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate, so the {fam.name} family does not "
                         "apply; use the poly family")
    if on == "gate" and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate; use `on` value")
    if start is not None and not isinstance(start, Mapping):
        raise TypeError(f"`start` must be a mapping of coefficient names to numbers, got "
                        f"{type(start).__name__}")
    grid = sample_grid(grid, range=range, samples=samples, step=step)
    clamp_value, tail = _clamp(clamp, grid, fam)

    if fam is None:
        parity, num_powers, den_powers, names = rational_layout(tgt, on, degree, den_degree,
                                                                parity, den_parity)
        what = f"rational of degree {degree} over {den_degree} ({parity} over {den_parity})"
    else:
        parity = fam.default_parity(tgt, on) if parity is None else parity
        powers = powers_for(degree, parity)
        names = coefficient_names(powers)
        what = f"{fam.name} of degree {degree} ({parity})"
    fixed = check_fixed(fix, names, what)
    start = _check_start(start, names, fixed, what)
    nfree = len(names) - len(fixed)
    x = np.asarray(grid.x, dtype=float)
    if x.size < nfree + 2:
        raise InputError(f"`samples` must be at least the number of free coefficients + 2 "
                         f"({nfree + 2}), got {x.size}")
    y = tgt.evaluate(x, on=on)
    if not np.all(np.isfinite(y)):
        bad = float(x[np.flatnonzero(~np.isfinite(y))[0]])
        raise ComputationError(f"the target {tgt.name!r} is not finite at x = {bad:g} on the "
                               "range; choose a range where it is defined")
    symmetry = error_symmetry(tgt, family, parity, on, grid.lo, grid.hi, den_parity)
    if fam is None:
        if start is None:
            start = pade_start(tgt, degree, den_degree, parity, den_parity, on)
        sol = solve_rational(tgt, grid, y, degree=degree, den_degree=den_degree,
                             num_powers=num_powers, den_powers=den_powers, fixed=fixed,
                             objective=objective, on=on, start=start, max_iter=max_iter,
                             symmetry=symmetry)
        advice = None
    else:
        sol = _solve_inner(tgt, fam, grid, y, powers=powers, fixed=fixed, objective=objective,
                           on=on, start=start, max_iter=max_iter, symmetry=symmetry,
                           clamp=clamp_value, degree=degree)
        advice = ("set `clamp` to 'range' for a tail guard at the range's end" if fam.gated else
                  "a polynomial cannot follow the target beyond the range it was fitted on")
    cert = None
    converged, message = sol.converged, sol.message
    if objective == "minimax":
        cert = certificate(x, sol.residual, sol.nfree, symmetry)
        cert, converged, message = judge_certificate(cert, y, converged, message)
    approx = sol.approximant
    metrics = approximant_metrics(approx, x, lo=grid.lo, hi=grid.hi)
    outside = outside_metrics(approx, grid.lo, grid.hi, on=on)
    notes = list(sol.notes)
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
        history=sol.history, warnings=tuple(notes), tail=tail)


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
        raise TypeError(f"`range` must be a pair of numbers (lo, hi), got "
                        f"{type(range).__name__}")
    if len(range) != 2:
        raise InputError(f"`range` must be a pair of numbers (lo, hi), got {len(range)} "
                         "values")
    for v in range:
        _real(v, "range")
    if samples is not None:
        samples = _integer(samples, "samples")
    if step is not None:
        step = _real(step, "step")
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
        raise TypeError(f"`grid` must be a Grid or one of {', '.join(GRID_KINDS)}, got "
                        f"{type(grid).__name__}")
    _choice(grid, GRID_KINDS, "grid")
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
    if not np.isclose(lo, -hi, rtol=0, atol=1e-12 * max(1.0, abs(hi))):
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
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a str, one of {', '.join(choices)}; got "
                        f"{type(value).__name__}")
    return check_choice(value, choices, f"`{name}`")


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}")
    return int(value)


def _real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number, got {type(value).__name__}")
    return float(value)


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
            raise TypeError(f"`start` {name} must be a number, got {type(value).__name__}")
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
        c = _real(clamp, "clamp")
    if not (np.isfinite(c) and c >= end):
        raise InputError(f"`clamp` must be at least the range's larger end ({end:g}), got "
                         f"{clamp!r}")
    return c, f"tail guard at ±{c:g}: beyond it the gate is 0 (x < −{c:g}) or 1 (x > {c:g})"


@dataclass(frozen=True, eq=False)
class _Problem(Problem):
    """The residual ``model(c) − y`` on the sample points, and its Jacobian."""

    x: Array
    y: Array
    family: Family
    powers: tuple[int, ...]
    free: Array          # boolean mask over powers
    base: Array          # the full coefficient vector with fixed values in place
    factor: Array        # d(model)/dh, per point
    offset: float        # model = factor·h + offset

    @property
    def linear(self) -> bool:
        """Whether the model is linear in its coefficients (poly)."""
        return not self.family.gated

    def full(self, cfree: Array) -> Array:
        c = self.base.copy()
        c[self.free] = cfree
        return c

    def residual(self, cfree: Array, idx: Array | None = None) -> Array:
        x = self.x if idx is None else self.x[idx]
        f = self.factor if idx is None else self.factor[idx]
        y = self.y if idx is None else self.y[idx]
        with np.errstate(all="ignore"):
            return f * self.family.value(x, self.full(cfree), self.powers) + self.offset - y

    def jacobian(self, cfree: Array, idx: Array | None = None) -> Array:
        x = self.x if idx is None else self.x[idx]
        f = self.factor if idx is None else self.factor[idx]
        with np.errstate(all="ignore"):
            jac = self.family.jacobian(x, self.full(cfree), self.powers)[:, self.free]
        return f[:, None] * jac


def _solve_inner(tgt: Target, fam: Family, grid: Grid, y: Array, *,
                 powers: tuple[int, ...], fixed: Mapping[str, float], objective: str,
                 on: str, start: Mapping[str, float] | None, max_iter: int,
                 symmetry: str | None, clamp: float | None, degree: int) -> Solution:
    """Fit a family of an inner polynomial p (tanh, sigmoid, poly)."""
    fixed_k = {int(name[1:]): v for name, v in fixed.items()}
    free = np.array([k not in fixed_k for k in powers])
    x = np.asarray(grid.x, dtype=float)
    base_kind = "gate" if fam.gated else on
    if on == "value" and base_kind == "gate":
        factor, offset = tgt.relation.scale(x).astype(float), tgt.relation.offset
    else:
        factor, offset = np.ones_like(x), 0.0
    base = np.array([fixed_k.get(k, 0.0) for k in powers])
    prob = _Problem(x, y, fam, powers, free, base, factor, offset)
    overflow = (f"x^{max(powers)} overflows on [{grid.lo:g}, {grid.hi:g}]; try a smaller "
                "range or a lower degree")
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(vander(x[[0, -1]], powers))):
            raise ComputationError(overflow)
    try:
        c0 = _start(prob, tgt, on, start, powers, fixed_k)
        r0 = prob.residual(c0)
        if not np.all(np.isfinite(r0)):
            raise ComputationError(f"the residuals are not finite at the start: {overflow}")
        if objective == "minimax":
            reference = x > 0 if symmetry else np.ones(x.size, dtype=bool)
            # Remez's exchange straight from the linear start is enough for most
            # problems; otherwise a (loosely converged) least-squares fit starts the
            # Remez / SLP loop.
            fast = None
            if float(np.max(np.abs(r0))) > rounding_level(prob.y):
                fast = remez(prob, c0, reference, max_iter)
            if fast is not None:
                cfree, iterations, history = fast
                converged, message = True, MESSAGES["mm_remez"]
            else:
                c_l2 = least_squares(prob, c0, tol=1e-8)[0] if not prob.linear else c0
                cfree, converged, message, iterations, history = minimax(
                    prob, c_l2, max_iter, reference)
        else:
            cfree, converged, message, iterations, history = least_squares(prob, c0)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        if isinstance(exc, InputError):
            raise
        raise ComputationError(f"the fit failed numerically ({exc}); try a smaller range or "
                               "a lower degree") from None
    coef = prob.full(cfree)
    if not np.all(np.isfinite(coef)):
        raise ComputationError("the fit produced non-finite coefficients; try a smaller range "
                               "or a lower degree")
    approx = Approximant(fam.name, powers, tuple(float(c) for c in coef), tgt,
                         base=base_kind, clamp=clamp,
                         name=f"{fam.name}{degree}-{objective}-{on}")
    return Solution(approx, prob.residual(cfree), int(free.sum()), converged, message,
                    iterations, tuple(history))


def _start(prob: _Problem, tgt: Target, on: str, start: Mapping[str, float] | None,
           powers: tuple[int, ...], fixed: dict[int, float]) -> Array:
    """Starting free coefficients: given, or a weighted linear fit of the inner p."""
    if start is not None:
        return start_vector(start, [f"c{k}" for k in powers if k not in fixed])
    x = prob.x
    v = vander(x, powers)
    fixed_part = v[:, ~prob.free] @ prob.base[~prob.free] if (~prob.free).any() else 0.0
    if prob.family.gated:
        g = tgt.gate(x)
        ok = (g > 1e-9) & (g < 1 - 1e-9)
        if ok.sum() < prob.free.sum() + 1:
            raise ComputationError(
                f"the gate of {tgt.name} is within 1e-9 of 0 or 1 at almost every sample of "
                f"[{x[0]:g}, {x[-1]:g}], so there is nothing to fit; choose a range that "
                "contains the transition, e.g. `range` -10 10")
        z = np.log(g[ok]) - np.log1p(-g[ok])          # logit of the gate
        if prob.family.name == "tanh":
            z = 0.5 * z
        # The gate moves by g(1 − g)·Δp, and the value by |factor| times that.
        w = g[ok] * (1 - g[ok]) * np.abs(prob.factor[ok]) + 1e-300
        rhs = z - (fixed_part[ok] if np.ndim(fixed_part) else fixed_part)
        a = v[ok][:, prob.free]
    else:
        w = np.ones(x.size)
        rhs = prob.y - prob.offset - fixed_part
        a = v[:, prob.free]
    scale = np.max(np.abs(a), axis=0)
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
