"""Least-squares and minimax fits of rational approximants ``P(x)/Q(x)``.

Least squares starts from the linearised problem ``min ‖P − y·Q‖`` (Loeb's
linearisation) or from a given start (the Padé approximant, when it has no pole on
the range), and minimax continues with the same SLP / exchange loop as the other
families (:mod:`approxfit.fitting.fit`), with ``Q ≥ 10⁻³`` added as linear constraints
on the working set and every step whose Q would vanish on the grid rejected.  The
result says how close Q comes to zero on the range; a fit whose Q vanishes there is
refused.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.families import poly_value, powers_for, vander
from approxfit.approximants.rational import Q_FLOOR, RationalApproximant, coefficient_label
from approxfit.core.exceptions import ComputationError, ConvergenceWarning, InputError
from approxfit.core.grids import Grid
from approxfit.core.targets import Target

__all__ = ["fit_rational"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class _RationalProblem:
    """Residual ``P/Q − y`` on the samples, over the free coefficients of P and Q."""

    x: Array
    y: Array
    num_powers: tuple[int, ...]
    den_powers: tuple[int, ...]
    free: Array              # mask over (c..., d...)
    base: Array              # all coefficients, fixed values in place
    linear = False

    def full(self, cfree: Array) -> Array:
        c = self.base.copy()
        c[self.free] = cfree
        return c

    def _parts(self, cfree: Array, idx: Array | None) -> tuple[Array, Array, Array, Array]:
        x = self.x if idx is None else self.x[idx]
        c = self.full(cfree)
        m = len(self.num_powers)
        p = poly_value(x, c[:m], self.num_powers)
        q = 1.0 + (poly_value(x, c[m:], self.den_powers) if self.den_powers else 0.0 * x)
        return x, p, q, c

    def residual(self, cfree: Array, idx: Array | None = None) -> Array:
        y = self.y if idx is None else self.y[idx]
        with np.errstate(all="ignore"):
            _, p, q, _ = self._parts(cfree, idx)
            return p / q - y

    def jacobian(self, cfree: Array, idx: Array | None = None) -> Array:
        with np.errstate(all="ignore"):
            x, p, q, _ = self._parts(cfree, idx)
            jp = vander(x, self.num_powers) / q[:, None]
            jq = -vander(x, self.den_powers) * (p / (q * q))[:, None]
            return np.hstack([jp, jq])[:, self.free]

    def constraints(self, cfree: Array, idx: Array) -> tuple[Array, Array]:
        """``Q(x_i) + ∂Q/∂d·Δd ≥ Q_FLOOR`` on the working set, as ``A Δ ≤ b``."""
        x, _, q, _ = self._parts(cfree, idx)
        a = np.hstack([np.zeros((x.size, len(self.num_powers))),
                       -vander(x, self.den_powers)])[:, self.free]
        return a, q - Q_FLOOR

    def admissible(self, cfree: Array) -> bool:
        _, _, q, _ = self._parts(cfree, None)
        return bool(np.all(q > 0))


def _linearised_start(prob: _RationalProblem) -> Array:
    """Loeb's linearisation: least squares of ``P(x) − y·(Q(x) − 1) = y``.

    When its Q vanishes on the range, the start falls back to Q = 1 (free d = 0) with
    P the least-squares polynomial, which has no pole at all.
    """
    x, y = prob.x, prob.y
    a = np.hstack([vander(x, prob.num_powers), -y[:, None] * vander(x, prob.den_powers)])
    rhs = y - a[:, ~prob.free] @ prob.base[~prob.free]
    a = a[:, prob.free]
    scale = np.max(np.abs(a), axis=0)
    scale[scale == 0] = 1.0
    sol, *_ = np.linalg.lstsq(a / scale, rhs, rcond=None)
    sol = sol / scale
    if prob.admissible(sol):
        return sol
    m = len(prob.num_powers)
    num_free = prob.free[:m]
    sol = np.zeros(int(prob.free.sum()))
    if num_free.any():
        cols = a[:, :int(num_free.sum())]
        sc = np.max(np.abs(cols), axis=0)
        sc[sc == 0] = 1.0
        rhs_p = y - vander(x, prob.num_powers)[:, ~num_free] @ prob.base[:m][~num_free]
        sol[:int(num_free.sum())] = np.linalg.lstsq(cols / sc, rhs_p, rcond=None)[0] / sc
    return sol


def fit_rational(target: Target, grid: Grid, *, degree: int, den_degree: int,
                 parity: str | None = None, den_parity: str = "even",
                 fix: Mapping[str, float] | None = None, objective: str = "l2",
                 on: str = "value", start: Mapping[str, float] | None = None,
                 max_iter: int = 200) -> Any:
    """Fit ``P/Q`` to a target's value or gate; see the module docstring.

    Parameters
    ----------
    target : Target
    grid : Grid
    degree, den_degree : int
        Degrees of P and of Q (Q's ≥ 1).
    parity, den_parity : str
        Parities of P (default: as poly would take) and of Q (default even).
    fix : mapping, optional
        Fixed coefficients, by name (``c<k>`` or ``d<k>``).
    objective : {"l2", "minimax"}
    on : {"value", "gate"}
    start : mapping, optional
        Starting coefficients (all free ones by name), e.g. the Padé approximant.

    Returns
    -------
    approxfit.fitting.result.FitResult

    Raises
    ------
    ComputationError
        If the fitted Q vanishes on the range (a pole), or the fit fails.
    """
    from approxfit.fitting.fit import _least_squares, _minimax, certificate, judge_certificate
    from approxfit.fitting.result import FitResult
    from approxfit.measure.metrics import approximant_metrics, outside_metrics

    t0 = time.perf_counter()
    if den_degree < 1:
        raise InputError(f"--den-degree must be at least 1 for a rational fit, got {den_degree}")
    if parity is None:
        parity = target.value_parity if (on == "value" and target.value_parity != "none"
                                         ) else "none"
    num_powers = powers_for(degree, parity)
    den_powers = tuple(k for k in powers_for(den_degree, den_parity) if k >= 1)
    if not den_powers:
        raise InputError(f"--den-degree {den_degree} with parity {den_parity} leaves Q = 1; "
                         "use the poly family or a larger --den-degree")
    names = coefficient_label("c", num_powers) + coefficient_label("d", den_powers)
    fixed = dict(fix or {})
    for k in fixed:
        if k not in names:
            raise InputError(f"--fix {k}: this rational family has {', '.join(names)}")
    if len(fixed) == len(names):
        raise InputError("--fix fixes every coefficient; leave at least one free to fit")
    free = np.array([n not in fixed for n in names])
    x = np.asarray(grid.x, dtype=float)
    if x.size < int(free.sum()) + 2:
        raise InputError(f"samples must be at least the number of free coefficients + 2 "
                         f"({int(free.sum()) + 2}), got {x.size}")
    y = target.evaluate(x, on=on)
    if not np.all(np.isfinite(y)):
        raise ComputationError(f"the target {target.name!r} is not finite on the range")
    # An even Q and a P of the value's own parity on a symmetric range make the error
    # odd or even: then the alternation is sought on x > 0 (see approxfit.fitting.fit).
    symmetric_range = np.isclose(grid.lo, -grid.hi, rtol=0, atol=1e-12 * max(1.0, grid.hi))
    symmetry = (parity if symmetric_range and on == "value" and den_parity == "even"
                and parity in ("odd", "even") and target.value_parity == parity else None)
    prob = _RationalProblem(x, y, num_powers, den_powers, free,
                            np.array([float(fixed.get(n, 0.0)) for n in names]))
    try:
        if start:
            missing = [n for n, f in zip(names, free, strict=True) if f and n not in start]
            if missing:
                raise InputError(f"start lacks {', '.join(missing)}")
            c0 = np.array([float(start[n]) for n, f in zip(names, free, strict=True) if f])
            if not prob.admissible(c0):
                c0 = _linearised_start(prob)
        else:
            c0 = _linearised_start(prob)
        if not prob.admissible(c0):
            raise ComputationError("the starting denominator vanishes on the range; try a "
                                   "lower --den-degree or another range")
        cfree, converged, message, iterations, history = _least_squares(prob, c0)
        if not prob.admissible(cfree):
            cfree, converged, message = c0, False, "least squares ran into a pole"
        if objective == "minimax":
            reference = x > 0 if symmetry else np.ones(x.size, dtype=bool)
            cfree, converged, message, iterations, history = _minimax(prob, cfree, max_iter,
                                                                      reference)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        if isinstance(exc, InputError):
            raise
        raise ComputationError(f"the rational fit failed numerically ({exc})") from None
    coef = prob.full(cfree)
    m = len(num_powers)
    approx = RationalApproximant(num_powers, tuple(map(float, coef[:m])), den_powers,
                                 tuple(map(float, coef[m:])), target, base=on,
                                 name=f"rational{degree}-{den_degree}-{objective}-{on}")
    qmin, qwhere = approx.min_abs_q(grid.lo, grid.hi)
    if qmin == 0.0:
        raise ComputationError(f"the fitted denominator Q vanishes at x ≈ {qwhere:.4g} on "
                               "the range: the fit is refused (a pole); try a lower "
                               "--den-degree or --den-parity even")
    cert = None
    if objective == "minimax":
        cert = certificate(x, prob.residual(cfree), int(free.sum()), symmetry)
        cert, converged, message = judge_certificate(cert, y, converged, message)
    metrics = approximant_metrics(approx, x, lo=grid.lo, hi=grid.hi)
    outside = outside_metrics(approx, grid.lo, grid.hi, on=on)
    notes = [f"denominator: min |Q| = {qmin:.4g} at x = {qwhere:.4g} on the range "
             "(no pole)"]
    if not converged:
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return FitResult(
        approximant=approx, objective=objective, on=on, degree=degree, parity=parity,
        range=(grid.lo, grid.hi), grid=grid.describe(),
        fixed=tuple(n for n in names if n in fixed), converged=converged, message=message,
        iterations=iterations, seconds=time.perf_counter() - t0, metrics=metrics,
        metrics_outside=outside, certificate=cert, history=tuple(history),
        warnings=tuple(notes), tail=None)
