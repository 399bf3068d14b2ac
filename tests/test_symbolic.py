"""Taylor matching against series derived independently in the tests.

The references are built here from the textbook series
erf(z) = 2/√π · Σ (−1)^n z^(2n+1) / (n! (2n+1)) and the known expansions of tanh
and the logistic function, not from approxfit.symbolic.taylor.
"""

from __future__ import annotations

import pytest
import sympy as sp

from approxfit.symbolic.taylor import taylor_match

X = sp.Symbol("x")


def erf_series(z, terms):
    """The Maclaurin series of erf, written out term by term."""
    return 2 / sp.sqrt(sp.pi) * sum((-1) ** n * z ** (2 * n + 1)
                                    / (sp.factorial(n) * (2 * n + 1)) for n in range(terms))


def equal(a: str, b) -> bool:
    return sp.simplify(sp.sympify(a) - b) == 0


def test_gelu_tanh_a3_closed_form_with_fixed_slope():
    # Q&A answer 2: matching the x^3 term gives a = (4 - pi)/(6 pi) = 0.04553992412
    r = taylor_match("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"})
    assert equal(r.exact["a3"], (4 - sp.pi) / (6 * sp.pi))
    assert abs(r.scaled["a3"] - 0.0455399241225271) < 1e-15
    assert r.fixed == ("c1",)


def test_gelu_tanh_finds_the_slope_itself():
    # Independent route: Phi(x) = (1 + erf(x/sqrt2))/2 from the erf series; the tanh
    # gate (1 + tanh p)/2 with p = c1 x + c3 x^3 has series (1 + p - p^3/3 + ...)/2.
    c1, c3 = sp.symbols("c1 c3")
    phi = sp.expand((1 + erf_series(X / sp.sqrt(2), 3)) / 2)
    p = c1 * X + c3 * X**3
    gate = sp.expand((1 + p - p**3 / 3) / 2)
    sol = sp.solve([gate.coeff(X, 1) - phi.coeff(X, 1),
                    gate.coeff(X, 3) - phi.coeff(X, 3)], [c1, c3], dict=True)[0]
    r = taylor_match("gelu", "tanh", degree=3)
    assert equal(r.exact["c1"], sp.sqrt(2 / sp.pi))
    assert equal(r.exact["c1"], sol[c1])
    assert equal(r.exact["c3"], sol[c3])
    assert equal(r.exact["a3"], sp.Rational(2, 3) / sp.pi - sp.Rational(1, 6))


def test_sigmoid_degree_one_slope():
    # sigma(c1 x) = 1/2 + c1 x/4 + ...; Phi = 1/2 + x/sqrt(2 pi) + ...  ->  c1 = 2 sqrt(2/pi)
    r = taylor_match("gelu", "sigmoid", degree=1)
    assert equal(r.exact["c1"], 2 * sp.sqrt(2 / sp.pi))


def test_sigmoid_degree_three_against_logistic_series():
    # sigma(p) = 1/2 + p/4 - p^3/48 + ...
    c1, c3 = sp.symbols("c1 c3")
    phi = sp.expand((1 + erf_series(X / sp.sqrt(2), 3)) / 2)
    p = c1 * X + c3 * X**3
    gate = sp.expand(sp.Rational(1, 2) + p / 4 - p**3 / 48)
    sol = sp.solve([gate.coeff(X, 1) - phi.coeff(X, 1),
                    gate.coeff(X, 3) - phi.coeff(X, 3)], [c1, c3], dict=True)[0]
    r = taylor_match("gelu", "sigmoid", degree=3)
    assert equal(r.exact["c3"], sol[c3])


def test_gate_and_value_matching_agree():
    for family, degree in [("tanh", 5), ("sigmoid", 3)]:
        g = taylor_match("gelu", family, degree=degree, on="gate")
        v = taylor_match("gelu", family, degree=degree, on="value")
        for name in g.exact:
            assert equal(g.exact[name], sp.sympify(v.exact[name])), name
    # the odd relation erf = 2 g - 1 as well
    g = taylor_match("erf", "tanh", degree=3, on="gate")
    v = taylor_match("erf", "tanh", degree=3, on="value")
    assert equal(g.exact["c3"], sp.sympify(v.exact["c3"]))


def test_poly_on_erf_is_the_truncated_series():
    r = taylor_match("erf", "poly", degree=7, on="value")
    ref = sp.expand(erf_series(X, 4))
    for k in (1, 3, 5, 7):
        assert equal(r.exact[f"c{k}"], ref.coeff(X, k))
    assert r.matched_order >= 8


def test_silu_sigmoid_is_exact():
    # x*sigma(x) is the sigmoid family with p = x: every higher coefficient vanishes.
    r = taylor_match("silu", "sigmoid", degree=5)
    assert r.coefficients == {"c1": 1.0, "c3": 0.0, "c5": 0.0}


def test_degree_nine_is_quick_and_consistent_with_mpmath():
    import mpmath

    r = taylor_match("gelu", "tanh", degree=9)
    # The matched approximant agrees with Phi to O(x^11) near 0.
    with mpmath.workdps(50):
        c = {k: mpmath.mpf(str(sp.N(sp.sympify(v), 50))) for k, v in r.exact.items()}
        x = mpmath.mpf("0.01")
        p = sum(c[f"c{k}"] * x**k for k in (1, 3, 5, 7, 9))
        err = (1 + mpmath.tanh(p)) / 2 - mpmath.ncdf(x)
    assert abs(err) < 1e-21     # |x|^11 = 1e-22, times an O(1) coefficient


def test_mish_has_a_constant_term():
    # mish's gate at 0 is tanh(log 2) = 3/5; the tanh gate (1 + tanh c0)/2 = 3/5.
    r = taylor_match("mish", "tanh", degree=1)
    assert equal(r.exact["c0"], sp.atanh(sp.Rational(1, 5)))


def test_taylor_entry_point_dispatches_and_defaults_like_the_cli():
    from approxfit.core.exceptions import InputError
    from approxfit.symbolic.taylor import taylor

    # tanh: the gate by default; poly: the value (its series is the value's own)
    r = taylor("gelu", "sigmoid", degree=1)
    assert r.on == "gate"
    # σ(c1·x) matches Φ(x) through x: c1/4 = φ(0) = 1/sqrt(2π)
    assert equal(r.exact["c1"], 4 / sp.sqrt(2 * sp.pi))
    p = taylor("silu", "poly", degree=4)
    assert p.on == "value"
    # x·σ(x) = x/2 + x²/4 − x⁴/48 + …
    assert [p.exact[f"c{k}"] for k in range(5)] == ["0", "1/2", "1/4", "0", "-1/48"]
    # x·erf(x) = 2/√π·(x² − x⁴/3 + …), even: an even polynomial by default
    e = taylor("myf", "poly", degree=4, expr="x*erf(x)")
    assert e.on == "value" and e.parity == "even"
    assert equal(e.exact["c2"], 2 / sp.sqrt(sp.pi))
    assert equal(e.exact["c4"], -2 / (3 * sp.sqrt(sp.pi)))
    with pytest.raises(InputError, match=r"`fix` does not apply to the Padé"):
        taylor("erf", "rational", degree=3, fix={"c1": "1"})
    with pytest.raises(InputError, match=r"unknown `family` 'tanhh' \(did you mean 'tanh'"):
        taylor("gelu", "tanhh")
    with pytest.raises(InputError, match=r"unknown `den_parity` 'evn'"):
        taylor("erf", "rational", den_parity="evn")
