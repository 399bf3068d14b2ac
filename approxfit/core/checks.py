"""Argument checks shared by the public functions, in the manner of ``scipy.optimize``.

Each check returns the value in its canonical Python type or raises
:class:`~approxfit.core.exceptions.InputError` whose message names the parameter in
backticks (the command line turns a backticked name into its flag). No check coerces
a string to a number, and ``bool`` is never taken for an ``int`` or a ``float``.

Examples
--------
>>> check_int(3, "samples", lo=2)
3
>>> check_int("3", "samples", lo=2)
Traceback (most recent call last):
...
approxfit.core.checks.InputTypeError: `samples` must be an int, got str '3'
>>> check_int(1, "samples", lo=2)
Traceback (most recent call last):
...
approxfit.core.exceptions.InputError: `samples` must be an integer ≥ 2, got 1
>>> check_int(1, "samples", lo=2, hi=10)
Traceback (most recent call last):
...
approxfit.core.exceptions.InputError: `samples` must be between 2 and 10, got 1
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from approxfit.core.exceptions import InputError

__all__ = ["InputTypeError", "check_array", "check_bool", "check_choice", "check_float",
           "check_int", "check_str", "shown"]

#: How many characters of a user's value an error message echoes at most.
SHOWN_CHARS = 60


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type: an :class:`InputError` (exit status 2 on the
    command line) that ``except TypeError`` also catches, as scipy's callers expect."""


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)``, shortened to ``limit`` characters with "…" (for error messages)."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not replace the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    """``"str '3'"``: the type's name and the value, shortened."""
    return f"{type(value).__name__} {shown(value)}"


def _bounds(kind: str, lo: float | None, hi: float | None, lo_open: bool = False,
            hi_open: bool = False) -> str:
    """``"between 2 and 9"``, ``"a positive number"``, ``"a finite number ≤ 1"`` …"""
    def num(v: float) -> str:
        return str(v) if isinstance(v, int) else f"{v:g}"

    if lo is not None and hi is not None and not lo_open and not hi_open:
        return f"between {num(lo)} and {num(hi)}"
    if lo == 0 and lo_open and hi is None:
        return f"a positive {kind.split()[-1]}"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '≥'} {num(lo)}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '≤'} {num(hi)}")
    return " ".join([kind, " and ".join(parts)]) if parts else kind


def check_int(value: Any, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an ``int`` if it is an integer (Python or numpy, not bool) in ``[lo, hi]``.

    Parameters
    ----------
    value : Any
        What the caller passed.
    name : str
        The parameter's name, without backticks.
    lo, hi : int, optional
        Inclusive bounds.

    Returns
    -------
    int

    Raises
    ------
    InputError
        Naming ``name``, if ``value`` is not an integer or lies outside the bounds.
    """
    want = _bounds("an integer", lo, hi)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"`{name}` must be an int, got {_kind(value)}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise InputError(f"`{name}` must be {want}, got {v}")
    return v


def check_float(value: Any, name: str, lo: float | None = None, hi: float | None = None, *,
                lo_open: bool = False, hi_open: bool = False, finite: bool = True) -> float:
    """``value`` as a ``float`` if it is a real number (not bool, not a string) in the bounds.

    Parameters
    ----------
    value : Any
        What the caller passed.
    name : str
        The parameter's name, without backticks.
    lo, hi : float, optional
        The bounds; inclusive unless ``lo_open``/``hi_open``.
    finite : bool
        Reject NaN and ±inf (default). NaN is always rejected.

    Returns
    -------
    float

    Raises
    ------
    InputError
        Naming ``name``.
    """
    want = _bounds("a number", lo, hi, lo_open, hi_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"`{name}` must be a number, got {_kind(value)}")
    try:
        v = float(value)
    except (OverflowError, ValueError, TypeError):
        raise InputError(f"`{name}` must be {want}, got {shown(value)}") from None
    if math.isnan(v) or (finite and math.isinf(v)):
        raise InputError(f"`{name}` must be a finite number, got {v}")
    if lo is not None and (v <= lo if lo_open else v < lo):
        raise InputError(f"`{name}` must be {want}, got {v:g}")
    if hi is not None and (v >= hi if hi_open else v > hi):
        raise InputError(f"`{name}` must be {want}, got {v:g}")
    return v


def check_choice(value: Any, choices: Sequence[str], name: str) -> str:
    """``value`` if it is one of the strings ``choices``; else an InputError naming ``name``
    that lists the choices and suggests the nearest."""
    if not isinstance(value, str):
        raise InputTypeError(f"`{name}` must be a str, one of {', '.join(choices)}; got "
                             f"{_kind(value)}")
    if value not in choices:
        from approxfit.core.names import suggest

        raise InputError(f"unknown `{name}` {shown(value)}{suggest(value[:100], tuple(choices))}"
                         f"; choose one of {', '.join(choices)}")
    return value


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is a bool (Python or numpy); else an InputError naming ``name``."""
    if isinstance(value, bool):
        return value
    try:
        import numpy as np

        if isinstance(value, np.bool_):
            return bool(value)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    raise InputTypeError(f"`{name}` must be True or False, got {_kind(value)}")


def check_str(value: Any, name: str, *, max_len: int | None = None,
              empty: bool = False) -> str:
    """``value`` if it is a string (non-empty unless ``empty``, at most ``max_len`` long)."""
    if not isinstance(value, str):
        raise InputTypeError(f"`{name}` must be a str, got {_kind(value)}")
    if not empty and not value:
        raise InputError(f"`{name}` must not be empty")
    if max_len is not None and len(value) > max_len:
        raise InputError(f"`{name}` must be at most {max_len} characters, got "
                         f"{len(value)}: {shown(value)}")
    return value


def check_array(value: Any, name: str = "x") -> Any:
    """``value`` as a float ``numpy.ndarray`` if it is a real number or an array-like of
    real numbers (not strings, not booleans, not complex); else an InputError naming
    ``name``. Non-finite values are allowed."""
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(float, copy=False)
    if isinstance(value, str | bytes) or value is None:
        raise InputTypeError(f"`{name}` must be a number or an array of numbers, got "
                             f"{_kind(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):     # ragged nesting
        raise InputError(f"`{name}` must be a number or an array of numbers, got "
                         f"{shown(value)}") from None
    kind = arr.dtype.kind
    if kind == "O":
        flat = arr.ravel()
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat):
            bad = next(v for v in flat if not isinstance(v, numbers.Real)
                       or isinstance(v, bool))
            raise InputTypeError(f"`{name}` must be a number or an array of numbers; it "
                                 f"holds {_kind(bad)}")
        try:
            return arr.astype(float)
        except (OverflowError, ValueError, TypeError):
            raise InputError(f"`{name}` holds a number too large for a float") from None
    if kind not in "iuf":
        what = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes"}.get(
            kind, f"{arr.dtype} values")
        raise InputTypeError(f"`{name}` must be a number or an array of real numbers, got "
                             f"{what}")
    return arr.astype(float, copy=False)
