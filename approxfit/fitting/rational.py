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

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import chebyshev as npcheb

from approxfit.approximants.families import DEN_NAMES, powers_for, vander
from approxfit.approximants.rational import Q_FLOOR, RationalApproximant, coefficient_label
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.grids import Grid
from approxfit.core.targets import Target
from approxfit.fitting.basis import Basis, choose_basis
from approxfit.fitting.engine import Problem, Solution, least_squares, start_vector
from approxfit.fitting.optimality import EPS, rational_haar, solve_minimax

__all__ = ["pade_start", "rational_layout", "solve_rational"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class _RationalProblem(Problem):
    """Weighted residual ``w·(P/Q − y)`` on points, over the free coefficients of P and Q.

    ``P = fixed_P(x) + B_P(x)·θ_P`` and ``Q = 1 + fixed_Q(x) + B_Q(x)·θ_Q`` in the bases
    of :func:`rational_bases`: Chebyshev polynomials (``Q = T_0 + Σ e_k T_k``) when no
    coefficient is fixed, else scaled monomials (``Q = 1 + Σ e_k (x/s)^k``, ``Q(0) = 1``).
    """

    x: Array
    y: Array
    w: Array
    bp: Array                # P's basis on x
    bq: Array                # Q's basis (without its constant 1) on x
    fixed_p: Array           # fixed terms of P on x
    fixed_q: Array           # fixed terms of Q on x
    homogeneous: bool        # no fixed terms: the level-set LP may rescale P and Q
    rebuild: Callable[[Array], _RationalProblem]
    linear = False

    @property
    def nfree(self) -> int:
        return self.bp.shape[1] + self.bq.shape[1]

    def _parts(self, c: Array, idx: Array | None) -> tuple[Array, Array]:
        m = self.bp.shape[1]
        pick = (lambda a: a) if idx is None else (lambda a: a[idx])
        p = pick(self.fixed_p) + pick(self.bp) @ c[:m]
        q = 1.0 + pick(self.fixed_q) + pick(self.bq) @ c[m:]
        return p, q

    def residual(self, c: Array, idx: Array | None = None) -> Array:
        y = self.y if idx is None else self.y[idx]
        w = self.w if idx is None else self.w[idx]
        with np.errstate(all="ignore"):
            p, q = self._parts(c, idx)
            return w * (p / q - y)

    def jacobian(self, c: Array, idx: Array | None = None) -> Array:
        w = self.w if idx is None else self.w[idx]
        bp = self.bp if idx is None else self.bp[idx]
        bq = self.bq if idx is None else self.bq[idx]
        with np.errstate(all="ignore"):
            p, q = self._parts(c, idx)
            return np.hstack([bp * (w / q)[:, None], -bq * (w * p / (q * q))[:, None]])

    def constraints(self, c: Array, idx: Array) -> tuple[Array, Array]:
        """``Q(x_i) + ∂Q/∂θ_Q·Δ ≥ Q_FLOOR`` on the working set, as ``A Δ ≤ b``."""
        _, q = self._parts(c, idx)
        a = np.hstack([np.zeros((idx.size, self.bp.shape[1])), -self.bq[idx]])
        return a, q - Q_FLOOR

    def admissible(self, c: Array) -> bool:
        _, q = self._parts(c, None)
        return bool(np.all(q > 0))

    def at(self, x: Array) -> _RationalProblem:
        return self.rebuild(np.asarray(x, dtype=float))

    def magnitude(self, c: Array) -> float:
        m = self.bp.shape[1]
        _, q = self._parts(c, None)
        terms = (np.abs(self.bp) @ np.abs(c[:m]) + np.abs(self.fixed_p)
                 + np.abs(self.y) * (1 + np.abs(self.bq) @ np.abs(c[m:]) + np.abs(self.fixed_q)))
        return float(np.max(np.abs(self.w) * terms / np.abs(q)))

    def level_rows(self, level: float, center: Array):
        """``(y − e)·Q ≤ P ≤ (y + e)·Q`` and ``Q ≥ 0`` (e = level/w), linear in P and Q.

        ``Q ≥ 0`` relaxes ``Q > 0``, so infeasibility still bounds the optimum.  Without
        fixed coefficients the constant of Q is a variable too and ``Σ_i Q(x_i)`` is held
        at its value at ``center`` (every positive Q can be scaled so), so the bound holds
        for every Q > 0 on the points, whatever its normalisation; with fixed coefficients
        Q keeps the fit's normalisation.
        """
        e = level / self.w
        m = self.bp.shape[1]
        n = self.x.size
        ones = np.ones((n, 1)) if self.homogeneous else np.zeros((n, 0))
        qmat = np.hstack([ones, self.bq])          # Q = [q0] + B_Q θ_Q (+ 1 + fixed)
        qconst = np.zeros(n) if self.homogeneous else 1.0 + self.fixed_q
        zp = np.zeros((n, m))
        hi, lo = self.y + e, self.y - e
        # P − hi·Q ≤ 0 ; −P + lo·Q ≤ 0 ; −Q ≤ 0   (constants moved right)
        a_ub = np.vstack([np.hstack([self.bp, -hi[:, None] * qmat]),
                          np.hstack([-self.bp, lo[:, None] * qmat]),
                          np.hstack([zp, -qmat])])
        b_ub = np.concatenate([hi * qconst - self.fixed_p, self.fixed_p - lo * qconst, qconst])
        _, qc = self._parts(center, None)
        qc = np.abs(qc)
        unit = np.concatenate([e * qc, e * qc, qc])

        def lift(c: Array) -> Array:
            return np.concatenate([c[:m], [1.0], c[m:]]) if self.homogeneous else c

        def finish(z: Array) -> Array | None:
            if not self.homogeneous:
                return z
            q0 = z[m]
            if not q0 > 0:
                return None
            return np.concatenate([z[:m], z[m + 1:]]) / q0

        a_eq = b_eq = None
        if self.homogeneous:
            a_eq = np.concatenate([np.zeros(m), qmat.sum(axis=0)])[None, :]
            b_eq = a_eq @ lift(center)
        return a_ub, b_ub, unit, a_eq, b_eq, finish, lift


def _linearised_start(prob: _RationalProblem) -> Array:
    """Loeb's linearisation: least squares of ``P(x) − y·(Q(x) − 1) = y``.

    When its Q vanishes on the range, the start falls back to Q = 1 (free θ_Q = 0) with
    P the least-squares polynomial, which has no pole at all.
    """
    y = prob.y
    a = np.hstack([prob.bp, -y[:, None] * prob.bq])
    rhs = y * (1.0 + prob.fixed_q) - prob.fixed_p
    sol, *_ = np.linalg.lstsq(a, rhs, rcond=None)
    if prob.admissible(sol):
        return sol
    m = prob.bp.shape[1]
    sol = np.zeros(prob.nfree)
    if m:
        sol[:m] = np.linalg.lstsq(prob.bp, y - prob.fixed_p, rcond=None)[0]
    return sol


def rational_bases(num_free: tuple[int, ...], den_free: tuple[int, ...], lo: float,
                   hi: float, any_fixed: bool) -> tuple[Basis, Basis]:
    """The bases of P's and Q's free powers, on one domain.

    Without fixed coefficients: Chebyshev polynomials, on ``(lo, hi)`` when P and Q both
    have all powers (Q's constant counts), else on ``(−s, s)``, ``s = max(|lo|, |hi|)``,
    which keeps the parities; with a fixed coefficient: scaled monomials ``(x/s)^k``, so
    that ``Q = 1 + Σ e_k (x/s)^k`` keeps the fit's normalisation ``Q(0) = 1``.
    """
    s = max(abs(lo), abs(hi))
    if any_fixed:
        return Basis("monomial", num_free, (-s, s)), Basis("monomial", den_free, (-s, s))
    pb = choose_basis(num_free, lo, hi)
    qb = choose_basis(den_free, lo, hi, constant=True)
    both_full = (pb.domain == (float(lo), float(hi)) or not num_free) and \
        qb.domain == (float(lo), float(hi)) and lo != -hi
    dom = (float(lo), float(hi)) if both_full else (-s, s)
    return Basis("chebyshev", num_free, dom), Basis("chebyshev", den_free, dom)


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
                   symmetry: str | None,
                   weight: Callable[[Array], Array] | None = None) -> Solution:
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
    weight : callable, optional
        ``x ↦`` the positive weight w of the residual ``w·(P/Q − y)`` (default 1).

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
    num_fixed = {k: float(fixed[f"c{k}"]) for k in num_powers if f"c{k}" in fixed}
    den_fixed = {k: float(fixed[f"d{k}"]) for k in den_powers if f"d{k}" in fixed}
    num_free = tuple(k for k in num_powers if k not in num_fixed)
    den_free = tuple(k for k in den_powers if k not in den_fixed)
    pb, qb = rational_bases(num_free, den_free, grid.lo, grid.hi, bool(fixed))
    make = _make_rational(target, on, pb, qb, num_fixed, den_fixed, weight)
    prob = make(x)
    opt = None
    tol = 0.0
    try:
        c0 = None
        if start:
            cs = start_vector(start, [n for n in names if n not in fixed])
            c0 = _from_monomial(pb, qb, cs[:len(num_free)], cs[len(num_free):], bool(fixed))
            if c0 is None or not prob.admissible(c0):
                c0 = None
        if c0 is None:
            c0 = _linearised_start(prob)
        if not prob.admissible(c0):
            raise ComputationError("the starting denominator vanishes on the range; try a "
                                   "lower `den_degree` or another range")
        cfree, converged, message, iterations, history = least_squares(prob, c0)
        if not prob.admissible(cfree):
            cfree, converged, message = c0, False, "least squares ran into a pole"
        if objective == "minimax":
            region = rational_haar(num_free if not fixed else num_powers,
                                   den_free if not fixed else den_powers, prob.nfree,
                                   symmetry, grid.lo, grid.hi) if not fixed else None
            cfree, converged, message, its, history, opt, tol = solve_minimax(
                prob, cfree, max_iter=max_iter, region=region, lo=grid.lo, hi=grid.hi,
                start_is_l2=True)
            iterations = its
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        if isinstance(exc, InputError):
            raise
        raise ComputationError(f"the rational fit failed numerically ({exc})") from None
    name = f"rational{degree}-{den_degree}-{objective}-{on}"
    approx = _approximant(pb, qb, cfree, num_powers, den_powers, num_fixed, den_fixed,
                          target, on, name, prob, opt)
    qmin, qwhere = approx.min_abs_q(grid.lo, grid.hi)
    if qmin == 0.0:
        raise ComputationError(f"the fitted denominator Q vanishes at x ≈ {qwhere:.4g} on "
                               "the range: the fit is refused (a pole); try a lower "
                               "`den_degree` or `den_parity` even")
    note = f"denominator: min |Q| = {qmin:.4g} at x = {qwhere:.4g} on the range (no pole)"
    return Solution(approx, prob.residual(cfree), prob.nfree, converged, message,
                    iterations, tuple(history), (note,), optimum=opt, tolerance=tol)


def _make_rational(target: Target, on: str, pb: Basis, qb: Basis, num_fixed: dict[int, float],
                   den_fixed: dict[int, float],
                   weight: Callable[[Array], Array] | None = None
                   ) -> Callable[[Array], _RationalProblem]:
    """``x ↦`` the rational problem on the points x."""
    def fixed_part(x: Array, fixed: dict[int, float]) -> Array:
        if not fixed:
            return np.zeros_like(x)
        ks = tuple(sorted(fixed))
        return vander(x, ks) @ np.array([fixed[k] for k in ks])

    homogeneous = not (num_fixed or den_fixed)

    def make(x: Array) -> _RationalProblem:
        w = np.ones_like(x) if weight is None else np.asarray(weight(x), dtype=float)
        return _RationalProblem(x, target.evaluate(x, on=on), w, pb.matrix(x),
                                qb.matrix(x), fixed_part(x, num_fixed),
                                fixed_part(x, den_fixed), homogeneous, make)

    return make


def _from_monomial(pb: Basis, qb: Basis, cp: Array, cq: Array, any_fixed: bool
                   ) -> Array | None:
    """Basis coefficients of a start given in monomial form (Q = 1 + Σ d_k x^k)."""
    if any_fixed or qb.kind == "monomial":
        return np.concatenate([pb.from_monomial(cp), qb.from_monomial(cq)])
    # Q = 1 + Σ d x^k in Chebyshev form: T_0 coefficient q0, then divide by it.
    top = max([*qb.powers, 0])
    mono = np.zeros(top + 1)
    mono[0] = 1.0
    for k, d in zip(qb.powers, cq, strict=True):
        mono[k] = d
    ser = np.polynomial.Polynomial(mono).convert(kind=npcheb.Chebyshev,
                                                 domain=list(qb.domain)).coef
    ser = np.concatenate([ser, np.zeros(top + 1 - ser.size)])
    if not ser[0] > 0:
        return None
    theta_q = np.array([ser[k] for k in qb.powers]) / ser[0]
    theta_p = pb.from_monomial(cp) / ser[0]
    return np.concatenate([theta_p, theta_q])


def _approximant(pb: Basis, qb: Basis, c: Array, num_powers: tuple[int, ...],
                 den_powers: tuple[int, ...], num_fixed: dict[int, float],
                 den_fixed: dict[int, float], target: Target, on: str, name: str,
                 prob: _RationalProblem, opt) -> RationalApproximant:
    """The fitted ``P/Q``: monomial (Q(0) = 1) unless that form would lose accuracy."""
    m = len(pb.powers)
    cp = np.zeros(len(num_powers))
    free_p = [i for i, k in enumerate(num_powers) if k not in num_fixed]
    cp[free_p] = pb.to_monomial(c[:m])
    for i, k in enumerate(num_powers):
        if k in num_fixed:
            cp[i] = num_fixed[k]
    # Q = 1 + B_Q θ_Q (+ fixed): its monomial form, constant included.
    top = max([*den_powers, 0])
    q = np.zeros(top + 1)
    q[0] = 1.0
    if qb.powers:
        if qb.kind == "chebyshev":
            ser = np.zeros(top + 1)
            for k, e in zip(qb.powers, c[m:], strict=True):
                ser[k] = e
            qm = npcheb.Chebyshev(ser, domain=list(qb.domain)).convert(
                kind=np.polynomial.Polynomial).coef
            q[:qm.size] += qm
        else:
            mm = qb.to_monomial(c[m:])
            for k, v in zip(qb.powers, mm, strict=True):
                q[k] += v
    for k, v in den_fixed.items():
        q[k] += v
    s = max(abs(qb.domain[0]), abs(qb.domain[1]))
    achieved = opt.achieved if opt is not None else float(np.max(np.abs(prob.residual(c))))
    if not q[0] > 0 or _lossy(cp, num_powers, q, s, prob, achieved):
        if prob.homogeneous and qb.kind == "chebyshev":
            return RationalApproximant.from_chebyshev(
                pb.powers, tuple(map(float, c[:m])), qb.powers, tuple(map(float, c[m:])),
                qb.domain, target, base=on, name=name)
        if not q[0] > 0:
            raise ComputationError("the fitted denominator has Q(0) ≤ 0, so P/Q has no "
                                   "monomial form with Q(0) = 1; try a range that contains 0")
    return RationalApproximant(num_powers, tuple(float(v / q[0]) for v in cp), den_powers,
                               tuple(float(q[k] / q[0]) for k in den_powers), target,
                               base=on, name=name)


def _lossy(cp: Array, num_powers: tuple[int, ...], q: Array, s: float,
           prob: _RationalProblem, achieved: float) -> bool:
    """Whether the monomial form would lose more than 1e-3 of the achieved error."""
    sp = float(np.sum(np.abs(cp) * s ** np.asarray(num_powers, dtype=float)))
    sq = float(np.sum(np.abs(q) * s ** np.arange(q.size)))
    lost = 64 * EPS * (sp + float(np.max(np.abs(prob.y))) * sq) / q[0]
    return lost > 1e-3 * achieved
