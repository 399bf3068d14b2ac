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
           "local_extrema", "outside_metrics", "outside_points", "refine_max"]

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


def refine_max(err: Callable[[Array], Array], x: Array, e: Array, idx: Array,
               *, lo: float | None = None, hi: float | None = None, top: int = 8,
               rounds: int = 5, points: int = 33) -> tuple[float, float]:
    """The largest ``|err|`` near the grid peaks ``idx``, refined between grid points.

    The ``top`` largest peaks are refined together by vectorised zooming: each
    round evaluates ``points`` equally spaced points across every peak's bracket
    (at first, its two neighbouring grid points, clipped to ``[lo, hi]``) in one
    call of ``err`` and narrows each bracket to the best point's neighbours.  Five
    rounds of 33 points shrink a bracket by 16⁵ ≈ 10⁶, so the maximum of a smooth
    peak is found to a relative accuracy far below 1e-12.

    Returns
    -------
    (float, float)
        The maximum of ``|err|`` and where it is.
    """
    lo = x[0] if lo is None else lo
    hi = x[-1] if hi is None else hi
    best_i = int(np.argmax(np.abs(e)))
    best, where = float(abs(e[best_i])), float(x[best_i])
    if x.size < 3 or idx.size == 0:
        return best, where
    order = idx[np.argsort(-np.abs(e[idx]))][:top]
    a = np.maximum(np.where(order > 0, x[np.maximum(order - 1, 0)], lo), lo)
    b = np.minimum(np.where(order < x.size - 1, x[np.minimum(order + 1, x.size - 1)], hi), hi)
    t = np.linspace(0.0, 1.0, points)
    for _ in range(rounds):
        grid = a[:, None] + (b - a)[:, None] * t[None, :]
        vals = np.abs(err(grid.ravel())).reshape(grid.shape)
        vals = np.where(np.isfinite(vals), vals, -np.inf)
        j = np.argmax(vals, axis=1)
        rows = np.arange(grid.shape[0])
        k = int(np.argmax(vals[rows, j]))
        if vals[k, j[k]] > best:
            best, where = float(vals[k, j[k]]), float(grid[k, j[k]])
        a = grid[rows, np.maximum(j - 1, 0)]
        b = grid[rows, np.minimum(j + 1, points - 1)]
    return best, where


def error_metrics(x: Array, approx: Array, exact: Array,
                  err: Callable[[Array], Array] | None = None,
                  *, lo: float | None = None, hi: float | None = None) -> dict[str, float]:
    """MSE, RMSE, max abs error (and where), max relative error of ``approx − exact``.

    Parameters
    ----------
    x, approx, exact : numpy.ndarray
        Sample points and the two functions' values there.
    err : callable, optional
        ``x -> approx(x) − exact(x)``; when given, the largest error is also
        refined between sample points (within ``[lo, hi]``), which gives the
        maximum on the whole range rather than on the samples.

    Returns
    -------
    dict
        ``mse``, ``rmse``, ``max_abs_error`` and ``argmax_abs_error`` (on the
        samples), ``max_rel_error`` (skipping points where the exact value is 0 or
        subnormal), and ``max_abs_error_range`` with ``argmax_abs_error_range``
        (the refined maximum on the range; equal to the sample maximum when
        ``err`` is not given).
    """
    e = approx - exact
    ok = np.isfinite(e)
    if not ok.all():
        where = float(x[np.flatnonzero(~ok)[0]])
        return {"mse": float("nan"), "rmse": float("nan"), "max_abs_error": float("inf"),
                "argmax_abs_error": where, "max_rel_error": float("inf"),
                "max_abs_error_range": float("inf"), "argmax_abs_error_range": where}
    mse = float(np.mean(e * e))
    i = int(np.argmax(np.abs(e)))
    sample_max, sample_where = float(abs(e[i])), float(x[i])
    if err is not None:
        peak, where = refine_max(err, x, e, local_extrema(e), lo=lo, hi=hi)
    else:
        peak, where = sample_max, sample_where
    big = np.abs(exact) >= TINY
    rel = float(np.max(np.abs(e[big]) / np.abs(exact[big]))) if big.any() else float("nan")
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "max_abs_error": sample_max,
            "argmax_abs_error": sample_where, "max_rel_error": rel,
            "max_abs_error_range": peak, "argmax_abs_error_range": where}


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
        out[on] = error_metrics(xs, a, exact, refine, lo=lo, hi=hi)
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
