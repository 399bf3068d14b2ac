"""The rule for fixed coefficients, shared by fitting and Taylor matching.

A caller holds some coefficients of an approximant at given values with
``fix={"c1": "sqrt(2/pi)", "c3": 0.04}``: each name must be one the approximant has,
each value a finite real number or a safe expression string
(:func:`approxfit.core.expr.parse`), and at least one coefficient must stay free.
:func:`fixed_expressions` checks this and keeps each value as a checked
:class:`~approxfit.core.expr.Expression` (exact forms for sympy);
:func:`check_fixed` applies the same rule and returns floats.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from approxfit.core.checks import InputTypeError, shown
from approxfit.core.exceptions import InputError
from approxfit.core.expr import Expression, parse

__all__ = ["check_fixed", "fixed_expressions"]


def fixed_expressions(fix: Mapping[str, Any] | None, names: Sequence[str], what: str,
                      *, purpose: str = "fit") -> dict[str, Expression]:
    """The fixed coefficients by name, checked, as exact expressions.

    Parameters
    ----------
    fix : mapping or None
        ``{name: value}``; a value is a real number (not a bool), a safe expression
        string (``"sqrt(2/pi)"``) or an :class:`~approxfit.core.expr.Expression`.
    names : sequence of str
        The approximant's coefficient names (``["c1", "c3"]``).
    what : str
        The approximant, for messages: ``"tanh of degree 3 (odd)"``.
    purpose : str
        What the free coefficients are for, for the message when none is left
        (``"fit"``, ``"match"``).

    Returns
    -------
    dict
        ``{name: Expression}`` in the order of ``fix``; a number ``v`` is kept as
        the expression ``repr(float(v))``.

    Raises
    ------
    InputTypeError
        (an :class:`InputError` and a :class:`TypeError`) If ``fix`` is not a mapping,
        a name is not a str, or a value is neither a number nor a string.
    InputError
        If a name is not one of ``names``, a value is not finite or not a safe
        constant expression, or every coefficient is fixed.
    """
    if fix is None:
        return {}
    if not isinstance(fix, Mapping):
        raise InputTypeError(f"`fix` must be a mapping of coefficient names to values, got "
                             f"{type(fix).__name__}")
    out: dict[str, Expression] = {}
    for name, value in fix.items():
        if not isinstance(name, str):
            raise InputTypeError(f"`fix` names must be str, got {type(name).__name__} "
                                 f"{shown(name)}")
        if name not in names:
            said = name if name.isidentifier() and len(name) <= 40 else shown(name, 40)
            raise InputError(f"`fix` names {said}, which {what} does not have; it has "
                             f"{', '.join(names)}")
        label = f"`fix` {name}"
        if isinstance(value, Expression):
            expr = value
        elif isinstance(value, str):
            expr = parse(value, allow_x=False, what=label)
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputTypeError(f"{label} must be a number or an expression string, got "
                                 f"{type(value).__name__}")
        else:
            v = float(value)
            if not math.isfinite(v):
                raise InputError(f"{label} must be finite, got {v}")
            expr = parse(repr(v), allow_x=False, what=label)
        if expr.uses_x:
            raise InputError(f"{label} must be a constant, but {expr.text!r} uses x")
        try:
            expr.value()
        except InputError as exc:
            raise InputError(f"{label}: {exc}") from None
        out[name] = expr
    if len(out) == len(names):
        raise InputError(f"`fix` fixes every coefficient ({', '.join(names)}); leave at least "
                         f"one free to {purpose}")
    return out


def check_fixed(fix: Mapping[str, Any] | None, names: Sequence[str], what: str,
                *, purpose: str = "fit") -> dict[str, float]:
    """The fixed coefficients by name, checked, as floats.

    The rule and the messages are those of :func:`fixed_expressions`; a number is
    returned as ``float(value)`` (its ``repr`` reads back exactly), an expression as
    its value.

    Examples
    --------
    >>> check_fixed({"c1": "sqrt(2/pi)"}, ["c1", "c3"], "tanh of degree 3 (odd)")
    {'c1': 0.7978845608028654}
    >>> check_fixed({"c2": 1}, ["c1", "c3"], "tanh of degree 3 (odd)")
    Traceback (most recent call last):
    ...
    approxfit.core.exceptions.InputError: `fix` names c2, which tanh of degree 3 (odd) does not have; it has c1, c3
    """  # noqa: E501
    exprs = fixed_expressions(fix, names, what, purpose=purpose)
    return {name: e.value() for name, e in exprs.items()}
