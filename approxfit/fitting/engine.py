"""The fitting algorithms: least squares, minimax (SLP and Remez's exchange) and the
minimax certificate.

These functions work on a *problem*, a :class:`Problem`: the sample points ``x``, the
values ``y`` to fit, ``residual(c, idx=None)`` (the model minus ``y`` at the free
coefficients ``c``, on all samples or on the indices ``idx``), ``jacobian(c, idx=None)``
and ``linear`` (whether the model is linear in ``c``); ``constraints(c, idx)`` (extra
linear constraints ``A Δ ≤ b`` on a minimax step; none by default) and
``admissible(c)`` (False rejects a step, as for a rational fit whose denominator would
vanish; every step is admissible by default).  :mod:`approxfit.fitting.fit` builds the
problems of the tanh, sigmoid and poly families, :mod:`approxfit.fitting.rational`
those of ``P/Q``.

Least squares (:func:`least_squares`) is :func:`scipy.optimize.least_squares`
(Levenberg–Marquardt, MINPACK) with the analytic Jacobian and tolerances near
machine precision.

Minimax (:func:`minimax`) minimises the largest absolute error over the sample set.
The method is a trust-region sequential linear programme with an exchange
(active-set) strategy:

1. start from the least-squares fit (or a given start);
2. linearise the residual ``r(c + Δ) ≈ r(c) + J Δ`` on a *working set* of
   sample points — the local extrema of the current error plus a coarse cover of
   the grid — and solve ``min t  s.t. |r_i + J_i Δ| ≤ t, |Δ_j| ≤ ρ`` with HiGHS
   (:func:`scipy.optimize.linprog`, see :func:`lp_step`);
3. accept the step if the error on the *whole* grid went down, grow or shrink
   the trust radius ρ by the ratio of actual to predicted reduction, and add the
   new error extrema to the working set (the Remez exchange);
4. stop when the linear programme predicts no further reduction.

For a linear problem (the ``poly`` family) the trust region is dropped and the loop
is the discrete Remez exchange: each LP is solved exactly on the working set, and the
loop ends when no grid point exceeds the LP's level.  The method follows the
classical SLP / trust-region approach to nonlinear Chebyshev approximation
(Madsen, "An algorithm for minimax solution of overdetermined systems of
non-linear equations", J. Inst. Maths Applics 16, 1975; Watson, *Approximation
Theory and Numerical Methods*, 1980, ch. 4) with Remez's exchange of reference
points.  :func:`remez` is the fast path: Remez's exchange proper, which levels the
error on an alternating reference; the SLP loop backs it up.

:func:`certificate` picks the alternation points of the final error on the samples and
how level it is (kept for callers; a fit's certificate is now built by
:func:`approxfit.fitting.optimality.make_certificate`, which adds a proven lower bound);
:func:`judge_certificate` holds a fit to its optimality gap.  A levelled reference proves
nothing by itself: on a non-Haar problem (odd p on an asymmetric range) the exchange can
level the error on a meaningless set.  :func:`remez` seeks the alternation of
``sign(r)·sign(s(x))`` for a model ``s(x)·G(p(x)) + o(x)`` (:meth:`Problem.signs`), which
is the one that matters where s changes sign.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.core.exceptions import ComputationError, InputError
from approxfit.fitting.result import Certificate
from approxfit.measure.metrics import local_extrema

__all__ = ["MESSAGES", "Problem", "Solution", "alternating_peaks", "alternating_set", "certificate",
           "judge_certificate", "least_squares", "lp_step", "minimax", "remez",
           "rounding_level", "start_vector"]

Array = np.ndarray

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
    "mm_optimal": "minimax converged: optimal to {:.1e} relative (lower bound by {})",
    "mm_gap": ("minimax stopped with an optimality gap of {:.2e} (tolerance {:.0e}): the "
               "error may be up to that much above the optimum"),
}


class Problem(ABC):
    """What the algorithms fit: the residual of a model on sample points.

    A problem has the samples ``x`` and the values ``y`` to fit, and ``linear``
    (whether the model is linear in its free coefficients).  The two optional parts of
    the interface have defaults here: no extra constraints and every step admissible.
    """

    x: Array
    y: Array
    linear: bool

    @abstractmethod
    def residual(self, c: Array, idx: Array | None = None) -> Array:
        """The model minus ``y`` at the free coefficients ``c`` (on ``idx`` if given)."""

    @abstractmethod
    def jacobian(self, c: Array, idx: Array | None = None) -> Array:
        """d(residual)/dc, one row per sample (on ``idx`` if given)."""

    def constraints(self, c: Array, idx: Array) -> tuple[Array, Array] | None:
        """Extra linear constraints ``A Δ ≤ b`` on a minimax step from ``c``, on the
        working set ``idx``, as ``(A, b)``; None (the default) for none."""
        return None

    def admissible(self, c: Array) -> bool:
        """Whether a step may land at ``c`` (default: always)."""
        return True

    def signs(self) -> Array:
        """``sign(s(x))`` per sample, for a model ``s(x)·G(p(x)) + o(x)`` with G
        increasing: the alternation that matters is that of ``sign(r)·sign(s)``
        (default: all ones)."""
        return np.ones(self.x.size)

    def at(self, x: Array) -> Problem:
        """The same problem on other points of the range (for continuous refinement)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be evaluated off its samples")

    def magnitude(self, c: Array) -> float:
        """The largest sum of the model's terms' magnitudes on the samples (what float64
        rounds); 0 by default."""
        return 0.0

    def level_rows(self, level: float, center: Array) -> tuple[Array, Array, Array, Array | None,
                                                Array | None, Any, Any] | None:
        """The level set ``|w·(model − y)| ≤ level`` on the points as linear constraints
        (``center``: the coefficients the LP steps from).

        Returns ``(A_ub, b_ub, unit, A_eq, b_eq, finish, lift)`` over the LP's variables
        z (``unit``: how far each row's bound moves when the level changes by 100 %), with
        ``finish(z)`` the free coefficients (or None) and ``lift(c)`` the z of
        coefficients c, or None when some point alone makes the level infeasible.
        """
        raise NotImplementedError(f"{type(self).__name__} has no level-set constraints")


def start_vector(start: Mapping[str, float], free: Sequence[str]) -> Array:
    """The starting values of the ``free`` coefficients, in their order.

    Raises
    ------
    InputError
        Naming ``start`` and every free coefficient it lacks.
    """
    missing = [n for n in free if n not in start]
    if missing:
        raise InputError(f"`start` lacks {', '.join(missing)}: give a starting value for "
                         f"every free coefficient ({', '.join(free)})")
    return np.array([float(start[n]) for n in free])


@dataclass(frozen=True, eq=False)
class Solution:
    """What a family's solver found, before :mod:`approxfit.fitting.fit` measures it.

    Attributes
    ----------
    approximant : Approximant or RationalApproximant
        The fitted approximant.
    residual : numpy.ndarray
        Its residual on the samples, the quantity the certificate examines.
    nfree : int
        Number of free coefficients.
    converged : bool
    message : str
        Why the solver stopped (one of :data:`MESSAGES`).
    iterations : int
    history : tuple of float
        The objective after each iteration.
    notes : tuple of str
        What the family adds to the result's warnings (a rational fit: its denominator).
    optimum : Optimum or None
        Minimax: the solution's proof of optimality
        (:class:`approxfit.fitting.optimality.Optimum`), None for an exact fit.
    tolerance : float
        Minimax: the optimality gap at or below which the fit is converged.
    """

    approximant: Any
    residual: Array
    nfree: int
    converged: bool
    message: str
    iterations: int
    history: tuple[float, ...]
    notes: tuple[str, ...] = ()
    optimum: Any = None
    tolerance: float = 1e-6


def rounding_level(y: Array) -> float:
    """An error this small is rounding noise in the residual, not approximation error."""
    return 64 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(y))))


def least_squares(prob: Problem, c0: Array, tol: float = 1e-15
                  ) -> tuple[Array, bool, str, int, list[float]]:
    """Levenberg–Marquardt (MINPACK) with the analytic Jacobian; ``tol`` for all three tests.

    The l2 objective uses the tight default; a minimax fit that needs a least-squares
    start asks for 1e-8, which leaves its optimum unchanged and costs far fewer steps.

    Parameters
    ----------
    prob : problem
        See the module docstring.
    c0 : numpy.ndarray
        The starting free coefficients.
    tol : float
        ``ftol``, ``xtol`` and ``gtol`` of :func:`scipy.optimize.least_squares`.

    Returns
    -------
    tuple
        ``(c, converged, message, evaluations, [rms])``.
    """
    from scipy.optimize import least_squares as minpack

    res = minpack(prob.residual, c0, jac=prob.jacobian, method="lm", x_scale="jac",
                  ftol=tol, xtol=tol, gtol=tol, max_nfev=2000)
    rms = float(np.sqrt(np.mean(res.fun ** 2)))
    ok = bool(res.success) and bool(np.all(np.isfinite(res.x)))
    msg = MESSAGES["l2_ok" if ok else "l2_fail"].format(res.message.rstrip("."))
    return res.x, ok, msg, int(res.nfev), [rms]


def _merge(*parts: Array) -> Array:
    return np.unique(np.concatenate([np.asarray(p, dtype=np.intp) for p in parts]))


def lp_step(r: Array, jac: Array, radius: float | None,
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


def minimax(prob: Problem, c: Array, max_iter: int, reference: Array | None = None
            ) -> tuple[Array, bool, str, int, list[float]]:
    """The SLP / exchange loop (see the module docstring).

    ``prob`` is a :class:`Problem`: its ``constraints(c, idx)`` add linear
    constraints to the step and its ``admissible(c)`` rejects a step (a rational
    fit whose denominator would vanish on the range).  ``reference`` (a mask of
    the samples where the alternation is sought: ``x > 0`` for a symmetric
    problem) enables the fast path, Remez's exchange (:func:`remez`), which the
    SLP loop backs up.
    """
    n = prob.x.size
    linear = prob.linear
    r = prob.residual(c)
    err = float(np.max(np.abs(r)))
    cover = np.unique(np.linspace(0, n - 1, min(n, 64)).round().astype(np.intp))
    work = _merge(cover, local_extrema(r))
    radius: float | None = None if linear else 1.0
    history = [err]
    if err <= rounding_level(prob.y):
        return c, True, MESSAGES["mm_exact"], 0, history
    if reference is not None:
        fast = remez(prob, c, reference, max_iter, r)
        if fast is not None:
            c_fast, its, hist, _ = fast
            return c_fast, True, MESSAGES["mm_remez"], its, hist
    # Below these the linear model's predicted gain is rounding noise in the residual.
    tol, noise = 1e-10, 1e-15 * max(1.0, float(np.max(np.abs(prob.y))))
    message = MESSAGES["mm_maxiter"].format(max_iter)
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        rw = prob.residual(c, work)
        extra = prob.constraints(c, work)
        step, level, size = lp_step(rw, prob.jacobian(c, work), radius, extra)
        predicted = float(np.max(np.abs(rw))) - level
        c_new = c + step
        r_new = prob.residual(c_new)
        if not prob.admissible(c_new):
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

    An exact fit (error at rounding level) has nothing to level: its ``levelled_ratio``
    becomes None.  Otherwise the fit is converged exactly when its optimality gap (from
    a proven lower bound) is within the certificate's tolerance, whatever its loop
    said; a levelled reference proves nothing on its own (it does not on a non-Haar
    problem).
    """
    if cert.max_error_samples <= rounding_level(y):
        return dataclasses.replace(cert, levelled_ratio=None), converged, message
    if cert.optimal:
        return cert, True, MESSAGES["mm_optimal"].format(cert.optimality_gap, cert.method)
    gap = MESSAGES["mm_gap"].format(cert.optimality_gap, cert.tolerance)
    return cert, False, f"{message}; {gap[len('minimax '):]}" if message else gap


def alternating_set(r: Array, required: int) -> list[int]:
    """Indices of an alternating sequence of ``required`` peaks of the error ``r``.

    The local extrema of the error are merged into an alternating sequence (of
    consecutive peaks of one sign the larger is kept), then thinned to
    ``required`` points by dropping the smallest peaks in a way that keeps the
    signs alternating (:func:`alternating_peaks`).  Fewer indices come back when the
    error does not alternate often enough.
    """
    return alternating_peaks(r, local_extrema(r), required)


def alternating_peaks(r: Array, idx: Array, required: int) -> list[int]:
    """:func:`alternating_set` among the candidate peaks ``idx`` of ``r`` (ascending).

    Zeros are skipped; runs of one sign keep their first largest peak; the sequence is
    then thinned to ``required`` points keeping the signs alternating.
    """
    idx = np.asarray(idx, dtype=np.intp)
    idx = idx[np.abs(r[idx]) > 0]
    if idx.size == 0:
        return []
    # Merge runs of peaks of one sign, keeping each run's first largest (vectorised).
    mags = np.abs(r[idx])
    pos = r[idx] > 0
    starts = np.flatnonzero(np.concatenate([[True], pos[1:] != pos[:-1]]))
    run = np.repeat(np.arange(starts.size), np.diff(np.append(starts, idx.size)))
    top = mags == np.maximum.reduceat(mags, starts)[run]
    _, first = np.unique(run[top], return_index=True)
    seq = [int(i) for i in idx[np.flatnonzero(top)[first]]]
    a = [float(v) for v in np.abs(r[seq])]
    while len(seq) > required:
        k = min(range(len(a)), key=a.__getitem__)
        if k in (0, len(seq) - 1) or len(seq) - required == 1:
            drop = 0 if a[0] <= a[-1] else len(seq) - 1
            if k not in (0, len(seq) - 1):
                seq.pop(drop)
                a.pop(drop)
                continue
            seq.pop(k)
            a.pop(k)
        else:
            nb = k - 1 if a[k - 1] <= a[k + 1] else k + 1
            for j in sorted((k, nb), reverse=True):
                seq.pop(j)
                a.pop(j)
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


def remez(prob: Problem, c: Array, mask: Array, max_iter: int = 40, r: Array | None = None
          ) -> tuple[Array, int, list[float], Array] | None:
    """Remez's exchange on the samples: level the error on an alternating reference.

    Each step solves the n + 1 equations ``r_i + J_i Δ = s_i·E`` (s alternating
    signs) on the current reference for the step Δ and the level E, then takes
    as the new reference the alternating peaks of the new error.  It stops when
    the error is level on its reference and no sample exceeds that level (to
    1e-10 relative) — de la Vallée Poussin's bound then certifies the optimum —
    and gives up (None) when the reference does not alternate, the error grows,
    or the equations are singular; :func:`minimax` then runs its SLP loop.

    ``r`` is the residual at ``c`` when the caller has it.  Returns
    ``(c, iterations, history, residual at c)`` or None.
    """
    nfree = c.size
    sg = prob.signs()
    sub = np.flatnonzero(mask & (sg != 0))
    # The reference region is usually one run of samples (x > 0): a view, not a gather.
    pick = slice(sub[0], sub[-1] + 1) if sub.size and sub[-1] - sub[0] + 1 == sub.size \
        else sub
    sgs = sg[pick]
    if np.all(sgs == 1.0):
        sgs = None                      # r·1 = r: skip the product
    r = prob.residual(c) if r is None else r
    history = [float(np.max(np.abs(r)))]
    ref = alternating_set(r[pick] if sgs is None else r[pick] * sgs, nfree + 1)
    for it in range(1, max_iter + 1):
        if len(ref) < nfree + 1:
            return None
        ref_idx = sub[ref]
        signs = np.sign(r[ref_idx] * sg[ref_idx])
        signs = signs[0] * (-1.0) ** np.arange(signs.size)
        a = np.hstack([prob.jacobian(c, ref_idx), -(signs * sg[ref_idx])[:, None]])
        try:
            sol = np.linalg.solve(a, -r[ref_idx])
        except np.linalg.LinAlgError:
            return None
        c_new = c + sol[:-1]
        if not prob.admissible(c_new):
            return None
        r_new = prob.residual(c_new)
        if not np.all(np.isfinite(r_new)):
            return None
        peak = float(np.max(np.abs(r_new)))
        if peak > 4 * history[-1]:
            return None
        c, r = c_new, r_new
        history.append(peak)
        # The next step's reference (the same set decides whether to stop).
        ref = alternating_set(r[pick] if sgs is None else r[pick] * sgs, nfree + 1)
        if len(ref) == nfree + 1:
            low = float(np.min(np.abs(r[sub[ref]])))
            if low >= peak * (1 - 1e-10):
                return c, it, history, r
    return None
