"""Least-squares and minimax fits of rational approximants ``P(x)/Q(x)``.

Least squares starts from a given start — :func:`approxfit.fitting.fit.fit` gives the
Padé approximant (:func:`pade_start`) when it has no pole on the range — or from the
linearised problem ``min ‖P − y·Q‖`` (Loeb's linearisation), and minimax continues with
the same SLP / exchange loop as the other families (:mod:`approxfit.fitting.engine`),
with ``Q ≥ 10⁻³`` added as linear constraints on the working set and every step whose
Q would vanish on the grid rejected.  The result says how close Q comes to zero on the
range; a fit whose Q vanishes there is refused.

:func:`approxfit.fitting.fit.fit` is the entry point: it validates the arguments,
checks the fixed coefficients against :func:`rational_layout`, calls
:func:`solve_rational` and measures the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from approxfit.approximants.families import DEN_NAMES, poly_value, powers_for, vander
from approxfit.approximants.rational import Q_FLOOR, RationalApproximant, coefficient_label
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.grids import Grid
from approxfit.core.targets import Target
from approxfit.fitting.engine import Problem, Solution, least_squares, minimax, start_vector

__all__ = ["pade_start", "rational_layout", "solve_rational"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class _RationalProblem(Problem):
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


def rational_layout(target: Target, on: str, degree: int, den_degree: int,
                    parity: str | None, den_parity: str
                    ) -> tuple[str, tuple[int, ...], tuple[int, ...], list[str]]:
    """The powers and coefficient names of ``P/Q``.

    Parameters
    ----------
    target : Target
    on : {"value", "gate"}
    degree, den_degree : int
        Degrees of P and of Q (Q's ≥ 1).
    parity, den_parity : str
        Parities of P (None: the value's own parity on the value, else "none") and of Q.

    Returns
    -------
    tuple
        ``(parity, num_powers, den_powers, names)``: P's parity as resolved, the powers
        of P, the powers of ``Q − 1``, and the names ``c<k>`` then ``d<k>``.

    Raises
    ------
    InputError
        If Q would be 1 or the degrees do not fit the parities.
    """
    if den_degree < 1:
        raise InputError(f"`den_degree` must be at least 1 for a rational fit, got "
                         f"{den_degree}")
    if parity is None:
        parity = target.value_parity if (on == "value" and target.value_parity != "none"
                                         ) else "none"
    num_powers = powers_for(degree, parity)
    den_powers = tuple(k for k in powers_for(den_degree, den_parity, names=DEN_NAMES)
                       if k >= 1)
    if not den_powers:
        raise InputError(f"`den_degree` {den_degree} with parity {den_parity} leaves Q = 1; "
                         "use the poly family or a larger `den_degree`")
    names = coefficient_label("c", num_powers) + coefficient_label("d", den_powers)
    return parity, num_powers, den_powers, names


def pade_start(target: Target, degree: int, den_degree: int, parity: str | None,
               den_parity: str, on: str) -> dict[str, float] | None:
    """The Padé approximant's coefficients, a rational fit's start (None if it cannot be
    formed).  Needs sympy (:func:`approxfit.symbolic.taylor.pade_match`)."""
    from approxfit.symbolic.taylor import pade_match

    try:
        return pade_match(target, degree=degree, den_degree=den_degree, parity=parity,
                          den_parity=den_parity, on=on).coefficients
    except (ComputationError, InputError):
        return None


def solve_rational(target: Target, grid: Grid, y: np.ndarray, *, degree: int,
                   den_degree: int, num_powers: tuple[int, ...], den_powers: tuple[int, ...],
                   fixed: Mapping[str, float], objective: str, on: str,
                   start: Mapping[str, float] | None, max_iter: int,
                   symmetry: str | None) -> Solution:
    """Fit ``P/Q`` to ``y`` on the grid; see the module docstring.

    Parameters
    ----------
    target : Target
    grid : Grid
    y : numpy.ndarray
        The target's value or gate on the grid (finite).
    degree, den_degree : int
    num_powers, den_powers : tuple of int
        From :func:`rational_layout`.
    fixed : mapping
        Checked fixed coefficients by name (``c<k>`` or ``d<k>``).
    objective : {"l2", "minimax"}
    on : {"value", "gate"}
    start : mapping, optional
        Starting coefficients (every free one by name; others are ignored), e.g. the
        Padé approximant; one whose Q vanishes on the range is replaced by the
        linearised start.
    max_iter : int
        Iteration cap of the minimax loop.
    symmetry : {"odd", "even"} or None
        Whether the error is odd or even (then Remez's exchange works on x > 0).

    Returns
    -------
    Solution

    Raises
    ------
    ComputationError
        If the fitted Q vanishes on the range (a pole), or the fit fails.
    """
    x = np.asarray(grid.x, dtype=float)
    names = coefficient_label("c", num_powers) + coefficient_label("d", den_powers)
    free = np.array([n not in fixed for n in names])
    prob = _RationalProblem(x, y, num_powers, den_powers, free,
                            np.array([float(fixed.get(n, 0.0)) for n in names]))
    try:
        if start:
            c0 = start_vector(start, [n for n, f in zip(names, free, strict=True) if f])
            if not prob.admissible(c0):
                c0 = _linearised_start(prob)
        else:
            c0 = _linearised_start(prob)
        if not prob.admissible(c0):
            raise ComputationError("the starting denominator vanishes on the range; try a "
                                   "lower `den_degree` or another range")
        cfree, converged, message, iterations, history = least_squares(prob, c0)
        if not prob.admissible(cfree):
            cfree, converged, message = c0, False, "least squares ran into a pole"
        if objective == "minimax":
            reference = x > 0 if symmetry else np.ones(x.size, dtype=bool)
            cfree, converged, message, iterations, history = minimax(prob, cfree, max_iter,
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
                               "`den_degree` or `den_parity` even")
    note = f"denominator: min |Q| = {qmin:.4g} at x = {qwhere:.4g} on the range (no pole)"
    return Solution(approx, prob.residual(cfree), int(free.sum()), converged, message,
                    iterations, tuple(history), (note,))
