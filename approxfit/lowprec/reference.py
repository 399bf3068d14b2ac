"""The reference of an exhaustive check: the correctly rounded target value in a format.

For every input x of a format F (:func:`correctly_rounded`), the target's exact value
rounded to F, round to nearest, ties to even:

* the target's float64 form (:attr:`~approxfit.core.targets.Target.value`) is
  evaluated, together with a stated bound on its relative error
  (:data:`FLOAT64_ERROR`: ``2^-47`` for erf, tanh, σ-based and softplus targets;
  ``2^-46·min(max(1, x²), 1600)`` for the Φ-based ones, whose float64 argument
  ``x/√2`` carries a relative error that Φ's logarithmic slope ``|x|`` amplifies —
  up to |x| = 40, beyond which float64's Φ is 1 or underflows; an absolute
  ``2^-1060`` covers float64's subnormal results);
* where the interval ``y·(1 ± bound)`` rounds to one F value, that value is the
  correctly rounded one — the exact value lies in the interval;
* otherwise — the float64 value lies within its error bound of a rounding boundary
  of F (a midpoint between consecutive F values, or the overflow threshold) — the
  input is decided by mpmath at 50 significant digits (:func:`round_mpf`), and
  counted (``reference_mpmath_cases``).

Near 0, gelu(x) and silu(x) are x/2 + k·x² + … with k > 0 (1/√(2π) and ¼), and x/2
is an exact midpoint of F for an odd x among F's subnormals: there, below |x| = 2^-40,
the rounding is decided by the sign of the series' second term (it rounds upward),
not by mpmath (float32 has some 10⁹ such inputs).

A target without a stated bound (a custom formula, ``gelu:mu=…``) is decided by mpmath
on every input.  The bounds are checked against mpmath in ``tests/test_verify.py``
(measured maxima: 2^-50.7·max(1, x²) for Φ, 2^-51.4 for the others, over 7 500
points on [−40, 40]).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.targets import Target
from approxfit.lowprec.formats import Format, get_format, round_to_format, step_ulps

__all__ = ["ASYMPTOTIC_X", "EXACT_AT_INTEGERS", "FLOAT64_ERROR", "HALF_X_TARGETS", "MPMATH_DIGITS",
           "MPMATH_ONLY_LIMIT", "TINY_X", "correctly_rounded", "correctly_rounded_array",
           "error_bound", "round_mpf", "to_dtype"]

Array = np.ndarray

#: Relative error bounds of the built-in targets' float64 forms: name → (base, whether
#: the bound grows as ``base·min(max(1, x²), 1600)``).
FLOAT64_ERROR: dict[str, tuple[float, bool]] = {
    "gelu": (2.0**-46, True), "phi": (2.0**-46, True),
    "erf": (2.0**-47, False), "silu": (2.0**-47, False), "mish": (2.0**-47, False),
    "softplus": (2.0**-47, False), "tanh": (2.0**-47, False), "sigmoid": (2.0**-47, False),
    "exp2": (2.0**-47, False),
}
#: Digits of the mpmath evaluation that decides a close case (doubled once if needed).
MPMATH_DIGITS = 50
#: Most inputs a target without a float64 error bound may be checked on (all by mpmath).
MPMATH_ONLY_LIMIT = 2**20
#: Targets with f(x) = x/2 + k·x² + … (k > 0) near 0, whose x/2 is an exact midpoint of
#: F for an x in F's subnormals; below :data:`TINY_X` they are decided by the series.
HALF_X_TARGETS: tuple[str, ...] = ("gelu", "silu")
TINY_X = 2.0**-40
#: Targets whose float64 form is exact at integer x (2ˣ: a power of two, or 0 below
#: 2^-1075), where the value may be an exact midpoint of F (2^-134 in bfloat16) that no
#: error bound or mpmath can decide: there the float64 value is rounded directly.
EXACT_AT_INTEGERS: tuple[str, ...] = ("exp2",)
#: An absolute error allowance for float64 results in its subnormal range.
_ABS_TINY = 2.0**-1060
#: Beyond this |x| every built-in target's float64 value is its asymptote (x, ±1 or ±0)
#: and is also the correctly rounded value in every format: the distance to the
#: asymptote is below e^-(10^4) relative (x and ±1) or the value is below 2^-1075 (±0).
#: mpmath cannot evaluate Φ beyond |x| ≈ 1e154, so these inputs never reach it.
ASYMPTOTIC_X = 1e4


def error_bound(target: Target, x: Array) -> Array | None:
    """The bound on ``|target.value(x) − f(x)|`` relative to ``|f(x)|``, or None for a
    target whose float64 form has no stated bound (:data:`FLOAT64_ERROR`)."""
    spec = FLOAT64_ERROR.get(target.name) if target.expression is None else None
    if spec is None or target.value is not _builtin_value(target.name):
        return None
    base, grows = spec
    if not grows:
        return np.full(np.shape(x), base)
    # beyond |x| = 40 float64's Φ is 1 (to 2^-53) or below 2^-1074 (_ABS_TINY covers it)
    return base * np.clip(np.minimum(np.abs(np.asarray(x, dtype=np.float64)), 40.0) ** 2,
                          1.0, 1600.0)


def _builtin_value(name: str) -> Any:
    from approxfit.core.targets import TARGETS

    t = TARGETS.get(name)
    return None if t is None else t.value


def _is_even_code(v: float, fmt: Format) -> bool:
    """Whether the F value ``v`` has an even significand (its bit pattern's last bit)."""
    bits = int(np.array([v]).astype(fmt.dtype).view(fmt.uint)[0])
    return bits % 2 == 0


def round_mpf(v: Any, fmt: str | Format) -> float:
    """An mpmath number rounded to the format (nearest, ties to even), as a float64.

    The candidates are the F values next to ``float(v)``; the nearest is chosen by
    exact mpmath comparison.  Beyond the overflow threshold (the largest finite number
    plus half its ulp) the result is ±inf, or NaN for a format without infinities; at
    the threshold itself the tie goes to the even of the largest number and the
    (virtual) next one.
    """
    import mpmath

    f = get_format(fmt, float8=True)
    if mpmath.isnan(v):
        return math.nan
    if v == 0:
        return 0.0
    neg = v < 0
    a = -v if neg else v
    top_ulp = math.ldexp(1.0, f.emax - f.precision + 1)
    threshold = mpmath.mpf(f.max) + mpmath.mpf(top_ulp) / 2
    if a >= threshold:
        if a == threshold and _is_even_code(f.max, f):
            r = f.max
        else:
            r = math.inf if f.infinities else math.nan
        return -r if neg else r
    y = float(a)                             # the nearest float64 (0 below its range)
    base = float(round_to_format(min(y, f.max), f))
    cands = [float(c) for c in step_ulps(np.full(3, base), np.array([-1, 0, 1]), f)
             if math.isfinite(c) and c >= 0.0]
    best = min(cands, key=lambda c: (abs(mpmath.mpf(c) - a), not _is_even_code(c, f)))
    # a tie between two candidates: the even one wins (key's second element)
    return -best if neg else best


def _mp_value(target: Target, x: float, digits: int) -> Any:
    import mpmath

    with mpmath.workdps(digits):
        return target.value_mp(mpmath.mpf(x))


def _decided_by_mpmath(target: Target, x: float, fmt: Format) -> float:
    """The correctly rounded value at one input, from mpmath: evaluated at
    :data:`MPMATH_DIGITS` digits, and again at twice as many (up to 16 times) while a
    relative change of ``10^(5 − digits)`` would change its rounding."""
    import mpmath

    digits = MPMATH_DIGITS
    while digits <= 16 * MPMATH_DIGITS:
        v = _mp_value(target, x, digits)
        with mpmath.workdps(digits):
            eps = mpmath.mpf(10) ** (5 - digits)
            r = round_mpf(v, fmt)
            lo, hi = round_mpf(v * (1 - eps), fmt), round_mpf(v * (1 + eps), fmt)
        if lo == hi == r or (math.isnan(r) and math.isnan(lo) and math.isnan(hi)):
            return r
        digits *= 2
    raise ComputationError(f"the target {target.name!r} at x = {x!r} lies within "
                           f"1e-{digits // 2 - 5} of a rounding boundary of {fmt.name}; "
                           "its correct rounding is not decided")


def correctly_rounded_array(target: Target, x: Any, fmt: str | Format
                            ) -> tuple[Array, int]:
    """:func:`correctly_rounded` as an array of the format's dtype (faster for float32).

    Parameters
    ----------
    target : Target
    x : array_like
        Values of the format (finite).
    fmt : str or Format

    Returns
    -------
    values : numpy.ndarray
        Array of F's dtype.
    mpmath_cases : int
    """
    f = get_format(fmt, float8=True)
    x = np.asarray(x, dtype=np.float64)
    bound = error_bound(target, x)
    if bound is None:
        if x.size > MPMATH_ONLY_LIMIT:
            raise InputError(f"the target {target.name!r} has no float64 error bound, so "
                             f"every input is decided by mpmath: at most "
                             f"{MPMATH_ONLY_LIMIT} inputs, got {x.size}; give a `range`")
        out = np.array([_decided_by_mpmath(target, float(v), f) for v in x.ravel()],
                       dtype=np.float64).reshape(x.shape)
        return to_dtype(out, f), int(x.size)
    with np.errstate(all="ignore"):
        y = np.asarray(target.value(x), dtype=np.float64)
        r = to_dtype(y, f)
        spread = np.abs(y) * bound + _ABS_TINY
        r_lo, r_hi = to_dtype(y - spread, f), to_dtype(y + spread, f)
        close = r_lo != r_hi                   # (−0 == +0; NaN != NaN, sorted out below)
        close &= ~(np.abs(x) > ASYMPTOTIC_X)
    if target.name in HALF_X_TARGETS and f.precision <= 26:
        # f(x) = x/2 + k·x² + O(x⁴) with k > 0: below |x| = 2^-40 the value is x/2 (an F
        # value or, in F's subnormals, a midpoint) nudged up by a relative 2^-39 at most,
        # far less than half an ulp of F: it rounds as the float64 just above x/2 does.
        tiny = np.abs(x) < TINY_X
        if tiny.any():
            with np.errstate(all="ignore"):
                r = np.where(tiny, to_dtype(np.nextafter(0.5 * x, np.inf), f), r)
            close &= ~tiny
    if target.name in EXACT_AT_INTEGERS:
        close &= x != np.round(x)
    idx = np.flatnonzero(close.ravel())
    if idx.size:
        flat_lo, flat_hi = r_lo.ravel(), r_hi.ravel()
        with np.errstate(invalid="ignore"):
            both_nan = (np.isnan(flat_lo[idx].astype(np.float64))
                        & np.isnan(flat_hi[idx].astype(np.float64)))
        idx = idx[~both_nan | np.isnan(y.ravel()[idx])]
    if idx.size:
        flat = r.ravel().copy()
        xs = x.ravel()
        for i in idx:
            flat[i] = _decided_by_mpmath(target, float(xs[i]), f)
        r = flat.reshape(r.shape)
    return r, int(idx.size)


def to_dtype(y: Array, fmt: Format) -> Array:
    """float64 values rounded to the format (nearest even), as an array of its dtype
    (float32 by numpy's cast, the others through :func:`round_to_format`, which rounds
    once where ``ml_dtypes`` would round twice)."""
    if fmt.name in ("float32", "float64"):
        return y.astype(fmt.dtype)
    return round_to_format(y, fmt).astype(fmt.dtype)


def correctly_rounded(target: Target, x: Any, fmt: str | Format) -> tuple[Array, int]:
    """The target's value at every ``x``, correctly rounded to the format.

    Parameters
    ----------
    target : Target
    x : array_like
        Values of the format (finite).
    fmt : str or Format

    Returns
    -------
    values : numpy.ndarray
        float64 array of F values (±inf, or NaN for float8_e4m3fn, on overflow).
    mpmath_cases : int
        How many inputs were decided by mpmath (the module docstring).
    """
    f = get_format(fmt, float8=True)
    r, n = correctly_rounded_array(target, x, f)
    with np.errstate(invalid="ignore"):
        return r.astype(np.float64), n
