"""Binary floating-point formats: float64, float32, float16, bfloat16 (and the two
8-bit floats float8_e4m3fn and float8_e5m2), and ULPs.

=========================  ==========================================================
name                       what it does
=========================  ==========================================================
:data:`FORMATS`            the four formats: precision, exponent range, numpy dtype
:func:`round_to_format`    correctly rounded (nearest-even) conversion from float64
:func:`ulp`                the unit in the last place of a format at a value
:func:`step_ulps`          the representable number k steps away
:func:`format_grid`        every representable value of a range (or a dense sample)
:data:`ALL_FORMATS`        the four and the two 8-bit floats of ``ml_dtypes``
:func:`all_finite`         every finite value of a format, ascending, in chunks
:func:`finite_count`       how many finite values a format has (in a range)
=========================  ==========================================================

The 8-bit floats
----------------
``float8_e4m3fn`` and ``float8_e5m2`` are the formats ``ml_dtypes`` (and PyTorch)
define.  e5m2 is IEEE-like (p = 3, emin = −14, max 57 344, infinities, three NaN
patterns per sign).  e4m3fn (p = 4, emin = −6) has no infinities and one NaN pattern
per sign (``S.1111.111``), so its largest finite number is 448 = 1.75·2⁸; a value
rounding beyond it (more than 464, the midpoint to the missing 480) becomes NaN,
464 itself rounds to 448 (even).  They are in :data:`ALL_FORMATS` (``get_format(name,
float8=True)``), not in :data:`FORMATS`/:data:`DTYPES`, which the commands that
predate them (``report --dtype``, ``export``) accept.

ULPs
----
``ulp(y)`` is the spacing of the format in the binade of ``round(y)``, the exact
value rounded to the format: ``2^(max(e, emin) − p + 1)`` with ``e`` the exponent
of ``round(y)``, ``emin`` the exponent of the smallest normal number and ``p`` the
precision.  Below the smallest normal (and at 0) it is the smallest subnormal,
the spacing of the subnormals; at an overflow to infinity it is the spacing of
the largest binade.  An error in ULPs is ``|approx − exact| / ulp(exact)``.  The
*floor* is the error of the exact function rounded to the format — at most
½ ulp by construction — the best any kernel in that format can do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["ALL_DTYPES", "ALL_FORMATS", "DTYPES", "FLOAT8_DTYPES", "FORMATS", "Format",
           "all_finite", "finite_count", "finite_index_range", "finite_values", "format_grid",
           "from_ordered", "get_format", "round_to_format", "step_ulps", "to_format_array",
           "to_ordered", "ulp"]

Array = np.ndarray
DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
FLOAT8_DTYPES: tuple[str, ...] = ("float8_e4m3fn", "float8_e5m2")
ALL_DTYPES: tuple[str, ...] = DTYPES + FLOAT8_DTYPES


@dataclass(frozen=True)
class Format:
    """A binary floating-point format.

    Attributes
    ----------
    name : str
        ``float64``, ``float32``, ``float16`` or ``bfloat16``.
    precision : int
        Significand bits, the implicit leading bit included (53, 24, 11, 8).
    emin, emax : int
        Exponents of the smallest normal number (``2**emin``) and of the largest
        binade.
    bits : int
        Storage width.
    infinities : bool
        Whether the format has infinities (all but float8_e4m3fn).  Without them a
        value beyond the largest finite number rounds to NaN.
    top_codes_lost : int
        How many of the top binade's significands are taken by NaN encodings
        (1 for float8_e4m3fn, whose ``S.1111.111`` is NaN; else 0).
    """

    name: str
    precision: int
    emin: int
    emax: int
    bits: int
    infinities: bool = True
    top_codes_lost: int = 0

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype (bfloat16 and the float8s from ``ml_dtypes``, imported here)."""
        if self.name == "bfloat16" or self.name.startswith("float8"):
            import ml_dtypes

            return np.dtype(getattr(ml_dtypes, self.name))
        return np.dtype(self.name)

    @property
    def eps(self) -> float:
        """``2^(1 − p)``: the spacing just above 1."""
        return math.ldexp(1.0, 1 - self.precision)

    @property
    def max(self) -> float:
        """The largest finite number."""
        return (2.0 - (1 + self.top_codes_lost) * self.eps) * math.ldexp(1.0, self.emax)

    @property
    def smallest_normal(self) -> float:
        """``2^emin``."""
        return math.ldexp(1.0, self.emin)

    @property
    def smallest_subnormal(self) -> float:
        """``2^(emin − p + 1)``: the spacing of the subnormals."""
        return math.ldexp(1.0, self.emin - self.precision + 1)

    @property
    def uint(self) -> np.dtype:
        """The unsigned integer type of the same width (for bit patterns)."""
        return np.dtype(f"uint{self.bits}")


FORMATS: dict[str, Format] = {
    "float64": Format("float64", 53, -1022, 1023, 64),
    "float32": Format("float32", 24, -126, 127, 32),
    "float16": Format("float16", 11, -14, 15, 16),
    "bfloat16": Format("bfloat16", 8, -126, 127, 16),
}

#: :data:`FORMATS` and the 8-bit floats of ``ml_dtypes`` (see the module docstring).
ALL_FORMATS: dict[str, Format] = {
    **FORMATS,
    "float8_e4m3fn": Format("float8_e4m3fn", 4, -6, 8, 8, infinities=False,
                            top_codes_lost=1),
    "float8_e5m2": Format("float8_e5m2", 3, -14, 15, 8),
}


def get_format(dtype: str | Format, *, float8: bool = False) -> Format:
    """The :class:`Format` called ``dtype``; :class:`InputError` listing the choices.

    ``float8=True`` also accepts the 8-bit floats (:data:`ALL_FORMATS`).
    """
    if isinstance(dtype, Format):
        return dtype
    table, names = (ALL_FORMATS, ALL_DTYPES) if float8 else (FORMATS, DTYPES)
    try:
        return table[dtype]
    except (KeyError, TypeError):
        from approxfit.core.names import suggest

        raise InputError(f"unknown dtype {dtype!r}{suggest(str(dtype), list(names))}; "
                         f"choose one of {', '.join(names)}") from None


def round_to_format(x: Any, dtype: str | Format) -> Array:
    """``x`` rounded to the format (nearest, ties to even), returned as float64.

    float64 → float32 is numpy's IEEE conversion.  For float16 and bfloat16 the
    rounding is done here, in float64, by scaling to the format's last place and
    :func:`numpy.round` (which rounds half to even); numbers beyond the largest
    finite value by half an ulp or more become infinities, and the subnormal
    range is handled by the ``emin`` floor.  (``ml_dtypes`` converts float64 to
    bfloat16 through float32, a double rounding: ``1 + 2⁻⁸ + 2⁻³⁰`` becomes 1
    instead of ``1 + 2⁻⁷``.)  The 8-bit floats are rounded the same way; for
    float8_e4m3fn, which has no infinities, an overflow is NaN (as ``ml_dtypes``
    converts), and so are ±inf.
    """
    fmt = get_format(dtype)
    x = np.asarray(x, dtype=np.float64)
    if fmt.name == "float64":
        return x.copy()
    if fmt.name == "float32":
        with np.errstate(over="ignore"):
            return x.astype(np.float32).astype(np.float64)
    with np.errstate(all="ignore"):
        _, e = np.frexp(x)
        q = np.maximum(e - 1, fmt.emin) - (fmt.precision - 1)
        r = np.ldexp(np.round(np.ldexp(x, -q)), q)
        if not fmt.infinities:
            r = np.where(np.abs(r) > fmt.max, np.nan, r)
            return np.where(np.isnan(x), x, np.where(np.isfinite(x), r, np.nan))
        r = np.where(np.abs(r) > fmt.max, np.copysign(np.inf, x), r)
        return np.where(np.isfinite(x), r, x)


def to_format_array(x: Any, dtype: str | Format) -> Array:
    """``x`` rounded to the format, as an array of the format's numpy dtype."""
    fmt = get_format(dtype)
    return round_to_format(x, fmt).astype(fmt.dtype)


def ulp(y: Any, dtype: str | Format) -> Array:
    """The format's unit in the last place at ``y`` (see the module docstring).

    ``2^(max(e, emin) − p + 1)`` where ``e`` is the exponent of ``y`` rounded to
    the format; the smallest subnormal at 0 and below the normal range; the
    spacing of the largest binade where ``y`` overflows.  NaN stays NaN.

    Examples
    --------
    >>> float(ulp(1.0, "bfloat16")), float(ulp(0.0, "float16"))
    (0.0078125, 5.960464477539063e-08)
    """
    fmt = get_format(dtype)
    r = np.abs(round_to_format(y, fmt))
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.where(np.isfinite(r), r, fmt.max))
        e = np.where(r == 0, fmt.emin, np.maximum(e - 1, fmt.emin))
        out = np.ldexp(1.0, e - fmt.precision + 1)
    return np.where(np.isnan(r), np.nan, out)


def to_ordered(values: Array, fmt: Format) -> Array:
    """Format values → integers in the order of the numbers (−0 and +0 both 0)."""
    arr = np.asarray(values, dtype=np.float64).astype(fmt.dtype)
    bits = arr.view(fmt.uint).astype(np.uint64)
    sign = (bits >> np.uint64(fmt.bits - 1)).astype(bool)
    mag = (bits & np.uint64((1 << (fmt.bits - 1)) - 1)).astype(np.int64)
    return np.where(sign, -mag, mag)


def from_ordered(o: Array, fmt: Format) -> Array:
    """Inverse of :func:`to_ordered`: integers → the format values, as float64."""
    mag = np.abs(o).astype(np.uint64)
    bits = np.where(o < 0, mag | np.uint64(1 << (fmt.bits - 1)), mag)
    return bits.astype(fmt.uint).view(fmt.dtype).astype(np.float64)


def step_ulps(values: Any, k: Any, dtype: str | Format) -> Array:
    """The representable number ``k`` steps from each (format) value, as float64.

    ``k`` may be negative; steps cross zero and the subnormals one representable
    number at a time.
    """
    fmt = get_format(dtype)
    v = round_to_format(values, fmt)
    return from_ordered(to_ordered(v, fmt) + np.asarray(k, dtype=np.int64), fmt)


def format_grid(dtype: str | Format, lo: float = -10.0, hi: float = 10.0, *,
                max_points: int = 200_001) -> Array:
    """The format's representable numbers in ``[lo, hi]``, or a dense sample of them.

    float16 and bfloat16 have at most 65 536 numbers: all those in the range are
    returned (an exhaustive test).  For float32 and float64 (or a range holding
    more than ``max_points`` numbers) the result is ``linspace(lo, hi,
    max_points)`` rounded to the format, duplicates removed.  Ascending, float64.
    """
    fmt = get_format(dtype)
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"`lo` and `hi` must be finite with `lo` < `hi`, got ({lo}, {hi})")
    if fmt.bits <= 16:
        allv = np.arange(2**fmt.bits, dtype=np.uint32).astype(fmt.uint).view(fmt.dtype)
        with np.errstate(invalid="ignore"):
            v = allv.astype(np.float64)
        v = np.unique(v[np.isfinite(v) & (v >= lo) & (v <= hi)] + 0.0)  # −0 → +0
        if v.size <= max_points:
            return v
    return np.unique(round_to_format(np.linspace(lo, hi, max_points), fmt) + 0.0)


# -- every finite value ----------------------------------------------------------------
#
# The finite values of a format in ascending order, −0 and +0 as two entries, are
# numbered by an *index* 0 … N − 1: with M the bit pattern of the largest finite
# number, index i ≤ M is the negative pattern ``sign | (M − i)`` (i = M is −0) and
# index i > M the positive pattern ``i − M − 1``; so N = 2(M + 1).

#: Default number of values per chunk of :func:`all_finite` (64 MiB of float32).
CHUNK = 2**24


def _max_code(fmt: Format) -> int:
    """The bit pattern (magnitude) of the largest finite number."""
    return int(np.array([fmt.max]).astype(fmt.dtype).view(fmt.uint)[0])


def finite_values(fmt: str | Format, start: int, stop: int) -> Array:
    """The finite values with indices ``start … stop − 1`` (see :func:`all_finite`), as an
    array of the format's numpy dtype, ascending.

    Parameters
    ----------
    fmt : str or Format
        Any of :data:`ALL_DTYPES`.
    start, stop : int
        ``0 <= start <= stop <= finite_count(fmt)``.
    """
    f = get_format(fmt, float8=True)
    m = _max_code(f)
    n = 2 * (m + 1)
    if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start <= stop <= n):
        raise InputError(f"`start` and `stop` must be integers with 0 <= start <= stop <= {n}, "
                         f"got ({start!r}, {stop!r})")
    neg_stop, pos_start = min(stop, m + 1), max(start, m + 1)
    parts = []
    if start < neg_stop:               # indices start … neg_stop − 1: patterns m − i, signed
        mags = np.arange(m - start, m - neg_stop, -1, dtype=f.uint)
        parts.append(mags | f.uint.type(1 << (f.bits - 1)))
    if pos_start < stop:
        parts.append(np.arange(pos_start - m - 1, stop - m - 1, dtype=f.uint))
    bits = parts[0] if len(parts) == 1 else np.concatenate(parts or [np.zeros(0, f.uint)])
    return bits.view(f.dtype)


def _index_at_least(f: Format, lo: float, m: int) -> int:
    """The smallest index whose value is >= ``lo`` (bisection on the ordered values)."""
    n = 2 * (m + 1)
    a, b = 0, n                       # answer in [a, b]
    while a < b:
        mid = (a + b) // 2
        if float(finite_values(f, mid, mid + 1).astype(np.float64)[0]) >= lo:
            b = mid
        else:
            a = mid + 1
    return a


def finite_index_range(fmt: str | Format, lo: float | None = None,
                       hi: float | None = None) -> tuple[int, int]:
    """``(start, stop)``: the indices of the finite values ``v`` with ``lo <= v <= hi``.

    Both zeros are in the range when ``lo <= 0 <= hi``.  ``lo``/``hi`` None mean no bound.
    """
    f = get_format(fmt, float8=True)
    m = _max_code(f)
    lo_ = -math.inf if lo is None else float(lo)
    hi_ = math.inf if hi is None else float(hi)
    if math.isnan(lo_) or math.isnan(hi_) or lo_ > hi_:
        raise InputError(f"`range` must be two numbers LO <= HI, got ({lo}, {hi})")
    start = _index_at_least(f, lo_, m)
    stop = _index_at_least(f, math.nextafter(hi_, math.inf) if math.isfinite(hi_) else hi_, m)
    return start, max(start, stop)


def finite_count(fmt: str | Format, lo: float | None = None, hi: float | None = None) -> int:
    """How many finite values (±0 counted twice) the format has in ``[lo, hi]``.

    Examples
    --------
    >>> finite_count("bfloat16"), finite_count("float8_e4m3fn"), finite_count("float32")
    (65280, 254, 4278190080)
    """
    start, stop = finite_index_range(fmt, lo, hi)
    return stop - start


def all_finite(fmt: str | Format, lo: float | None = None, hi: float | None = None, *,
               chunk: int = CHUNK) -> Iterator[Array]:
    """Every finite value of a format (in ``[lo, hi]``), ascending, in chunks.

    −0 and +0 are two entries (−0 first).  Each chunk is an array of the format's
    numpy dtype with at most ``chunk`` values, so float32's 4 278 190 080 finite values
    come in 255 arrays of 2²⁴ with bounded memory.

    Parameters
    ----------
    fmt : str or Format
        Any of :data:`ALL_DTYPES`.
    lo, hi : float, optional
        Bounds of the range (inclusive); None for none.
    chunk : int
        Values per array, >= 1.

    Yields
    ------
    numpy.ndarray
    """
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(f"`chunk` must be an integer >= 1, got {chunk!r}")
    f = get_format(fmt, float8=True)
    start, stop = finite_index_range(f, lo, hi)
    for a in range(start, stop, chunk):
        yield finite_values(f, a, min(stop, a + chunk))
