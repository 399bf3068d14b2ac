"""The safe expression parser: what it accepts, and that nothing a user types runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from approxfit.core.exceptions import InputError
from approxfit.core.expr import MAX_LENGTH, parse, parse_number


@pytest.mark.parametrize("text, value", [
    ("sqrt(2/pi)", math.sqrt(2 / math.pi)),
    ("0.044715", 0.044715),
    ("(4 - pi)/(6*pi)", (4 - math.pi) / (6 * math.pi)),
    ("-2**-3", -(2.0**-3)),
    ("exp(1) - E", 0.0),
    ("erf(1)", 0.8427007929497149),
])
def test_numbers(text, value):
    assert parse_number(text) == pytest.approx(value, rel=1e-15, abs=1e-300)


def test_sympy_form_is_exact():
    e = parse("(4 - pi)/(6*pi)").to_sympy()
    assert sp.simplify(e - (4 - sp.pi) / (6 * sp.pi)) == 0
    assert parse("0.044715").to_sympy() == sp.Rational(44715, 1000000)


def test_function_of_x():
    e = parse("x*erf(x)", allow_x=True)
    x = np.array([-1.0, 0.0, 2.0])
    from scipy.special import erf

    np.testing.assert_allclose(e.evaluate(x), x * erf(x), rtol=1e-15)


@pytest.mark.parametrize("text, needle", [
    ("__import__('os').system('touch /tmp/approxfit-pwned')", "not an allowed function"),
    ("().__class__", "not allowed"),
    ("(lambda: 1)()", "not an allowed function"),
    ("[i for i in range(3)]", "not allowed"),
    ("f'{1}'", "not allowed"),
    ("9**9**9", "exponents are limited"),
    ("2**x", "unknown name 'x'"),
    ("open('x')", "not an allowed function"),
    ("sqrt(1, 2)", "exactly one argument"),
    ("'text'", "not a number"),
    ("1 +", "not a valid formula"),
    ("", "empty"),
    ("x", "x is not allowed"),
    ("1" * (MAX_LENGTH + 1), "characters long"),
    ("+".join(["1"] * 150), "syntax nodes"),
    ("1e308*10", "exceeds 1e.300"),
    ("1+1/((((2**64)**64)**64)**64)", "exceeds 1e.300"),
    ("exp(1000)", "exceeds 1e.300"),
    ("1e999", "not finite"),
])
def test_rejections(text, needle, tmp_path):
    with pytest.raises(InputError, match=needle):
        parse_number(text)
    assert not (tmp_path / "approxfit-pwned").exists()


def test_huge_exponent_with_x():
    with pytest.raises(InputError, match="exponents are limited"):
        parse("x**100", allow_x=True)
    with pytest.raises(InputError, match="exponent must be a constant"):
        parse("x**x", allow_x=True)
