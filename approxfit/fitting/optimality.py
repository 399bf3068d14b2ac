"""Minimax to a proven optimum: continuous Remez, de la Vallée Poussin, the level-set LP.

Every minimax result carries a *lower bound* L on the optimal error of its problem next to
the error U it reached (the maximum over the continuous range); ``(U − L)/U`` is its
optimality gap, and a fit is called converged only when that gap is at most a stated
tolerance (:func:`tolerance`).  Two methods give the bound.

**Haar problems** (:func:`haar_region`).  The model is ``m = s(x)·G(p(x)) + o(x)`` with
``G`` strictly increasing (identity for poly, the sigmoid for the gated families), and the
free part of p spans a Chebyshev system on the *reference region* where alternation is
sought: ``x > 0`` for a symmetric problem, the range itself when it lies on one side of 0
(any set of monomials is a Chebyshev system on ``(0, ∞)``, by Descartes' rule of signs),
or the whole range when the free powers are exactly ``0 … D``.

*De la Vallée Poussin's bound.*  Let ``σ_i = sign(r_i)·sign(s(x_i))`` alternate on
``m + 1`` points of the region (m free coefficients) where ``|r_i| ≥ L``.  If some
approximant q of the family had ``max |r_q| < L``, then at each point
``r_i − r_q,i = s_i·(G(p_i) − G(q_i))`` has the sign of ``r_i``, so ``p − q`` has the
sign ``σ_i`` there and alternates ``m + 1`` times: ``m`` zeros of a nonzero element of an
m-dimensional Chebyshev system, which is impossible.  Hence every approximant has an
error of at least ``L = min |r_i|`` (weights w > 0 change nothing); the bound reported
is lowered by a bound on the rounding of the computed residuals (:func:`rounding_noise`).
:func:`remez_polish`
runs Remez's exchange on continuous points (the local extrema of the error, refined
between samples), which drives the reference error up to the maximum.

**Non-Haar problems** (odd or even p on a range containing 0 but not symmetric about it,
free powers with gaps, rational ``P/Q``): the *level-set LP*.  For a level E,
``|w·(m − y)| ≤ E`` at a point is exactly an interval constraint that is linear in the
free coefficients (see the problems' ``level_rows``).  If those constraints are
infeasible on a finite set of points of the range, no approximant reaches E there, let
alone on the whole range: E is a lower bound.  :func:`level_set` bisects between the
best bound L and the best error U, with an exchange of points: a feasible level's
(max-slack) solution is measured on the samples, its refined local extrema join the
working set, and it replaces the best solution if its refined maximum is lower.
Infeasibility is decided by HiGHS (:func:`scipy.optimize.linprog`) on a max-slack
formulation: the largest slack δ* is negative (by more than the solver's tolerance).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from approxfit.core.exceptions import ComputationError
from approxfit.fitting.engine import (
    MESSAGES,
    Problem,
    alternating_peaks,
    least_squares,
    minimax,
    remez,
    rounding_level,
)
from approxfit.fitting.result import Certificate
from approxfit.measure.metrics import local_extrema, zoom_brackets

__all__ = ["EPS", "Optimum", "Region", "haar_region", "level_set", "magnitude_scale",
           "make_certificate", "peaks",
           "rational_haar", "remez_polish", "solve_minimax", "tolerance"]

Array = np.ndarray
EPS = float(np.finfo(float).eps)
DEFAULT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Optimum:
    """A minimax solution with its proof of (near-)optimality.

    Attributes
    ----------
    c : numpy.ndarray
        The free coefficients.
    achieved : float
        Its largest error over the continuous range.
    lower_bound : float
        A proven lower bound on the optimal error.
    method : str
        How the bound was obtained (one line).
    points, errors : tuple of float
        The reference (Haar) or the largest peaks (non-Haar), and the error there.
    iterations : int
        Remez steps or linear programmes.
    residual : numpy.ndarray or None
        The residual on the samples at ``c`` when it was computed on the way (so that
        the caller need not compute it again), else None.
    """

    c: Array
    achieved: float
    lower_bound: float
    method: str
    points: tuple[float, ...]
    errors: tuple[float, ...]
    iterations: int
    residual: Array | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def gap(self) -> float:
        """``(achieved − lower_bound)/achieved`` (0 for an error of 0)."""
        if self.achieved <= 0:
            return 0.0
        return max(0.0, (self.achieved - self.lower_bound) / self.achieved)


def magnitude_scale(prob: Problem, c: Array) -> float:
    """``max|y| + max Σ|terms|`` at ``c``: what float64 rounds in a residual."""
    return float(np.max(np.abs(prob.y))) + float(prob.magnitude(c))


def rounding_noise(prob: Problem, c: Array, scale: float | None = None) -> float:
    """A bound on the rounding error of a computed residual: ``10·eps·(max|y| + max
    Σ|terms|)`` (``scale``, if given, is that sum).  Every lower bound is lowered by it,
    so that rounding in the residuals it was read from cannot lift it above the
    optimum."""
    return 10 * EPS * (magnitude_scale(prob, c) if scale is None else scale)


def tolerance(prob: Problem, c: Array, achieved: float, scale: float | None = None
              ) -> float:
    """The gap below which a fit is called converged.

    ``max(1e-6, 100·eps·(max|y| + max Σ|terms|)/achieved)``: a smaller gap could not be
    resolved in float64, where the model's terms and the target are rounded to
    ``eps`` relative.
    """
    if achieved <= 0:
        return DEFAULT_TOLERANCE
    scale = magnitude_scale(prob, c) if scale is None else scale
    return max(DEFAULT_TOLERANCE, 100 * EPS * scale / achieved)


class Region(NamedTuple):
    """Where alternation is sought: ``[a, b]``, with x = 0 only if ``zero`` is True."""

    a: float
    b: float
    zero: bool


def haar_region(symmetry: str | None, lo: float, hi: float, all_powers: bool,
                constant: bool = False) -> Region | None:
    """Where alternation is sought, or None if the problem is not Haar.

    Free powers exactly ``0 … D``: the whole range.  ``symmetry`` (the error is odd or
    even about 0): ``x ≥ 0``; a range on one side of 0: that side.  On a half line any set
    of m monomials is a Chebyshev system away from 0 (Descartes' rule of signs: at most
    m − 1 positive zeros); x = 0 is allowed only with a free constant (``constant``),
    else a difference of two approximants may vanish there as well.
    """
    if all_powers:
        return Region(lo, hi, True)
    if symmetry is not None:
        return Region(0.0, hi, constant)
    if lo >= 0 or hi <= 0:
        return Region(lo, hi, constant)
    return None


def _inside(x: Array, region: Region) -> Array:
    """Points of the region (without x = 0 unless the region allows it)."""
    m = (x >= region.a) & (x <= region.b)
    if not region.zero:
        m &= x != 0.0
    return m


def _finite_abs(v: Array) -> Array:
    """The score of :func:`peaks`: ``|v|``, a non-finite value counting as −∞."""
    return np.where(np.isfinite(v), np.abs(v), -np.inf)


def peaks(prob: Problem, c: Array, lo: float, hi: float, *, frac: float = 0.0,
          rounds: int = 3, points: int = 33, r: Array | None = None) -> tuple[Array, Array]:
    """Every local extremum of the error, refined between the samples.

    Brackets each local maximum of ``|r|`` on the samples (with ``|r| ≥ frac·max``) by
    its neighbouring samples, clipped to ``[lo, hi]``, and zooms all brackets together
    (:func:`~approxfit.measure.metrics.zoom_brackets`, the kernel the metrics refine
    with): each round evaluates ``points`` points per bracket and narrows it to the best
    one's neighbours (a factor 16 per round; three rounds leave a bracket of 2h/4096,
    where the error of a smooth peak differs from its maximum by ~1e-12 relative or
    less).  A peak keeps its sample value unless a refined point is larger.  ``r`` is
    the residual on the samples at ``c`` when the caller has it.  Returns the positions
    and the signed errors, ascending in x.
    """
    x = prob.x
    r = prob.residual(c) if r is None else r
    idx = local_extrema(r)
    big = float(np.max(np.abs(r))) if r.size else 0.0
    idx = idx[np.abs(r[idx]) >= frac * big]
    if idx.size == 0:
        return x[:0], r[:0]
    a = np.maximum(x[np.maximum(idx - 1, 0)], lo)
    b = np.minimum(x[np.minimum(idx + 1, x.size - 1)], hi)
    best_s, best_v, best_t, _, _ = zoom_brackets(
        lambda t, _k: prob.at(t).residual(c), a, b, lo=lo, hi=hi, rounds=rounds,
        points=points, score=_finite_abs)
    better = best_s > np.abs(r[idx])
    best_x = np.where(better, best_t, x[idx])
    best_r = np.where(better, best_v, r[idx])
    order = np.argsort(best_x, kind="stable")
    return best_x[order], best_r[order]


def _reference(prob: Problem, xp: Array, rp: Array, nfree: int,
               region: Region, lo: float, hi: float
               ) -> tuple[Array, Array, Array, Problem | None, Array]:
    """The alternating reference of ``σ = sign(r)·sign(s)`` among the peaks in the region:
    its points, errors and signs, the problem on the peaks in the region (None if there
    are none) and the reference's indices among those peaks."""
    keep = _inside(xp, region)
    xs, rs = xp[keep], rp[keep]
    pk = prob.at(xs) if xs.size else None
    sg = pk.signs() if pk is not None else xs
    ok = np.flatnonzero(sg != 0)
    seq = ok[_alternating((rs * sg)[ok], nfree + 1)]
    return xs[seq], rs[seq], sg[seq], pk, seq


def _alternating(v: Array, required: int) -> list[int]:
    """:func:`alternating_set` on values at points already reduced to peaks: every
    point is a candidate."""
    return alternating_peaks(v, np.arange(v.size), required)


def remez_polish(prob: Problem, c: Array, region: Region, lo: float,
                 hi: float, tol: float, max_iter: int = 12, scale: float | None = None,
                 r: Array | None = None) -> Optimum | None:
    """Remez's exchange on continuous points; de la Vallée Poussin's bound on the result.

    From ``c`` (e.g. the discrete Remez solution on the samples), each step takes as
    reference the ``m + 1`` alternating peaks of ``σ`` (refined between samples, in the
    region), solves ``r_i + J_i Δ = a_i·sign(s_i)·E`` (``a_i`` alternating) for the step
    and the level, and stops when the gap between the smallest reference error (the
    bound) and the largest error on the whole range is at most ``0.9·tol``.  Returns the
    best iterate (smallest achieved error) with its bound, or None when the reference
    does not alternate or the equations are singular.  ``r`` is the residual on the
    samples at ``c`` when the caller has it.
    """
    nfree = c.size
    best: Optimum | None = None
    its = 0
    for its in range(max_iter + 1):
        # Peaks below a quarter of the largest (rounding noise beside the error) cannot
        # be among m + 1 alternation points of a useful bound: leave them unrefined.
        r = prob.residual(c) if r is None else r
        xp, rp = peaks(prob, c, lo, hi, frac=0.25, r=r)
        if xp.size == 0:
            return best
        achieved = float(np.max(np.abs(rp)))
        xr, rr, sg, pk, seq = _reference(prob, xp, rp, nfree, region, lo, hi)
        if len(xr) < nfree + 1:
            return best
        low = max(0.0, float(np.min(np.abs(rr))) - rounding_noise(prob, c, scale))
        cand = Optimum(c.copy(), achieved, low,
                       f"de la Vallée Poussin on {len(xr)} alternation points"
                       + ((" in x ≥ 0" if region.zero else " in x > 0")
                          if region.a == 0.0 and lo < 0 else ""),
                       tuple(map(float, xr)), tuple(map(float, rr)), its, r)
        if best is None or cand.gap < best.gap or (
                cand.achieved < best.achieved and cand.lower_bound >= best.lower_bound):
            best = cand
        if cand.gap <= 0.9 * tol or its == max_iter:
            break
        alt = np.sign(rr * sg)
        alt = alt[0] * (-1.0) ** np.arange(alt.size)
        a = np.hstack([pk.jacobian(c, seq), -(alt * sg)[:, None]])
        try:
            sol = np.linalg.solve(a, -pk.residual(c, seq))
        except np.linalg.LinAlgError:
            return best
        c_new = c + sol[:-1]
        if not (np.all(np.isfinite(c_new)) and prob.admissible(c_new)):
            return best
        c, r = c_new, None
    return best


def _lp(prob: Problem, level: float, center: Array) -> tuple[str, Array | None]:
    """The max-slack LP of the level set at ``level`` on ``prob``'s points.

    The LP is solved for the step from ``center`` (the best solution so far), each
    constraint divided by its ``unit`` (how far its bound moves when the level changes
    by 100 %), so that the slack δ and HiGHS's tolerances (1e-10) are relative to the
    level; the level is declared infeasible when ``δ* < −1e-9``.  Returns
    ``("infeasible", None)``, ``("feasible", c)`` or ``("feasible", None)`` (a feasible
    point that the problem cannot map back to its coefficients).
    """
    from scipy.optimize import linprog

    rows = prob.level_rows(level, center)
    if rows is None:
        return "infeasible", None
    a_ub, b_ub, unit, a_eq, b_eq, finish, lift = rows
    z0 = lift(center)
    # Row i in units of its own level: a slack of 1 is a change of the level by 100 %.
    a_ub = a_ub / unit[:, None]
    b_ub = (b_ub - (a_ub * unit[:, None]) @ z0) / unit
    n = a_ub.shape[1]
    scale = np.max(np.abs(a_ub), axis=0)
    scale[scale == 0] = 1.0
    a_full = np.hstack([a_ub / scale, np.ones((a_ub.shape[0], 1))])
    cost = np.zeros(n + 1)
    cost[-1] = -1.0
    eq = beq = None
    if a_eq is not None:
        eqscale = np.max(np.abs(a_eq), axis=1)
        eqscale[eqscale == 0] = 1.0
        beq = (b_eq - a_eq @ z0) / eqscale
        eq = np.hstack([a_eq / eqscale[:, None] / scale, np.zeros((a_eq.shape[0], 1))])
    bounds = [(None, None)] * n + [(None, 1.0)]
    opts = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    res = linprog(cost, A_ub=a_full, b_ub=b_ub, A_eq=eq, b_eq=beq, bounds=bounds,
                  method="highs", options=opts)
    if res.status == 4:
        res = linprog(cost, A_ub=a_full, b_ub=b_ub, A_eq=eq, b_eq=beq, bounds=bounds,
                      method="highs")
    if res.status != 0:
        raise ComputationError(f"the level-set linear programme failed ({res.message})")
    delta = float(res.x[-1])
    if delta < -1e-9:
        return "infeasible", None
    return "feasible", finish(z0 + res.x[:n] / scale)


def level_set(prob: Problem, c: Array, lo: float, hi: float, tol: float,
              max_lp: int = 80, lower: float = 0.0, scale: float | None = None) -> Optimum:
    """Bisection on the level with an exchange of points (see the module docstring).

    Parameters
    ----------
    prob : problem
        On the samples; ``prob.at(points)`` gives it on any points of the range.
    c : numpy.ndarray
        A starting solution (SLP, Remez), the first upper bound.
    lo, hi : float
        The range.
    tol : float
        Stop when ``(U − L)/U ≤ tol``.
    max_lp : int
        Cap on the number of linear programmes.
    lower : float
        A lower bound known already.
    """
    xp, rp = peaks(prob, c, lo, hi)
    best_c, upper = c.copy(), float(np.max(np.abs(rp)))
    best_peaks = (xp, rp)
    lower = max(0.0, lower)
    n = prob.x.size
    cover = prob.x[np.unique(np.linspace(0, n - 1, min(n, 257)).round().astype(np.intp))]
    work = np.unique(np.concatenate([cover, xp]))
    tight = True
    lps = 0
    stalls = 0
    while lps < max_lp and upper > 0 and (upper - lower) / upper > tol:
        level = upper * (1 - tol / 2) if tight else 0.5 * (lower + upper)
        level = max(level, lower)
        lps += 1
        state, cand = _lp(prob.at(work), level, best_c)
        if state == "infeasible":
            lower = level
            tight = True
            continue
        if cand is None or not prob.admissible(cand):
            tight = not tight
            stalls += 1
            if stalls > 6:
                break
            continue
        xq, rq = peaks(prob, cand, lo, hi)
        u = float(np.max(np.abs(rq)))
        if u < upper:
            best_c, upper, best_peaks = cand.copy(), u, (xq, rq)
            stalls = 0
        else:
            stalls += 1
        new = xq[np.abs(rq) > level * (1 - tol)]
        grown = np.unique(np.concatenate([work, new]))
        if grown.size == work.size and u > upper * (1 + tol):
            stalls += 1
        work = grown
        # A violated working set: solve the same kind of level again with the new points.
        tight = not tight if u <= level * (1 + tol) else tight
        if stalls > 12:
            break
    xq, rq = best_peaks
    top = np.argsort(-np.abs(rq))[:8]
    top = np.sort(top)
    if lps:
        lower = max(0.0, lower - rounding_noise(prob, best_c, scale))
    return Optimum(best_c, upper, lower,
                   f"LP infeasibility (HiGHS) on {work.size} points",
                   tuple(map(float, xq[top])), tuple(map(float, rq[top])), lps)



def make_certificate(sol, x: Array, symmetry: str | None, measured: float = 0.0
                     ) -> Certificate:
    """The :class:`~approxfit.fitting.result.Certificate` of a minimax solution.

    ``sol`` is a :class:`~approxfit.fitting.engine.Solution`; its ``optimum`` carries the
    reference (or the largest peaks), the achieved error and the lower bound.
    ``measured`` is the error of the reported approximant as the metrics measure it (its
    coefficients rounded to their representation); the gap is taken against the larger
    of the two.  An exact fit (no optimum) gets a bound of 0 and a gap of 0.
    """
    r = sol.residual
    sample_max = float(np.max(np.abs(r)))
    opt = sol.optimum
    if opt is None:
        return Certificate((), (), None, sol.nfree + 1, symmetry, sample_max, 0.0, 0.0,
                           sol.tolerance, "an exact fit: the error is at rounding level",
                           False)
    mags = np.abs(np.asarray(opt.errors)) if opt.errors else np.array([0.0])
    ratio = float(mags.min() / mags.max()) if mags.max() > 0 else 1.0
    haar = opt.method.startswith("de la Vallée Poussin")
    if haar and len(opt.points) < sol.nfree + 1:
        ratio = 0.0
    achieved = max(opt.achieved, measured)
    gap = max(0.0, (achieved - opt.lower_bound) / achieved) if achieved > 0 else 0.0
    return Certificate(opt.points, opt.errors, ratio, sol.nfree + 1, symmetry, sample_max,
                       float(opt.lower_bound), float(gap), float(sol.tolerance), opt.method,
                       haar)


def rational_haar(num_powers: tuple[int, ...], den_powers: tuple[int, ...], nfree: int,
                  symmetry: str | None, lo: float, hi: float) -> Region | None:
    """The reference region of a rational problem for which de la Vallée Poussin holds.

    For two approximants P/Q and P'/Q' (Q, Q' > 0) the difference has the sign of
    ``PQ' − P'Q``, a polynomial whose powers lie in ``S = {i + j}`` (i a power of P, j
    one of Q, constant included).  If the error alternates on ``nfree + 1`` points, so
    does that polynomial, which then has ``nfree`` sign changes; that is impossible when
    ``|S| ≤ nfree`` on ``x > 0`` (Descartes) or on a one-sided range, and when ``S`` is
    ``{0 … K}`` with ``K < nfree`` on any range.  Otherwise (fixed coefficients, mixed
    parities) None: the level-set LP gives the bound.
    """
    powers = sorted({i + j for i in num_powers for j in (0, *den_powers)})
    if len(powers) > nfree:
        return None
    full = powers == list(range(len(powers)))
    return haar_region(symmetry, lo, hi, full, powers[0] == 0)


def solve_minimax(prob: Problem, c0: Array, *, max_iter: int,
                  region: Region | None, lo: float, hi: float,
                  start_is_l2: bool = False, r0: Array | None = None
                  ) -> tuple[Array, bool, str, int, list[float], Optimum | None, float]:
    """Minimax to a proven optimum.

    On a Haar problem (``region`` given): Remez's exchange on the samples from ``c0``
    (or, when it does not level the error, the SLP loop from a least-squares fit), then
    on continuous points (:func:`remez_polish`) with de la Vallée Poussin's bound; the
    level-set LP (:func:`level_set`) when that does not close the gap, and on non-Haar
    problems from the SLP solution.

    ``max_iter`` caps each loop: the Remez or SLP iterations, the continuous Remez steps
    (at most 12) and the linear programmes of the level set (at most 80).  ``r0`` is the
    residual at ``c0`` when the caller has it.  The optimum's ``residual`` is the residual
    at the returned coefficients when it was computed on the way (else None).

    Returns
    -------
    tuple
        ``(c, converged, message, iterations, history, optimum, tolerance)``; the message
        is left empty (the certificate's judgement writes it) except for an exact fit or
        an SLP loop stopped by ``max_iter``.
    """
    x = prob.x
    r0 = prob.residual(c0) if r0 is None else r0
    err0 = float(np.max(np.abs(r0)))
    if err0 <= rounding_level(prob.y):
        return c0, True, MESSAGES["mm_exact"], 0, [err0], None, 0.0
    opt: Optimum | None
    history: list[float] = [err0]
    scale = magnitude_scale(prob, c0)
    if tolerance(prob, c0, history[0], scale) >= 0.5:
        # The error is at float64's resolution (≤ 200·eps·magnitude): the exchange would
        # chase rounding noise.  Report the start, measured, without a bound.
        xp, rp = peaks(prob, c0, lo, hi, r=r0)
        top = np.sort(np.argsort(-np.abs(rp))[:8])
        opt = Optimum(c0, float(np.max(np.abs(rp))), 0.0,
                      "none: the error is at float64's resolution for this problem",
                      tuple(map(float, xp[top])), tuple(map(float, rp[top])), 0, r0)
        return c0, True, "", 0, history, opt, tolerance(prob, c0, opt.achieved, scale)
    iterations = 0
    opt = None
    capped = ""
    if region is not None:
        mask = _inside(x, region)
        fast = remez(prob, c0, mask, max_iter, r0)
        r_c = None
        if fast is not None:
            c, iterations, history, r_c = fast
        else:
            c_l2 = c0 if start_is_l2 else least_squares(prob, c0, tol=1e-8)[0]
            c, ok, msg, iterations, history = minimax(prob, c_l2, max_iter, mask)
            capped = "" if ok or iterations < max_iter else msg
        tol = tolerance(prob, c, history[-1], scale)
        opt = remez_polish(prob, c, region, lo, hi, tol, max_iter=min(12, max_iter),
                           scale=scale, r=r_c)
        if opt is not None:
            tol = tolerance(prob, opt.c, opt.achieved, scale)
            iterations += opt.iterations
            if opt.gap <= tol:
                return opt.c, True, "", iterations, [*history, opt.achieved], opt, tol
            c = opt.c
    else:
        c_l2 = c0 if start_is_l2 else least_squares(prob, c0, tol=1e-8)[0]
        c, ok, msg, iterations, history = minimax(prob, c_l2, max_iter, None)
        capped = "" if ok or iterations < max_iter else msg
    tol = tolerance(prob, c, history[-1], scale)
    lower = opt.lower_bound if opt is not None else 0.0
    lset = level_set(prob, c, lo, hi, tol, lower=lower, max_lp=min(80, max_iter),
                     scale=scale)
    if opt is not None and opt.gap <= lset.gap:
        best = opt
    else:
        best = lset
        if opt is not None and opt.lower_bound >= lset.lower_bound:
            best = dataclasses.replace(lset, lower_bound=opt.lower_bound, method=opt.method)
    tol = tolerance(prob, best.c, best.achieved, scale)
    return (best.c, best.gap <= tol, capped, iterations + lset.iterations,
            [*history, best.achieved], best, tol)
