"""Constant recognition, checked against closed forms computed here with sympy and mpmath.

References: the Q&A's second answer gives a3 = (4 − π)/(6π) ≈ 0.04553992412 from the
x³ Taylor term; √(2/π) is the slope of erf(x/√2) at 0 (SPEC.md, slope-at-zero).
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import cache

import mpmath
import pytest
import sympy as sp

from approxfit.core.exceptions import InputError
from approxfit.core.expr import parse
from approxfit.symbolic.identify import (
    MARGIN,
    description_length,
    identify,
    identify_coefficients,
    significant_digits,
)

SQRT_2_PI = sp.sqrt(2 / sp.pi)
TAYLOR_A3 = (4 - sp.pi) / (6 * sp.pi)


@cache
def found(value: str) -> tuple:
    """identify() once per input (each call takes about a second)."""
    return tuple(identify(value))


def same(form: str, expected: sp.Expr) -> bool:
    """Independent check: sympy proves ``form − expected`` is zero."""
    return sp.simplify(sp.sympify(form) - expected) == 0


def test_taylor_a3_is_recognised():
    # Q&A answer 2: 0.0455399241225 (12 significant digits) is (4 − π)/(6π)
    best = found("0.0455399241225")[0]
    assert same(best.form, TAYLOR_A3)
    assert same(best.form, 2 / (3 * sp.pi) - sp.Rational(1, 6))
    assert best.residual < 1e-12
    assert best.digits == 12
    # the residual is |form − typed decimal|, recomputed here with mpmath at 50 digits
    with mpmath.workdps(50):
        ref = abs((4 - mpmath.pi) / (6 * mpmath.pi) - mpmath.mpf("0.0455399241225"))
        assert best.residual == pytest.approx(float(ref), rel=1e-12)
    assert best.value == float(sp.N(TAYLOR_A3, 30))


def test_slope_is_recognised():
    best = found("0.7978845608")[0]
    assert best.form == "sqrt(2)/sqrt(pi)"
    assert same(best.form, SQRT_2_PI)
    assert best.residual <= 0.5e-10


def test_twice_the_slope_is_recognised():
    best = found("1.5957691216")[0]
    assert same(best.form, 2 * SQRT_2_PI)
    assert best.residual <= 0.5e-10


@pytest.mark.parametrize("value", ["0.044715", "1.702"])
def test_published_constants_are_not_closed_forms(value):
    # 5 and 4 digits: a form would have to be at most 3 and 2 symbols long
    assert found(value) == ()


def test_tolerance_is_half_a_unit_in_the_last_digit():
    # (4 − π)/(6π) = 0.04553992412252…: rounded to 10 digits it is …241 (within
    # 0.5e-11); …242 is 0.75e-11 away, beyond half a unit
    assert same(identify("0.04553992412", constants=("pi",))[0].form, TAYLOR_A3)
    assert identify("0.04553992413", constants=("pi",)) == []


def test_too_few_digits_explain_nothing():
    # √2/√π costs 5 symbols: it needs 5 + MARGIN digits
    assert MARGIN == 2
    assert identify("0.797885", constants=("pi",)) == []
    assert same(identify("0.7978846", constants=("pi",))[0].form, SQRT_2_PI)
    # `digits` overrides what was typed
    assert identify("0.0455399241225", digits=4, constants=("pi",)) == []


def test_negative_numbers_and_floats():
    assert same(identify("-0.7978845608", constants=("pi",))[0].form, -SQRT_2_PI)
    # a float is read through its repr, at most 15 digits
    best = identify(math.sqrt(2 / math.pi), constants=("pi", "sqrt(2)"))[0]
    assert same(best.form, SQRT_2_PI)
    assert best.digits == 15


def test_forms_pass_the_whitelist_and_evaluate_to_their_value():
    for value in ("0.0455399241225", "0.7978845608", "1.5957691216"):
        for ident in found(value):
            expr = parse(ident.form)
            with mpmath.workdps(50):
                v = expr.evaluate_mp(0)
                assert float(v) == ident.value
                typed = mpmath.mpf(value)
                assert ident.residual == pytest.approx(float(abs(v - typed)), rel=1e-9)
            assert ident.residual <= ident.tolerance
            assert description_length(sp.sympify(ident.form)) == ident.length
            assert ident.length <= ident.digits - MARGIN
            assert set(ident.to_dict()) >= {"form", "value", "residual", "relative_residual",
                                            "complexity"}


def test_significant_digits():
    assert significant_digits("0.0455399241225") == 12
    assert significant_digits("1.70") == 3
    assert significant_digits("4.5e-2") == 2
    assert significant_digits("0") == 0


def test_description_length():
    assert description_length((4 - sp.pi) / (6 * sp.pi)) == 7       # (4−π)/(6π)
    assert description_length(sp.sqrt(2) / sp.sqrt(sp.pi)) == 5      # √2/√π
    assert description_length(sp.Rational(851, 500)) == 7            # 851/500
    assert description_length(sp.log(2)) == 2


def test_identify_coefficients():
    # the Taylor match of the tanh form: c1 = √(2/π), a3 = (4 − π)/(6π); a fitted
    # c3 = 0.0357 has no closed form
    coefs = {"c1": math.sqrt(2 / math.pi), "a3": float(sp.N(TAYLOR_A3, 20)), "c3": 0.0357}
    out = identify_coefficients(coefs, digits=9)
    assert set(out) == set(coefs)
    assert same(out["c1"].form, SQRT_2_PI)
    assert same(out["a3"].form, TAYLOR_A3)
    assert out["c3"] is None
    assert out["a3"].tolerance == float(Decimal("5e-11"))


def test_zero():
    assert [i.form for i in identify("0.000")] == ["0"]


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "is not a number"),
    ("1/3", "is not a number"),
    ("", "is not a number"),
    ("nan", "not a finite number"),
    ("inf", "not a finite number"),
    (float("nan"), "must be finite"),
    (float("inf"), "must be finite"),
    (None, "must be a decimal string or a real number"),
    (True, "must be a decimal string or a real number"),
    ("1" * 101, "at most 100"),
])
def test_bad_numbers(value, message):
    with pytest.raises(InputError, match=message):
        identify(value)


def test_bad_options():
    with pytest.raises(InputError, match="`digits` must be a whole number from 1 to 40"):
        identify("0.5", digits=0)
    with pytest.raises(InputError, match="`digits` must be a whole number from 1 to 40"):
        identify("0.5", digits=41)
    with pytest.raises(InputError, match="`max_results` must be a positive whole number"):
        identify("0.5", max_results=0)
    with pytest.raises(InputError, match="'catalan'"):
        identify("0.5", constants=("catalan",))
    with pytest.raises(InputError, match="must be positive"):
        identify("0.5", constants=("-pi",))
    with pytest.raises(InputError, match="must be a number"):
        identify_coefficients({"c1": "0.5"})
    with pytest.raises(InputError, match="mapping"):
        identify_coefficients([0.5])


def test_error_messages_are_one_line():
    for value in ("abc", "nan", None):
        with pytest.raises(InputError) as info:
            identify(value)
        assert "\n" not in str(info.value)
