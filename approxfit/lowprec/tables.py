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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.base import AnyApproximant
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_in_format, evaluate_steps
from approxfit.lowprec.formats import (
    Format,
    finite_index_range,
    finite_values,
    get_format,
    round_to_format,
    ulp,
)

__all__ = ["CHUNK", "EXHAUSTIVE_BITS", "MP_POINTS", "ULP_BIN_EDGES", "InputSet", "every_value",
           "every_value_chunks", "every_value_count", "input_set", "precision_markdown",
           "precision_rows", "precision_rows_chunked", "precision_text", "ulp_histogram"]

Array = np.ndarray
#: Right-closed bins of the ULP histogram: [0, ½], (½, 1], (1, 2], … (2¹⁶, ∞].
ULP_BIN_EDGES: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0,
                                    65536.0, math.inf)
MP_POINTS = 2001


#: Formats of at most this many bits are measured on every finite value of a range.
EXHAUSTIVE_BITS = 16
#: Inputs per chunk of a chunked (float32 ``exhaustive``) measure.
CHUNK = 2**20


@dataclass(frozen=True, eq=False)
class InputSet:
    """The inputs a precision measure runs on, and how to say so.

    Attributes
    ----------
    dtype : str
        The format.
    lo, hi : float
        The range.
    kind : {"every-value", "arange", "uniform"}
        Every finite value of the format in ``[lo, hi]`` (−0 and +0 as one input), or
        sample points rounded to the format.
    size : int
        How many distinct format values are measured.
    x : numpy.ndarray or None
        The points (float64): the sample points as made, or every value; None for a
        float32 ``every-value`` set, which is generated in chunks (:meth:`chunks`).
    step : float or None
        The step of ``arange`` samples.
    samples : int or None
        How many sample points there are before rounding (None for every value).
    ignored : str or None
        ``"samples"`` or ``"step"`` when one was given for a set of every value.
    grid : Grid or None
        The :class:`~approxfit.core.grids.Grid` of sample points (None for every value).
    """

    dtype: str
    lo: float
    hi: float
    kind: str
    size: int
    x: Array | None
    step: float | None = None
    samples: int | None = None
    ignored: str | None = None
    grid: Any = None

    @property
    def exhaustive(self) -> bool:
        """Whether every finite value of the format in the range is an input."""
        return self.kind == "every-value"

    def chunks(self, size: int = CHUNK) -> Iterator[Array]:
        """The inputs in ascending chunks of at most ``size`` values (float64)."""
        if self.x is not None:
            for i in range(0, self.x.size, size):
                yield self.x[i:i + size]
            return
        yield from every_value_chunks(self.dtype, self.lo, self.hi, size)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description like :meth:`approxfit.core.grids.Grid.describe`'s."""
        if self.exhaustive:
            return {"kind": "every-value", "n": self.size, "dtype": self.dtype}
        d: dict[str, Any] = {"kind": self.kind, "n": self.samples}
        if self.step is not None:
            d["step"] = self.step
        return d

    def text(self) -> str:
        """One sentence, e.g. "every finite bfloat16 value in [-10, 10] (32,513 inputs)"."""
        rng = f"[{self.lo:g}, {self.hi:g}]"
        if self.exhaustive:
            note = (f"; {self.ignored} ignored: every value is measured"
                    if self.ignored else "")
            zero = ", ±0 once" if self.lo <= 0.0 <= self.hi else ""
            return (f"every finite {self.dtype} value in {rng} ({self.size:,} inputs"
                    f"{zero}{note})")
        if self.kind == "arange":
            made = (f"{self.samples:,} samples numpy.arange({self.lo:g}, {self.hi:g}, "
                    f"{self.step:g})")
        else:
            made = f"{self.samples:,} uniform samples of {rng}"
        if self.dtype == "float64":
            return made
        return f"{made} rounded to {self.dtype} ({self.size:,} distinct inputs)"


def every_value(dtype: str | Format, lo: float, hi: float) -> Array:
    """Every finite value of the format in ``[lo, hi]``, ascending, as float64, with
    −0 dropped (+0 stands for both zeros, as :func:`precision_rows` merges them)."""
    fmt = get_format(dtype, float8=True)
    start, stop = finite_index_range(fmt, lo, hi)
    with np.errstate(all="ignore"):
        v = finite_values(fmt, start, stop).astype(np.float64)
    return v[~((v == 0) & np.signbit(v))]


def every_value_count(dtype: str | Format, lo: float, hi: float) -> int:
    """How many values :func:`every_value` gives (without making them)."""
    fmt = get_format(dtype, float8=True)
    start, stop = finite_index_range(fmt, lo, hi)
    return stop - start - (1 if lo <= 0 <= hi else 0)      # −0 and +0 as one


def every_value_chunks(dtype: str | Format, lo: float, hi: float,
                       size: int = CHUNK) -> Iterator[Array]:
    """:func:`every_value` in ascending chunks of at most ``size`` values."""
    fmt = get_format(dtype, float8=True)
    start, stop = finite_index_range(fmt, lo, hi)
    for a in range(start, stop, size):
        with np.errstate(all="ignore"):
            v = finite_values(fmt, a, min(stop, a + size)).astype(np.float64)
        yield v[~((v == 0) & np.signbit(v))]


def input_set(dtype: str | Format, range: tuple[float, float], *, samples: int | None = None,
              step: float | None = None, exhaustive: bool = False,
              default_step: float = 0.01) -> InputSet:
    """The inputs ``approxfit report --dtype`` measures for a format and range.

    Formats of at most :data:`EXHAUSTIVE_BITS` bits (float16, bfloat16, the float8s):
    every finite value in the range; a ``samples`` or ``step`` given is ignored (and
    named in :attr:`InputSet.ignored`).  float32 with ``exhaustive``: every finite
    float32 in the range, generated in chunks.  Otherwise the samples of
    :func:`approxfit.core.grids.make_grid` (``numpy.arange(lo, hi, default_step)``
    when neither is given), rounded to the format when measured.

    Raises
    ------
    InputError
        For a bad range, ``exhaustive`` not a bool or with float64, or a bad grid.
    """
    from approxfit.core.grids import check_range, make_grid

    fmt = get_format(dtype, float8=True)
    if not isinstance(exhaustive, bool):
        raise InputError(f"`exhaustive` must be True or False, got {type(exhaustive).__name__}")
    lo, hi = check_range(*range)
    if fmt.bits <= EXHAUSTIVE_BITS or exhaustive:
        if fmt.name == "float64":
            raise InputError("`exhaustive` is for float32 and narrower formats; float64 has "
                             "2^64 values")
        ignored = "samples" if samples is not None else ("step" if step is not None else None)
        if fmt.bits <= EXHAUSTIVE_BITS:
            x = every_value(fmt, lo, hi)
            size = int(x.size)
        else:
            if ignored:
                raise InputError(f"`{ignored}` does not go with `exhaustive`: every float32 "
                                 "value in the range is measured")
            x, size = None, every_value_count(fmt, lo, hi)
        if size == 0:
            raise InputError(f"no finite {fmt.name} value lies in the range [{lo:g}, {hi:g}]")
        return InputSet(fmt.name, lo, hi, "every-value", size, x, ignored=ignored)
    if samples is None and step is None:
        step = default_step
    grid = make_grid(lo, hi, samples=samples, step=step)
    xs = np.unique(round_to_format(grid.x, fmt))
    size = int(np.count_nonzero(np.isfinite(xs)))
    return InputSet(fmt.name, lo, hi, grid.kind, size, grid.x, grid.step, grid.size,
                    grid=grid)


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
                   mp_points: int = MP_POINTS, fma: bool = False) -> list[dict[str, Any]]:
    """Errors of each approximant evaluated in a format, against the exact function.

    The inputs ``x`` are rounded to the format and duplicates dropped; the exact
    value is taken at the rounded inputs (module docstring: reference, ULPs).

    Parameters
    ----------
    approximants : iterable of AnyApproximant
    x : array_like
        Sample points, e.g. ``numpy.arange(-10, 10, 0.01)``, :func:`format_grid` or
        :func:`every_value` (every finite value of the format in a range).
    dtype : {"float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"}
    on : {"value", "gate"}
    opmath : {"format", "float32"}
    gate_form : {"tanh", "sigmoid"}
    mp_points : int
        For float64, how many points get the mpmath reference.
    fma : bool
        Evaluate with fused multiply-adds: the program runs under
        :func:`approxfit.lowprec.model.make_model` ``(dtype, compute, fma=True)`` —
        compute float32 for ``opmath="float32"`` (or a float32 ``dtype``), else the format
        itself — which is what ``export --fma`` prints and ``verify --fma`` measures.
        The rows then carry ``"fma": True``.

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
    fmt, approximants = _check_rows_args(approximants, dtype, on, opmath, fma)
    xs = np.unique(round_to_format(np.asarray(x, dtype=np.float64).ravel(), fmt))
    xs = xs[np.isfinite(xs)]
    if xs.size == 0:
        raise InputError("no finite sample points in the format")
    parts = _measure_chunk(approximants, xs, fmt, on, opmath, gate_form, mp_points, fma)
    return [_finish_row(a, p, fmt, on, opmath, gate_form, fma)
            for a, p in zip(approximants, parts, strict=True)]


def precision_rows_chunked(approximants: Iterable[AnyApproximant], chunks: Iterable[Any],
                           dtype: str | Format, *, on: str = "value", opmath: str = "format",
                           gate_form: str = "tanh", fma: bool = False,
                           progress: Callable[[int], None] | None = None
                           ) -> list[dict[str, Any]]:
    """:func:`precision_rows` over inputs given in chunks, with memory bounded by a chunk.

    Each chunk is measured as :func:`precision_rows` measures its ``x`` and the partial
    results are combined: maxima (ties and non-finite errors resolved to the smallest x,
    as for one array, when the chunks are ascending and disjoint), counts and histograms
    summed.  On ascending, disjoint chunks of format values the rows equal those of
    :func:`precision_rows` on their concatenation.  Not for float64 (its mpmath reference
    is a sample of the points).

    Parameters
    ----------
    approximants, dtype, on, opmath, gate_form, fma
        As for :func:`precision_rows`.
    chunks : iterable of array_like
        The inputs, e.g. :func:`every_value_chunks`.
    progress : callable, optional
        Called with the number of inputs of each chunk after it is measured.
    """
    fmt, approximants = _check_rows_args(approximants, dtype, on, opmath, fma)
    if fmt.name == "float64":
        raise InputError("`dtype` float64 cannot be measured in chunks (its reference is "
                         "mpmath on a sample of the points); use precision_rows")
    total: list[dict[str, Any]] | None = None
    for chunk in chunks:
        xs = np.unique(round_to_format(np.asarray(chunk, dtype=np.float64).ravel(), fmt))
        xs = xs[np.isfinite(xs)]
        if xs.size:
            parts = _measure_chunk(approximants, xs, fmt, on, opmath, gate_form, 0, fma)
            total = parts if total is None else [
                _combine(t, p) for t, p in zip(total, parts, strict=True)]
        if progress is not None:
            progress(int(np.size(chunk)))
    if total is None:
        raise InputError("no finite sample points in the format")
    return [_finish_row(a, p, fmt, on, opmath, gate_form, fma)
            for a, p in zip(approximants, total, strict=True)]


def _check_rows_args(approximants: Any, dtype: Any, on: Any, opmath: Any, fma: Any
                     ) -> tuple[Format, list[Any]]:
    fmt = get_format(dtype, float8=True)
    if on not in ("value", "gate"):
        raise InputError(f"`on` must be 'value' or 'gate', got {on!r}")
    if not isinstance(fma, bool):
        raise InputError(f"`fma` must be True or False, got {type(fma).__name__}")
    if fma and fmt.name == "float64":
        raise InputError("`fma` is modelled for float32 and narrower formats; float64 has "
                         "no exact model of it")
    if fma and opmath not in ("format", "float32"):
        raise InputError(f"`opmath` must be 'format' or 'float32', got {opmath!r}")
    return fmt, list(approximants)


def _run(a: Any, pts: Array, fmt: Format, on: str, opmath: str, gate_form: str,
         fma: bool) -> Array:
    """The approximant at the format values ``pts`` (float64 array of format values)."""
    if not fma:
        return evaluate_in_format(a, pts, fmt, on=on, opmath=opmath, gate_form=gate_form)
    from approxfit.lowprec.model import make_model, run_program

    compute = "float32" if opmath == "float32" or fmt.bits >= 32 else fmt.name
    model = make_model(fmt.name, compute, fma=True)
    out, _ = run_program(a.program(on=on, gate_form=gate_form), pts.astype(fmt.dtype), model)
    with np.errstate(all="ignore"):
        return out.astype(np.float64)


# The maxima a row reports, each (value, x) of the first largest (non-finite first).
_MAXIMA = ("abs", "ulp", "floor", "floor_ulp", "approx", "eval", "eval_ulp")


def _measure_chunk(approximants: list[Any], xs: Array, fmt: Format, on: str, opmath: str,
                   gate_form: str, mp_points: int, fma: bool) -> list[dict[str, Any]]:
    """Partial results of each approximant on the distinct format values ``xs``."""
    parts = []
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
        approx = _run(a, pts, fmt, on, opmath, gate_form, fma)
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
        m = {"abs": _argmax(err, pts), "ulp": _argmax(ulps, pts),
             "floor": _argmax(floor, pts), "floor_ulp": _argmax(floor_ulps, pts),
             "approx": _argmax(approx_err, pts), "eval": None, "eval_ulp": None}
        if fmt.name != "float64":
            with np.errstate(all="ignore"):
                d = np.abs(approx - formula64)
                m["eval"] = _argmax(d, pts)
                m["eval_ulp"] = _argmax(d / ulp(formula64, fmt), pts)
        parts.append({"n": int(pts.size), "reference": reference, "max": m,
                      "histogram": ulp_histogram(ulps),
                      "floor_histogram": ulp_histogram(floor_ulps)})
    return parts


def _combine(p: dict[str, Any], q: dict[str, Any]) -> dict[str, Any]:
    """Two partial results of one approximant, ``p``'s inputs below ``q``'s."""
    def larger(a: tuple[float, float] | None, b: tuple[float, float] | None
               ) -> tuple[float, float] | None:
        # (value, x) of the first largest; an empty part's (0.0, nan) never wins
        if a is None or b is None:
            return a if b is None else b
        if not math.isnan(b[1]) and (math.isnan(a[1]) or b[0] > a[0]):
            return b
        return a

    def hist(h: dict[str, list], k: dict[str, list]) -> dict[str, list]:
        return {"edges": h["edges"],
                "counts": [int(a) + int(b) for a, b in zip(h["counts"], k["counts"],
                                                           strict=True)],
                "nan": int(h["nan"]) + int(k["nan"])}

    return {"n": p["n"] + q["n"], "reference": p["reference"],
            "max": {k: larger(p["max"][k], q["max"][k]) for k in _MAXIMA},
            "histogram": hist(p["histogram"], q["histogram"]),
            "floor_histogram": hist(p["floor_histogram"], q["floor_histogram"])}


def _finish_row(a: Any, p: dict[str, Any], fmt: Format, on: str, opmath: str,
                gate_form: str, fma: bool) -> dict[str, Any]:
    m = p["max"]
    max_abs, where_abs = m["abs"]
    max_ulp, where_ulp = m["ulp"]
    floor_abs, floor_ulp, approx_abs = m["floor"][0], m["floor_ulp"][0], m["approx"][0]
    eval_abs = None if m["eval"] is None else m["eval"][0]
    eval_ulp = None if m["eval_ulp"] is None else m["eval_ulp"][0]
    row = {
        "name": a.name or a.describe(), "target": a.target_obj.name, "on": on,
        "dtype": fmt.name, "opmath": opmath if fmt.bits <= 16 else fmt.name,
        "gate_form": gate_form, "n": p["n"], "reference": p["reference"],
        "max_abs_error": max_abs, "argmax_abs_error": where_abs,
        "max_ulp_error": max_ulp, "argmax_ulp_error": where_ulp,
        "floor_abs_error": floor_abs, "floor_ulp_error": floor_ulp,
        "approximation_abs_error": approx_abs,
        "evaluation_abs_error": eval_abs, "evaluation_ulp_error": eval_ulp,
        "dominant": "format" if floor_abs >= approx_abs else "approximation",
        "coefficients": {k: float(round_to_format(v, fmt))
                         for k, v in a.coefficients.items()},
        "histogram": p["histogram"], "floor_histogram": p["floor_histogram"],
    }
    if fma:
        row["fma"] = True
    return row


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


def _error_source(r: Mapping[str, Any]) -> str:
    """What sets each of a row's two maxima: its abs error (the format's rounding when
    the floor's max abs error is at least the formula's, else the formula) and its ulp
    error (evaluating in the format when that alone costs at least half the ulps, else
    rounding the result when the floor does, else the formula's own error)."""
    abs_src = ("the format's rounding (floor >= formula)" if r["dominant"] == "format"
               else "the formula (formula > floor)")
    ev, top = r["evaluation_ulp_error"], float(r["max_ulp_error"])
    if ev is not None and math.isfinite(top) and float(ev) >= top / 2:
        ulp_src = f"evaluating in {r['dtype']} ({_fmt_num(float(ev))} ulp from the formula)"
    elif float(r["floor_ulp_error"]) >= top / 2:
        ulp_src = f"rounding the result to {r['dtype']}"
    else:
        ulp_src = "the formula's own error (where the target is small)"
    return f"abs error set by {abs_src}; ulp error set by {ulp_src}"


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
            f"{'–' if ev is None else _fmt_num(float(ev))} ulp")
        lines.append(f"  {_error_source(r)}")
    return "\n".join(lines) + "\n"
