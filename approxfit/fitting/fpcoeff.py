"""Coefficients in a format: the best poly or ``P/Q`` whose coefficients are exactly
float32, float16, bfloat16 or float64 numbers (:func:`fit_in_format`, the library call
behind ``approxfit fit … --coefficients F``).

Method
------
The literature's route is Brisebarre & Chevillard, "Efficient polynomial
L∞-approximations", ARITH 18 (2007), the algorithm behind Sollya's ``fpminimax``: the
exponent of every coefficient is fixed from the real minimax coefficients, and the
integer mantissas solve a closest-vector problem (LLL) at Chebyshev-like points. That is
a heuristic: the lattice point is close in a least-squares sense, not the L∞ optimum.
This module searches instead, exactly, on a discretisation:

1. The float64 minimax fit (:func:`approxfit.fitting.fit.fit`, ``objective="minimax"``)
   gives the real coefficients ``c*`` and its error E; round-to-nearest gives the
   incumbent, whose error ``t₀`` on the fit's sample grid (20001 points) every better
   candidate must beat.
2. **Box.** A linear programme per coefficient (HiGHS) gives the range of each
   coefficient over the polytope ``{c : |err(c, x_j)| ≤ t₀}`` on a set of Chebyshev
   points ``x_j`` of the grid: every coefficient vector that beats round-to-nearest on
   the grid lies in this box (a superset, since fewer points constrain less).
3. **Exponents.** Every binade (exponent) of the format that meets a coefficient's
   range is tried: in the binade of ulp ``u`` the coefficient is ``m·u`` with an integer
   ``|m| < 2^p``, which also covers the smaller binades' coarser numbers. The product of
   these choices is searched (at most :data:`MAX_COMBOS`; a range that contains 0 keeps
   its :data:`MAX_BINADES` largest binades, and the proof says that the smaller
   magnitudes were searched on a coarser grid).
4. **MILP with cutting planes.** For each choice: minimise t subject to
   ``|Σ m_i u_i φ_i(x_j) − f(x_j)|·w_j ≤ t`` (``w = 1`` absolute, ``1/|f|`` relative) on
   the current points, integer ``m_i`` in the box (``scipy.optimize.milp``, HiGHS, one
   thread, ``mip_rel_gap = 0``); then the error on the whole grid is computed and the
   local maxima above t join the points, until the grid's maximum equals the discrete
   one (to :data:`AGREE`). The discrete optimum is a lower bound for every vector of the
   box on the grid, so agreement proves the vector best on the grid.
5. **Polish.** A coordinate search over ±1, ±2 representable neighbours on the grid in
   float64 arithmetic removes what HiGHS's feasibility tolerance (1e-7 of E) could hide.
   The result is never worse than round-to-nearest on the grid.

float64 coefficients of a mixed list are continuous variables (rounded afterwards).
A rational ``P/Q`` alternates: Q fixed (first the rounded float64 minimax Q), P solved
exactly as above with weights ``w/Q``; then P fixed and Q solved with the error
linearised at the current Q (``|P − fQ|·w/Q₀``), kept only when the true grid error
drops; at most :data:`RATIONAL_ROUNDS` rounds. The proof then covers P for the final Q.

Bounds and determinism: each MILP stops after :data:`NODE_LIMIT` branch-and-bound
nodes (a deterministic count, no time limit); the cutting-plane loop after
:data:`MAX_ROUNDS` rounds. When either is hit the best vector found is kept and the
proof says it is not proven optimal. The same call gives the same bits.

What is proven and what is measured: ``proof`` states it (optimal on the grid of N
points among all representable vectors of the box, or less); ``max_error`` is measured as
:func:`approxfit.fitting.fit.fit` measures a minimax fit — on the grid, the maxima
refined between samples (:func:`approxfit.measure.metrics.approximant_metrics`) — and is
not proven on the continuous range.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.families import vander
from approxfit.core.checks import InputTypeError, check_choice, shown
from approxfit.core.exceptions import ApproxfitError, ComputationError, InputError
from approxfit.lowprec.formats import DTYPES, get_format, round_to_format, step_ulps, ulp

__all__ = [
    "AGREE",
    "FORMAT_FAMILIES",
    "MAX_BINADES",
    "MAX_COMBOS",
    "MAX_FORMAT_DEGREE",
    "MAX_ROUNDS",
    "NODE_LIMIT",
    "RATIONAL_ROUNDS",
    "FormatFit",
    "fit_in_format",
    "format_fit_text",
    "parse_formats",
]

Array = np.ndarray
FORMAT_FAMILIES: tuple[str, ...] = ("poly", "rational")
MAX_FORMAT_DEGREE = 16
"""The highest degree (of P, and of Q) :func:`fit_in_format` searches."""
NODE_LIMIT = 20_000
"""Branch-and-bound nodes per MILP (HiGHS's ``node_limit``)."""
MAX_ROUNDS = 40
"""Cutting-plane rounds per exponent choice."""
MAX_COMBOS = 32
"""Exponent choices (products of binades) searched at most."""
MAX_BINADES = 4
"""Binades kept per coefficient whose range contains 0 (the largest)."""
RATIONAL_ROUNDS = 4
"""Alternations of numerator and denominator for ``P/Q``."""
AGREE = 1e-6
"""Relative agreement of the grid's maximum and the discrete optimum that ends the
cutting-plane loop (HiGHS solves to a feasibility tolerance of 1e-7 of E)."""
CHEB_FACTOR = 4
"""Initial discrete points: ``CHEB_FACTOR·(n + 1) + 1`` Chebyshev extrema."""


@dataclass(frozen=True)
class FormatFit:
    """An approximant whose coefficients are representable in given formats.

    Attributes
    ----------
    approximant : Approximant or RationalApproximant
        The result; its coefficients are exactly the representable values.
    max_error : float
        Its max error (absolute or relative, per ``error``) measured as ``fit`` measures
        a minimax fit: on the grid, maxima refined between samples.
    float64_error : float
        The float64 minimax fit's error, measured the same way.
    nearest_error : float
        The error of the float64 coefficients rounded to nearest, measured the same way.
    proof : str
        What was proven (and on which points) and what was only measured.
    proven : bool
        True when the result is optimal on the grid among every representable vector
        of the box (every exponent choice solved to optimality, cutting planes agreed,
        every binade covered).
    names, formats : tuple of str
        The coefficients, in the fit's order, and the format of each.
    coefficients, nearest, float64 : dict
        Name → value: the result, round-to-nearest, the float64 minimax fit.
    fixed : tuple of str
        Coefficients held at their given values.
    error, on : str
        ``absolute``/``relative``; ``value``/``gate``.
    range : (float, float)
    grid_points : int
        Points of the grid the proof refers to.
    discrete_points : int
        Points in the last MILP (the cutting planes' final set, largest over choices).
    combos : int
        Exponent choices searched.
    nodes : int
        Branch-and-bound nodes, summed over every MILP.
    milps : int
        MILPs solved.
    """

    approximant: Any
    max_error: float
    float64_error: float
    nearest_error: float
    proof: str
    proven: bool
    names: tuple[str, ...]
    formats: tuple[str, ...]
    coefficients: dict[str, float]
    nearest: dict[str, float]
    float64: dict[str, float]
    fixed: tuple[str, ...]
    error: str
    on: str
    range: tuple[float, float]
    grid_points: int
    discrete_points: int
    combos: int
    nodes: int
    milps: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the keys documented in ``docs/coefficients.md``."""
        return {
            "kind": "format_fit", "target": self.approximant.target_name,
            "family": self.approximant.family, "error": self.error, "on": self.on,
            "range": list(self.range),
            "formats": dict(zip(self.names, self.formats, strict=True)),
            "coefficients": {n: float(v) for n, v in self.coefficients.items()},
            "coefficients_hex": {n: float(v).hex() for n, v in self.coefficients.items()},
            "coefficients_nearest": {n: float(v) for n, v in self.nearest.items()},
            "coefficients_float64": {n: float(v) for n, v in self.float64.items()},
            "fixed": list(self.fixed),
            "max_error": self.max_error, "float64_error": self.float64_error,
            "nearest_error": self.nearest_error, "proven": self.proven,
            "proof": self.proof, "grid_points": self.grid_points,
            "discrete_points": self.discrete_points, "exponent_choices": self.combos,
            "milps": self.milps, "nodes": self.nodes,
            "approximant": self.approximant.to_dict(),
        }


def parse_formats(formats: str | Sequence[str], names: Sequence[str]) -> tuple[str, ...]:
    """One format per coefficient: a name for all, or one per name (a comma list or a
    sequence), in the fit's order of ``names``.

    Raises
    ------
    InputError
        An unknown format or a count other than 1 or ``len(names)``.
    """
    if isinstance(formats, str):
        items = [s.strip() for s in formats.split(",")]
    elif isinstance(formats, Sequence):
        items = list(formats)
    else:
        raise InputTypeError(f"`formats` must be a format name or a sequence of them, got "
                             f"{type(formats).__name__} {shown(formats)}")
    for f in items:
        if not isinstance(f, str) or f not in DTYPES:
            raise InputError(f"`formats` must name {', '.join(DTYPES)}, got {shown(f)}")
    if len(items) == 1:
        items = items * len(names)
    if len(items) != len(names):
        raise InputError(f"`formats` gives {len(items)} formats for {len(names)} "
                         f"coefficients ({', '.join(names)}); give one, or one per "
                         "coefficient")
    return tuple(items)


def fit_in_format(target: Any, family: str, degree: int, *, formats: str | Sequence[str],
                  range_: Sequence[float], error: str = "absolute",
                  fixed: Mapping[str, float | str] | None = None, parity: str | None = None,
                  den_degree: int | None = None, den_parity: str | None = None,
                  progress: Callable[[int, int], Any] | None = None) -> FormatFit:
    """The best poly or ``P/Q`` with coefficients in the given formats (see the module).

    Parameters
    ----------
    target : str or Target
        As :func:`approxfit.fitting.fit.fit` takes it.
    family : {"poly", "rational"}
        tanh and sigmoid (a gate around a polynomial) are refused.
    degree : int
        Degree of the polynomial (of P), at most :data:`MAX_FORMAT_DEGREE`.
    formats : str or sequence of str
        ``float64``, ``float32``, ``float16`` or ``bfloat16``: one for every coefficient,
        or one per coefficient in the fit's order (``c0, c1, …``, then ``d1, …``).
    range_ : (float, float)
        The interval.
    error : {"absolute", "relative"}
    fixed : mapping, optional
        Coefficients kept exactly (numbers or expressions); each must be representable
        in its format.
    parity, den_degree, den_parity
        As :func:`approxfit.fitting.fit.fit` takes them.
    progress : callable, optional
        ``progress(done, total)`` before each exponent choice of an exact search (one
        search per polynomial, several for a P/Q's alternation).

    Returns
    -------
    FormatFit

    Raises
    ------
    InputError
        Bad family, degree, formats, or a fixed value not representable in its format.
    ComputationError
        When the float64 fit fails or a linear programme fails.
    """
    if progress is not None and not callable(progress):
        raise InputError("`progress` must be a callable progress(done, total) or None")
    token = _PROGRESS.set(progress)
    try:
        # overflow or NaN surfaces below as linprog's refusal, translated here
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return _fit_in_format(target, family, degree, formats=formats, range_=range_,
                                  error=error, fixed=fixed, parity=parity,
                                  den_degree=den_degree, den_parity=den_parity)
    except ApproxfitError:
        raise
    except (ValueError, OverflowError, FloatingPointError) as exc:
        # non-finite numbers reached the linear programmes: a coefficient or a point
        # overflows its format, or the range is too narrow to tell the powers apart
        where = formats if isinstance(formats, str) else "the formats"
        raise ComputationError(f"the search in {where} failed on [{range_[0]:g}, "
                               f"{range_[1]:g}]: "
                               f"{str(exc).splitlines()[0][:80]} (a coefficient or the "
                               "error overflows the format, or the range is too narrow "
                               "for the degree)") from None
    finally:
        _PROGRESS.reset(token)


#: The progress callback of the running :func:`fit_in_format` (a context variable, so
#: the search's helpers need not pass it along).
_PROGRESS: ContextVar[Callable[[int, int], Any] | None] = ContextVar("_PROGRESS", default=None)


def _fit_in_format(target: Any, family: str, degree: int, *, formats: str | Sequence[str],
                   range_: Sequence[float], error: str, fixed: Mapping[str, float | str] | None,
                   parity: str | None, den_degree: int | None, den_parity: str | None
                   ) -> FormatFit:
    """:func:`fit_in_format` without its translation of numeric failures."""
    from approxfit.fitting.fit import fit, sample_grid

    family = check_choice(family, ("poly", "rational", "tanh", "sigmoid"), "family")
    if family not in FORMAT_FAMILIES:
        raise InputError(f"coefficients in a format apply to the poly and rational "
                         f"families, not {family} (its gate makes the error nonlinear in "
                         "the coefficients)")
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer):
        raise InputTypeError(f"`degree` must be a whole number, got {shown(degree)}")
    if not 0 <= int(degree) <= MAX_FORMAT_DEGREE:
        raise InputError(f"`degree` must be 0 … {MAX_FORMAT_DEGREE} for coefficients in a "
                         f"format, got {int(degree)}")
    if den_degree is not None and family == "rational" and not (
            isinstance(den_degree, int) and 1 <= den_degree <= MAX_FORMAT_DEGREE):
        raise InputError(f"`den_degree` must be 1 … {MAX_FORMAT_DEGREE} for coefficients "
                         f"in a format, got {shown(den_degree)}")
    check_choice(error, ("absolute", "relative"), "error")
    if isinstance(formats, str | Sequence):       # format names checked before the fit
        items = formats.split(",") if isinstance(formats, str) else list(formats)
        parse_formats(formats, ["c"] * len(items))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit(target, family, degree=int(degree), parity=parity, fix=fixed,
                  objective="minimax", range=range_, error=error,
                  den_degree=den_degree if family == "rational" else 2,
                  den_parity=den_parity if family == "rational" else None)
    if not res.converged:
        raise ComputationError(f"the float64 minimax fit did not converge: {res.message}")
    a64 = res.approximant
    c64 = dict(a64.coefficients)
    names = tuple(c64)
    fmts = parse_formats(formats, names)
    fixed_names = tuple(res.fixed)
    for n, f in zip(names, fmts, strict=True):
        if n in fixed_names:
            v = c64[n]
            r = float(round_to_format(v, f))
            if r != v:
                raise InputError(f"`fixed` {n} = {v!r} is not representable in {f} "
                                 f"(the nearest is {r!r}); give a {f} number")
    grid = sample_grid("uniform", range=range_)
    x = np.asarray(grid.x, dtype=float)
    on = res.on
    y = a64.target_obj.evaluate(x, on=on)
    relative = error == "relative"
    keep = (y != 0) if relative else np.ones(x.size, dtype=bool)
    xk, yk = x[keep], y[keep]
    wk = 1.0 / np.abs(yk) if relative else np.ones_like(yk)
    nearest = {n: (c64[n] if n in fixed_names else float(round_to_format(c64[n], f)))
               for n, f in zip(names, fmts, strict=True)}
    scale = max(_measure(a64, x, grid.lo, grid.hi, on, relative, y), 1e-300)
    prob = _Grid(xk, yk, wk, scale)
    if family == "poly":
        powers = tuple(int(n[1:]) for n in names)
        best, stats = _solve_poly(prob, powers, names, fmts, fixed_names, c64, nearest)
    else:
        best, stats = _solve_rational(prob, a64, names, fmts, fixed_names, c64, nearest)
    approx = a64.with_coefficients(best, name=f"{a64.name or family}@format")
    near = a64.with_coefficients(nearest, name=f"{a64.name or family}@nearest")
    e_best = _measure(approx, x, grid.lo, grid.hi, on, relative, y)
    e_near = _measure(near, x, grid.lo, grid.hi, on, relative, y)
    if e_near < e_best:               # the refined maximum disagrees with the grid's
        approx, best, e_best = near, dict(nearest), e_near
        stats["note"] = "round-to-nearest kept: its refined maximum is smaller"
    fmt_text = fmts[0] if len(set(fmts)) == 1 else ", ".join(f"{n}:{f}" for n, f in
                                                            zip(names, fmts, strict=True))
    proof = _proof_text(stats, fmt_text, grid.size, grid.lo, grid.hi, family)
    return FormatFit(
        approximant=approx, max_error=e_best, float64_error=scale, nearest_error=e_near,
        proof=proof, proven=bool(stats["proven"]), names=names, formats=fmts,
        coefficients={n: float(best[n]) for n in names}, nearest=nearest,
        float64={n: float(c64[n]) for n in names}, fixed=fixed_names, error=error, on=on,
        range=(grid.lo, grid.hi), grid_points=int(grid.size),
        discrete_points=int(stats["points"]), combos=int(stats["combos"]),
        nodes=int(stats["nodes"]), milps=int(stats["milps"]))


def _measure(approx: Any, x: Array, lo: float, hi: float, on: str, relative: bool,
             y: Array) -> float:
    """The max error as :func:`approxfit.fitting.fit.fit` measures a minimax fit."""
    from approxfit.measure.metrics import approximant_metrics

    m = approximant_metrics(approx, x, lo=lo, hi=hi, exact={on: y})[on]
    return float(m["max_rel_error_range" if relative else "max_abs_error_range"])


@dataclass(frozen=True)
class _Grid:
    """The grid of the proof: points, target, weights (1 or 1/|f|), the error scale E."""

    x: Array
    y: Array
    w: Array
    scale: float


@dataclass
class _Block:
    """A linear block of the error: ``err_j = (A[j] @ v + b[j])`` (weights included).

    ``vars`` are the searched coefficients (their formats), the rest is in ``b``.
    """

    a: Array
    b: Array
    formats: list[str]
    center: Array


def _solve_poly(prob: _Grid, powers: tuple[int, ...], names: tuple[str, ...],
                fmts: tuple[str, ...], fixed: tuple[str, ...], c64: Mapping[str, float],
                nearest: Mapping[str, float]) -> tuple[dict[str, float], dict[str, Any]]:
    v = vander(prob.x, powers)
    free = [j for j, n in enumerate(names) if n not in fixed]
    fixed_part = np.zeros_like(prob.x)
    for j, n in enumerate(names):
        if n in fixed:
            fixed_part += v[:, j] * c64[n]
    block = _Block(v[:, free] * prob.w[:, None], (fixed_part - prob.y) * prob.w,
                   [fmts[j] for j in free], np.array([c64[names[j]] for j in free]))
    start = np.array([nearest[names[j]] for j in free])
    vals, stats = _search(block, start, prob.scale)
    out = dict(nearest)
    for j, val in zip(free, vals, strict=True):
        out[names[j]] = float(val)
    return out, stats


def _solve_rational(prob: _Grid, a64: Any, names: tuple[str, ...], fmts: tuple[str, ...],
                    fixed: tuple[str, ...], c64: Mapping[str, float],
                    nearest: Mapping[str, float]
                    ) -> tuple[dict[str, float], dict[str, Any]]:
    m = a64.monomial
    num_p, den_p = m.num_powers, m.den_powers
    vn, vd = vander(prob.x, num_p), vander(prob.x, den_p)
    nn = len(num_p)
    cur = dict(nearest)
    x = prob.x

    def vec(which: range) -> Array:
        return np.array([cur[names[j]] for j in which])

    def p_q(c: Mapping[str, float]) -> tuple[Array, Array]:
        pn = vn @ np.array([c[names[j]] for j in range(nn)])
        qd = 1.0 + vd @ np.array([c[names[j]] for j in range(nn, len(names))])
        return pn, qd

    def grid_err(c: Mapping[str, float]) -> float:
        pn, qd = p_q(c)
        if np.any(qd <= 0):
            return math.inf
        return float(np.max(np.abs(pn / qd - prob.y) * prob.w))

    total: dict[str, Any] = {"proven": False, "points": 0, "combos": 0, "nodes": 0,
                             "milps": 0, "complete": True, "optimal": True, "agreed": True,
                             "rational_rounds": 0}
    best_err = grid_err(cur)
    if not math.isfinite(best_err):
        raise ComputationError(f"the rounded denominator of {a64.target_name}'s P/Q is not "
                               f"positive on [{x[0]:g}, {x[-1]:g}]")
    num_stats: dict[str, Any] | None = None

    def solve(block: _Block, idx: list[int]) -> tuple[dict[str, float], float,
                                                       dict[str, Any]]:
        """The exact search over the coefficients ``idx`` of ``cur``: the trial
        coefficients, their grid error and the search's statistics."""
        vals, st = _search(block, np.array([cur[names[j]] for j in idx]), prob.scale)
        _merge(total, st)
        trial = dict(cur)
        trial.update({names[j]: float(v) for j, v in zip(idx, vals, strict=True)})
        return trial, grid_err(trial), st

    for rnd in range(RATIONAL_ROUNDS):
        total["rational_rounds"] = rnd + 1
        # numerator, Q fixed: err = (P − fQ)/Q·w, linear in P
        _, qd = p_q(cur)
        free = [j for j in range(nn) if names[j] not in fixed]
        fixed_part = sum((vn[:, j] * cur[names[j]] for j in range(nn) if names[j] in fixed),
                         np.zeros_like(x))
        wq = prob.w / qd
        block = _Block(vn[:, free] * wq[:, None], (fixed_part - prob.y * qd) * wq,
                       [fmts[j] for j in free], np.array([c64[names[j]] for j in free]))
        trial, e, st = solve(block, free)
        improved = e < best_err
        if e <= best_err:
            cur, best_err, num_stats = trial, e, st
        # denominator, P fixed, linearised at Q0: (P − f·(1 + Σ d x^k))·w/Q0
        pn, q0 = p_q(cur)
        freed = [j for j in range(nn, len(names)) if names[j] not in fixed]
        if not freed:
            break
        fixed_d = sum((vd[:, j - nn] * cur[names[j]] for j in range(nn, len(names))
                       if names[j] in fixed), np.zeros_like(x))
        wq = prob.w / q0
        block = _Block(-(vd[:, [j - nn for j in freed]] * (prob.y * wq)[:, None]),
                       (pn - prob.y * (1.0 + fixed_d)) * wq,
                       [fmts[j] for j in freed], np.array([c64[names[j]] for j in freed]))
        trial, e, _ = solve(block, freed)
        if e < best_err:
            cur, best_err, improved = trial, e, True
        if not improved:
            break
    del vec
    total["proven"] = False
    total["numerator"] = num_stats
    total["polished"] = _polish_rational(cur, names, fmts, fixed, grid_err)
    return cur, total


def _polish_rational(cur: dict[str, float], names: tuple[str, ...], fmts: tuple[str, ...],
                     fixed: tuple[str, ...], grid_err: Any) -> int:
    moves = 0
    best = grid_err(cur)
    for _ in range(20):
        improved = False
        for n, f in zip(names, fmts, strict=True):
            if n in fixed:
                continue
            for k in (1, -1, 2, -2):
                cand = dict(cur)
                cand[n] = float(step_ulps(cur[n], k, f))
                e = grid_err(cand)
                if e < best:
                    cur.update(cand)
                    best, improved = e, True
                    moves += 1
                    break
        if not improved:
            break
    return moves


def _merge(total: dict[str, Any], st: Mapping[str, Any]) -> None:
    for k in ("combos", "nodes", "milps"):
        total[k] += st[k]
    total["points"] = max(total["points"], st["points"])
    for k in ("complete", "optimal", "agreed"):
        total[k] = total[k] and st[k]


def _search(block: _Block, start: Array, scale: float) -> tuple[Array, dict[str, Any]]:
    """The exact search of the module's steps 2–5 on one linear block."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    a, b = block.a, block.b
    nvar = a.shape[1]
    stats: dict[str, Any] = {"combos": 0, "nodes": 0, "milps": 0, "points": 0,
                             "complete": True, "optimal": True, "agreed": True, "polished": 0}

    def grid_err(v: Array) -> Array:
        return np.abs(a @ v + b)

    e_start = float(np.max(grid_err(start)))
    if nvar == 0:
        stats["proven"] = True
        return start, stats
    cont = np.array([f == "float64" for f in block.formats])
    # the initial points: Chebyshev extrema, as grid indices
    npts = a.shape[0]
    k = CHEB_FACTOR * (nvar + 1) + 1
    t = np.cos(np.pi * np.arange(k) / (k - 1))[::-1]
    pts = np.unique(np.round((t + 1) / 2 * (npts - 1)).astype(np.intp))
    # the box: where each coefficient can be when the error is at most e_start
    # units: the change of each coefficient that moves the error by E at most
    colmax = np.max(np.abs(a[pts]), axis=0)
    if np.any(colmax == 0):
        raise ComputationError("a coefficient has no effect on the points; lower the degree")
    sigma = scale / colmax
    cen = block.center
    lim = e_start / scale * (1 + 1e-9) + 1e-9
    ar = a[pts] * sigma / scale
    br = (a[pts] @ cen + b[pts]) / scale
    a_ub = np.vstack([ar, -ar])
    b_ub = np.concatenate([lim - br, lim + br])
    lo_box, hi_box = np.empty(nvar), np.empty(nvar)
    for i in range(nvar):
        for sgn, store in ((1.0, lo_box), (-1.0, hi_box)):
            c = np.zeros(nvar)
            c[i] = sgn
            r = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * nvar,
                        method="highs")
            if r.status != 0:
                raise ComputationError(f"the box's linear programme failed: {r.message}")
            store[i] = r.x[i]
    pad = 1e-6 * (1.0 + hi_box - lo_box)          # HiGHS's tolerance, with room
    lo_v = cen + (lo_box - pad) * sigma
    hi_v = cen + (hi_box + pad) * sigma
    # the binades per coefficient
    choices: list[list[float]] = []
    for i in range(nvar):
        f = block.formats[i]
        if cont[i]:
            choices.append([0.0])
            continue
        lo_i, hi_i = lo_v[i], hi_v[i]
        if lo_i <= 0 <= hi_i:
            top = max(float(ulp(lo_i, f)), float(ulp(hi_i, f)))
            us = []
            u = top
            tiny = float(ulp(0.0, f))
            while u >= tiny and len(us) < MAX_BINADES:
                us.append(u)
                u /= 2
            if u >= tiny:
                stats["complete"] = False
        else:
            small, big = sorted((abs(lo_i), abs(hi_i)))
            ub, us_, us = float(ulp(big, f)), float(ulp(small, f)), []
            u = ub
            while u >= us_ and len(us) < MAX_BINADES:
                us.append(u)
                u /= 2
            if u >= us_:
                stats["complete"] = False
        choices.append(us)
    combos = list(itertools.product(*choices))
    if len(combos) > MAX_COMBOS:
        stats["complete"] = False
        # keep the coarser (larger) binades first: sort by the total exponent
        combos = sorted(combos, key=lambda c: -sum(math.log2(u) for u in c if u > 0))
        combos = combos[:MAX_COMBOS]
    best_v, best_e = start.copy(), e_start
    report = _PROGRESS.get()
    for done, combo in enumerate(combos):
        if report is not None:
            report(done, len(combos))
        stats["combos"] += 1
        us = np.array([sigma[i] if cont[i] else combo[i] for i in range(nvar)])
        ctr = np.array([cen[i] if cont[i] else round(cen[i] / us[i]) * us[i]
                        for i in range(nvar)])
        mlo, mhi = np.empty(nvar), np.empty(nvar)
        for i in range(nvar):
            if cont[i]:
                mlo[i], mhi[i] = (lo_v[i] - ctr[i]) / us[i], (hi_v[i] - ctr[i]) / us[i]
                continue
            p = get_format(block.formats[i]).precision
            lim_m = 2.0 ** p - 1
            fmax = get_format(block.formats[i]).max
            lo_m = max(math.ceil(lo_v[i] / us[i]), -lim_m, -math.floor(fmax / us[i]))
            hi_m = min(math.floor(hi_v[i] / us[i]), lim_m, math.floor(fmax / us[i]))
            c_m = round(ctr[i] / us[i])
            mlo[i], mhi[i] = lo_m - c_m, hi_m - c_m
        if np.any(mlo > mhi):
            continue
        cur_pts = pts.copy()
        ok_opt, agreed = True, False
        sol_v = None
        for _ in range(MAX_ROUNDS):
            ar = a[cur_pts] * us / scale
            br = (a[cur_pts] @ ctr + b[cur_pts]) / scale
            nrow = cur_pts.size
            amat = np.block([[ar, -np.ones((nrow, 1))], [-ar, -np.ones((nrow, 1))]])
            ub_ = np.concatenate([-br, br])
            cost = np.zeros(nvar + 1)
            cost[-1] = 1.0
            integrality = np.concatenate([(~cont).astype(int), [0]])
            with _quiet_stdout():
                r = milp(cost, integrality=integrality,
                         bounds=Bounds(np.concatenate([mlo, [0.0]]),
                                       np.concatenate([mhi, [np.inf]])),
                         constraints=LinearConstraint(amat, -np.inf, ub_),
                         options={"node_limit": NODE_LIMIT, "mip_rel_gap": 0.0,
                                  "presolve": True, "disp": False})
            stats["milps"] += 1
            stats["nodes"] += int(getattr(r, "mip_node_count", 0) or 0)
            if r.x is None:
                ok_opt = False
                break
            if r.status != 0:
                ok_opt = False
            d = np.where(cont, r.x[:nvar], np.round(r.x[:nvar]))
            v = ctr + d * us
            v = np.array([float(round_to_format(vi, f)) for vi, f in
                          zip(v, block.formats, strict=True)])
            sol_v = v
            err = grid_err(v)
            tdisc = float(np.max(err[cur_pts]))
            tgrid = float(np.max(err))
            if tgrid <= tdisc * (1 + AGREE) + 1e-300:
                agreed = True
                break
            # add the local maxima above the discrete level
            above = err > tdisc * (1 + 1e-12)
            peak = np.zeros_like(above)
            peak[1:-1] = (err[1:-1] >= err[:-2]) & (err[1:-1] >= err[2:])
            peak[0], peak[-1] = err[0] >= err[1], err[-1] >= err[-2]
            new = np.flatnonzero(above & peak)
            new = new[np.argsort(-err[new], kind="stable")][: 4 * (nvar + 1)]
            new = np.setdiff1d(new, cur_pts)
            if new.size == 0:
                break
            cur_pts = np.union1d(cur_pts, new)
        stats["points"] = max(stats["points"], int(cur_pts.size))
        stats["optimal"] = stats["optimal"] and ok_opt
        stats["agreed"] = stats["agreed"] and agreed
        if sol_v is not None:
            e = float(np.max(grid_err(sol_v)))
            if e < best_e:
                best_v, best_e = sol_v, e
    # polish on the grid in float64 arithmetic
    for _ in range(20):
        improved = False
        for i in range(nvar):
            for kk in (1, -1, 2, -2):
                cand = best_v.copy()
                cand[i] = float(step_ulps(best_v[i], kk, block.formats[i]))
                e = float(np.max(grid_err(cand)))
                if e < best_e:
                    best_v, best_e, improved = cand, e, True
                    stats["polished"] += 1
                    break
        if not improved:
            break
    stats["proven"] = stats["complete"] and stats["optimal"] and stats["agreed"]
    stats["grid_error"] = best_e
    stats["start_error"] = e_start
    return best_v, stats


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """File descriptor 1 to /dev/null: HiGHS's C++ code prints debug lines there
    (``HighsMipSolverData::…``) even with ``disp`` off, which would break ``--json``."""
    import os
    import sys

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:                     # no descriptor 1: nothing to protect
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _proof_text(stats: Mapping[str, Any], fmt: str, n: int, lo: float, hi: float,
                family: str) -> str:
    where = f"the {n}-point grid of [{lo:g}, {hi:g}]"
    if family == "rational":
        head = (f"P/Q by alternation ({stats['rational_rounds']} rounds, not proven "
                "optimal); ")
        num = stats.get("numerator")
        if num is not None and num["proven"]:
            head += f"P is the best {fmt} numerator for the final Q on {where}; "
        else:
            head += "P's search for the final Q was not proven optimal; "
        return head + ("the max error on the whole range is measured (refined between "
                       "samples), not proven")
    if stats["proven"]:
        text = (f"best of all {fmt} coefficient vectors that can beat round-to-nearest, on "
                f"{where} (HiGHS MILP optimal, cutting planes agreed to {AGREE:g}, every "
                "binade searched)")
    else:
        why = []
        if not stats["optimal"]:
            why.append(f"a MILP hit its node limit ({NODE_LIMIT})")
        if not stats["agreed"]:
            why.append(f"the cutting planes did not agree within {MAX_ROUNDS} rounds")
        if not stats["complete"]:
            why.append("not every binade was searched")
        text = (f"best found among {fmt} coefficient vectors on {where}, not proven: "
                + "; ".join(why))
    return text + "; the max error on the whole range is measured (refined between samples)"


def format_fit_text(ff: FormatFit) -> str:
    """Terminal lines for a :class:`FormatFit`."""
    kind = "relative" if ff.error == "relative" else "absolute"
    lines = [f"{ff.approximant.family} of {ff.approximant.target_name} with coefficients in a "
             f"format, {kind} error on [{ff.range[0]:g}, {ff.range[1]:g}]:"]
    for n, f in zip(ff.names, ff.formats, strict=True):
        v = ff.coefficients[n]
        tag = " (fixed)" if n in ff.fixed else ""
        lines.append(f"  {n:<4} = {v!r:<24} {v.hex():<24} {f}{tag}")
    lines.append(f"  max {kind} error: {ff.max_error:.6e}  (float64 minimax "
                 f"{ff.float64_error:.6e}, round-to-nearest {ff.nearest_error:.6e})")
    lines.append(f"  proof: {ff.proof}")
    return "\n".join(lines) + "\n"
