"""Least-squares and minimax fits of an approximant family to a target.

:func:`fit` is the one entry point; it returns a :class:`~approxfit.fitting.result.FitResult`.

Least squares (``objective="l2"``) is :func:`scipy.optimize.least_squares`
(Levenberg–Marquardt, MINPACK) with the families' analytic Jacobians and
tolerances near machine precision.

Minimax (``objective="minimax"``) minimises the largest absolute error over the
sample set.  The method is a trust-region sequential linear programme with an
exchange (active-set) strategy:

1. start from the least-squares fit (or a given start);
2. linearise the residual ``r(c + Δ) ≈ r(c) + J Δ`` on a *working set* of
   sample points — the local extrema of the current error plus a coarse cover of
   the grid — and solve ``min t  s.t. |r_i + J_i Δ| ≤ t, |Δ_j| ≤ ρ`` with HiGHS
   (:func:`scipy.optimize.linprog`);
3. accept the step if the error on the *whole* grid went down, grow or shrink
   the trust radius ρ by the ratio of actual to predicted reduction, and add the
   new error extrema to the working set (the Remez exchange);
4. stop when the linear programme predicts no further reduction.

For the linear ``poly`` family the trust region is dropped and the loop is the
discrete Remez exchange: each LP is solved exactly on the working set, and the
loop ends when no grid point exceeds the LP's level.  The method follows the
classical SLP / trust-region approach to nonlinear Chebyshev approximation
(Madsen, "An algorithm for minimax solution of overdetermined systems of
non-linear equations", J. Inst. Maths Applics 16, 1975; Watson, *Approximation
Theory and Numerical Methods*, 1980, ch. 4) with Remez's exchange of reference
points.

The result carries a :class:`~approxfit.fitting.result.Certificate`: the alternation
points of the final error, its signed values, and how level it is.  By the
equioscillation theorem the optimum of an n-parameter (Haar) problem has n + 1
alternation points.  When the problem is symmetric — an odd p in a gate that is
symmetric about ½, or a polynomial of the value's own parity, on a symmetric
range — the error is odd or even, the problem is the same on ``[0, R]``, and
the certificate asks for n + 1 alternation points in ``x > 0``.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import (
    Family,
    coefficient_names,
    get_family,
    powers_for,
    vander,
)
from approxfit.core.exceptions import ComputationError, ConvergenceWarning, InputError
from approxfit.core.grids import Grid
from approxfit.core.names import check_choice
from approxfit.core.targets import Target, get_target
from approxfit.fitting.result import Certificate, FitResult
from approxfit.measure.metrics import approximant_metrics, local_extrema, outside_metrics

__all__ = ["OBJECTIVES", "ONS", "fit"]

Array = np.ndarray
OBJECTIVES: tuple[str, ...] = ("l2", "minimax")
ONS: tuple[str, ...] = ("gate", "value")

# One table of termination messages (lesson from scipy.optimize).
MESSAGES = {
    "l2_ok": "least squares converged ({})",
    "l2_fail": "least squares did not converge: {}",
    "mm_ok": "minimax converged: the linear programme predicts no further reduction",
    "mm_level": "minimax converged: the error is level on the reference points",
    "mm_maxiter": "minimax stopped after {} iterations without meeting its tolerance",
    "mm_radius": "minimax stopped: the trust region shrank to nothing without progress",
    "mm_lp": "minimax failed: the linear programme could not be solved ({})",
    "mm_exact": "minimax converged: the error is at rounding level (an exact fit)",
    "mm_remez": "minimax converged: Remez's exchange levelled the error on the reference",
}


def rounding_level(y: Array) -> float:
    """An error this small is rounding noise in the residual, not approximation error."""
    return 64 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(y))))


@dataclass(frozen=True, eq=False)
class _Problem:
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


def _as_target(target: str | Target) -> Target:
    return target if isinstance(target, Target) else get_target(target)


def _as_family(family: str | Family) -> Family:
    return family if isinstance(family, Family) else get_family(family)


def _resolve_fix(fix: Mapping[str, float] | None, powers: tuple[int, ...]) -> dict[int, float]:
    names = coefficient_names(powers)
    out: dict[int, float] = {}
    for name, value in (fix or {}).items():
        if name not in names:
            raise InputError(f"--fix {name}: this family has no coefficient {name!r}; it has "
                             f"{', '.join(names)}")
        v = float(value)
        if not np.isfinite(v):
            raise InputError(f"--fix {name} must be finite, got {v}")
        out[int(name[1:])] = v
    if len(out) == len(powers):
        raise InputError(f"--fix fixes every coefficient ({', '.join(names)}); leave at least "
                         "one free to fit")
    return out


def error_symmetry(target: Target, family: Family, parity: str, on: str,
                   lo: float, hi: float) -> str | None:
    """Whether the fit's error is odd or even about 0 (None if neither).

    A gated family with odd p on a gate symmetric about ½ has an odd gate error;
    on the value, ``f = x·g`` makes it even and ``f = 2g − 1`` keeps it odd.  A
    polynomial of the value's own parity has an error of that parity.  Only a
    symmetric range (``lo = −hi``) keeps the problem symmetric.
    """
    if not np.isclose(lo, -hi, rtol=0, atol=1e-12 * max(1.0, abs(hi))):
        return None
    if family.gated:
        if not (parity == "odd" and target.gate_symmetric):
            return None
        if on == "gate":
            return "odd"
        return "even" if target.relation.name == "product" else "odd"
    if on == "value" and parity in ("odd", "even") and target.value_parity == parity:
        return parity
    return None


def fit(target: str | Target, family: str | Family, grid: Grid, *, degree: int,
        parity: str | None = None, fix: Mapping[str, float] | None = None,
        objective: str = "l2", on: str = "gate", start: Mapping[str, float] | None = None,
        clamp: float | str | None = None, max_iter: int = 200,
        den_degree: int | None = None, den_parity: str = "even") -> FitResult:
    """Fit an approximant family to a target on a sample grid.

    Parameters
    ----------
    target : str or Target
        What to approximate (``"gelu"``, …).
    family : str or Family
        ``"tanh"``, ``"sigmoid"``, ``"poly"`` or ``"rational"`` (see
        :mod:`approxfit.approximants.rational`; it takes ``den_degree`` and ``den_parity``).
    grid : Grid
        The sample points (:func:`approxfit.core.grids.make_grid`).
    degree : int
        Highest power of the inner polynomial.
    parity : {"odd", "even", "none"}, optional
        Default: what the target's symmetry suggests for the family.
    fix : mapping, optional
        Coefficients held fixed, e.g. ``{"c1": sqrt(2/pi)}``.
    objective : {"l2", "minimax"}
    on : {"gate", "value"}
        Whether the error is measured on the target's gate or its value.
    start : mapping, optional
        Starting coefficients (free ones); default: a weighted linear fit of the
        inner polynomial, then (for minimax) the least-squares fit.
    clamp : float or "range", optional
        A tail guard at ±C (tanh and sigmoid families): beyond it the gate takes
        its limits 0 and 1, so that the approximant stays right on the whole real
        line even when p turns over outside the range; ``"range"`` puts C at the
        range's larger end. C may not lie inside the range.
    max_iter : int
        Iteration cap of the minimax loop.
    den_degree, den_parity : int, str
        The denominator of a rational fit (default degree 2, even).

    Returns
    -------
    FitResult

    Raises
    ------
    InputError
        For arguments that are wrong (the message names the argument).
    ComputationError
        When the residuals or the Jacobian are not finite at the start, or the
        linear programme fails.

    Examples
    --------
    >>> from approxfit.core.grids import make_grid
    >>> r = fit("gelu", "tanh", make_grid(-10, 10, step=0.01), degree=3,
    ...         fix={"c1": (2 / 3.141592653589793) ** 0.5}, on="gate")
    >>> round(r.scaled["a3"], 7)
    0.0448465
    """
    t0 = time.perf_counter()
    if family == "rational":
        check_choice(objective, OBJECTIVES, "objective")
        check_choice(on, ONS, "--on")
        tgt = _as_target(target)
        if on == "gate" and not tgt.has_gate:
            raise InputError(f"target {tgt.name!r} has no gate; use --on value")
        if clamp not in (None, "none"):
            raise InputError("a clamp (tail guard) applies to the tanh and sigmoid families")
        from approxfit.fitting.rational import fit_rational

        return fit_rational(tgt, grid, degree=degree, den_degree=2 if den_degree is None
                            else den_degree, parity=parity, den_parity=den_parity, fix=fix,
                            objective=objective, on=on, start=start, max_iter=max_iter)
    tgt, fam = _as_target(target), _as_family(family)
    check_choice(objective, OBJECTIVES, "objective")
    check_choice(on, ONS, "--on")
    if fam.gated and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate, so the {fam.name} family does not "
                         "apply; use the poly family")
    if on == "gate" and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate; use --on value")
    parity = fam.default_parity(tgt, on) if parity is None else parity
    powers = powers_for(degree, parity)
    fixed = _resolve_fix(fix, powers)
    free = np.array([k not in fixed for k in powers])
    nfree = int(free.sum())
    x = np.asarray(grid.x, dtype=float)
    if x.size < nfree + 2:
        raise InputError(f"samples must be at least the number of free coefficients + 2 "
                         f"({nfree + 2}), got {x.size}")
    base_kind = "gate" if fam.gated else on
    y = tgt.evaluate(x, on=on)
    if not np.all(np.isfinite(y)):
        bad = float(x[np.flatnonzero(~np.isfinite(y))[0]])
        raise ComputationError(f"the target {tgt.name!r} is not finite at x = {bad:g} on the "
                               "range; choose a range where it is defined")
    if on == "value" and base_kind == "gate":
        factor, offset = tgt.relation.scale(x).astype(float), tgt.relation.offset
    else:
        factor, offset = np.ones_like(x), 0.0
    base = np.array([fixed.get(k, 0.0) for k in powers])
    prob = _Problem(x, y, fam, powers, free, base, factor, offset)

    symmetry = error_symmetry(tgt, fam, parity, on, grid.lo, grid.hi)
    overflow = (f"x^{max(powers)} overflows on [{grid.lo:g}, {grid.hi:g}]; try a smaller "
                "range or a lower degree")
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(vander(x[[0, -1]], powers))):
            raise ComputationError(overflow)
    try:
        c0 = _start(prob, tgt, on, start, powers, fixed)
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
                fast = _remez(prob, c0, reference, max_iter)
            if fast is not None:
                cfree, iterations, history = fast
                converged, message = True, MESSAGES["mm_remez"]
            else:
                c_l2 = _least_squares(prob, c0, tol=1e-8)[0] if not prob.linear else c0
                cfree, converged, message, iterations, history = _minimax(
                    prob, c_l2, max_iter, reference)
        else:
            cfree, converged, message, iterations, history = _least_squares(prob, c0)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        if isinstance(exc, InputError):
            raise
        raise ComputationError(f"the fit failed numerically ({exc}); try a smaller range or "
                               "a lower degree") from None
    cert = None
    coef = prob.full(cfree)
    if not np.all(np.isfinite(coef)):
        raise ComputationError("the fit produced non-finite coefficients; try a smaller range "
                               "or a lower degree")
    if objective == "minimax":
        cert = certificate(prob.x, prob.residual(cfree), nfree, symmetry)
        cert, converged, message = judge_certificate(cert, prob.y, converged, message)

    clamp_value, tail = _clamp(clamp, grid)
    approx = Approximant(fam.name, powers, tuple(float(c) for c in coef), tgt,
                         base=base_kind, clamp=clamp_value,
                         name=f"{fam.name}{degree}-{objective}-{on}")
    metrics = approximant_metrics(approx, x, lo=grid.lo, hi=grid.hi)
    outside = outside_metrics(approx, grid.lo, grid.hi, on=on)
    notes = []
    inside = metrics[on]["max_abs_error_range"]
    if outside["max_abs_error"] > max(10 * inside, 1e-6):
        advice = ("use --clamp range for a tail guard at the range's end" if fam.gated else
                  "a polynomial cannot follow the target beyond the range it was fitted on")
        notes.append(
            f"outside the range the error grows to {outside['max_abs_error']:.3g} at "
            f"x = {outside['argmax_abs_error']:.4g} (inside: {inside:.3g}); {advice}")
        warnings.warn(notes[-1], RuntimeWarning, stacklevel=2)
    if not converged:
        warnings.warn(message, ConvergenceWarning, stacklevel=2)
    return FitResult(
        approximant=approx, objective=objective, on=on, degree=degree, parity=parity,
        range=(grid.lo, grid.hi), grid=grid.describe(),
        fixed=tuple(f"c{k}" for k in powers if k in fixed), converged=converged,
        message=message, iterations=iterations, seconds=time.perf_counter() - t0,
        metrics=metrics, metrics_outside=outside, certificate=cert,
        history=tuple(history), warnings=tuple(notes), tail=tail)


def _clamp(clamp: float | str | None, grid: Grid) -> tuple[float | None, str | None]:
    if clamp is None or clamp == "none":
        return None, None
    if clamp == "range":
        c = max(abs(grid.lo), abs(grid.hi))
    else:
        try:
            c = float(clamp)
        except (TypeError, ValueError):
            raise InputError(f"clamp must be a positive number, 'range' or 'none', got "
                             f"{clamp!r}") from None
        if not (np.isfinite(c) and c >= max(abs(grid.lo), abs(grid.hi))):
            raise InputError(f"clamp must be at least the range's larger end "
                             f"({max(abs(grid.lo), abs(grid.hi)):g}), got {clamp!r}")
    return c, f"tail guard at ±{c:g}: beyond it the gate is 0 (x < −{c:g}) or 1 (x > {c:g})"


def _start(prob: _Problem, tgt: Target, on: str, start: Mapping[str, float] | None,
           powers: tuple[int, ...], fixed: dict[int, float]) -> Array:
    """Starting free coefficients: given, or a weighted linear fit of the inner p."""
    free_powers = [k for k in powers if k not in fixed]
    if start:
        try:
            return np.array([float(start[f"c{k}"]) for k in free_powers])
        except KeyError as exc:
            raise InputError(f"start lacks coefficient {exc.args[0]!r}") from None
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
                "contains the transition, e.g. --range -10 10")
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


def _least_squares(prob: Any, c0: Array, tol: float = 1e-15
                   ) -> tuple[Array, bool, str, int, list[float]]:
    """Levenberg–Marquardt (MINPACK) with the analytic Jacobian; ``tol`` for all three tests.

    The l2 objective uses the tight default; a minimax fit that needs a least-squares
    start asks for 1e-8, which leaves its optimum unchanged and costs far fewer steps.
    """
    from scipy.optimize import least_squares

    res = least_squares(prob.residual, c0, jac=prob.jacobian, method="lm", x_scale="jac",
                        ftol=tol, xtol=tol, gtol=tol, max_nfev=2000)
    rms = float(np.sqrt(np.mean(res.fun ** 2)))
    ok = bool(res.success) and bool(np.all(np.isfinite(res.x)))
    msg = MESSAGES["l2_ok" if ok else "l2_fail"].format(res.message.rstrip("."))
    return res.x, ok, msg, int(res.nfev), [rms]


def _merge(*parts: Array) -> Array:
    return np.unique(np.concatenate([np.asarray(p, dtype=np.intp) for p in parts]))


def _lp_step(r: Array, jac: Array, radius: float | None,
             extra: tuple[Array, Array] | None = None) -> tuple[Array, float, float]:
    """Solve ``min t s.t. |r + J Δ| ≤ t, |δ_j| ≤ radius`` on a working set.

    The step is scaled, ``Δ_j = δ_j·level / max_i |J_ij|``, so that a unit of δ
    moves the residual by at most the current error level.  ``extra = (A, b)``
    adds constraints ``A Δ ≤ b`` (a rational fit keeps its denominator positive
    this way).  Returns ``(Δ, t, max |δ_j|)``.
    """
    from scipy.optimize import linprog

    level = float(np.max(np.abs(r)))
    if level == 0.0:
        return np.zeros(jac.shape[1]), 0.0, 0.0
    rs = r / level
    colmax = np.max(np.abs(jac), axis=0)
    colmax[colmax == 0] = 1.0
    js = jac / (colmax * level)                   # Δ = δ / colmax, residual in units of level
    m, n = js.shape
    ones = np.ones((m, 1))
    a_ub = np.block([[js, -ones], [-js, -ones]])
    b_ub = np.concatenate([-rs, rs])
    if extra is not None:
        a_x, b_x = extra
        a_ub = np.vstack([a_ub, np.hstack([a_x * (level / colmax), np.zeros((len(b_x), 1))])])
        b_ub = np.concatenate([b_ub, b_x])
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    bound = None if radius is None else radius
    bounds = [(-bound, bound) if bound is not None else (None, None)] * n + [(0, None)]
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10,
                           "dual_feasibility_tolerance": 1e-10})
    if res.status == 4:       # numerical difficulties: HiGHS's defaults often succeed
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise ComputationError(MESSAGES["mm_lp"].format(res.message))
    return res.x[:n] / colmax, float(res.x[-1]) * level, float(np.max(np.abs(res.x[:n])))


def _minimax(prob: Any, c: Array, max_iter: int, reference: Array | None = None
             ) -> tuple[Array, bool, str, int, list[float]]:
    """The SLP / exchange loop (see the module docstring).

    ``prob`` offers ``x``, ``y``, ``residual(c, idx)``, ``jacobian(c, idx)`` and
    ``linear``; optionally ``constraints(c, idx) -> (A, b)`` for extra linear
    constraints on the step and ``admissible(c)`` to reject a step (a rational
    fit whose denominator would vanish on the range).  ``reference`` (a mask of
    the samples where the alternation is sought: ``x > 0`` for a symmetric
    problem) enables the fast path, Remez's exchange (:func:`_remez`), which the
    SLP loop backs up.
    """
    n = prob.x.size
    linear = prob.linear
    constraints = getattr(prob, "constraints", None)
    admissible = getattr(prob, "admissible", None)
    r = prob.residual(c)
    err = float(np.max(np.abs(r)))
    cover = np.unique(np.linspace(0, n - 1, min(n, 64)).round().astype(np.intp))
    work = _merge(cover, local_extrema(r))
    radius: float | None = None if linear else 1.0
    history = [err]
    if err <= rounding_level(prob.y):
        return c, True, MESSAGES["mm_exact"], 0, history
    if reference is not None:
        fast = _remez(prob, c, reference, max_iter)
        if fast is not None:
            c_fast, its, hist = fast
            return c_fast, True, MESSAGES["mm_remez"], its, hist
    # Below these the linear model's predicted gain is rounding noise in the residual.
    tol, noise = 1e-10, 1e-15 * max(1.0, float(np.max(np.abs(prob.y))))
    message = MESSAGES["mm_maxiter"].format(max_iter)
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        rw = prob.residual(c, work)
        extra = constraints(c, work) if constraints is not None else None
        step, level, size = _lp_step(rw, prob.jacobian(c, work), radius, extra)
        predicted = float(np.max(np.abs(rw))) - level
        c_new = c + step
        r_new = prob.residual(c_new)
        if admissible is not None and not admissible(c_new):
            radius *= 0.25
            if radius < 1e-12:
                break
            continue
        if not np.all(np.isfinite(r_new)):
            if linear:
                raise ComputationError("the residuals overflowed during the minimax fit; try "
                                       "a smaller range or a lower degree")
            radius *= 0.25
            continue
        err_new = float(np.max(np.abs(r_new)))
        work = _merge(work, local_extrema(r_new))
        if linear:
            c, r, err = c_new, r_new, err_new
            history.append(err)
            if err <= level * (1 + 1e-9) + 1e-300:
                converged, message = True, MESSAGES["mm_level"]
                break
            continue
        if predicted <= tol * err + noise:
            converged, message = True, MESSAGES["mm_ok"]
            break
        actual = err - err_new
        ratio = actual / predicted
        if actual > 0:
            c, r, err = c_new, r_new, err_new
            history.append(err)
            if ratio > 0.75 and size >= 0.5 * radius:
                radius *= 4.0
            elif ratio < 0.25:
                radius *= 0.5
        else:
            radius *= 0.25
        if radius < 1e-12:
            converged, message = predicted <= 1e-6 * err, MESSAGES["mm_radius"]
            break
    return c, converged, message, it, history


def judge_certificate(cert: Certificate, y: Array, converged: bool, message: str
                      ) -> tuple[Certificate, bool, str]:
    """Hold a minimax fit to its certificate.

    An exact fit (error at rounding level) has nothing to level: its
    ``levelled_ratio`` becomes None.  Otherwise a fit whose error is level to less
    than 0.999 on its reference points is not converged, whatever its loop said.
    """
    if cert.max_error_samples <= rounding_level(y):
        return dataclasses.replace(cert, levelled_ratio=None), converged, message
    if converged and cert.levelled_ratio < 0.999:
        return cert, False, (f"minimax stopped with the error level only to "
                             f"{cert.levelled_ratio:.4f} on its reference points")
    return cert, converged, message


def alternating_set(r: Array, required: int) -> list[int]:
    """Indices of an alternating sequence of ``required`` peaks of the error ``r``.

    The local extrema of the error are merged into an alternating sequence (of
    consecutive peaks of one sign the larger is kept), then thinned to
    ``required`` points by dropping the smallest peaks in a way that keeps the
    signs alternating.  Fewer indices come back when the error does not
    alternate often enough.
    """
    idx = local_extrema(r)
    idx = idx[np.abs(r[idx]) > 0]
    seq: list[int] = []
    for i in idx:
        if seq and (r[i] > 0) == (r[seq[-1]] > 0):
            if abs(r[i]) > abs(r[seq[-1]]):
                seq[-1] = int(i)
        else:
            seq.append(int(i))
    while len(seq) > required:
        a = [abs(r[i]) for i in seq]
        k = int(np.argmin(a))
        if k in (0, len(seq) - 1) or len(seq) - required == 1:
            drop = 0 if a[0] <= a[-1] else len(seq) - 1
            if k not in (0, len(seq) - 1):
                seq.pop(drop)
                continue
            seq.pop(k)
        else:
            nb = k - 1 if a[k - 1] <= a[k + 1] else k + 1
            for j in sorted((k, nb), reverse=True):
                seq.pop(j)
    return seq


def certificate(x: Array, r: Array, nfree: int, symmetry: str | None) -> Certificate:
    """Pick the alternation points of the error ``r`` on ``x`` and measure its levelling.

    See :func:`alternating_set`; for a symmetric problem only ``x > 0`` is used
    and ``nfree + 1`` points are asked for there.
    """
    required = nfree + 1
    mask = x > 0 if symmetry else np.ones(x.size, dtype=bool)
    xs, rs = x[mask], r[mask]
    seq = alternating_set(rs, required)
    pts = tuple(float(xs[i]) for i in seq)
    errs = tuple(float(rs[i]) for i in seq)
    mags = np.abs(errs) if errs else np.array([0.0])
    ratio = float(mags.min() / mags.max()) if mags.max() > 0 else 1.0
    if len(seq) < required:
        ratio = 0.0
    return Certificate(pts, errs, ratio, required, symmetry, float(np.max(np.abs(r))))


def _remez(prob: Any, c: Array, mask: Array, max_iter: int = 40
           ) -> tuple[Array, int, list[float]] | None:
    """Remez's exchange on the samples: level the error on an alternating reference.

    Each step solves the n + 1 equations ``r_i + J_i Δ = s_i·E`` (s alternating
    signs) on the current reference for the step Δ and the level E, then takes
    as the new reference the alternating peaks of the new error.  It stops when
    the error is level on its reference and no sample exceeds that level (to
    1e-10 relative) — de la Vallée Poussin's bound then certifies the optimum —
    and gives up (None) when the reference does not alternate, the error grows,
    or the equations are singular; :func:`_minimax` then runs its SLP loop.
    """
    nfree = c.size
    sub = np.flatnonzero(mask)
    r = prob.residual(c)
    history = [float(np.max(np.abs(r)))]
    for it in range(1, max_iter + 1):
        ref = alternating_set(r[sub], nfree + 1)
        if len(ref) < nfree + 1:
            return None
        ref_idx = sub[ref]
        signs = np.sign(r[ref_idx])
        a = np.hstack([prob.jacobian(c, ref_idx), -signs[:, None]])
        try:
            sol = np.linalg.solve(a, -r[ref_idx])
        except np.linalg.LinAlgError:
            return None
        c_new = c + sol[:-1]
        admissible = getattr(prob, "admissible", None)
        if admissible is not None and not admissible(c_new):
            return None
        r_new = prob.residual(c_new)
        if not np.all(np.isfinite(r_new)):
            return None
        peak = float(np.max(np.abs(r_new)))
        if peak > 4 * history[-1]:
            return None
        c, r = c_new, r_new
        history.append(peak)
        ref = alternating_set(r[sub], nfree + 1)
        if len(ref) == nfree + 1:
            low = float(np.min(np.abs(r[sub[ref]])))
            if low >= peak * (1 - 1e-10):
                return c, it, history
    return None


