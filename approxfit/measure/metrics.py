"""Error statistics: the one place where approxfit measures an approximant.

:func:`error_metrics` gives MSE, RMSE, the maximum absolute error on the samples
and where it is, the same maximum refined between sample points (the true maximum
on the sampled range), and the maximum relative error.
:func:`approximant_metrics` measures an approximant on the value and, where the
target has one, on the gate; :func:`outside_metrics` looks beyond the range, out to
the whole line (±:data:`WHOLE_LINE`).  ``fit``, ``report``, ``pareto`` and
``reproduce`` all call these, so a reported number is exactly the number a fit
optimised or checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np

from approxfit.approximants.base import ApproximantBase
from approxfit.core.exceptions import InputError

__all__ = ["METRIC_KEYS", "WHOLE_LINE", "approximant_metrics", "error_metrics",
           "local_extrema", "outside_metrics", "outside_points", "refine_max",
           "relative_error", "zoom_brackets"]

Array = np.ndarray
METRIC_KEYS = ("mse", "rmse", "max_abs_error", "argmax_abs_error", "max_rel_error")
TINY = np.finfo(float).tiny
WHOLE_LINE = 1e4
"""The whole line: "the whole line" means ``[−WHOLE_LINE, WHOLE_LINE]``.

Beyond ±1e4 every built-in target equals its asymptote in float64 to rounding (the
gates Φ and σ are 0 or 1, erf and tanh are ±1, GELU, SiLU, Mish and softplus are 0 or
x), so an approximant's error there is its error at infinity.  The limit is 1e4 rather
than 1e3 because float32 and bfloat16 kernels see inputs far beyond ±1e3."""


def local_extrema(e: Array) -> Array:
    """Indices of the local maxima of ``|e|`` (ends included), ascending.

    A plateau of one sign counts once; a sign change always separates two peaks,
    even where ``|e|`` is equal or monotone across it (a discrete minimax error
    often takes +E and −E at neighbouring samples).
    """
    a = np.abs(e)
    n = a.size
    if n < 3:
        return np.arange(n)
    sb = np.signbit(e)
    flip = sb[1:] != sb[:-1]                             # sign change between i and i+1
    left = np.empty(n, dtype=bool)
    right = np.empty(n, dtype=bool)
    left[0] = right[-1] = True
    left[1:] = (a[1:] >= a[:-1]) | flip
    right[:-1] = (a[:-1] > a[1:]) | flip
    return np.flatnonzero(left & right)


def _nan_low(v: Array) -> Array:
    """The score of :func:`refine_max`: the value itself, NaN counting as −∞."""
    return np.where(np.isnan(v), -np.inf, v)


def zoom_brackets(f: Callable[[Array, Array], Array], a: Array, b: Array, *, lo: float,
                  hi: float, rounds: int, points: int, polish: int = 0,
                  kind: Array | None = None,
                  score: Callable[[Array], Array] = _nan_low
                  ) -> tuple[Array, Array, Array, Array, Array]:
    """Zoom into every bracket ``[a_k, b_k]`` at once: the best point of each.

    The one refinement kernel of approxfit (the metrics' :func:`refine_max` and the
    minimax engine's continuous peaks use it).  ``rounds`` zoom rounds (``points``
    equally spaced points per bracket, all brackets in one call of ``f``; each bracket
    narrows to its best point's neighbours), then ``polish`` parabolic steps on the
    score: the vertex of the parabola through the best point and its two neighbours,
    clipped to them, is the next centre, evaluated with two neighbours at an eighth of
    the previous spacing (clipped to ``[lo, hi]``); the last vertex is evaluated alone.

    Parameters
    ----------
    f : callable
        ``f(t, k)``: values at the points ``t`` (1-D), ``k`` the ``kind`` of the bracket
        each point belongs to; elementwise, so that a point's value does not depend on
        the other points of the call.
    a, b : numpy.ndarray
        The brackets.
    lo, hi : float
        The range (the polish's neighbours are clipped to it).
    rounds, points, polish : int
        Zoom rounds, points per bracket and round, parabolic steps.
    kind : numpy.ndarray of int, optional
        A label per bracket passed on to ``f`` (default 0).
    score : callable
        What is maximised (default: the value, NaN as −∞); the polish needs finite
        scores at the best point and both neighbours.

    Returns
    -------
    (score, value, where, call, column) : numpy.ndarray
        Per bracket: the best score, the value of ``f`` there, the point, and the call
        of ``f`` (0, 1, …) and the column within it where that best was first found
        (for a first-come tie-break among brackets).  Every score is that of a point
        that was evaluated; −∞ (value NaN) for a bracket without a usable value.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m = a.size
    kind = np.zeros(m, dtype=np.intp) if kind is None else np.asarray(kind, dtype=np.intp)
    best_s = np.full(m, -np.inf)
    best_v = np.full(m, np.nan)
    best_t = np.full(m, np.nan)
    best_call = np.zeros(m, dtype=np.intp)
    best_col = np.zeros(m, dtype=np.intp)
    calls = 0

    def take(rows: Array, grid: Array) -> Array:
        nonlocal calls
        vals = np.asarray(f(grid.ravel(), np.repeat(kind[rows], grid.shape[1])),
                          dtype=float).reshape(grid.shape)
        s = score(vals)
        if s.size:
            j = np.argmax(s, axis=1)
            r = np.arange(rows.size)
            up = s[r, j] > best_s[rows]
            u = rows[up]
            best_s[u], best_v[u] = s[r, j][up], vals[r, j][up]
            best_t[u], best_call[u], best_col[u] = grid[r, j][up], calls, j[up]
        calls += 1
        return s

    rows = np.arange(m)
    t = np.linspace(0.0, 1.0, points)
    centre = spacing = fm = f0 = fp = inner = None
    for r in range(rounds):
        grid = a[:, None] + (b - a)[:, None] * t[None, :]
        s = take(rows, grid)
        j = np.argmax(s, axis=1)
        jm, jp = np.maximum(j - 1, 0), np.minimum(j + 1, points - 1)
        if r == rounds - 1:
            inner = (j > 0) & (j < points - 1)
            centre, spacing = grid[rows, j], (b - a) / (points - 1)
            fm, f0, fp = s[rows, jm], s[rows, j], s[rows, jp]
        a, b = grid[rows, jm], grid[rows, jp]
    if rounds == 0 or polish == 0 or m == 0:
        return best_s, best_v, best_t, best_call, best_col
    keep = inner & np.isfinite(fm) & np.isfinite(f0) & np.isfinite(fp)
    sel = rows[keep]
    centre, spacing, fm, f0, fp = (v[keep] for v in (centre, spacing, fm, f0, fp))
    if sel.size == 0:
        return best_s, best_v, best_t, best_call, best_col
    for step in range(polish):
        curv = fm - 2.0 * f0 + fp
        shift = np.where(curv < 0, 0.5 * (fm - fp) / np.where(curv < 0, curv, -1.0), 0.0)
        vertex = centre + spacing * np.clip(shift, -1.0, 1.0)
        if step == polish - 1:
            take(sel, vertex[:, None])
            break
        spacing = spacing / 8.0
        grid = np.clip(vertex[:, None] + spacing[:, None] * np.array([-1.0, 0.0, 1.0])[None, :],
                       lo, hi)
        s = take(sel, grid)
        centre, fm, f0, fp = vertex, s[:, 0], s[:, 1], s[:, 2]
    return best_s, best_v, best_t, best_call, best_col


def _brackets(x: Array, e: Array, idx: Array, lo: float, hi: float, top: int | None,
              cutoff: float | None) -> tuple[float, float, Array, Array]:
    """The sample maximum of ``|e|`` (and where) and the brackets :func:`refine_max`
    refines (see there): every peak in ``idx`` whose parabolic estimate is at least
    ``cutoff`` times the largest, bracketed by its neighbouring samples in ``[lo, hi]``."""
    mag = np.abs(e)
    nan = np.isnan(mag)
    best_i = int(np.argmax(np.where(nan, -np.inf, mag) if nan.any() else mag))
    best, where = float(mag[best_i]), float(x[best_i])
    idx = np.asarray(idx, dtype=np.intp)
    if x.size < 2 or idx.size == 0:
        return best, where, x[:0], x[:0]
    if top is not None:
        idx = idx[np.argsort(-mag[idx], kind="stable")][:top]
    n = x.size
    if cutoff is not None and idx.size > 1:
        # The parabola through a peak and its two neighbours estimates its continuous
        # maximum; a resolved smooth peak grows between samples by a small fraction of
        # its height, so one whose estimate is below `cutoff` times the largest
        # estimate cannot become the maximum.  This skips the hundreds of rounding-noise
        # peaks (~1e-17) beside an error of ~1e-5 and keeps every peak of a minimax error.
        left, right = mag[np.maximum(idx - 1, 0)], mag[np.minimum(idx + 1, n - 1)]
        mid = mag[idx]
        curv = left - 2.0 * mid + right
        with np.errstate(all="ignore"):
            shift = np.where(curv < 0, 0.5 * (left - right) / curv, 0.0)
            vertex = mid - 0.25 * (left - right) * np.clip(shift, -1.0, 1.0)
        estimate = np.fmax(mid, np.where(np.isfinite(vertex), vertex, mid))
        top_est = np.nanmax(estimate) if np.any(np.isfinite(estimate)) else 0.0
        if np.isfinite(top_est) and top_est > 0:
            idx = idx[~(estimate < cutoff * top_est)]
    a = np.clip(np.where(idx > 0, x[np.maximum(idx - 1, 0)], lo), lo, hi)
    b = np.clip(np.where(idx < n - 1, x[np.minimum(idx + 1, n - 1)], hi), lo, hi)
    return best, where, a, b


def _first_best(best: float, where: float, zoomed: tuple[Array, ...], chunk: int
                ) -> tuple[float, float]:
    """The sample maximum ``best`` raised to the largest zoomed score, if larger.

    Ties among brackets go to the one found first when the brackets are refined in
    chunks of ``chunk``, one call of the error per round: the earliest chunk, call,
    bracket and column.
    """
    s, _, t, call, col = zoomed
    if s.size == 0:
        return best, where
    top = float(np.max(s))
    if not top > best:
        return best, where
    cand = np.flatnonzero(s == top)
    rank = cand
    k = cand[np.lexsort((col[cand], rank, call[cand], rank // chunk))[0]]
    return top, float(t[k])


def _zoom_chunked(f: Callable[[Array, Array], Array], a: Array, b: Array, kind: Array | None,
                  *, lo: float, hi: float, rounds: int, points: int, polish: int,
                  chunk: int) -> tuple[Array, ...]:
    """:func:`zoom_brackets` in chunks of ``chunk`` brackets (bounds the memory)."""
    if a.size <= chunk:
        return zoom_brackets(f, a, b, lo=lo, hi=hi, rounds=rounds, points=points,
                             polish=polish, kind=kind)
    parts = [zoom_brackets(f, a[s:s + chunk], b[s:s + chunk], lo=lo, hi=hi, rounds=rounds,
                           points=points, polish=polish,
                           kind=None if kind is None else kind[s:s + chunk])
             for s in range(0, a.size, chunk)]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(5))


def refine_max(err: Callable[[Array], Array], x: Array, e: Array, idx: Array,
               *, lo: float | None = None, hi: float | None = None, top: int | None = None,
               rounds: int = 2, points: int = 13, polish: int = 3,
               chunk: int = 8192, cutoff: float | None = 0.5) -> tuple[float, float]:
    """The largest ``|err|`` on ``[lo, hi]``: every grid peak ``idx`` refined between samples.

    Every peak in ``idx`` (normally :func:`local_extrema` of ``e = err(x)``) is refined,
    not only the largest few: the continuous maximum of a minimax error, whose n + 1
    peaks are nearly equal, is often near a sample peak that is not among the largest
    sampled ones.  Each peak's bracket is its two neighbouring samples (clipped to
    ``[lo, hi]``; the range's ends are brackets' ends, so they are evaluated too), and
    all brackets are refined together, vectorised, in chunks of ``chunk`` peaks
    (:func:`zoom_brackets`):

    * ``rounds`` zoom rounds: ``points`` equally spaced points across every bracket
      in one call of ``err``; each bracket narrows to its best point's neighbours
      (by ``(points − 1)/2`` = 6 per round);
    * ``polish`` parabolic steps: the vertex of the parabola through the best point
      and its two neighbours (clipped to them) is the next centre, evaluated with two
      neighbours at an eighth of the spacing; the last vertex is evaluated alone.

    With sample spacing ``h``, the zoom leaves a spacing of h/36 and the parabolic
    steps h/288 and h/2304; a smooth peak at distance ``w`` ≥ 1.5·h from the next
    extremum is located to ~(h/2304)²/w, so its value is found to ~1e-13·(h/w)⁴
    relative (to rounding, 2e-16, on closed-form tests), and then only the rounding
    of ``err`` itself limits it.  Every value taken is ``|err|`` at a point that was
    evaluated, so the result is never above the true maximum by more than rounding.
    A peak narrower than the sample spacing may be missed: the samples must resolve
    the error.

    The work is ``points·rounds + 3·(polish − 1) + 1`` (= 33 by default) evaluations
    of ``err`` per peak in ``rounds + polish`` calls.  A peak is skipped only when the
    parabola through it and its two neighbouring samples puts its continuous maximum
    below ``cutoff`` (½) times the largest such estimate: under the resolution
    condition above a smooth peak grows between samples by a small fraction of its
    height, never by a factor 2.  That skips the hundreds of rounding-noise peaks
    (~1e-17, where approximant and target agree to rounding) beside an error of
    ~1e-5 and refines every peak of a minimax error, whose n + 1 peaks are nearly
    equal.  ``cutoff=None`` refines every peak.

    Parameters
    ----------
    err : callable
        ``t -> err(t)``, vectorised; NaN values are ignored, infinite ones count.
    x, e : numpy.ndarray
        Sample points (ascending) and ``err`` there.
    idx : numpy.ndarray
        Indices of the peaks to refine.
    lo, hi : float, optional
        The range (default: the first and last sample).
    top : int, optional
        Refine only the ``top`` largest sampled peaks (None, the default: all).
    rounds, points, polish : int
        Zoom rounds, points per bracket and round, parabolic steps.
    chunk : int
        Peaks refined per batch (bounds the memory: ``chunk·points`` points).
    cutoff : float or None
        Skip peaks whose parabolic estimate is below this fraction of the largest
        (None: refine every peak).

    Returns
    -------
    (float, float)
        The maximum of ``|err|`` on ``[lo, hi]`` and where it is.
    """
    x = np.asarray(x, dtype=float)
    e = np.asarray(e, dtype=float)
    lo = float(x[0]) if lo is None else float(lo)
    hi = float(x[-1]) if hi is None else float(hi)
    best, where, a, b = _brackets(x, e, idx, lo, hi, top, cutoff)
    if a.size == 0:
        return best, where

    def f(t: Array, _k: Array) -> Array:
        return np.abs(err(t))

    zoomed = _zoom_chunked(f, a, b, None, lo=lo, hi=hi, rounds=rounds, points=points,
                           polish=polish, chunk=chunk)
    return _first_best(best, where, zoomed, chunk)


def relative_error(err: Array, exact: Array) -> Array:
    """``|err| / |exact|``: NaN where ``|exact|`` is subnormal or 0 (skipped), except
    that a nonzero error where the exact value is exactly 0 is ``inf``.

    A subnormal exact value has lost its relative accuracy in float64, so it is
    skipped (as a sample maximum skips it); an exact zero of the target (GELU, SiLU,
    tanh, erf at 0) where the approximant does not vanish makes the relative error
    unbounded, and ``inf`` says so.
    """
    err = np.asarray(err, dtype=float)
    exact = np.asarray(exact, dtype=float)
    mag = np.abs(exact)
    with np.errstate(all="ignore"):
        rel = np.abs(err) / mag
    small = mag < TINY                      # NaN exact values stay NaN through the division
    if small.any():
        rel[small] = np.nan
        zero = small & (exact == 0) & (err != 0) & ~np.isnan(err)
        rel[zero] = np.inf
    return rel


def _zero_where_not(keep: Array, v: Array) -> Array:
    """``numpy.where(keep, v, 0.0)``, without the copy when every point is kept."""
    if keep.all():
        return v
    out = v.copy()
    out[~keep] = 0.0
    return out


#: A refinement to do: (result key, argmax key, sample max, where, brackets a, b).
_Channel = tuple[str, str, float, float, Array, Array]


def _sampled(x: Array, approx: Array, exact: Array, lo: float, hi: float, refine: bool,
             refine_rel: bool) -> tuple[dict[str, float], list[_Channel], list[str]]:
    """The sample statistics of :func:`error_metrics`, with the maxima still to refine.

    Returns the result (its ``*_range`` entries the sample values), the channels to
    refine (:func:`_brackets` of the absolute error and of the relative error), and
    their kinds (``"abs"``, ``"rel"``).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        e = approx - exact
    ok = np.isfinite(e)
    if not ok.all():
        where = float(x[np.flatnonzero(~ok)[0]])
        return {"mse": float("nan"), "rmse": float("nan"), "max_abs_error": float("inf"),
                "argmax_abs_error": where, "max_rel_error": float("inf"),
                "max_abs_error_range": float("inf"), "argmax_abs_error_range": where,
                "max_rel_error_range": float("inf"), "argmax_rel_error_range": where}, [], []
    with np.errstate(over="ignore"):
        # An error beyond ~1e154 squares to inf: the MSE is then honestly inf.
        mse = float(np.mean(e * e))
    i = int(np.argmax(np.abs(e)))
    sample_max, sample_where = float(abs(e[i])), float(x[i])
    chans: list[_Channel] = []
    kinds: list[str] = []
    if refine:
        best, where, a, b = _brackets(x, e, local_extrema(e), lo, hi, None, 0.5)
        chans.append(("max_abs_error_range", "argmax_abs_error_range", best, where, a, b))
        kinds.append("abs")
    r = relative_error(e, exact)
    usable = ~np.isnan(r)
    finite = np.isfinite(r)                  # usable and not inf
    if finite.any():
        rs = _zero_where_not(finite, r)      # the samples' rule: skip 0 too
        k = int(np.argmax(rs))
        rel, rel_where = float(rs[k]), float(x[k])
    else:
        rel, rel_where = float("nan"), float("nan")
    rel_peak, rel_peak_where = rel, rel_where
    inf = usable & ~finite
    if inf.any():
        rel_peak, rel_peak_where = float("inf"), float(x[np.flatnonzero(inf)[0]])
    elif refine_rel and usable.any():
        rs = _zero_where_not(usable, r)
        best, where, a, b = _brackets(x, rs, local_extrema(rs), lo, hi, None, 0.5)
        chans.append(("max_rel_error_range", "argmax_rel_error_range", best, where, a, b))
        kinds.append("rel")
    with np.errstate(over="ignore"):
        rmse = float(np.sqrt(mse))
    return {"mse": mse, "rmse": rmse, "max_abs_error": sample_max,
            "argmax_abs_error": sample_where, "max_rel_error": rel,
            "max_abs_error_range": sample_max, "argmax_abs_error_range": sample_where,
            "max_rel_error_range": rel_peak, "argmax_rel_error_range": rel_peak_where}, \
        chans, kinds


def _refine_all(jobs: list[tuple[dict[str, float], _Channel]],
                f: Callable[[Array, Array], Array], lo: float, hi: float,
                chunk: int = 8192) -> None:
    """Refine every channel of ``jobs`` in one :func:`zoom_brackets` (``f(t, k)``: the
    error of channel ``k`` at ``t``) and write each maximum into its result.

    Brackets of different channels share the calls of ``f`` (5 in all, however many
    quantities and kinds); each channel's maximum is what :func:`refine_max` gives it
    alone: the brackets are independent and ties are broken as it breaks them."""
    if not any(ch[4].size for _, ch in jobs):
        for res, (key, akey, best, where, _, _) in jobs:
            res[key], res[akey] = best, where
        return
    a = np.concatenate([ch[4] for _, ch in jobs])
    b = np.concatenate([ch[5] for _, ch in jobs])
    kind = np.repeat(np.arange(len(jobs)), [ch[4].size for _, ch in jobs])
    zoomed = _zoom_chunked(f, a, b, kind, lo=lo, hi=hi, rounds=2, points=13, polish=3,
                           chunk=chunk)
    start = 0
    for res, (key, akey, best, where, ca, _) in jobs:
        part = tuple(z[start:start + ca.size] for z in zoomed)
        start += ca.size
        res[key], res[akey] = _first_best(best, where, part, chunk)


def error_metrics(x: Array, approx: Array, exact: Array,
                  err: Callable[[Array], Array] | None = None,
                  *, lo: float | None = None, hi: float | None = None,
                  rel_err: Callable[[Array], Array] | None = None) -> dict[str, float]:
    """MSE, RMSE, max abs error (and where), max relative error of ``approx − exact``.

    Parameters
    ----------
    x, approx, exact : numpy.ndarray
        Sample points and the two functions' values there.
    err : callable, optional
        ``x -> approx(x) − exact(x)``; when given, the largest error is also
        refined between sample points (within ``[lo, hi]``; every local extremum,
        see :func:`refine_max`), which gives the maximum on the whole range rather
        than on the samples.
    lo, hi : float, optional
        The range (default: the first and last sample).
    rel_err : callable, optional
        ``x -> relative_error(approx(x) − exact(x), exact(x))``; when given, the largest
        relative error is refined in the same way (every local maximum of the sampled
        relative error, within ``[lo, hi]``).

    Returns
    -------
    dict
        ``mse``, ``rmse``, ``max_abs_error`` and ``argmax_abs_error`` (on the
        samples), ``max_rel_error`` (on the samples, skipping points where the exact
        value is 0 or subnormal), ``max_abs_error_range`` with
        ``argmax_abs_error_range`` (the refined maximum on the range; equal to the
        sample maximum when ``err`` is not given), and ``max_rel_error_range`` with
        ``argmax_rel_error_range`` (the refined relative maximum, see
        :func:`relative_error` for zeros of the target; equal to the sample maximum
        when ``rel_err`` is not given, but ``inf`` in either case where the exact value
        is 0 at a sample and the error is not).  Errors too large for float64 are
        reported as ``inf`` (an MSE beyond ~1e308 too), without a warning.
    """
    x = np.asarray(x, dtype=float)
    approx = np.asarray(approx, dtype=float)
    exact = np.asarray(exact, dtype=float)
    lo = float(x[0]) if lo is None else float(lo)
    hi = float(x[-1]) if hi is None else float(hi)
    res, chans, kinds = _sampled(x, approx, exact, lo, hi, err is not None,
                                 rel_err is not None)
    fns = [err if kind == "abs" else rel_err for kind in kinds]

    def f(t: Array, k: Array) -> Array:
        out = np.empty(t.size)
        for c, fn in enumerate(fns):
            m = k == c
            if m.any():
                out[m] = np.abs(fn(t[m]))
        return out

    _refine_all([(res, ch) for ch in chans], f, lo, hi)
    return res


def _shares_kernel(approximant) -> bool:
    """Whether ``approximant.evaluate`` is the kernel through the relation
    (:meth:`ApproximantBase.evaluate`), so that one kernel evaluation serves both
    quantities."""
    return (isinstance(approximant, ApproximantBase)
            and type(approximant).evaluate is ApproximantBase.evaluate)


def _approx_values(approximant, t: Array, ons: tuple[str, ...], shared: bool
                   ) -> dict[str, Array]:
    """``approximant.evaluate(t, on=on)`` for each ``on`` (the kernel once if ``shared``)."""
    if not shared:
        return {on: approximant.evaluate(t, on=on) for on in ons}
    h = approximant.kernel(t)
    rel = approximant.target_obj.relation
    return {on: h if on == approximant.base else
            (rel.value_from_gate(t, h) if on == "value" else rel.gate_from_value(t, h))
            for on in ons}


def approximant_metrics(approximant, x: Array, *, lo: float | None = None,
                        hi: float | None = None, exact: Mapping[str, Array] | None = None
                        ) -> dict[str, dict[str, float]]:
    """Metrics of an approximant on ``x``: ``{"value": {...}, "gate": {...}}``.

    The gate entry is there when the target has a gate.  Gate errors of an
    approximant of the value (poly) are taken where the gate is defined
    (``x ≠ 0`` for ``f = x·g``).  Each quantity is measured as :func:`error_metrics`
    measures it, its absolute and relative maxima refined on the range; all of these
    refinements share their evaluations of the approximant and the target.

    Parameters
    ----------
    approximant : approximant
        What is measured.
    x : numpy.ndarray
        Sample points (ascending).
    lo, hi : float, optional
        The range (default: the first and last sample).
    exact : mapping, optional
        ``{on: target.evaluate(x, on=on)}`` already computed (a fit has them); the
        target is evaluated for the quantities not given.

    Returns
    -------
    dict
        ``on`` → the :func:`error_metrics` dict.

    Raises
    ------
    InputError
        If ``exact`` is not a mapping of ``"value"``/``"gate"`` to arrays shaped as ``x``.
    """
    x = np.asarray(x, dtype=float)
    exact = _check_exact(exact, x.shape)
    target = approximant.target_obj
    ons = ("value", "gate") if target.has_gate else ("value",)
    lo_r = float(x[0]) if lo is None else float(lo)
    hi_r = float(x[-1]) if hi is None else float(hi)
    shared = _shares_kernel(approximant)
    with np.errstate(all="ignore"):
        approx_x = _approx_values(approximant, x, ons, shared)
    out: dict[str, dict[str, float]] = {}
    jobs: list[tuple[dict[str, float], _Channel]] = []
    channels: list[tuple[str, str]] = []
    for on in ons:
        xs, a = x, approx_x[on]
        ex = exact.get(on)
        if on == "gate" and approximant.base == "value" and target.relation.name == "product":
            nz = x != 0
            xs, a = x[nz], a[nz]
            ex = None if ex is None else ex[nz]
        if ex is None:
            ex = target.evaluate(xs, on=on)
        refine = xs is x
        res, chans, kinds = _sampled(xs, a, np.asarray(ex, dtype=float), lo_r, hi_r,
                                     refine, refine)
        out[on] = res
        jobs += [(res, ch) for ch in chans]
        channels += [(on, kind) for kind in kinds]
    need = tuple(on for on in ons if any(c[0] == on for c in channels))

    def f(t: Array, k: Array) -> Array:
        res = np.empty(t.size)
        with np.errstate(all="ignore"):
            av = _approx_values(approximant, t, need, shared)
            tv = {on: target.evaluate(t, on=on) for on in need}
            for c, (on, kind) in enumerate(channels):
                m = k == c
                if not m.any():
                    continue
                d = av[on][m] - tv[on][m]
                res[m] = np.abs(d) if kind == "abs" else np.abs(relative_error(d, tv[on][m]))
        return res

    _refine_all(jobs, f, lo_r, hi_r)
    return out


def _check_exact(exact: Mapping[str, Array] | None, shape: tuple[int, ...]
                 ) -> dict[str, Array]:
    if exact is None:
        return {}
    if not isinstance(exact, Mapping):
        raise InputError(f"`exact` must be a mapping of 'value'/'gate' to arrays, got "
                         f"{type(exact).__name__}")
    out = {}
    for on, v in exact.items():
        if on not in ("value", "gate"):
            raise InputError(f"`exact` keys must be 'value' or 'gate', got {str(on)[:60]!r}")
        arr = np.asarray(v, dtype=float)
        if arr.shape != shape:
            raise InputError(f"`exact`[{on!r}] must have the shape of `x` {shape}, got "
                             f"{arr.shape}")
        out[on] = arr
    return out


def outside_points(lo: float, hi: float, *, limit: float = WHOLE_LINE, n: int = 4000
                   ) -> Array:
    """Points of ``[−limit, limit]`` outside ``[lo, hi]``: dense near the range, sparse far."""
    return _outside_points(float(lo), float(hi), float(limit), int(n)).copy()


@functools.lru_cache(maxsize=64)
def _outside_points(lo: float, hi: float, limit: float, n: int) -> Array:
    """:func:`outside_points`, computed once per range (``geomspace`` costs ~0.3 ms; the
    fits of one range share it).  Read-only: callers get a copy."""
    parts = []
    if hi < limit:
        parts.append(hi + np.geomspace(1e-3, limit - hi, n))
    if lo > -limit:
        parts.append(lo - np.geomspace(1e-3, limit + lo, n))
    out = np.sort(np.concatenate(parts)) if parts else np.empty(0)
    out.setflags(write=False)
    return out


def outside_metrics(approximant, lo: float, hi: float, *, on: str = "value",
                    limit: float = WHOLE_LINE) -> dict[str, float]:
    """Max abs error on ``[−limit, limit]`` outside ``[lo, hi]``, and where.

    The default ``limit`` is :data:`WHOLE_LINE`: the error on the whole real line
    outside the range.

    Returns
    -------
    dict
        ``max_abs_error``, ``argmax_abs_error``, ``limit``.  Empty-range cases
        report a maximum of 0.
    """
    x = outside_points(lo, hi, limit=limit)
    if x.size == 0:
        return {"max_abs_error": 0.0, "argmax_abs_error": float("nan"), "limit": limit}
    target = approximant.target_obj
    with np.errstate(all="ignore"):
        e = approximant.evaluate(x, on=on) - target.evaluate(x, on=on)
    if not np.all(np.isfinite(e)):
        bad = int(np.flatnonzero(~np.isfinite(e))[0])
        return {"max_abs_error": float("inf"), "argmax_abs_error": float(x[bad]),
                "limit": limit}
    i = int(np.argmax(np.abs(e)))
    return {"max_abs_error": float(abs(e[i])), "argmax_abs_error": float(x[i]),
            "limit": limit}
