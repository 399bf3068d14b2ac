"""Precision tables: an approximant's errors in a format, against the exact function.

:func:`precision_rows` gives max abs and ULP errors, the format's floor (the exact
function rounded to it) and a histogram (:func:`ulp_histogram`);
:func:`precision_markdown` and :func:`precision_text` render the rows.  ULPs are
those of :func:`approxfit.lowprec.formats.ulp`; the arithmetic is that of
:mod:`approxfit.lowprec.emulate`.

The exact reference
-------------------
For float32, float16 and bfloat16 the exact value is the target's float64 numpy
form (``scipy.special.ndtr`` and friends).  Its relative error is a few units of
2⁻⁵³ ≈ 1.1e-16, while one ULP of float32 is at least 2⁻²⁴ ≈ 6e-8 of the value:
the reference adds less than 1e-8 ulp to any ULP error reported.  For float64
that argument fails, so the float64 rows use the 50-digit mpmath reference on at
most ``mp_points`` of the points (evenly spread, stated in the row).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from approxfit.approximants.base import AnyApproximant
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_in_format, evaluate_steps
from approxfit.lowprec.formats import Format, get_format, round_to_format, ulp

__all__ = ["MP_POINTS", "ULP_BIN_EDGES", "precision_markdown", "precision_rows",
           "precision_text", "ulp_histogram"]

Array = np.ndarray
#: Right-closed bins of the ULP histogram: [0, ½], (½, 1], (1, 2], … (2¹⁶, ∞].
ULP_BIN_EDGES: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0,
                                    65536.0, math.inf)
MP_POINTS = 2001


def ulp_histogram(ulps: Any) -> dict[str, list]:
    """Counts of ULP errors in the right-closed bins of :data:`ULP_BIN_EDGES`.

    Returns
    -------
    dict
        ``edges`` (the bin edges, ``inf`` last), ``counts`` (one per bin) and
        ``nan`` (how many errors were not a number).
    """
    e = np.asarray(ulps, dtype=np.float64).ravel()
    ok = ~np.isnan(e)
    idx = np.searchsorted(np.asarray(ULP_BIN_EDGES[1:]), e[ok], side="left")
    counts = np.bincount(idx, minlength=len(ULP_BIN_EDGES) - 1)
    return {"edges": list(ULP_BIN_EDGES), "counts": [int(c) for c in counts],
            "nan": int((~ok).sum())}


def _argmax(err: Array, x: Array) -> tuple[float, float]:
    bad = ~np.isfinite(err)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return math.inf, float(x[i])
    if err.size == 0:
        return 0.0, math.nan
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


def _exact(target: Any, x: Array, on: str, fmt: Format, mp_points: int
           ) -> tuple[Array, Array, Array | None, str]:
    """The points kept, the exact values (float64), the mpmath values, a description."""
    if fmt.name != "float64":
        with np.errstate(all="ignore"):
            return x, np.asarray(target.evaluate(x, on=on), dtype=np.float64), None, (
                "float64 numpy form (relative error ~1e-16, < 1e-8 ulp of the format)")
    if x.size > mp_points:
        x = x[np.unique(np.linspace(0, x.size - 1, mp_points).round().astype(int))]

    ref = [target.reference(float(v), on=on) for v in x]
    exact = np.array([float(r) for r in ref])
    return x, exact, np.array(ref, dtype=object), (
        f"mpmath at 50 digits on {x.size} points")


def _mp_floor(ref_mp: Array) -> Array:
    """|float(r) − r| for mpmath values r: the float64 floor, at 50 digits."""
    import mpmath

    with mpmath.workdps(50):
        return np.array([abs(float(mpmath.mpf(float(r)) - r)) for r in ref_mp])


def precision_rows(approximants: Iterable[AnyApproximant], x: Any, dtype: str | Format, *,
                   on: str = "value", opmath: str = "format", gate_form: str = "tanh",
                   mp_points: int = MP_POINTS) -> list[dict[str, Any]]:
    """Errors of each approximant evaluated in a format, against the exact function.

    The inputs ``x`` are rounded to the format and duplicates dropped; the exact
    value is taken at the rounded inputs (module docstring: reference, ULPs).

    Parameters
    ----------
    approximants : iterable of AnyApproximant
    x : array_like
        Sample points, e.g. ``numpy.arange(-10, 10, 0.01)`` or :func:`format_grid`.
    dtype : {"float64", "float32", "float16", "bfloat16"}
    on : {"value", "gate"}
    opmath : {"format", "float32"}
    gate_form : {"tanh", "sigmoid"}
    mp_points : int
        For float64, how many points get the mpmath reference.

    Returns
    -------
    list of dict
        One row per approximant with ``name``, ``target``, ``on``, ``dtype``,
        ``opmath``, ``n`` (distinct format inputs), ``reference``;
        ``max_abs_error`` and ``argmax_abs_error``; ``max_ulp_error`` and
        ``argmax_ulp_error``; ``floor_abs_error`` and ``floor_ulp_error`` (the
        exact function rounded to the format); ``approximation_abs_error`` (the
        formula in float64 arithmetic at the same inputs: what the format adds is
        the difference); ``evaluation_abs_error`` and ``evaluation_ulp_error`` (the
        format's result against the formula in float64; None for float64);
        ``dominant`` (``"format"`` when the floor's max abs error is at least the
        approximation's, else ``"approximation"``); ``coefficients`` (the
        constants as rounded to the format); ``histogram`` and
        ``floor_histogram`` (:func:`ulp_histogram`).
    """
    fmt = get_format(dtype)
    if on not in ("value", "gate"):
        raise InputError(f"`on` must be 'value' or 'gate', got {on!r}")
    approximants = list(approximants)
    xs = np.unique(round_to_format(np.asarray(x, dtype=np.float64).ravel(), fmt))
    xs = xs[np.isfinite(xs)]
    if xs.size == 0:
        raise InputError("no finite sample points in the format")
    rows = []
    cache: dict[tuple[int, bool], tuple[Array, Array, Array | None, str]] = {}
    for a in approximants:
        target = a.target_obj
        pts = xs
        skip0 = (on == "gate" and not a.gate_direct
                 and target.relation is not None and target.relation.name == "product")
        if skip0:
            pts = xs[xs != 0]
        key = (id(target), skip0)
        if key not in cache:
            cache[key] = _exact(target, pts, on, fmt, mp_points)
        pts, exact, ref_mp, reference = cache[key]
        approx = evaluate_in_format(a, pts, fmt, on=on, opmath=opmath, gate_form=gate_form)
        if ref_mp is not None:
            import mpmath

            with mpmath.workdps(50):
                err = np.array([abs(float(mpmath.mpf(float(v)) - r))
                                for v, r in zip(approx, ref_mp, strict=True)])
        else:
            with np.errstate(all="ignore"):
                err = np.abs(approx - exact)
        u = ulp(exact, fmt)
        with np.errstate(all="ignore"):
            ulps = err / u
            if ref_mp is None:
                floor = np.abs(round_to_format(exact, fmt) - exact)
            else:
                floor = _mp_floor(ref_mp)
            floor_ulps = floor / u
            formula64 = evaluate_steps(a.program(on=on, gate_form=gate_form), pts,
                                       "float64")
            approx_err = np.abs(formula64 - exact)
        max_abs, where_abs = _argmax(err, pts)
        max_ulp, where_ulp = _argmax(ulps, pts)
        floor_abs, _ = _argmax(floor, pts)
        floor_ulp, _ = _argmax(floor_ulps, pts)
        approx_abs, _ = _argmax(approx_err, pts)
        if fmt.name == "float64":
            eval_abs = eval_ulp = None
        else:
            with np.errstate(all="ignore"):
                d = np.abs(approx - formula64)
                eval_abs = _argmax(d, pts)[0]
                eval_ulp = _argmax(d / ulp(formula64, fmt), pts)[0]
        rows.append({
            "name": a.name or a.describe(), "target": target.name, "on": on, "dtype": fmt.name,
            "opmath": opmath if fmt.bits == 16 else fmt.name,
            "gate_form": gate_form, "n": int(pts.size), "reference": reference,
            "max_abs_error": max_abs, "argmax_abs_error": where_abs,
            "max_ulp_error": max_ulp, "argmax_ulp_error": where_ulp,
            "floor_abs_error": floor_abs, "floor_ulp_error": floor_ulp,
            "approximation_abs_error": approx_abs,
            "evaluation_abs_error": eval_abs, "evaluation_ulp_error": eval_ulp,
            "dominant": "format" if floor_abs >= approx_abs else "approximation",
            "coefficients": {k: float(round_to_format(v, fmt))
                             for k, v in a.coefficients.items()},
            "histogram": ulp_histogram(ulps), "floor_histogram": ulp_histogram(floor_ulps),
        })
    return rows


def _fmt_num(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and not math.isfinite(v):
        return "inf" if v > 0 else ("nan" if math.isnan(v) else "-inf")
    return f"{v:.3g}" if abs(v) >= 1e4 and isinstance(v, float) and v > 0 else (
        f"{v:.4g}" if isinstance(v, float) else str(v))


def precision_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """A Markdown table of :func:`precision_rows` output (any mix of formats)."""
    head = ("| name | dtype | max abs error | at x | max ulp error | at x | floor abs | "
            "floor ulp | approximation abs (float64) | evaluation ulp | dominant |")
    lines = [head, "|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|:---|"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['dtype']} | {r['max_abs_error']:.3e} | "
            f"{r['argmax_abs_error']:.6g} | {_fmt_num(float(r['max_ulp_error']))} | "
            f"{r['argmax_ulp_error']:.6g} | {r['floor_abs_error']:.3e} | "
            f"{r['floor_ulp_error']:.3g} | {r['approximation_abs_error']:.3e} | "
            f"{_fmt_num(r['evaluation_ulp_error'])} | {r['dominant']} |")
    return "\n".join(lines) + "\n"


def precision_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """Terminal lines for :func:`precision_rows` output, one block per row."""
    lines = []
    for r in rows:
        ev = r["evaluation_ulp_error"]
        lines.append(
            f"{r['name']} in {r['dtype']} ({r['target']}'s {r['on']}, {r['n']} inputs, "
            f"arithmetic {r['opmath']}): max abs error {r['max_abs_error']:.4e} at "
            f"x = {r['argmax_abs_error']:.6g}, max {_fmt_num(float(r['max_ulp_error']))} ulp "
            f"at x = {r['argmax_ulp_error']:.6g}")
        lines.append(
            f"  floor (exact rounded to {r['dtype']}): {r['floor_abs_error']:.4e} = "
            f"{r['floor_ulp_error']:.3g} ulp; formula in exact arithmetic: "
            f"{r['approximation_abs_error']:.4e}; evaluation vs the formula: "
            f"{'–' if ev is None else _fmt_num(float(ev))} ulp; dominated by the "
            f"{r['dominant']}")
    return "\n".join(lines) + "\n"
