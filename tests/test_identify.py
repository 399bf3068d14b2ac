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
    FLOAT_ULPS,
    MARGIN,
    description_length,
    identify,
    identify_coefficients,
    identify_report,
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


@pytest.mark.slow  # a few seconds: in the full selection (--all)
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


# --- float64 printouts: the last digit is uncertain (about an ulp) ---------------------

def _float64_text(expected: sp.Expr) -> str:
    """The repr of the float64 nearest to ``expected`` (computed by sympy, 30 digits)."""
    return repr(float(sp.N(expected, 30)))


def test_approxfits_own_json_number_is_recognised():
    # the example: approxfit prints (4 − π)/(6π) as 0.045539924122527116 (17 digits)
    rep = identify_report("0.045539924122527116")
    assert rep.float64
    assert same(rep.identifications[0].form, TAYLOR_A3)
    # the tolerance is FLOAT_ULPS ulps, not half a unit in the 17th digit (5e-19)
    x = 0.045539924122527116
    assert rep.tolerance == FLOAT_ULPS * math.ulp(x)
    assert 2e-17 < rep.tolerance < 3e-17
    # and the digits are what that tolerance is worth: 0.5e-16 ≥ 2.8e-17 > 0.5e-17
    assert rep.digits == 15
    with mpmath.workdps(50):
        resid = abs((4 - mpmath.pi) / (6 * mpmath.pi) - mpmath.mpf("0.045539924122527116"))
    assert rep.identifications[0].residual == pytest.approx(float(resid), rel=1e-9)
    assert rep.identifications[0].residual <= rep.tolerance


@pytest.mark.parametrize("expected", [SQRT_2_PI, 1 / sp.sqrt(2 * sp.pi), sp.log(2), sp.pi / 4,
                                      TAYLOR_A3], ids=str)
def test_float64_reprs_are_recognised(expected):
    text = _float64_text(expected)
    assert significant_digits(text) in (16, 17)
    best = identify(text)[0]
    assert same(best.form, expected)
    # the form is within FLOAT_ULPS ulps of the typed decimal (checked here with mpmath)
    with mpmath.workdps(50):
        gap = abs(mpmath.mpf(str(sp.N(sp.sympify(best.form), 50))) - mpmath.mpf(text))
    assert float(gap) <= FLOAT_ULPS * math.ulp(float(text))


def test_a_float64_a_few_ulps_off_is_refused():
    # the tolerance is a few ulps, not a licence: (4 − π)/(6π) moved by 10 ulps is not it
    x = float(sp.N(TAYLOR_A3, 30))
    for _ in range(10):
        x = math.nextafter(x, 1.0)
    assert not any(same(f.form, TAYLOR_A3) for f in identify(repr(x)))


def test_eighteen_digits_are_taken_at_their_word():
    # 18 significant digits are not a float64 printout: half a unit in the 18th digit
    # (5e-20) is the tolerance, and the float64's residual 1.6e-18 is far beyond it
    rep = identify_report("0.0455399241225271160")
    assert not rep.float64 and rep.digits == 18
    assert rep.tolerance == float(Decimal("5e-20"))
    assert not any(same(f.form, TAYLOR_A3) for f in rep.identifications)
    # while the exact value's first 18 digits are recognised
    exact = str(sp.N(TAYLOR_A3, 18))
    assert same(identify(exact)[0].form, TAYLOR_A3)


def test_a_refusal_lists_its_near_misses():
    rep = identify_report("0.044715")
    assert rep.identifications == ()
    assert rep.digits == 5 and rep.limit == 3
    assert 1 <= len(rep.near_misses) <= 3
    excesses = [m.excess for m in rep.near_misses]
    assert excesses == sorted(excesses)
    for m in rep.near_misses:
        # each was refused for a reason, recomputed here: too far, or too long
        with mpmath.workdps(50):
            value = parse(m.form).evaluate_mp(0)
            resid = float(abs(value - mpmath.mpf("0.044715")))
        assert m.residual == pytest.approx(resid, rel=1e-9)
        assert m.length == description_length(sp.sympify(m.form))
        assert m.residual > m.tolerance or m.length > m.limit
        assert m.excess > 1
    summary = rep.summary()
    assert summary.startswith("0.044715: no closed form within the digits given")
    assert all(m.form in summary for m in rep.near_misses)
    assert set(rep.to_dict()) >= {"identifications", "near_misses", "digits", "tolerance"}


def test_identify_keeps_returning_forms_only():
    assert identify("0.044715") == []
    assert identify_report("0.0455399241225", near_misses=0).near_misses == ()
    with pytest.raises(InputError, match="`near_misses` must be a whole number"):
        identify_report("0.5", near_misses=-1)


@pytest.mark.parametrize("value", ["1e999999999", "-1e-999999999", "1e400"])
def test_out_of_range_is_one_line(value):
    with pytest.raises(InputError, match="out of range") as info:
        identify(value)
    assert "\n" not in str(info.value)


@pytest.mark.slow  # a few seconds: in the full selection (--all)
def test_cli_explains_and_refuses_cleanly(cli):
    r = cli("identify", "1e999999999")
    assert r.code == 2
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert "out of range" in r.err
    r = cli("identify", "0.045539924122527116", "--json")
    assert r.code == 0, r.err
    assert same(r.json()["identifications"][0]["form"], TAYLOR_A3)
    r = cli("identify", "0.044715", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["identifications"] == [] and doc["near_misses"]
    r = cli("identify", "0.044715")
    assert r.code == 0 and "no closed form" in r.out and "nearest candidates" in r.out
