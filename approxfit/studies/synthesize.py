"""Synthesis of the cheapest approximant that is correctly rounded on every input.

:func:`synthesize` follows RLIBM's route (J. P. Lim and S. Nagarakatte, "High
performance correctly rounded math libraries for 32-bit floating point
representations", PLDI 2021; "An approach to generate correctly rounded math libraries
for new floating point variants", POPL 2021):

1. **Rounding intervals.**  For every finite input x_i of F, the correctly rounded
   value y_i (:func:`~approxfit.lowprec.reference.correctly_rounded_array`) and the set
   of compute-format (C) results r that round to a value within K ulp of y_i: the C
   values from the midpoint below y_i − K to the midpoint above y_i + K, each
   midpoint in or out as round-to-nearest-even decides it (:func:`rounding_intervals`).
2. **Exact tails** (:func:`exact_tails`): scanned from each end of the sorted inputs,
   the runs where y is exactly x, 0, 1 or −1 (and, checked by the exact model, where
   it is exp(x) for a target without a gate, :func:`exp_run`, and c·x around 0 for an
   odd target, :func:`small_run`); beyond their thresholds the program
   returns that value with a compare (:class:`~approxfit.approximants.piecewise.
   PiecewiseApproximant`).
3. **Linear constraints.**  The middle inputs' intervals are mapped through the
   inverse of the (monotone) outer function and the gate relation onto the inner
   polynomial p: poly ``l ≤ p(x) ≤ h``; σ∘poly with value x·σ(p):
   ``p(x) ∈ [σ⁻¹(l/x), σ⁻¹(h/x)]`` (swapped for x < 0); tanh through atanh.  These
   are linear in the coefficients.  HiGHS (:func:`scipy.optimize.linprog`) maximises
   the smallest slack (relative to each interval's half-width) on a sample.
4. **Counterexample-guided loop.**  The coefficients, rounded to C, run under the exact
   evaluation model (:func:`~approxfit.lowprec.model.run_program`) on every input; the
   inputs that fail join the sample (an input that fails again has its interval
   shrunk towards its centre, which absorbs the evaluation error in C), and the LP is
   solved again, until none fails or the rounds run out.  Deterministic: no random
   numbers, a fixed sample and HiGHS's deterministic simplex.
5. **Candidates by cost** (:func:`candidates`): families, degrees, an odd or a full
   polynomial, with or without the sign-split constant; sorted by the operation count
   of their program (:meth:`~approxfit.approximants.base.AnyApproximant.cost`, the
   count ``pareto`` uses).  The first candidate proven by an exhaustive
   :func:`~approxfit.lowprec.verify.verify` run wins: it is the cheapest proven one.

6. **Centred shapes** (``centred``, the table's last retry): each piece's polynomial
   in ``x − m`` with m its middle input, and refined LPs — rows scaled by their
   half-widths (HiGHS's absolute 10⁻⁷ tolerance otherwise swallows float16's
   subnormal intervals, 6·10⁻⁸ wide), a poly's intervals widened by C's last
   rounding, the constant rounded to C first and the rest re-solved (the order of
   Brisebarre & Chevillard's coefficient rounding), and each piece's lowest
   sufficient degree.  This is what proves softplus in float16, whose middle runs
   from e^x-sized values near −10 (a polynomial in x there has terms thousands of
   times the value) to ``ln 2 + x/2`` crossing float16's midpoints at subnormal
   spacing near 0.

A full lookup table (2^bits entries of F) is always correct: it is reported as the
baseline, with its memory.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.targets import Target, resolve_target
from approxfit.lowprec.formats import Format, finite_count, finite_values, get_format
from approxfit.lowprec.model import EvaluationModel, make_model, round_from_work, run_program
from approxfit.lowprec.reference import correctly_rounded_array
from approxfit.lowprec.verify import VerifyResult, ulp_distance, verify

__all__ = ["FAMILIES", "TABLE_FAMILIES", "TABLE_TARGETS", "Candidate", "Problem",
           "SynthesisResult", "candidates", "exact_tails", "lookup_table", "piece_regions",
           "prepare", "rounding_intervals", "solve_candidate", "solve_pieces",
           "synthesis_row", "synthesis_table", "synthesize"]

Array = np.ndarray
#: The families :func:`synthesize` tries (a rational in one piece, with the tails: its
#: breakpoints are not searched).
FAMILIES: tuple[str, ...] = ("poly", "sigmoid", "tanh", "rational")
#: Rounds of the counterexample-guided loop per candidate.
ROUNDS = 40
#: Inputs of the first LP sample, and most failing inputs added per round.
SAMPLE = 1500
ADD_PER_ROUND = 1500


# -- the problem: intervals and tails ---------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Everything a candidate is solved against (built once by :func:`prepare`).

    Attributes
    ----------
    target : Target
    model : EvaluationModel
    ulp : int
        K: results within K ulp of the correctly rounded value are accepted.
    x : numpy.ndarray
        Every finite input of F, ascending (F's dtype).
    x64 : numpy.ndarray
        The same as float64.
    y : numpy.ndarray
        The correctly rounded values (F's dtype).
    lo, hi : numpy.ndarray
        The rounding intervals of the C result (float64 holding C values).
    low, high : (float, str) or None
        The tails: ``(threshold, value)`` — the low value where x < threshold, the high
        one where x > threshold.
    middle : numpy.ndarray
        Boolean mask of the inputs between the tails (and outside the small run).
    small : (float, float) or None
        The small run ``(s, c)`` of an odd target (:func:`small_run`): every |x| < s
        has the model's ``c·x`` correctly rounded.
    """

    target: Target
    model: EvaluationModel
    ulp: int
    x: Array
    x64: Array
    y: Array
    lo: Array
    hi: Array
    low: tuple[float, str] | None
    high: tuple[float, str] | None
    middle: Array
    reference_mpmath_cases: int = 0
    small: tuple[float, float] | None = None

    @property
    def nudge(self) -> float:
        """One unit of C at half F's smallest normal number: added to a result that is
        exactly a midpoint of F's subnormals (x/2 for GELU and SiLU), it moves the
        result to the upper side; added to any result of F's normal range, it is lost
        in C's rounding (or moves it by one unit of C)."""
        from approxfit.lowprec.formats import ulp

        f, fc = self.model.fmt, self.model.compute_fmt
        return float(ulp(f.smallest_normal / 2, fc))


def _c_next(v: Array, toward: float, fc: Format) -> Array:
    """The C value next to each ``v`` (C values as float64) towards ``toward``."""
    if fc.name == "float64":
        return np.nextafter(v, toward)
    return np.nextafter(v.astype(np.float32), np.float32(toward)).astype(np.float64)


def rounding_intervals(y: Array, f: Format, fc: Format, ulp: int = 0) -> tuple[Array, Array]:
    """``(lo, hi)``: per correctly rounded value, the C values r whose rounding to F is
    within ``ulp`` of it (float64 arrays of C values; ±inf where unbounded).

    The endpoints are the midpoints between y ± ulp and their outer F neighbours,
    included when round-to-nearest-even sends the midpoint inward (checked by rounding
    the midpoint itself, as the model rounds C to F).
    """
    from approxfit.lowprec.formats import step_ulps

    y64 = y.astype(np.float64)
    with np.errstate(all="ignore"):
        a = step_ulps(y64, -ulp, f)
        b = step_ulps(y64, ulp, f)
        below = step_ulps(y64, -ulp - 1, f)
        above = step_ulps(y64, ulp + 1, f)
        out = []
        for inner, outer, toward in ((a, below, math.inf), (b, above, -math.inf)):
            finite = np.isfinite(outer) & np.isfinite(inner)
            mid = np.where(finite, 0.5 * (inner + np.where(finite, outer, 0.0)), np.nan)
            midc = mid.astype(np.float32) if fc.name != "float64" else mid
            rounded = round_from_work(np.asarray(midc), f).astype(np.float64)
            ok = ulp_distance(rounded, inner, f) == 0
            end = np.where(ok, mid, _c_next(mid, toward, fc))
            end = np.where(finite, end, -toward)       # no neighbour: unbounded
            out.append(end)
    return out[0], out[1]


def exact_tails(x64: Array, y: Array, f: Format
                ) -> tuple[tuple[float, str] | None, tuple[float, str] | None]:
    """The tails: runs from each end of the ascending inputs where the correctly rounded
    value is exactly x, 0 (either sign), 1 or −1.

    Returns ``(low, high)``: ``low = (L, value)`` means every x < L has that value (L the
    smallest input not in the run), ``high = (H, value)`` every x > H; None without a
    run.
    """
    y64 = y.astype(np.float64)

    def run(order: Array, kinds: dict[str, Array]) -> tuple[float, str] | None:
        best: tuple[int, str] | None = None
        for name, want in kinds.items():
            same = (y64[order] == want[order]) | (np.isnan(y64[order]) & np.isnan(want[order]))
            n = int(np.argmin(same)) if not same.all() else same.size
            if n > 0 and (best is None or n > best[0]):
                best = (n, name)
        if best is None or best[0] >= order.size:
            return None
        return float(x64[order[best[0]]]), best[1]

    n = x64.size
    ones = np.ones(n)
    low = run(np.arange(n), {"zero": 0.0 * ones, "minus_one": -ones, "x": x64})
    high = run(np.arange(n)[::-1], {"x": x64, "one": ones})
    return low, high


def small_run(target: Target, model: EvaluationModel, x: Array, y: Array, ulp: int = 0
              ) -> tuple[float, float] | None:
    """The small run of an odd target with f(0) = 0: ``(s, c)`` with c = f'(0) rounded
    to C (1 for tanh, 2/√π for erf) and s the smallest |x| > 0 at which the model's
    ``c·x`` (one multiply in C, rounded to F; x itself when c = 1) is more than ``ulp``
    from the correctly rounded value, scanned outwards from 0 on both sides.  Every
    input with |x| < s is then right by this exhaustive scan; None when no input
    beside ±0 is, or the target is not odd.

    Why: tanh(x) ≈ x and erf(x) ≈ c·x near 0, so an inner polynomial there must meet
    rounding intervals as narrow as F's subnormals (~1e-40 in bfloat16), far below
    HiGHS's absolute tolerances; the exact run takes those inputs out of the LP.
    """
    if target.value_parity != "odd":
        return None
    with np.errstate(all="ignore"):
        c = float(np.asarray(target.dvalue(np.array([0.0])))[0])
        f0 = float(np.asarray(target.value(np.array([0.0])))[0])
    if f0 != 0.0 or not math.isfinite(c) or c == 0.0:
        return None
    fc = model.compute_fmt
    c = float(np.float32(c)) if fc.name != "float64" else c
    lin = PiecewiseApproximant("poly", (1,), (c,), target)
    v, _ = run_program(lin.program(), x, model)
    bad = ulp_distance(v, y, model.fmt) > ulp
    x64 = x.astype(np.float64)
    zero = int(np.searchsorted(x64, 0.0, side="left"))
    neg = np.flatnonzero(bad[:zero])                  # ascending; the last is nearest 0
    pos = np.flatnonzero(bad[zero:])
    s = math.inf
    if neg.size:
        s = min(s, abs(float(x64[neg[-1]])))
    if pos.size:
        s = min(s, float(x64[zero + pos[0]]))
    pos_x = x64[x64 > 0]
    if not math.isfinite(s) or pos_x.size == 0 or s <= float(pos_x.min()):
        return None
    return s, c


def exp_run(target: Target, model: EvaluationModel, x: Array, y: Array, ulp: int = 0
            ) -> float | None:
    """The exp run of a target without a gate (softplus: log(1 + eˣ) = eˣ(1 − eˣ/2 + …)):
    the threshold L such that the model's ``exp(x)`` (one exp in C, rounded to F) is
    within ``ulp`` of the correctly rounded value at every input x < L, scanned from the
    lowest input; L is the first input where it is not.  None for a target with a gate
    (its families reach the far left through σ or tanh) or when the run is empty.
    """
    if target.relation is not None:
        return None
    from approxfit.approximants.program import ProgramBuilder

    b = ProgramBuilder()
    prog = b.finish(b.op("exp", "x"))
    v, _ = run_program(prog, x, model)
    bad = np.flatnonzero(ulp_distance(v, y, model.fmt) > ulp)
    if bad.size == 0 or bad[0] == 0:
        return None
    return float(x[bad[0]])


def prepare(target: Target, model: EvaluationModel, ulp: int = 0,
            sample: int | None = None) -> Problem:
    """The :class:`Problem` of a target under a model: every input of F, or ``sample``
    evenly spread ones (:func:`~approxfit.lowprec.verify.sample_indices`)."""
    f, fc = model.fmt, model.compute_fmt
    if sample is None:
        x = finite_values(f, 0, finite_count(f))
    else:
        from approxfit.lowprec.verify import sample_indices, values_at

        x = values_at(f, sample_indices(0, finite_count(f), sample))
    n = x.size
    x64 = x.astype(np.float64)
    y, cases = correctly_rounded_array(target, x64, f)
    lo, hi = rounding_intervals(y, f, fc, ulp)
    low, high = exact_tails(x64, y, f)
    e = exp_run(target, model, x, y, ulp)
    if e is not None and (low is None or e > low[0]):
        low = (e, "exp")
    middle = np.ones(n, dtype=bool)
    if low is not None:
        middle &= x64 >= low[0]
    if high is not None:
        middle &= x64 <= high[0]
    small = small_run(target, model, x, y, ulp)
    if small is not None:
        middle &= ~(np.abs(x64) < small[0])
    return Problem(target, model, ulp, x, x64, y, lo, hi, low, high, middle, cases, small)


# -- candidates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One shape to try: family, powers of q, sign split, tails (and, for the rational
    family, the powers of its denominator Q = 1 + Σ e_k x^k)."""

    family: str
    powers: tuple[int, ...]
    split: bool
    tails: bool
    nudge: bool = False
    den_powers: tuple[int, ...] = ()
    centred: bool = False

    @property
    def degree(self) -> int:
        return max(self.powers, default=0)

    @property
    def form(self) -> str:
        """``sigmoid∘poly odd-5, split c0, tails``, ``rational odd-5/even-4, tails`` and so
        on."""
        outer = {"poly": "poly", "sigmoid": "σ∘poly", "tanh": "tanh∘poly",
                 "rational": "rational"}[self.family]
        par = "odd" if self.powers and all(k % 2 for k in self.powers) else "full"
        head = f"{outer} {par}-{self.degree}"
        if self.den_powers:
            dpar = ("even" if not any(k % 2 for k in self.den_powers) else "full")
            head += f"/{dpar}-{max(self.den_powers)}"
        parts = [head] + (["split c0"] if self.split else [])
        if self.nudge:
            parts.append("nudge")
        if self.centred:
            parts.append("centred")
        if self.tails:
            parts.append("tails")
        return ", ".join(parts)

    def approximant(self, problem: Problem, coef: Sequence[float] = (), c0: tuple[float, float]
                    = (0.25, 0.25), name: str = "", den: Sequence[float] = (),
                    centre: float = 0.0) -> PiecewiseApproximant:
        """The approximant of this shape (placeholder coefficients by default; a
        centred shape's polynomials are in ``x − centre``)."""
        coef = tuple(coef) or tuple(1.0 for _ in self.powers)
        den = tuple(den) or tuple(0.5 for _ in self.den_powers)
        low = problem.low if self.tails else None
        high = problem.high if self.tails else None
        c0n, c0p = c0 if self.split else (c0[1], c0[1])
        if self.split and c0n == c0p:
            c0n = -c0p if c0p else -0.25
        return PiecewiseApproximant(
            self.family, self.powers, coef, problem.target, c0_neg=c0n, c0_pos=c0p,
            low=None if low is None else low[0], high=None if high is None else high[0],
            low_value="zero" if low is None else low[1],
            high_value="x" if high is None else high[1],
            nudge=problem.nudge if self.nudge else 0.0, name=name,
            small=problem.small[0] if self.tails and problem.small else None,
            small_scale=problem.small[1] if self.tails and problem.small else 1.0,
            den_powers=self.den_powers, den=den, centres=(centre,) if self.centred else ())


#: Highest degree of a rational candidate's denominator.
MAX_DEN_DEGREE = 4


def _rational_shapes(d: int, odd_target: bool) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(powers, den_powers)`` of the rational candidates with numerator degree ``d``:
    a full numerator over a full denominator of degree 1 … min(d, 4); for an odd target
    also an odd numerator over an even denominator (an odd p/Q, as Padé's tanh)."""
    out = [(tuple(range(1, d + 1)), tuple(range(1, n + 1)))
           for n in range(1, min(d, MAX_DEN_DEGREE) + 1)]
    if odd_target and d % 2 == 1:
        out += [(tuple(range(1, d + 1, 2)), tuple(range(2, n + 1, 2)))
                for n in range(2, min(d + 1, MAX_DEN_DEGREE) + 1, 2)]
    return out


def candidates(problem: Problem, families: Sequence[str], max_degree: int,
               centred: bool = False) -> list[tuple[int, Candidate]]:
    """Every candidate with its cost (the program's weighted operation count), cheapest
    first (ties: fewer coefficients, then the family order given); with ``centred``,
    also every full polynomial of poly, σ∘poly and tanh∘poly in ``x − m`` (a centre
    per piece, one subtraction more)."""
    tgt = problem.target
    out: list[tuple[int, int, int, Candidate]] = []
    odd_target = tgt.relation is not None and tgt.relation.name == "odd"
    tail_options = (False, True) if (problem.low or problem.high or problem.small) else (False,)
    for fi, fam in enumerate(families):
        if fam == "rational":
            for d in range(1, max_degree + 1):
                for powers, den_powers in _rational_shapes(d, odd_target):
                    for tails in tail_options:
                        c = Candidate(fam, powers, False, tails, False, den_powers)
                        cost = c.approximant(problem).cost().total
                        out.append((cost, len(powers) + len(den_powers), fi, c))
            continue
        if fam != "poly" and not tgt.has_gate:
            continue
        for d in range(1, max_degree + 1):
            shapes = {tuple(range(1, d + 1))}
            if d % 2 == 1:
                shapes.add(tuple(range(1, d + 1, 2)))
            for powers in sorted(shapes):
                for nudge in (False, True):
                    for tails in ((False, True) if (problem.low or problem.high or problem.small)
                                  else (False,)):
                        for cen in (False, True) if centred and len(powers) == d else (False,):
                            c = Candidate(fam, powers, False, tails, nudge, centred=cen)
                            cost = c.approximant(problem).cost().total
                            out.append((cost, len(powers), fi, c))
    out.sort(key=lambda r: (r[0], r[1], r[2], r[3].degree, r[3].nudge, r[3].tails,
                            r[3].centred))
    return [(cost, c) for cost, _, _, c in out]


# -- the p-space intervals and the LP -------------------------------------------------------

def _logit(g: Array) -> Array:
    with np.errstate(all="ignore"):
        v = np.log(g) - np.log1p(-g)
    return np.where(g <= 0, -np.inf, np.where(g >= 1, np.inf, v))


def _atanh(t: Array) -> Array:
    with np.errstate(all="ignore"):
        v = np.arctanh(t)
    return np.where(t <= -1, -np.inf, np.where(t >= 1, np.inf, v))


def p_intervals(problem: Problem, family: str, nudge: bool = False) -> tuple[Array, Array]:
    """``(a, b)``: the interval of the inner polynomial p at every input (float64; NaN
    where any p is acceptable, e.g. x = 0 for a product relation); with ``nudge`` the
    value before :attr:`Problem.nudge` is added."""
    x, lo, hi = problem.x64, problem.lo, problem.hi
    if nudge:
        lo, hi = lo - problem.nudge, hi - problem.nudge
    rel = problem.target.relation
    if family in ("poly", "rational"):
        return lo.copy(), hi.copy()
    assert rel is not None
    with np.errstate(all="ignore"):
        if rel.name == "product":
            pos = x > 0
            glo = np.where(pos, lo / x, hi / x)
            ghi = np.where(pos, hi / x, lo / x)
            free = x == 0
        elif rel.name == "odd":
            glo, ghi, free = (lo + 1) / 2, (hi + 1) / 2, np.zeros(x.shape, bool)
        else:
            glo, ghi, free = lo, hi, np.zeros(x.shape, bool)
    if family == "sigmoid":
        a, b = _logit(glo), _logit(ghi)
    elif rel.name == "odd":                       # tanh family, value tanh(p)
        a, b = _atanh(np.clip(lo, -2, 2)), _atanh(np.clip(hi, -2, 2))
    else:                                         # ½(1 + tanh p) = g
        a, b = _atanh(2 * glo - 1), _atanh(2 * ghi - 1)
    a = np.where(free, np.nan, a)
    b = np.where(free, np.nan, b)
    return a, b


def _basis(x: Array, powers: Sequence[int], split: bool, scale: float, shift: float = 0.0
           ) -> Array:
    """Columns of the LP: the constant (two, by the sign of x, when ``split``) and
    ``((x − shift)/scale)^k`` for k in ``powers``."""
    u = (x - shift) / scale
    cols = [(x < 0).astype(float), (x >= 0).astype(float)] if split else [np.ones_like(x)]
    cols += [u**k for k in powers]
    return np.column_stack(cols)


def _orthonormal(phi: Array) -> tuple[Array, Array, Array]:
    """``(q, r, cols)``: an orthonormal basis ``q`` (scaled to entries of order 1) of
    the column space of ``phi``, with ``phi[:, cols] = q·r/√m`` (column-pivoted QR,
    numerically dependent columns dropped).

    Monomials on a short interval away from 0 (a piece on [−5.4, −4.6]) are nearly
    collinear, and HiGHS's simplex on them can run for minutes without an answer; on
    ``q`` the same LP (the same set of polynomials) takes a few iterations."""
    from scipy.linalg import qr

    m = phi.shape[0]
    q, r, piv = qr(phi, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    k = int(np.sum(diag > 1e-11 * (diag[0] if diag.size else 0.0))) if diag.size else 0
    k = max(k, 1)
    return q[:, :k] * math.sqrt(m), r[:k, :k], piv[:k]


#: Simplex iterations of one LP at most (a deterministic cap: an LP that does not end
#: within it counts as infeasible, which costs a breakpoint, never a wrong proof).
LP_ITERATIONS = 20000


def _solve_lp(phi: Array, a: Array, b: Array, w: Array, by_width: bool = False
              ) -> tuple[Array, float] | None:
    """Maximise t subject to a + t·w ≤ φ·d ≤ b − t·w (infinite sides dropped); None
    when infeasible or not solved within :data:`LP_ITERATIONS`.

    ``by_width``: each row divided by its w first (the same LP): HiGHS's feasibility
    tolerance (10⁻⁷, absolute) then counts in half-widths, not in units of the value —
    needed where the intervals are narrower than 10⁻⁷ (float16's subnormal results,
    6·10⁻⁸ wide).  The centred shapes use it; the others keep the unscaled rows that
    proved the committed table."""
    from scipy.optimize import linprog

    if by_width:
        s = np.where(w > 0, w, 1.0)
        phi, a, b, w = phi / s[:, None], a / s, b / s, w / s

    n = phi.shape[1]
    rows, rhs = [], []
    fa, fb = np.isfinite(a), np.isfinite(b)
    # −φ·d + t·w ≤ −a ;  φ·d + t·w ≤ b
    rows.append(np.column_stack([-phi[fa], w[fa]]))
    rhs.append(-a[fa])
    rows.append(np.column_stack([phi[fb], w[fb]]))
    rhs.append(b[fb])
    A = np.vstack(rows)
    ub = np.concatenate(rhs)
    c = np.zeros(n + 1)
    c[-1] = -1.0
    bounds = [(None, None)] * n + [(-1.0, 1.0)]
    res = linprog(c, A_ub=A, b_ub=ub, bounds=bounds, method="highs",
                  options={"maxiter": LP_ITERATIONS})
    if res.status != 0 or res.x is None:
        return None
    return res.x[:n], float(res.x[-1])


def _solve_lp_rational(phi_p: Array, phi_q: Array, lo: Array, hi: Array, w: Array
                      ) -> tuple[Array, Array, float] | None:
    """Maximise t subject to ``lo + t·w ≤ P/Q ≤ hi − t·w`` with ``Q = 1 + φ_q·e ≥ ¼``
    on every row: with Q > 0 the bounds are ``P − lo·Q ≥ t·w`` and ``hi·Q − P ≥ t·w``,
    linear in (P's coefficients d, e, t) — the linearisation of rational constraints
    that RLIBM's rational and Remez-free LP methods use.  Returns ``(d, e, t)`` or
    None."""
    from scipy.optimize import linprog

    n_p, n_q = phi_p.shape[1], phi_q.shape[1]
    rows, rhs = [], []
    fa, fb = np.isfinite(lo), np.isfinite(hi)
    # −P + lo·φ_q·e + t·w ≤ −lo ;  P − hi·φ_q·e + t·w ≤ hi ;  −φ_q·e ≤ 1 − ¼
    rows.append(np.column_stack([-phi_p[fa], lo[fa, None] * phi_q[fa], w[fa]]))
    rhs.append(-lo[fa])
    rows.append(np.column_stack([phi_p[fb], -hi[fb, None] * phi_q[fb], w[fb]]))
    rhs.append(hi[fb])
    rows.append(np.column_stack([np.zeros((phi_q.shape[0], n_p)), -phi_q,
                                 np.zeros(phi_q.shape[0])]))
    rhs.append(np.full(phi_q.shape[0], 0.75))
    c = np.zeros(n_p + n_q + 1)
    c[-1] = -1.0
    bounds = [(None, None)] * (n_p + n_q) + [(-1.0, 1.0)]
    res = linprog(c, A_ub=np.vstack(rows), b_ub=np.concatenate(rhs), bounds=bounds,
                  method="highs", options={"maxiter": LP_ITERATIONS})
    if res.status != 0 or res.x is None:
        return None
    return res.x[:n_p], res.x[n_p:n_p + n_q], float(res.x[-1])


@dataclass(frozen=True)
class Attempt:
    """The outcome of one candidate."""

    candidate: Candidate
    cost: int
    outcome: str
    incorrectly_rounded: int | None
    approximant: PiecewiseApproximant | None = None
    rounds: int = 0
    pieces: int = 1

    @property
    def form(self) -> str:
        """The candidate's form, with its pieces when more than one."""
        n = self.approximant.pieces if self.approximant is not None else self.pieces
        return self.candidate.form + (f", {n} pieces" if n > 1 else "")

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "family": self.candidate.family,
                "degree": self.candidate.degree, "powers": list(self.candidate.powers),
                "pieces": (self.approximant.pieces if self.approximant is not None
                           else self.pieces),
                "cost": self.cost, "outcome": self.outcome,
                "incorrectly_rounded": self.incorrectly_rounded, "rounds": self.rounds}


def _live(problem: Problem, cand: Candidate) -> tuple[Array, Array, Array]:
    """``(a, b, live)``: the p intervals and the mask of the middle inputs that constrain
    p (not free, not unbounded on both sides)."""
    a_all, b_all = p_intervals(problem, cand.family, cand.nudge)
    if cand.centred and cand.family == "poly" and problem.model.compute_fmt.name != "float64":
        # p's last operation (the constant's add) rounds the real p to C once: every
        # real within (just under) half a unit of C of [a, b] lands in it.  Without
        # this, two neighbouring inputs whose correct roundings differ — softplus's
        # ln 2 + x/2 crossing a float16 midpoint at subnormal spacing — ask for p
        # values half a unit of C apart that no real p meets.
        fc = problem.model.compute_fmt
        with np.errstate(invalid="ignore"):
            fa, fb = np.isfinite(a_all), np.isfinite(b_all)
            a_all = np.where(fa, a_all - 0.49 * (a_all - _c_next(
                np.where(fa, a_all, 0.0), -np.inf, fc)), a_all)
            b_all = np.where(fb, b_all + 0.49 * (_c_next(
                np.where(fb, b_all, 0.0), np.inf, fc) - b_all), b_all)
    live = problem.middle & ~(np.isnan(a_all) | np.isnan(b_all))
    live &= ~(np.isinf(a_all) & np.isinf(b_all))
    return a_all, b_all, live


def solve_candidate(problem: Problem, cand: Candidate, cost: int, *, rounds: int = ROUNDS,
                    region: Array | None = None) -> Attempt:
    """The counterexample-guided loop for one candidate (module docstring, 3–4); with
    ``region`` (ascending input indices, a run of the middle) for one piece: only those
    inputs constrain p and are checked."""
    m = problem.model
    a_all, b_all, live = _live(problem, cand)
    if region is not None:
        inside = np.zeros(live.shape, bool)
        inside[region] = True
        live &= inside
        check = np.asarray(region)
    else:
        check = np.arange(problem.x.size)
    idx_live = np.flatnonzero(live)
    if idx_live.size == 0:
        return Attempt(cand, cost, "no constraints", None)
    if np.any(a_all[idx_live] > b_all[idx_live]):
        return Attempt(cand, cost, "empty interval", None)
    centre = 0.0
    xs = problem.x64[idx_live]
    if cand.centred and np.min(np.abs(xs)) >= CUT_FLOOR:
        # the F input nearest the middle of the run; a run that reaches the tiny
        # inputs keeps 0 (F's inputs crowd there, and so do the LP's rows)
        centre = float(xs[int(np.argmin(np.abs(xs - 0.5 * (xs[0] + xs[-1]))))])
    scale = float(np.max(np.abs(problem.x64[idx_live] - centre))) or 1.0
    step = max(1, idx_live.size // SAMPLE)
    sample = set(idx_live[::step].tolist()) | {int(idx_live[0]), int(idx_live[-1])}
    shrink: dict[int, int] = {}
    best: Attempt | None = None
    for r in range(1, rounds + 1):
        idx = np.array(sorted(sample))
        a, b = a_all[idx].copy(), b_all[idx].copy()
        both = np.isfinite(a) & np.isfinite(b)
        w = np.where(both, (b - a) / 2, 1e-3 * (1 + np.abs(np.where(np.isfinite(a), a, b))))
        q = np.array([1 - 0.6 ** shrink.get(int(i), 0) for i in idx])
        a = np.where(np.isfinite(a), a + q * w, a)
        b = np.where(np.isfinite(b), b - q * w, b)
        den: list[float] = []
        if cand.den_powers:
            rsol = _solve_lp_rational(
                _basis(problem.x64[idx], cand.powers, cand.split, scale, centre),
                _basis(problem.x64[idx], cand.den_powers, False, scale, centre)[:, 1:], a, b, w)
            sol = None if rsol is None else (rsol[0], rsol[2])
            if rsol is not None:
                den = [float(v) / scale**k for v, k in zip(rsol[1], cand.den_powers,
                                                           strict=True)]
        else:
            sol = _solve_lp(_basis(problem.x64[idx], cand.powers, cand.split, scale, centre),
                            a, b, w, by_width=cand.centred)
        if sol is None or sol[1] < -1e-9:
            out = "infeasible" if best is None else best.outcome
            return Attempt(cand, cost, out, None if best is None
                           else best.incorrectly_rounded, None if best is None
                           else best.approximant, r)
        d, _ = sol
        k0 = 2 if cand.split else 1
        if cand.centred and not cand.den_powers and m.compute_fmt.name != "float64":
            d = _constant_first(problem.x64[idx], cand, scale, centre, a, b, w, d, k0)
        c0 = (float(d[0]), float(d[1])) if cand.split else (float(d[0]), float(d[0]))
        coef = [float(d[k0 + j]) / scale**k for j, k in enumerate(cand.powers)]
        if not all(math.isfinite(v) for v in (*coef, *c0, *den)):
            return Attempt(cand, cost, "overflow", None)
        fc = m.compute_fmt
        coef = [float(np.float32(v)) if fc.name != "float64" else v for v in coef]
        den = [float(np.float32(v)) if fc.name != "float64" else v for v in den]
        c0 = tuple(float(np.float32(v)) if fc.name != "float64" else v for v in c0)
        if cand.split and c0[0] == c0[1]:
            c0 = (c0[0], float(np.nextafter(np.float32(c0[1]), np.float32(1))))
        try:
            approx = cand.approximant(problem, coef, c0, den=den,  # type: ignore[arg-type]
                                      centre=centre)
        except InputError:
            return Attempt(cand, cost, "bad coefficients", None)
        result, _ = run_program(approx.program(), problem.x[check], m)
        dist = ulp_distance(result, problem.y[check], m.fmt)
        bad = check[np.flatnonzero(dist > problem.ulp)]
        best = Attempt(cand, cost, "not proven", int(bad.size), approx, r)
        if bad.size == 0:
            return Attempt(cand, cost, "candidate", 0, approx, r)
        fixable = bad[live[bad]]
        if fixable.size < bad.size:
            return Attempt(cand, cost, "tails wrong", int(bad.size), approx, r)
        for i in fixable.tolist():
            if i in sample:
                shrink[i] = shrink.get(i, 0) + 1
        new = [i for i in fixable.tolist() if i not in sample]
        if len(new) > ADD_PER_ROUND:
            new = new[:: len(new) // ADD_PER_ROUND + 1]
        sample.update(new)
    assert best is not None
    return best


# -- pieces ---------------------------------------------------------------------------------

#: Rows of a feasibility LP's first sample (inputs with |x| ≥ :data:`CUT_FLOOR` first,
#: every k-th beyond); the violated rows are added (:func:`_feasible`).
FEASIBILITY_ROWS = 6000
#: Breakpoints are inputs with |x| at least this (a piece boundary among the tiny inputs,
#: where p is its constant, buys nothing).
CUT_FLOOR = 2.0**-4
#: The relative slack a piece must leave on every two-sided interval when the
#: breakpoints are chosen.  0: correct rounding leaves some inputs almost no room
#: (a degree-9 σ∘poly for GELU in bfloat16 has at best 0.6 % of the narrowest
#: interval's half-width), so the evaluation error in C is left to the exact check
#: and the counterexample-guided loop, which split a piece that fails.
MARGIN = 0.0


def _feasible(problem: Problem, cand: Candidate, a_all: Array, b_all: Array,
              rows: Array) -> bool:
    """Whether p of the candidate's shape can meet every interval of ``rows`` (input
    indices) with :data:`MARGIN` relative slack on the two-sided ones with |x| ≥
    :data:`CUT_FLOOR` (nearer 0 the nudged subnormal midpoints pin p's constant to 0,
    leaving no slack, which the exact check handles).

    HiGHS LPs on the exact (unshrunk) intervals, in an orthonormal basis of the shape's
    polynomials on ``rows`` (:func:`_orthonormal`), by cutting planes: solved on a sample
    of at most :data:`FEASIBILITY_ROWS` rows (the large |x| first), the solution is
    checked on every row (a product with the basis) and the violated rows join the
    sample, until none is violated (feasible) or the LP is infeasible."""
    x = problem.x64
    sample = rows
    if rows.size > FEASIBILITY_ROWS:
        big = rows[np.abs(x[rows]) >= CUT_FLOOR]
        small = rows[np.abs(x[rows]) < CUT_FLOOR]
        if big.size > FEASIBILITY_ROWS - 500:
            big = big[:: big.size // (FEASIBILITY_ROWS - 500) + 1]
        small = small[:: max(1, small.size // 500)]
        sample = np.union1d(np.union1d(big, small), rows[[0, -1]])
    scale = float(np.max(np.abs(x[rows]))) or 1.0
    a_r, b_r = a_all[rows], b_all[rows]
    both_r = np.isfinite(a_r) & np.isfinite(b_r) & (np.abs(x[rows]) >= CUT_FLOOR)
    w_r = np.where(both_r, (b_r - a_r) / 2, 0.0)
    pos = np.searchsorted(rows, sample)
    q, _, _ = _orthonormal(_basis(x[rows], cand.powers, cand.split, scale))
    for _ in range(50):
        sol = _solve_lp(q[pos], a_r[pos], b_r[pos], w_r[pos], by_width=cand.centred)
        if sol is None or sol[1] < MARGIN - 1e-9:
            return False
        p = q @ sol[0]
        tol = 1e-9 * (1.0 + np.abs(p))
        t = max(MARGIN, 0.0)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero((p < a_r + t * w_r - tol) | (p > b_r - t * w_r + tol))
        new = np.setdiff1d(bad, pos)
        if new.size == 0:
            return True
        pos = np.union1d(pos, new[:: max(1, new.size // 2000)])
    return False


def _cut_positions(x: Array) -> Array:
    """Positions in ascending inputs ``x`` where a piece may start: |x| ≥
    :data:`CUT_FLOOR`, and 0 (the first x ≥ 0, −0 included: ``x − 0 < 0`` is false for
    −0), which separates the two sides of the tiny inputs whose rounding differs."""
    cuts = np.abs(x) >= CUT_FLOOR
    zero = int(np.searchsorted(x, 0.0, side="left"))
    if 0 < zero < x.size:
        cuts[zero] = True
    return np.flatnonzero(cuts)


def piece_regions(problem: Problem, cand: Candidate, max_pieces: int
                  ) -> list[Array] | None:
    """The middle's live inputs split into at most ``max_pieces`` runs on each of which
    the candidate's shape is feasible (:func:`_feasible`), chosen greedily from the left:
    each run as long as feasibility allows (galloping then bisection over the
    breakpoint inputs, :func:`_cut_positions`), which gives the fewest runs
    (feasibility of a run implies that of its sub-runs).  None when more runs would be needed."""
    a_all, b_all, live = _live(problem, cand)
    idx = np.flatnonzero(live)
    if idx.size == 0 or np.any(a_all[idx] > b_all[idx]):
        return None
    cuts = _cut_positions(problem.x64[idx])                        # positions in idx
    out: list[Array] = []
    start = 0

    def ok(k: int) -> bool:                   # the run from start to cut k (or the end)
        end = int(cuts[k]) if k < cuts.size else idx.size
        return _feasible(problem, cand, a_all, b_all, idx[start:end])

    while True:
        if len(out) + 1 >= max_pieces:        # the last piece: the rest in one run
            if ok(cuts.size):
                out.append(idx[start:])
                return out
            return None
        # Galloping from the start (1, 2, 4 … cuts on), then bisection between the
        # last feasible and the first infeasible run: the same run as a bisection
        # over the whole rest, with LPs on short runs (pieces are short) and
        # O(log length) of them.
        first = int(np.searchsorted(cuts, start, side="right"))
        good, bad, step = -1, cuts.size + 1, 1
        while True:
            k = min(first + step - 1, cuts.size)
            if ok(k):
                good = k
                if k == cuts.size:
                    break
                step *= 2
            else:
                bad = k
                break
        if good == cuts.size:
            out.append(idx[start:])
            return out
        lo, hi = max(good + 1, first), bad - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            if ok(mid):
                good, lo = mid, mid + 1
            else:
                hi = mid - 1
        if good < 0:
            return None
        out.append(idx[start:cuts[good]])
        start = int(cuts[good])


def _cost_of_pieces(problem: Problem, cand: Candidate, n: int) -> int:
    """The program cost of the candidate in ``n`` pieces (every coefficient distinct)."""
    k = len(cand.powers)
    base = cand.approximant(problem, tuple(1.0 + j for j in range(k)), (0.25, 0.25))
    more = tuple((0.5 + j, 0.5 + j, *(2.0 + j + i for i in range(k))) for j in range(n - 1))
    return replace(base, breaks=tuple(float(j) for j in range(n - 1)), more=more,
                   centres=tuple(0.125 + j for j in range(n)) if cand.centred else ()
                   ).cost().total


def _constant_first(x: Array, cand: Candidate, scale: float, centre: float, a: Array,
                    b: Array, w: Array, d: Array, k0: int) -> Array:
    """The LP's solution ``d`` with its constant term(s) rounded to float32 first and
    the other coefficients solved again for that constant (when that LP is feasible;
    else ``d`` unchanged).

    Near a crossing of one of F's rounding boundaries by dense inputs (softplus's
    ``ln 2 + x/2`` at float16's subnormal spacing) the admissible constants form a
    window narrower than float32's spacing at p's size; rounding the constant last
    lands outside it half the time, and the other coefficients — which can move p
    there by that much without leaving the other intervals — are then already
    fixed.  Rounding the most sensitive coefficient first and re-solving the rest is
    the usual order of coefficient rounding (Brisebarre & Chevillard's fpminimax
    rounds one coefficient at a time and re-optimises the others)."""
    phi = _basis(x, cand.powers, cand.split, scale, centre)
    rest = phi[:, k0:]
    best: tuple[float, Array] | None = None
    for c0 in _float32_neighbours(d[:k0]):
        shift = phi[:, :k0] @ c0
        sol = _solve_lp(rest, a - shift, b - shift, w, by_width=True)
        if sol is not None and sol[1] >= -1e-9 and (best is None or sol[1] > best[0]):
            best = (sol[1], np.concatenate([c0, sol[0]]))
    return d if best is None else best[1]


def _float32_neighbours(v: Array) -> list[Array]:
    """The float32 values at or next to each of ``v`` (below and above), every
    combination, nearest first."""
    opts = []
    for c in v:
        lo = np.float32(c)
        if float(lo) > c:
            lo = np.nextafter(lo, np.float32(-np.inf))
        hi = np.nextafter(lo, np.float32(np.inf)) if float(lo) != c else lo
        near = [float(lo), float(hi)] if abs(float(lo) - c) <= abs(float(hi) - c) else [
            float(hi), float(lo)]
        opts.append(list(dict.fromkeys(near)))
    return [np.asarray(combo) for combo in itertools.product(*opts)]


def _solve_lowest(problem: Problem, cand: Candidate, region: Array, rounds: int) -> Attempt:
    """A centred candidate's piece: its powers 1 … k for k = 1, 2, … up to the shape's
    degree, the first that is right on the piece's inputs, its higher coefficients 0
    (the same program: Horner's rule on a leading 0 gives the lower-degree value
    exactly).  A short piece needs fewer powers than the longest; with all of them
    the LP's vertex there has large coefficients of opposite signs, whose rounding
    in C the short piece's few wide rows do not pin down.  Else the attempt with the
    fewest inputs wrong."""
    best: Attempt | None = None
    for k in range(1, len(cand.powers) + 1):
        att = solve_candidate(problem, replace(cand, powers=cand.powers[:k]), 0,
                              rounds=rounds, region=region)
        if att.approximant is not None:
            ap = att.approximant
            att = replace(att, candidate=cand, approximant=replace(
                ap, powers=cand.powers, coef=ap.coef + (0.0,) * (len(cand.powers) - k)))
        if att.outcome == "candidate":
            return att
        if best is None or _rank(att) < _rank(best):
            best = att
    assert best is not None
    return best


def _rank(att: Attempt) -> tuple[bool, int]:
    """Attempts with an approximant first, then by their inputs wrong."""
    return att.approximant is None, att.incorrectly_rounded or 0


def solve_pieces(problem: Problem, cand: Candidate, max_pieces: int, *,
                 rounds: int = ROUNDS, cost_limit: float = math.inf
                 ) -> tuple[PiecewiseApproximant | None, int | None, str]:
    """The candidate's shape in pieces: :func:`piece_regions` chooses the breakpoints,
    :func:`solve_candidate` solves each piece on its own inputs (the compares make the
    pieces independent); a piece that fails is split in two at its middle breakpoint
    input while pieces remain.  Returns ``(approximant, incorrectly rounded inputs of
    the middle, outcome)``."""
    # Only as many pieces as stay cheaper than the best so far: a run that needs more
    # could not win, so its bisections (most of a search's time) are skipped.
    n_max = max_pieces
    while n_max > 1 and _cost_of_pieces(problem, cand, n_max) >= cost_limit:
        n_max -= 1
    if n_max < 2:
        return None, None, "costlier than the best in 2 pieces"
    regions = piece_regions(problem, cand, n_max)
    if regions is None:
        return None, None, (f"infeasible in {max_pieces} pieces" if n_max == max_pieces
                            else f"costlier than the best in {n_max + 1} pieces")
    if _cost_of_pieces(problem, cand, len(regions)) >= cost_limit:
        return None, None, f"costlier than the best in {len(regions)} pieces"
    solved: list[tuple[Array, PiecewiseApproximant | None, int]] = []
    todo = list(regions)
    while todo:
        reg = todo.pop(0)
        att = (_solve_lowest(problem, cand, reg, rounds) if cand.centred
               else solve_candidate(problem, cand, 0, rounds=rounds, region=reg))
        bad = att.incorrectly_rounded
        if (bad is None or bad > 0) and len(solved) + len(todo) + 2 <= max_pieces:
            cuts = _cut_positions(problem.x64[reg])
            cuts = cuts[cuts > 0]
            if cuts.size:
                mid = int(cuts[cuts.size // 2])
                todo[:0] = [reg[:mid], reg[mid:]]
                continue
        solved.append((reg, att.approximant, reg.size if bad is None else bad))
    solved.sort(key=lambda t: int(t[0][0]))
    if any(ap is None for _, ap, _ in solved):
        return None, None, "a piece is infeasible"
    first = solved[0][1]
    assert first is not None
    more = tuple((ap.c0_neg, ap.c0_pos, *ap.coef) for _, ap, _ in solved[1:]
                 if ap is not None)
    breaks = tuple(float(problem.x64[reg[0]]) for reg, _, _ in solved[1:])
    centres = tuple(ap.centres[0] for _, ap, _ in solved if ap is not None
                    ) if cand.centred else ()
    approx = replace(first, breaks=breaks, more=more, centres=centres)
    bad_total = sum(b for _, _, b in solved)
    return approx, bad_total, "candidate" if bad_total == 0 else "not proven"


# -- the baseline and the result ------------------------------------------------------------

def lookup_table(fmt: Format) -> dict[str, Any]:
    """The full lookup table: 2^bits entries of F; always correctly rounded."""
    entries = 2**fmt.bits
    return {"entries": entries, "bytes_per_entry": fmt.bits // 8,
            "bytes": entries * (fmt.bits // 8), "correctly_rounded": True}


@dataclass(frozen=True)
class SynthesisResult:
    """The outcome of :func:`synthesize` (``to_dict`` gives the JSON document)."""

    target: str
    model: EvaluationModel
    ulp: int
    proven: bool
    approximant: PiecewiseApproximant | None
    verify: VerifyResult | None
    candidates: tuple[Attempt, ...]
    lookup_table: dict[str, Any]
    tails: dict[str, Any]
    seconds: float
    best_incorrectly_rounded: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    best_form: str | None = None

    @property
    def winner(self) -> Attempt | None:
        proven = [c for c in self.candidates if c.outcome == "proven"]
        return min(proven, key=lambda c: c.cost) if proven else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: issue 15's keys (``verify``, ``candidates``, ``lookup_table``,
        ``seconds``) and the winner's spec."""
        w = self.winner
        return {"kind": "synthesize", "target": self.target, **self.model.to_dict(),
                "ulp": self.ulp, "proven": self.proven,
                "form": None if w is None else w.form,
                "best_form": w.form if w is not None else self.best_form,
                "pieces": None if self.approximant is None else self.approximant.pieces,
                "cost": None if self.approximant is None else self.approximant.cost().to_dict(),
                "approximant": None if self.approximant is None else
                self.approximant.to_dict(),
                "incorrectly_rounded": (0 if self.proven else self.best_incorrectly_rounded),
                "verify": None if self.verify is None else self.verify.to_dict(),
                "candidates": [c.to_dict() for c in self.candidates],
                "lookup_table": self.lookup_table, "tails": self.tails,
                "notes": list(self.notes), "seconds": round(self.seconds, 3)}


def synthesize(target: Any, format: Any, *, compute: Any = None, fma: Any = False,
               ulp: Any = 0, families: Any = FAMILIES, max_degree: Any = 8,
               max_pieces: Any = 8, expr: Any = None,
               progress: Callable[[int, int], Any] | None = None,
               sample: Any = None, centred: Any = False) -> SynthesisResult:
    """The cheapest approximant whose result is within ``ulp`` of the correctly rounded
    target on every finite input of ``format``, with its proof.

    Parameters
    ----------
    target : str or Target
        A built-in target's name (or a Target); with ``expr`` a custom target.
    format : str
        F: float16, bfloat16, the float8s — or float32 with ``sample`` (below).
    compute : str, optional
        C (default float32).
    fma : bool
        Fuse multiply-adds (one rounding, emulated exactly).
    ulp : int
        K ≥ 0: accept results within K ulp (0: correctly rounded).
    families : sequence of str
        Of :data:`FAMILIES`.
    max_degree : int
        1 … 16.
    max_pieces : int
        1 … 16: most pieces of the middle region (:func:`solve_pieces`); a candidate is
        split only when one piece fails.
    expr : str, optional
        A formula in x for a custom ``target``.
    progress : callable, optional
        ``progress(done, total)`` after each candidate (the search stops early once the
        next candidate cannot be cheaper than the best proven one).
    sample : int, optional
        For a format of more than 16 bits (float32: 4.3·10⁹ inputs), the search's
        inputs: ``sample`` evenly spread finite values (2^12 … 2^24).  The proof is
        still an exhaustive ``verify`` run (on every local core; minutes), made once:
        for the cheapest candidate right on the sample, after which the search stops,
        proven or not (``notes`` say so).
    centred : bool
        Also try the centred shapes (:func:`candidates`): each piece's polynomials
        in ``x − m`` with m the piece's middle input of F, searched with the refined
        LPs — rows scaled by their half-widths (:func:`_solve_lp`), the intervals of
        a poly widened by C's last rounding (:func:`_live`), the constant rounded to
        C first (:func:`_constant_first`) and each piece's lowest sufficient degree
        (:func:`_solve_lowest`).  Off by default: the shapes without a centre keep
        the LPs that proved the committed table's rows.

    Returns
    -------
    SynthesisResult
        ``proven`` only when an exhaustive :func:`~approxfit.lowprec.verify.verify`
        run found every input within K ulp and the specials right.

    Raises
    ------
    InputError
        Naming the parameter.

    Examples
    --------
    >>> r = synthesize("silu", "float8_e4m3fn")
    >>> r.proven, r.verify.incorrectly_rounded
    (True, 0)
    """
    from approxfit.core.checks import check_int

    t0 = time.perf_counter()
    model = make_model(format, compute, fma)
    f = get_format(model.format, float8=True)
    if f.bits > 32:
        raise InputError(f"`format` {f.name} has {finite_count(f):.2e} inputs: no "
                         "exhaustive proof is possible; synthesize takes formats of at most "
                         "32 bits")
    if f.bits > 16 and sample is None:
        raise InputError(f"`format` must have at most 16 bits for a synthesis on every "
                         f"input (checked each round), got {f.name}; give `sample` N to "
                         "search on N evenly spread inputs (the proof stays exhaustive)")
    if sample is not None:
        if f.bits <= 16:
            raise InputError(f"`sample` applies to formats of more than 16 bits; {f.name} "
                             "is searched on every input")
        sample = check_int(sample, "sample", 2**12, 2**24)
    ulp = check_int(ulp, "ulp", 0, 1000)
    max_degree = check_int(max_degree, "max_degree", 1, 16)
    max_pieces = check_int(max_pieces, "max_pieces", 1, 16)
    if isinstance(families, str) or not isinstance(families, Sequence) or not families:
        raise InputError(f"`families` must be a non-empty list of {', '.join(FAMILIES)}, "
                         f"got {str(families)[:60]!r}")
    for fam in families:
        if fam not in FAMILIES:
            raise InputError(f"`families` must be chosen from {', '.join(FAMILIES)}, got "
                             f"{str(fam)[:60]!r}")
    tgt = resolve_target(target, expr=expr)
    problem = prepare(tgt, model, ulp, sample)
    notes: list[str] = []
    if sample is not None:
        notes.append(f"searched on {problem.x.size:,} evenly spread {f.name} inputs; the "
                     "proof (one exhaustive verify run, for the cheapest candidate right "
                     "on them) covers every finite input")
    tails = {"low": None if problem.low is None else
             {"below": problem.low[0], "value": problem.low[1]},
             "high": None if problem.high is None else
             {"above": problem.high[0], "value": problem.high[1]},
             "small": None if problem.small is None else
             {"below": problem.small[0], "scale": problem.small[1]}}
    attempts: list[Attempt] = []
    winner: PiecewiseApproximant | None = None
    proof: VerifyResult | None = None
    best: Attempt | None = None
    win_cost = math.inf
    name = f"synth-{tgt.name}-{f.name}{'-fma' if model.fma else ''}"

    last_proof: list[VerifyResult] = []

    def prove(cand: Candidate, approx: PiecewiseApproximant, rounds: int) -> Attempt:
        res = verify(approx, tgt, f.name, compute=model.compute, fma=model.fma,
                     executor="serial" if sample is None else "local")
        last_proof.append(res)
        ok_specials = all(v["ok"] is not False for v in res.specials.values())
        good = res.incorrectly_rounded == 0 if ulp == 0 else (
            res.max_ulp != "nan" and int(res.max_ulp) <= ulp)
        cost = approx.cost().total
        if good and ok_specials:
            nonlocal winner, proof, win_cost
            winner, proof, win_cost = approx, res, cost
            return Attempt(cand, cost, "proven", res.incorrectly_rounded, approx, rounds,
                           approx.pieces)
        return Attempt(cand, cost, "specials wrong" if good else "not proven",
                       res.incorrectly_rounded, approx, rounds, approx.pieces)

    if progress is not None and not callable(progress):
        raise InputError("`progress` must be a callable progress(done, total) or None")
    if not isinstance(centred, bool | np.bool_):
        raise InputError(f"`centred` must be True or False, got {str(centred)[:60]!r}")
    todo = candidates(problem, list(families), max_degree, centred=bool(centred))
    for done, (cost, cand) in enumerate(todo):
        if progress is not None:
            progress(done, len(todo))
        if cost >= win_cost:
            break                     # every later candidate costs at least as much
        att = solve_candidate(problem, cand, cost)
        if att.outcome == "candidate" and att.approximant is not None:
            att = prove(cand, replace(att.approximant, name=name), att.rounds)
        if att.outcome != "proven" and max_pieces > 1 and not cand.den_powers and (
                cand.tails or (problem.low is None and problem.high is None)):
            # (in pieces only with the tails when there are any: without them the
            # pieces would have to cover the unbounded tail intervals)
            attempts.append(att)
            approx, bad, outcome = solve_pieces(problem, cand, max_pieces,
                                                cost_limit=win_cost)
            if approx is None:
                att = Attempt(cand, cost, outcome, None, pieces=max_pieces)
            elif approx.cost().total >= win_cost:
                att = Attempt(cand, approx.cost().total, "costlier than the best", bad,
                              approx, 0, approx.pieces)
            elif outcome == "candidate":
                att = prove(cand, replace(approx, name=name), 0)
            else:
                att = Attempt(cand, approx.cost().total, outcome, bad, approx, 0,
                              approx.pieces)
        attempts.append(att)
        if sample is not None and last_proof:
            if winner is None:
                notes.append(f"not proven: {att.form} is right on the sample but "
                             f"{last_proof[-1].incorrectly_rounded:,} of "
                             f"{last_proof[-1].inputs:,} inputs are incorrectly rounded")
                best = att
            break
        if att.outcome != "proven" and att.incorrectly_rounded is not None and (
                att.approximant is not None) and (
                best is None or att.incorrectly_rounded < (best.incorrectly_rounded or 0)):
            best = att
    if winner is None and sample is not None and last_proof:
        proof = last_proof[-1]
    elif winner is None and best is not None and best.approximant is not None:
        proof = verify(best.approximant, tgt, f.name, compute=model.compute, fma=model.fma,
                       executor="serial" if sample is None else "local")
        if sample is not None:
            notes.append(f"not proven: no candidate is right on the sample; the best "
                         f"({best.form}) has {proof.incorrectly_rounded:,} of "
                         f"{proof.inputs:,} inputs incorrectly rounded")
    # unproven: the proof's own count when one was run (float32: the exhaustive one)
    if winner is None and proof is not None:
        best_bad: int | None = proof.incorrectly_rounded
    else:
        best_bad = None if best is None else best.incorrectly_rounded
    return SynthesisResult(
        target=tgt.name, model=model, ulp=ulp, proven=winner is not None,
        approximant=winner if winner is not None else (None if best is None
                                                       else best.approximant),
        verify=proof, candidates=tuple(attempts), lookup_table=lookup_table(f),
        tails=tails, seconds=time.perf_counter() - t0,
        best_incorrectly_rounded=best_bad,
        best_form=None if best is None else best.form, notes=tuple(notes))


def check_result(result: SynthesisResult) -> None:
    """Raise :class:`ComputationError` unless the result is proven (for callers that
    want an exception)."""
    if not result.proven:
        raise ComputationError(f"no candidate was proven correctly rounded; the best has "
                               f"{result.best_incorrectly_rounded} incorrectly rounded "
                               "inputs")


#: The families of the table's searches.
TABLE_FAMILIES: tuple[str, ...] = ("poly", "sigmoid", "tanh")
#: The targets of issue 15's table.
TABLE_TARGETS: tuple[str, ...] = ("gelu", "silu", "tanh", "erf", "phi", "softplus", "mish",
                                  "sigmoid")


#: Pieces a table row first allows, and then, when nothing is proven, once more.
TABLE_PIECES: tuple[int, ...] = (8, 16)
#: Whether a table row still not proven is searched once more with the centred shapes
#: (:func:`synthesize`'s ``centred``) and the most pieces of :data:`TABLE_PIECES`.
TABLE_CENTRED = True


def synthesis_row(target: str, format: str, fma: bool, *, max_degree: int = 8,
                  max_pieces: int | Sequence[int] = TABLE_PIECES,
                  families: Sequence[str] = TABLE_FAMILIES,
                  centred: bool = TABLE_CENTRED) -> dict[str, Any]:
    """One :func:`synthesize` run (float32 compute) as a row of ``results/synthesis.md``;
    with a sequence of ``max_pieces``, one run per value in turn until one is proven (a
    row that needs 16 pieces is searched again only when 8 do not do; the row says
    which: ``max_pieces``); with ``centred``, a row still not proven is searched once
    more with the centred shapes (the row's ``centred`` says whether that run gave it).

    Returns
    -------
    dict
        ``target, format, fma, proven, incorrectly_rounded, form, family, degree,
        pieces, cost`` (the weighted total), ``cost_detail`` (the counts),
        ``lookup_table_bytes``, ``candidates_tried``, ``verify`` (the proof's inputs,
        incorrectly rounded count, max ulp, specials and mpmath cases), ``approximant``
        (the winner's spec, or the best found) and ``seconds``: all deterministic but
        ``seconds``.
    """
    steps = (max_pieces,) if isinstance(max_pieces, int) else tuple(max_pieces)
    runs = [(n, False) for n in steps] + ([(max(steps), True)] if centred else [])
    seconds = 0.0
    for n, cen in runs:
        r = synthesize(target, format, fma=fma, max_degree=max_degree, max_pieces=n,
                       families=tuple(families), centred=cen)
        seconds += r.seconds
        if r.proven:
            break
    a = r.approximant
    w = r.winner
    v = None if r.verify is None else r.verify.to_dict()
    proof = None if v is None else {
        k: v[k] for k in ("inputs", "input_set", "incorrectly_rounded", "max_ulp",
                          "argmax_ulp", "specials", "reference_mpmath_cases") if k in v}
    return {"target": r.target, "format": r.model.format, "fma": r.model.fma,
            "families": list(families), "max_pieces": n, "centred": cen,
            "proven": r.proven,
            "incorrectly_rounded": 0 if r.proven else r.best_incorrectly_rounded,
            "form": w.form if w is not None else r.best_form,
            "family": None if a is None else a.family,
            "degree": None if a is None else max(a.powers, default=0),
            "pieces": None if a is None else a.pieces,
            "cost": None if a is None else a.cost().total,
            "cost_detail": None if a is None else a.cost().to_dict(),
            "lookup_table_bytes": r.lookup_table["bytes"],
            "candidates_tried": len(r.candidates), "verify": proof,
            "approximant": None if a is None else a.to_dict(),
            "seconds": round(seconds, 1)}


def _row_task(args: tuple[str, str, bool, int, Any]) -> dict[str, Any]:
    t, fmt, fma, d, n = args
    return synthesis_row(t, fmt, fma, max_degree=d, max_pieces=n)


def synthesis_table(targets: Any = TABLE_TARGETS, formats: Any = ("bfloat16", "float16"),
                    fmas: Any = (False, True), *, max_degree: Any = 8,
                    max_pieces: Any = TABLE_PIECES, executor: Any = "serial",
                    progress: Callable[[int, int], Any] | None = None
                    ) -> list[dict[str, Any]]:
    """One :func:`synthesis_row` per target × format × fma (float32 compute), in that
    order.

    Parameters
    ----------
    targets, formats, fmas : sequence
        The table's axes.
    max_degree : int
        As :func:`synthesize`.
    max_pieces : int or sequence of int
        As :func:`synthesis_row`.
    executor : str, Executor or None
        Where the rows run (``"serial"``, ``"local"``, ``"dask://HOST:PORT"``): each row
        is one task.
    progress : callable, optional
        ``progress(done, total)`` rows.
    """
    from approxfit.core.checks import check_int
    from approxfit.core.executors import resolve_executor

    for name, v in (("targets", targets), ("formats", formats), ("fmas", fmas)):
        if isinstance(v, str | bytes) or not isinstance(v, Sequence) or not v:
            raise InputError(f"`{name}` must be a non-empty list, got {str(v)[:60]!r}")
    d = check_int(max_degree, "max_degree", 1, 16)
    n: Any = (check_int(max_pieces, "max_pieces", 1, 16) if isinstance(max_pieces, int)
              else tuple(check_int(v, "max_pieces", 1, 16) for v in max_pieces))
    tasks = [(t, fmt, bool(fma), d, n) for t in targets for fmt in formats for fma in fmas]
    ex, close = resolve_executor(executor)
    if ex is None:
        rows = []
        for i, task in enumerate(tasks):
            if progress is not None:
                progress(i, len(tasks))
            rows.append(_row_task(task))
        if progress is not None:
            progress(len(tasks), len(tasks))
        return rows
    from concurrent.futures import as_completed

    cancel = True
    try:
        from approxfit.lowprec.formats import finite_count

        # the formats with the most inputs first (their rows take longest)
        order = sorted(range(len(tasks)), key=lambda i: -finite_count(
            get_format(tasks[i][1], float8=True)))
        futures = {ex.submit(_row_task, tasks[i]): i for i in order}
        out: dict[int, dict[str, Any]] = {}
        for fut in as_completed(futures):
            out[futures[fut]] = fut.result()
            if progress is not None:
                progress(len(out), len(tasks))
        cancel = False
    finally:
        if close is not None:
            close(cancel=cancel)
    return [out[i] for i in range(len(tasks))]
