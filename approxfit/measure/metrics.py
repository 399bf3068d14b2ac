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

from collections.abc import Callable

import numpy as np

__all__ = ["METRIC_KEYS", "WHOLE_LINE", "approximant_metrics", "error_metrics",
           "local_extrema", "outside_metrics", "outside_points", "refine_max",
           "relative_error"]

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
    flip = np.signbit(e[1:]) != np.signbit(e[:-1])       # sign change between i and i+1
    left = np.empty(n, dtype=bool)
    right = np.empty(n, dtype=bool)
    left[0] = right[-1] = True
    left[1:] = (a[1:] >= a[:-1]) | flip
    right[:-1] = (a[:-1] > a[1:]) | flip
    return np.flatnonzero(left & right)


def _zoom_polish(f: Callable[[Array], Array], a: Array, b: Array, *, lo: float, hi: float,
                 rounds: int, points: int, polish: int) -> tuple[float, float]:
    """The largest finite-or-infinite ``f`` found in the brackets ``[a_k, b_k]``, and where.

    ``rounds`` zoom rounds (``points`` equally spaced points per bracket, all brackets
    in one call of ``f``; each bracket narrows to its best point's neighbours), then
    ``polish`` parabolic steps: the vertex of the parabola through the best point and
    its two neighbours, clipped to them, is the next centre, evaluated with two
    neighbours at an eighth of the previous spacing; the last vertex is evaluated
    alone.  NaN values are ignored.  Every value taken into the maximum is a value of
    ``f`` at a point that was evaluated.
    """
    best, where = -np.inf, float("nan")
    rows = np.arange(a.size)

    def take(grid: Array, vals: Array) -> Array:
        nonlocal best, where
        vals = np.where(np.isnan(vals), -np.inf, vals)
        if vals.size == 0:
            return vals
        flat = int(np.argmax(vals))
        if vals.flat[flat] > best:
            best, where = float(vals.flat[flat]), float(grid.flat[flat])
        return vals

    t = np.linspace(0.0, 1.0, points)
    centre = spacing = fm = f0 = fp = None
    for r in range(rounds):
        grid = a[:, None] + (b - a)[:, None] * t[None, :]
        vals = take(grid, np.asarray(f(grid.ravel()), dtype=float).reshape(grid.shape))
        j = np.argmax(vals, axis=1)
        jm, jp = np.maximum(j - 1, 0), np.minimum(j + 1, points - 1)
        if r == rounds - 1:
            inner = (j > 0) & (j < points - 1)
            centre, spacing = grid[rows, j], (b - a) / (points - 1)
            fm, f0, fp = vals[rows, jm], vals[rows, j], vals[rows, jp]
        a, b = grid[rows, jm], grid[rows, jp]
    if rounds == 0 or polish == 0:
        return best, where
    keep = inner & np.isfinite(fm) & np.isfinite(f0) & np.isfinite(fp)
    centre, spacing, fm, f0, fp = (v[keep] for v in (centre, spacing, fm, f0, fp))
    if centre.size == 0:
        return best, where
    for step in range(polish):
        curv = fm - 2.0 * f0 + fp
        shift = np.where(curv < 0, 0.5 * (fm - fp) / np.where(curv < 0, curv, -1.0), 0.0)
        vertex = centre + spacing * np.clip(shift, -1.0, 1.0)
        if step == polish - 1:
            take(vertex, np.asarray(f(vertex), dtype=float))
            break
        spacing = spacing / 8.0
        grid = np.clip(vertex[:, None] + spacing[:, None] * np.array([-1.0, 0.0, 1.0])[None, :],
                       lo, hi)
        vals = take(grid, np.asarray(f(grid.ravel()), dtype=float).reshape(grid.shape))
        centre, fm, f0, fp = vertex, vals[:, 0], vals[:, 1], vals[:, 2]
    return best, where


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
    all brackets are refined together, vectorised, in chunks of ``chunk`` peaks:

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
    mag = np.abs(e)
    best_i = int(np.argmax(np.where(np.isnan(mag), -np.inf, mag)))
    best, where = float(mag[best_i]), float(x[best_i])
    idx = np.asarray(idx, dtype=np.intp)
    if x.size < 2 or idx.size == 0:
        return best, where
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

    def f(t: Array) -> Array:
        return np.abs(err(t))

    for s in range(0, idx.size, chunk):
        peak, at = _zoom_polish(f, a[s:s + chunk], b[s:s + chunk], lo=lo, hi=hi,
                                rounds=rounds, points=points, polish=polish)
        if peak > best:
            best, where = peak, at
    return best, where


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
    big = np.abs(exact) >= TINY
    with np.errstate(all="ignore"):
        rel = np.where(big, np.abs(err) / np.where(big, np.abs(exact), 1.0), np.nan)
    return np.where((exact == 0) & (err != 0) & ~np.isnan(err), np.inf, rel)


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
        is 0 at a sample and the error is not).
    """
    e = approx - exact
    ok = np.isfinite(e)
    if not ok.all():
        where = float(x[np.flatnonzero(~ok)[0]])
        return {"mse": float("nan"), "rmse": float("nan"), "max_abs_error": float("inf"),
                "argmax_abs_error": where, "max_rel_error": float("inf"),
                "max_abs_error_range": float("inf"), "argmax_abs_error_range": where,
                "max_rel_error_range": float("inf"), "argmax_rel_error_range": where}
    mse = float(np.mean(e * e))
    i = int(np.argmax(np.abs(e)))
    sample_max, sample_where = float(abs(e[i])), float(x[i])
    if err is not None:
        peak, where = refine_max(err, x, e, local_extrema(e), lo=lo, hi=hi)
    else:
        peak, where = sample_max, sample_where
    r = relative_error(e, exact)
    usable = ~np.isnan(r)
    if (usable & ~np.isinf(r)).any():
        rs = np.where(usable & ~np.isinf(r), r, 0.0)      # the samples' rule: skip 0 too
        k = int(np.argmax(rs))
        rel, rel_where = float(rs[k]), float(x[k])
    else:
        rel, rel_where = float("nan"), float("nan")
    rel_peak, rel_peak_where = rel, rel_where
    if np.isinf(r).any():
        rel_peak, rel_peak_where = float("inf"), float(x[np.flatnonzero(np.isinf(r))[0]])
    elif rel_err is not None and usable.any():
        rs = np.where(usable, r, 0.0)
        rel_peak, rel_peak_where = refine_max(rel_err, x, rs, local_extrema(rs), lo=lo, hi=hi)
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "max_abs_error": sample_max,
            "argmax_abs_error": sample_where, "max_rel_error": rel,
            "max_abs_error_range": peak, "argmax_abs_error_range": where,
            "max_rel_error_range": rel_peak, "argmax_rel_error_range": rel_peak_where}


def approximant_metrics(approximant, x: Array, *, lo: float | None = None,
                        hi: float | None = None) -> dict[str, dict[str, float]]:
    """Metrics of an approximant on ``x``: ``{"value": {...}, "gate": {...}}``.

    The gate entry is there when the target has a gate.  Gate errors of an
    approximant of the value (poly) are taken where the gate is defined
    (``x ≠ 0`` for ``f = x·g``).
    """
    target = approximant.target_obj
    out = {}
    ons = ("value", "gate") if target.has_gate else ("value",)
    for on in ons:
        xs = x
        if on == "gate" and approximant.base == "value" and target.relation.name == "product":
            xs = x[x != 0]

        def err(t: Array, on: str = on) -> Array:
            with np.errstate(all="ignore"):
                return approximant.evaluate(t, on=on) - target.evaluate(t, on=on)

        with np.errstate(all="ignore"):
            a = approximant.evaluate(xs, on=on)
        exact = target.evaluate(xs, on=on)
        refine = err if not (on == "gate" and xs is not x) else None

        def rel_err(t: Array, on: str = on) -> Array:
            with np.errstate(all="ignore"):
                exact_t = target.evaluate(t, on=on)
                return relative_error(approximant.evaluate(t, on=on) - exact_t, exact_t)

        out[on] = error_metrics(xs, a, exact, refine, lo=lo, hi=hi,
                                rel_err=rel_err if refine is not None else None)
    return out


def outside_points(lo: float, hi: float, *, limit: float = WHOLE_LINE, n: int = 4000
                   ) -> Array:
    """Points of ``[−limit, limit]`` outside ``[lo, hi]``: dense near the range, sparse far."""
    parts = []
    if hi < limit:
        parts.append(hi + np.geomspace(1e-3, limit - hi, n))
    if lo > -limit:
        parts.append(lo - np.geomspace(1e-3, limit + lo, n))
    return np.sort(np.concatenate(parts)) if parts else np.empty(0)


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
