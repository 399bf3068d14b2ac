"""Binary floating-point formats: float64, float32, float16 and bfloat16, and ULPs.

=========================  ==========================================================
name                       what it does
=========================  ==========================================================
:data:`FORMATS`            the four formats: precision, exponent range, numpy dtype
:func:`round_to_format`    correctly rounded (nearest-even) conversion from float64
:func:`ulp`                the unit in the last place of a format at a value
:func:`step_ulps`          the representable number k steps away
:func:`format_grid`        every representable value of a range (or a dense sample)
=========================  ==========================================================

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
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["DTYPES", "FORMATS", "Format", "format_grid", "from_ordered", "get_format",
           "round_to_format", "step_ulps", "to_format_array", "to_ordered", "ulp"]

Array = np.ndarray
DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")


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
    """

    name: str
    precision: int
    emin: int
    emax: int
    bits: int

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype (bfloat16 from ``ml_dtypes``, imported here)."""
        if self.name == "bfloat16":
            import ml_dtypes

            return np.dtype(ml_dtypes.bfloat16)
        return np.dtype(self.name)

    @property
    def eps(self) -> float:
        """``2^(1 − p)``: the spacing just above 1."""
        return math.ldexp(1.0, 1 - self.precision)

    @property
    def max(self) -> float:
        """The largest finite number."""
        return (2.0 - self.eps) * math.ldexp(1.0, self.emax)

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


def get_format(dtype: str | Format) -> Format:
    """The :class:`Format` called ``dtype``; :class:`InputError` listing the choices."""
    if isinstance(dtype, Format):
        return dtype
    try:
        return FORMATS[dtype]
    except (KeyError, TypeError):
        from approxfit.core.names import suggest

        raise InputError(f"unknown dtype {dtype!r}{suggest(str(dtype), list(DTYPES))}; "
                         f"choose one of {', '.join(DTYPES)}") from None


def round_to_format(x: Any, dtype: str | Format) -> Array:
    """``x`` rounded to the format (nearest, ties to even), returned as float64.

    float64 → float32 is numpy's IEEE conversion.  For float16 and bfloat16 the
    rounding is done here, in float64, by scaling to the format's last place and
    :func:`numpy.round` (which rounds half to even); numbers beyond the largest
    finite value by half an ulp or more become infinities, and the subnormal
    range is handled by the ``emin`` floor.  (``ml_dtypes`` converts float64 to
    bfloat16 through float32, a double rounding: ``1 + 2⁻⁸ + 2⁻³⁰`` becomes 1
    instead of ``1 + 2⁻⁷``.)
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
    if fmt.bits == 16:
        allv = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(fmt.dtype)
        with np.errstate(invalid="ignore"):
            v = allv.astype(np.float64)
        v = np.unique(v[np.isfinite(v) & (v >= lo) & (v <= hi)] + 0.0)  # −0 → +0
        if v.size <= max_points:
            return v
    return np.unique(round_to_format(np.linspace(lo, hi, max_points), fmt) + 0.0)
