"""Piecewise minimax fits: K pieces on [a, b], a family and degree per piece, breakpoints
given or chosen so that the worst piece's error is least, and exact tails.

:func:`fit_piecewise` builds a :class:`~approxfit.approximants.piecewise.
PiecewiseApproximant` (the kind ``report``, ``export``, ``verify`` and ``synthesize``
run) from minimax fits of each piece on its own interval, by
:func:`approxfit.fitting.fit.fit` (each piece certified as ``approxfit fit`` certifies
it: de la Vallée Poussin's lower bound on its alternation points).

**Breakpoints.**  A piece's minimax error grows with its interval, so for a level ε
the pieces can be laid greedily from the left, each extended (by bisection on its right
end) as far as its error stays ≤ ε; ε is feasible when K pieces reach the right end.
The least feasible ε (bisection on log ε, to a ratio :data:`EPS_RATIO`) is the
minimax error of the best breakpoints; the greedy layout at it has every piece but
the last at ε and the last at most ε, and a few sweeps of pairwise balancing (each
breakpoint moved by bisection until its two neighbours' errors are equal) level them.
``balance`` (least piece error / largest) says how close to equal they end.

**Tails.**  Beyond a threshold the target may be a constant or x to within the fit's
error: GELU is 0 far left and x far right, tanh −1 and 1.  A tail ``(value, T)``
returns ``value`` beyond T (below it for the low tail, above it for the high one);
``T = "auto"`` puts it where the tail's own error on the range first exceeds the
pieces' error ε: the same bisection on ε moves the thresholds with it (a larger ε
lets the tails reach further in and leaves the pieces less to cover).  The error
beyond the range (the whole line, ±:data:`~approxfit.measure.metrics.WHOLE_LINE`) is
measured and reported, not minimised.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.core.checks import InputTypeError, check_choice, check_int, shown
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.targets import Target, resolve_target

__all__ = ["EPS_RATIO", "HIGH_TAILS", "LOW_TAILS", "MAX_PIECES", "PIECE_FAMILIES",
           "PiecewiseFit", "fit_piecewise", "fit_piecewise_options"]

Array = np.ndarray
#: The families a piece may have.
PIECE_FAMILIES: tuple[str, ...] = ("poly", "rational", "sigmoid", "tanh")
#: What a low tail returns (below its threshold) and what a high one returns.
LOW_TAILS: tuple[str, ...] = ("zero", "minus_one", "x")
HIGH_TAILS: tuple[str, ...] = ("x", "one")
_TAIL = {"zero": lambda x: np.zeros_like(x), "minus_one": lambda x: np.full_like(x, -1.0),
         "one": lambda x: np.ones_like(x), "x": lambda x: x}
#: Most pieces.
MAX_PIECES = 32
#: The breakpoint search stops when its bracket on the optimal ε is this tight.
EPS_RATIO = 1e-4
#: Samples of a piece's fit while searching (the final fits use :func:`fit`'s default).
SEARCH_SAMPLES = 1001
#: Samples of the tails' error on the range.
TAIL_SAMPLES = 200_001
#: Pairwise balancing sweeps after the search.
BALANCE_SWEEPS = 4


@dataclass(frozen=True)
class PiecewiseFit:
    """What :func:`fit_piecewise` found.

    Attributes
    ----------
    approximant : PiecewiseApproximant
        The fitted approximant (a family and powers per piece, tails).
    max_error : float
        Its largest error on the range (pieces and the tails' stretch of the range):
        absolute, or relative with ``error="relative"``.
    piece_errors : tuple of float
        Each piece's minimax error on its interval (refined on the whole interval).
    breakpoints : tuple of float
        The interior breakpoints (given or found), ascending.
    tails : dict
        ``{"low": …, "high": …}``: None, or ``{"value", "threshold", "auto", "error"}``
        (``error``: the tail's largest error on the range; ``error_beyond``: beyond the
        range, to the whole line).
    converged : bool
        Every piece's fit converged and its certificate is optimal, and a search
        levelled the pieces' errors to :data:`EPS_RATIO` × 10.
    lower_bounds : tuple of float
        Each piece's certified lower bound on its minimax error.
    balance : float
        Least piece error / largest (1: level).
    whole_line_error : float
        The largest error on ``[−WHOLE_LINE, WHOLE_LINE]``.
    range : (float, float)
    intervals : tuple of (float, float)
        Each piece's interval.
    searched : bool
        Whether the breakpoints were found (not given).
    error : {"absolute", "relative"}
    message : str
    seconds : float
    """

    approximant: PiecewiseApproximant
    max_error: float
    piece_errors: tuple[float, ...]
    breakpoints: tuple[float, ...]
    tails: dict[str, Any]
    converged: bool
    lower_bounds: tuple[float, ...] = ()
    balance: float = 1.0
    whole_line_error: float = math.nan
    range: tuple[float, float] = (math.nan, math.nan)
    intervals: tuple[tuple[float, float], ...] = ()
    searched: bool = False
    error: str = "absolute"
    message: str = ""
    seconds: float = 0.0
    forms: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary, the approximant's description included."""
        return {"approximant": self.approximant.to_dict(), "max_error": self.max_error,
                "error": self.error, "range": list(self.range),
                "breakpoints": list(self.breakpoints),
                "pieces": [{"interval": list(iv), "form": f, "max_error": e,
                            "lower_bound": lb}
                           for iv, f, e, lb in zip(self.intervals, self.forms,
                                                   self.piece_errors, self.lower_bounds,
                                                   strict=True)],
                "searched": self.searched, "balance": self.balance, "tails": self.tails,
                "whole_line_error": self.whole_line_error, "converged": self.converged,
                "message": self.message}

    def summary(self) -> str:
        """The text ``approxfit fit TARGET piecewise`` prints."""
        a, b = self.range
        lines = [f"piecewise minimax fit of {self.approximant.target_name} on "
                 f"[{a:g}, {b:g}], {len(self.piece_errors)} pieces ({self.error} error)",
                 f"  max error on the range: {self.max_error:.6g}"
                 f"   whole line (±1e4): {self.whole_line_error:.6g}"]
        for j, (iv, f, e, lb) in enumerate(zip(self.intervals, self.forms, self.piece_errors,
                                               self.lower_bounds, strict=True)):
            lines.append(f"  piece {j}: [{iv[0]:.9g}, {iv[1]:.9g}]  {f:<14} error {e:.6g}"
                         f"  (certified ≥ {lb:.6g})")
        if self.searched:
            lines.append(f"  breakpoints chosen to minimise the worst piece's error; "
                         f"least/largest piece error = {self.balance:.6f}")
        for side in ("low", "high"):
            t = self.tails.get(side)
            if t is not None:
                rel = "<" if side == "low" else ">"
                how = "found (auto)" if t["auto"] else "given"
                lines.append(f"  {side} tail: {t['value']} for x {rel} {t['threshold']:.9g} "
                             f"({how}); its error {t['error']:.3g} on the range, "
                             f"{t['error_beyond']:.3g} beyond")
        lines.append(f"  {self.approximant.describe()}")
        lines.append(f"  {self.message}")
        return "\n".join(lines)


# -- the inputs ---------------------------------------------------------------------------
def _per_piece(value: Any, pieces: int, name: str, check: Callable[[Any], Any]) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [check(value)] * pieces
    if len(value) != pieces:
        raise InputError(f"`{name}` must have one entry per piece ({pieces}), got "
                         f"{len(value)}")
    return [check(v) for v in value]


def _tail(spec: Any, name: str, values: tuple[str, ...]) -> tuple[str, float | None] | None:
    """``(value, threshold)`` (None: auto) or None from a tail argument."""
    if spec is None or spec == "none":
        return None
    if isinstance(spec, str):
        return check_choice(spec, values, name), None
    if not isinstance(spec, Sequence) or len(spec) != 2:
        raise InputTypeError(f"`{name}` must be a value ({', '.join(values)}) or (value, "
                             f"threshold), got {shown(spec)}")
    value = check_choice(spec[0], values, name)
    t = spec[1]
    if t is None or t == "auto":
        return value, None
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
        raise InputError(f"`{name}` threshold must be a finite number or 'auto', got "
                         f"{shown(t)}")
    return value, float(t)


@dataclass
class _Pieces:
    """The piece fitter with a cache (the search asks for the same interval often)."""

    target: Target
    families: list[str]
    degrees: list[int]
    den_degree: int
    error: str
    samples: int | None
    cache: dict[tuple[int, float, float], float] = field(default_factory=dict)

    def run(self, j: int, lo: float, hi: float, samples: int | None = None):
        from approxfit.fitting.fit import fit

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit(self.target, self.families[j], degree=self.degrees[j],
                       parity="none", objective="minimax", range=(lo, hi),
                       samples=samples, on="value", den_degree=self.den_degree,
                       den_parity="none", error=self.error)

    def measure(self, res) -> float:
        key = "max_rel_error_range" if self.error == "relative" else "max_abs_error_range"
        return float(res.metrics[res.on][key])

    def err(self, j: int, lo: float, hi: float) -> float:
        """Piece j's minimax error on [lo, hi] (on :data:`SEARCH_SAMPLES` samples)."""
        k = (j, lo, hi)
        if k not in self.cache:
            try:
                self.cache[k] = self.measure(self.run(j, lo, hi, self.samples))
            except ComputationError:
                self.cache[k] = math.inf
        return self.cache[k]


def _row(res, family: str) -> tuple[tuple[float, ...], tuple[str, tuple[int, ...],
                                                           tuple[int, ...]]]:
    """A fitted piece as the piecewise kind's row and form."""
    d = res.approximant.to_dict()
    coefs = d["coefficients"]
    powers = tuple(int(k) for k in d["powers"] if int(k) >= 1)
    den_powers = tuple(int(k) for k in d.get("den_powers", ()))
    c0 = float(coefs.get("c0", 0.0))
    row = (c0, c0, *(float(coefs[f"c{k}"]) for k in powers),
           *(float(coefs[f"d{k}"]) for k in den_powers))
    return row, (family, powers, den_powers)


def _tail_error(tgt: Target, value: str, x: Array, relative: bool) -> Array:
    with np.errstate(all="ignore"):
        y = tgt.evaluate(x, on="value")
        e = np.abs(_TAIL[value](x) - y)
        return e / np.abs(y) if relative else e


# -- the fit ------------------------------------------------------------------------------
def fit_piecewise(target: str | Target, *, pieces: int, degree: int | Sequence[int],
                  range_: Sequence[float], families: str | Sequence[str] | None = None,
                  breakpoints: Sequence[float] | None = None, low_tail: Any = None,
                  high_tail: Any = None, error: str = "absolute", den_degree: int = 2,
                  samples: int | None = None) -> PiecewiseFit:
    """A piecewise minimax fit: K pieces, a family and degree per piece, exact tails.

    Parameters
    ----------
    target : str or Target
        What to approximate (its value).
    pieces : int
        K, the number of pieces between the tails (1 … :data:`MAX_PIECES`).
    degree : int or sequence of int
        Each piece's degree (of P for a rational piece), or one for all.
    range_ : (float, float)
        ``[a, b]``: the pieces and the tails' stretch of the range cover it.
    families : str or sequence of str, optional
        Each piece's family (:data:`PIECE_FAMILIES`; sigmoid and tanh need a target with
        a gate), or one for all; default poly.
    breakpoints : sequence of float, optional
        The K − 1 interior breakpoints; default: chosen so the worst piece's error is
        least (module docstring).
    low_tail : str or (str, float or "auto"), optional
        The value below the low threshold (:data:`LOW_TAILS`: ``zero``, ``minus_one``,
        ``x``) and the threshold in [a, b] (a bare value, or "auto": where the tail's
        error reaches the pieces'); None: no tail.
    high_tail : str or (str, float or "auto"), optional
        The same above the high threshold (:data:`HIGH_TAILS`: ``x``, ``one``).
    error : {"absolute", "relative"}
        What each piece minimises (and what the tails are measured by).
    den_degree : int
        The denominator degree of rational pieces.
    samples : int, optional
        Samples of each piece's final fit (default: :func:`~approxfit.fitting.fit.fit`'s).

    Returns
    -------
    PiecewiseFit

    Raises
    ------
    InputError
        For a bad argument (the message names it).
    ComputationError
        When a piece's fit fails.

    Examples
    --------
    >>> r = fit_piecewise("gelu", pieces=2, degree=[3, 6], range_=(-10, 10),
    ...                   breakpoints=[-1.95], low_tail=("zero", -4), high_tail=("x", 3))
    >>> r.max_error < 0.02
    True
    """
    t0 = time.perf_counter()
    tgt = resolve_target(target)
    pieces = check_int(pieces, "pieces", 1, MAX_PIECES)
    check_choice(error, ("absolute", "relative"), "error")
    den_degree = check_int(den_degree, "den_degree", 1, 40)
    degrees = _per_piece(degree, pieces, "degree", lambda d: check_int(d, "degree", 0, 40))
    fams = _per_piece("poly" if families is None else families, pieces, "families",
                      lambda f: check_choice(f, PIECE_FAMILIES, "families"))
    for f in fams:
        if f in ("sigmoid", "tanh") and not tgt.has_gate:
            raise InputError(f"`families`: target {tgt.name!r} has no gate, so the {f} "
                             "family does not apply (use poly or rational)")
    if isinstance(range_, str) or not isinstance(range_, Sequence) or len(range_) != 2:
        raise InputTypeError(f"`range_` must be (lo, hi), got {shown(range_)}")
    a, b = (float(v) for v in range_)
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise InputError(f"`range_` must be finite with lo < hi, got {shown(list(range_))}")
    low = _tail(low_tail, "low_tail", LOW_TAILS)
    high = _tail(high_tail, "high_tail", HIGH_TAILS)
    for name, t in (("low_tail", low), ("high_tail", high)):
        if t is not None and t[1] is not None and not a <= t[1] <= b:
            raise InputError(f"`{name}` threshold must lie in the range [{a:g}, {b:g}], "
                             f"got {t[1]:g}")
    if low and high and low[1] is not None and high[1] is not None and not low[1] < high[1]:
        raise InputError("`low_tail` threshold must be below `high_tail`'s")
    given = None
    if breakpoints is not None:
        if isinstance(breakpoints, str) or not isinstance(breakpoints, Sequence):
            raise InputTypeError(f"`breakpoints` must be a sequence of numbers, got "
                                 f"{shown(breakpoints)}")
        given = [float(v) for v in breakpoints]
        if len(given) != pieces - 1:
            raise InputError(f"`breakpoints` must hold pieces − 1 = {pieces - 1} numbers, "
                             f"got {len(given)}")
        lo0 = low[1] if low and low[1] is not None else a
        hi0 = high[1] if high and high[1] is not None else b
        edges = [lo0, *given, hi0]
        if not all(math.isfinite(v) for v in given) or any(
                u >= v for u, v in itertools.pairwise(edges)):
            raise InputError(f"`breakpoints` must be ascending, finite and inside "
                             f"({lo0:g}, {hi0:g}), got {shown(given)}")

    fitter = _Pieces(tgt, fams, degrees, den_degree, error, SEARCH_SAMPLES)
    relative = error == "relative"
    xs = np.linspace(a, b, TAIL_SAMPLES)

    def threshold(t: tuple[str, float | None] | None, side: str) -> Callable[[float], float]:
        """The tail's threshold as a function of ε (a constant unless auto)."""
        if t is None:
            return lambda eps: a if side == "low" else b
        if t[1] is not None:
            return lambda eps, v=t[1]: v
        e = _tail_error(tgt, t[0], xs, relative)
        if side == "low":
            cm = np.maximum.accumulate(np.where(np.isfinite(e), e, np.inf))

            def f(eps: float) -> float:   # the tail covers x < T: err ≤ ε on [a, T)
                i = int(np.searchsorted(cm, eps, side="right"))
                return float(xs[min(i, xs.size - 1)])
            return f
        cm = np.maximum.accumulate(np.where(np.isfinite(e), e, np.inf)[::-1])

        def g(eps: float) -> float:       # the tail covers x > T: err ≤ ε on (T, b]
            i = int(np.searchsorted(cm, eps, side="right"))
            return float(xs[::-1][min(i, xs.size - 1)])
        return g

    t_low, t_high = threshold(low, "low"), threshold(high, "high")
    auto = bool((low and low[1] is None) or (high and high[1] is None))

    def ends(eps: float | None) -> tuple[float, float]:
        """The pieces' span at level ε (None: auto tails cover none of the range)."""
        if eps is None:
            return (a if low is None or low[1] is None else low[1],
                    b if high is None or high[1] is None else high[1])
        s, e = t_low(eps), t_high(eps)
        if not s < e:       # the tails meet: keep a sliver for the pieces
            m = 0.5 * (s + e)
            s, e = m - 1e-9 * (b - a), m + 1e-9 * (b - a)
        return s, e

    def lay(eps: float) -> list[float] | None:
        """The greedy edges at level ε (None: K pieces do not reach the end)."""
        s, end = ends(eps)
        if given is not None:
            edges = [s, *given, end]
            if not edges[0] < edges[1] or not edges[-2] < edges[-1]:
                return None
            ok = all(fitter.err(j, edges[j], edges[j + 1]) <= eps for j in range(pieces))
            return edges if ok else None
        edges = [s]
        for j in range(pieces):
            lo = edges[-1]
            if fitter.err(j, lo, end) <= eps:
                # the rest fits in one piece: split it evenly among the pieces left
                left = pieces - j
                edges += [lo + (end - lo) * (i + 1) / left for i in range(left)]
                return edges
            if j == pieces - 1:
                return None
            u, v = lo, end                      # err(lo, u) ≤ ε < err(lo, v)
            while v - u > 1e-9 * (b - a):
                m = 0.5 * (u + v)
                if fitter.err(j, lo, m) <= eps:
                    u = m
                else:
                    v = m
            if u <= lo:
                return None
            edges.append(u)
        return None

    searched = given is None and pieces > 1
    if searched or auto:
        s, end = ends(None)
        start = [s + (end - s) * i / pieces for i in range(pieces + 1)] if given is None \
            else [s, *given, end]
        hi = max(fitter.err(j, start[j], start[j + 1]) for j in range(pieces))
        if not math.isfinite(hi):
            raise ComputationError("a piece's fit failed on the equal split of the range")
        hi *= 1.0 + 1e-12
        while lay(hi) is None:          # e.g. fixed middle pieces above the start's error
            hi *= 2.0
        lo = hi * 1e-10
        while hi / lo > 1.0 + EPS_RATIO:
            m = math.sqrt(hi * lo)
            if lay(m) is None:
                lo = m
            else:
                hi = m
        edges = lay(hi)
        assert edges is not None
        eps = hi
    else:
        s, end = ends(None)
        edges = [s, *(given or []), end]
        eps = math.inf
    if searched:
        edges = _balance(fitter, edges, pieces)

    # the final fits, certified
    rows, forms, errs, bounds, ok = [], [], [], [], True
    exact = []                     # pieces whose error is at rounding level
    for j in range(pieces):
        res = fitter.run(j, edges[j], edges[j + 1], samples)
        row, form = _row(res, fams[j])
        rows.append(row)
        forms.append(form)
        errs.append(fitter.measure(res))
        cert = res.certificate
        bounds.append(float(cert.lower_bound) if cert is not None else math.nan)
        exact.append(cert is not None and cert.levelled_ratio is None
                     and cert.method.startswith("an exact fit"))
        ok = ok and res.converged and cert is not None and (cert.optimal or exact[-1])
    low_t = edges[0] if low else None
    high_t = edges[-1] if high else None
    approx = PiecewiseApproximant(
        forms[0][0], forms[0][1], rows[0][2:2 + len(forms[0][1])], tgt,
        c0_neg=rows[0][0], c0_pos=rows[0][1], den_powers=forms[0][2],
        den=rows[0][2 + len(forms[0][1]):], low=low_t, high=high_t,
        low_value=low[0] if low else "zero", high_value=high[0] if high else "x",
        breaks=tuple(edges[1:-1]), more=tuple(rows[1:]), forms=tuple(forms[1:]),
        name=f"piecewise{pieces}-minimax-value")
    tails: dict[str, Any] = {"low": None, "high": None}
    for side, t, thr in (("low", low, low_t), ("high", high, high_t)):
        if t is None or thr is None:
            continue
        # the tail holds on x < thr (x > thr): its error's supremum on the range is
        # approached at the threshold itself, which the samples may miss
        span = np.append(xs[xs < thr] if side == "low" else xs[xs > thr], thr)
        beyond = _beyond(a, b)[0 if side == "low" else 1]
        e_in = _tail_error(tgt, t[0], span, relative) if span.size else np.zeros(1)
        e_out = _tail_error(tgt, t[0], beyond, relative)
        tails[side] = {"value": t[0], "threshold": thr, "auto": t[1] is None,
                       "error": float(np.nanmax(e_in)), "error_beyond": float(np.nanmax(e_out))}
    max_error = max(errs + [tails[s]["error"] for s in tails if tails[s] is not None])
    whole = _whole_line(approx, tgt, a, b, relative, max_error)
    balance = min(errs) / max(errs) if max(errs) > 0 else 1.0
    if searched and balance < 1.0 - 10 * EPS_RATIO and not all(exact):
        ok = False                 # (errors at rounding level have nothing to level)
    forms_text = tuple(f"{fams[j]} deg {degrees[j]}" for j in range(pieces))
    msg = ("converged: every piece an exact fit (its error at rounding level)"
           if ok and all(exact) else
           "converged: every piece certified optimal" if ok and not any(exact) else
           "converged: every piece certified optimal or an exact fit" if ok else
           "not converged: a piece's fit did not certify, or the pieces' errors are not "
           "level")
    if auto and math.isfinite(eps):
        msg += f"; the tails' thresholds found at the level ε = {eps:.6g}"
    return PiecewiseFit(
        approximant=approx, max_error=max_error, piece_errors=tuple(errs),
        breakpoints=tuple(edges[1:-1]), tails=tails, converged=ok,
        lower_bounds=tuple(bounds), balance=balance, whole_line_error=whole,
        range=(a, b), intervals=tuple(itertools.pairwise(edges)),
        searched=searched, error=error, message=msg,
        seconds=time.perf_counter() - t0, forms=forms_text)


def _balance(fitter: _Pieces, edges: list[float], pieces: int) -> list[float]:
    """Pairwise balancing: each interior breakpoint moved by bisection until the errors
    of its two neighbours are equal (:data:`BALANCE_SWEEPS` sweeps)."""
    edges = list(edges)
    for _ in range(BALANCE_SWEEPS):
        errs = [fitter.err(j, edges[j], edges[j + 1]) for j in range(pieces)]
        if min(errs) >= max(errs) * (1.0 - EPS_RATIO):
            break
        for i in range(1, pieces):
            u, v = edges[i - 1], edges[i + 1]
            lo, hi = u, v
            for _ in range(40):
                m = 0.5 * (lo + hi)
                if fitter.err(i - 1, u, m) < fitter.err(i, m, v):
                    lo = m
                else:
                    hi = m
                if hi - lo < 1e-9 * (v - u):
                    break
            edges[i] = 0.5 * (lo + hi)
    return edges


def _beyond(a: float, b: float, n: int = 100_001) -> tuple[Array, Array]:
    """Samples of the whole line left of a and right of b (log-spaced when away from 0)."""
    from approxfit.measure.metrics import WHOLE_LINE

    left = (-np.geomspace(WHOLE_LINE, -a, n) if a < 0 else np.linspace(-WHOLE_LINE, a, n))
    right = np.geomspace(b, WHOLE_LINE, n) if b > 0 else np.linspace(b, WHOLE_LINE, n)
    return left[left < a], right[right > b]


def _whole_line(approx: PiecewiseApproximant, tgt: Target, a: float, b: float,
                relative: bool, inside: float) -> float:
    """The largest error on the whole line: ``inside`` on [a, b] and a sampled maximum
    beyond (log-spaced to ±WHOLE_LINE)."""
    x = np.concatenate(_beyond(a, b))
    with np.errstate(all="ignore"):
        y = tgt.evaluate(x, on="value")
        e = np.abs(approx.evaluate(x) - y)
        if relative:
            e = e / np.abs(y)
    e = np.where(np.isnan(e), np.inf, e)
    return float(max(inside, np.max(e))) if e.size else inside


def _numbers(text: str | None, name: str, kind: type) -> list[Any] | None:
    if text is None:
        return None
    out = []
    for part in str(text).split(","):
        try:
            v = kind(part.strip())
        except ValueError:
            raise InputError(f"`{name}` must be a comma-separated list of "
                             f"{'whole numbers' if kind is int else 'numbers'}, got "
                             f"{shown(text)}") from None
        if kind is float and not math.isfinite(v):
            raise InputError(f"`{name}` must be finite, got {shown(text)}")
        out.append(v)
    return out


def fit_piecewise_options(target: str, *, pieces: int, degree: int, degrees: str | None,
                          families: str | None, breakpoints: str | None, low_tail: str,
                          low: str, high_tail: str, high: str, range_: Sequence[float],
                          objective: str, error: str, samples: int | None,
                          den_degree: int) -> PiecewiseFit:
    """:func:`fit_piecewise` from ``approxfit fit TARGET piecewise``'s option strings
    (comma-separated lists; a threshold ``auto`` or a number)."""
    if objective != "minimax":
        raise InputError("`objective` must be minimax for a piecewise fit")
    if not range_[0] < range_[1]:
        raise InputError(f"`range` must have LO < HI, got {shown(list(range_))}")

    def tail(value: str, t: str, name: str) -> tuple[str, float | str] | None:
        if value == "none":
            return None
        if t.strip().lower() == "auto":
            return value, "auto"
        try:
            got = _numbers(t, name, float)
        except InputError:
            got = None
        if got is None or len(got) != 1:
            raise InputError(f"`{name}` must be a number or auto, got {shown(t)}")
        return value, got[0]

    fams = None if families is None else [f.strip() for f in families.split(",")]
    degs = _numbers(degrees, "degrees", int)
    if degs is not None and len(degs) == 1:
        degs = degs * pieces                  # one degree for every piece
    try:
        return fit_piecewise(
            target, pieces=pieces, degree=degree if degs is None else degs, range_=range_,
            families=fams[0] if fams is not None and len(fams) == 1 else fams,
            breakpoints=_numbers(breakpoints, "breakpoints", float),
            low_tail=tail(low_tail, low, "low"), high_tail=tail(high_tail, high, "high"),
            error=error, den_degree=den_degree, samples=samples)
    except InputError as exc:                 # the library's names, as the options say
        if degs is not None and str(exc).startswith("`degree`"):
            raise InputError("`degrees`" + str(exc).removeprefix("`degree`")) from None
        raise
