"""Families and the Approximant: kernels against closed forms and finite differences.

One contract test runs over every family × parity × degree (as numpy's
``test_classes.py`` does over every polynomial basis).  Known answers: the paper's
tanh GELU, whose mean squared error on ``numpy.arange(-10, 10, 0.01)`` is
2.4329e-08 (the Stack Exchange seed says "MSE ~1e-8"; SPEC.md's claim
``paper-tanh-mse``) with a largest sampled error of 4.7323e-04.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from numpy.polynomial import polynomial as npoly
from scipy.special import erf, expit

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import FAMILIES, MAX_DEGREE, powers_for
from approxfit.core.exceptions import InputError

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

# Closed forms of each family's kernel h(p), written here independently.
CLOSED_FORMS = {
    "tanh": lambda p: 0.5 * (1.0 + np.tanh(p)),
    "sigmoid": lambda p: 1.0 / (1.0 + np.exp(-p)),
    "poly": lambda p: p,
}
PARITY_DEGREES = [("odd", 1), ("odd", 5), ("even", 2), ("even", 4), ("none", 2), ("none", 5)]
CONTRACT = [(f, par, d) for f in FAMILIES for par, d in PARITY_DEGREES]


def _fd(fun, t, h):
    """Fourth-order central difference of ``fun`` at ``t`` (error O(h⁴))."""
    return (-fun(t + 2 * h) + 8 * fun(t + h) - 8 * fun(t - h) + fun(t - 2 * h)) / (12 * h)


def _setup(family, parity, degree):
    rng = np.random.default_rng(0)
    powers = powers_for(degree, parity)
    # Scale c_k by 3^-k so every term is O(1) on [-3, 3]: p stays in the region where
    # tanh/sigmoid are not flat, and the FD truncation error (∝ h⁴·h⁽⁵⁾) stays small.
    coef = rng.normal(size=len(powers)) / 3.0 ** np.asarray(powers, dtype=float)
    x = np.concatenate([rng.uniform(-3, 3, size=40), [0.0, -3.0, 3.0]])
    return FAMILIES[family], powers, coef, x


def test_contract_covers_every_family():
    # A new family must get a closed form here (and so enter the contract test).
    assert sorted(CLOSED_FORMS) == sorted(FAMILIES)


@pytest.mark.parametrize(("family", "parity", "degree"), CONTRACT)
def test_family_value_matches_closed_form(family, parity, degree):
    fam, powers, coef, x = _setup(family, parity, degree)
    full = np.zeros(degree + 1)
    full[list(powers)] = coef
    p = npoly.polyval(x, full)
    np.testing.assert_allclose(fam.value(x, coef, powers), CLOSED_FORMS[family](p),
                               rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("family", "parity", "degree"), CONTRACT)
def test_chebyshev_form_matches_closed_form(family, parity, degree):
    # The same kernels with p = Σ b_k T_k(x/3) on (−3, 3): b_k random, p by mpmath's
    # chebyt at 30 digits (independent of numpy's Clenshaw), h by the closed form.
    _, powers, _, x = _setup(family, parity, degree)
    b = np.random.default_rng(degree).normal(size=len(powers)) / 2
    a = Approximant.from_chebyshev(family, powers, b, (-3.0, 3.0), "gelu")
    with mpmath.workdps(30):
        p = np.array([float(mpmath.fsum(mpmath.mpf(c) * mpmath.chebyt(k, mpmath.mpf(v) / 3)
                                        for k, c in zip(powers, b, strict=True))) for v in x])
    # |p| ≤ Σ|b_k| ≲ 3 and h is 1-Lipschitz (tanh: ½·2) in p: a few eps of Σ|b_k|
    np.testing.assert_allclose(a.kernel(x), CLOSED_FORMS[family](p), rtol=0, atol=1e-14)
    assert a.kernel(x).shape == x.shape


@pytest.mark.parametrize(("family", "parity", "degree"), CONTRACT)
def test_family_derivative_matches_finite_differences(family, parity, degree):
    fam, powers, coef, x = _setup(family, parity, degree)
    got = fam.derivative(x, coef, powers)
    fd = _fd(lambda t: fam.value(t, coef, powers), x, 1e-3)
    # h = 1e-3: truncation ~h⁴/30·|h⁽⁵⁾| ≲ 1e-11 and rounding ~eps/h ≈ 1e-13 for
    # these O(1) functions; rtol 1e-7 / atol 1e-9 leave margin without hiding a
    # wrong factor (a missing power k or a dropped outer derivative is O(1)).
    np.testing.assert_allclose(got, fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("family", "parity", "degree"), CONTRACT)
def test_family_jacobian_matches_finite_differences(family, parity, degree):
    fam, powers, coef, x = _setup(family, parity, degree)
    jac = fam.jacobian(x, coef, powers)
    assert jac.shape == (x.size, len(powers))
    for j in range(len(powers)):
        def h_of_cj(t, j=j):
            c = coef.copy()
            c[j] = t
            return fam.value(x, c, powers)
        # Step 1e-3/3^k: a change δ in c_k moves p by δ·x^k, up to δ·3^k on [-3, 3], so
        # this keeps the step in p at 1e-3 and the FD error as for the x-derivative.
        fd = _fd(h_of_cj, coef[j], 1e-3 / 3.0 ** powers[j])
        # Rounding is then ~eps·3^k/1e-3 ≲ 1e-10 for k ≤ 5; rtol 1e-6 is ample.
        np.testing.assert_allclose(jac[:, j], fd, rtol=1e-6, atol=1e-8,
                                   err_msg=f"column c{powers[j]}")


@pytest.mark.parametrize("family", ["tanh", "sigmoid"])
def test_gated_family_keeps_relative_precision_in_the_tail(family):
    # The tanh family is evaluated as σ(2p): in the far tail (gate ~1e-300) the
    # naive ½(1 + tanh p) would be 0, σ(2p) keeps full relative precision.
    x = np.array([-5.0, -20.0, -100.0, -340.0])
    got = FAMILIES[family].value(x, np.array([1.0]), (1,))
    k = 2 if family == "tanh" else 1
    with mpmath.workdps(50):
        ref = [float(1 / (1 + mpmath.exp(-k * mpmath.mpf(float(t))))) for t in x]
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0)


# -- powers_for --------------------------------------------------------------------
@pytest.mark.parametrize("degree", [1, 3, 7, 29])
def test_powers_for_odd(degree):
    np.testing.assert_array_equal(powers_for(degree, "odd"), np.arange(1, degree + 1, 2))


@pytest.mark.parametrize("degree", [0, 2, 8, 30])
def test_powers_for_even(degree):
    np.testing.assert_array_equal(powers_for(degree, "even"), np.arange(0, degree + 1, 2))


@pytest.mark.parametrize("degree", [0, 1, 4, 30])
def test_powers_for_none(degree):
    np.testing.assert_array_equal(powers_for(degree, "none"), np.arange(degree + 1))


@pytest.mark.parametrize(("degree", "parity", "match"), [
    (4, "odd", r"`degree` 4 is even; `parity` 'odd' needs an odd degree .* choose `parity` none"),
    (3, "even", r"`degree` 3 is odd; `parity` 'even' needs an even degree .* choose `parity` none"),
    (-1, "none", rf"`degree` must be between 0 and {MAX_DEGREE}, got -1"),
    (MAX_DEGREE + 1, "none",
     rf"`degree` must be between 0 and {MAX_DEGREE}, got {MAX_DEGREE + 1}"),
    (2.0, "none", r"`degree` must be a whole number"),
    (3, "sym", r"`parity` must be one of odd, even, none, got 'sym'"),
])
def test_powers_for_rejects_bad_input(degree, parity, match):
    with pytest.raises(InputError, match=match):
        powers_for(degree, parity)


# -- Approximant -------------------------------------------------------------------
def _paper_tanh(**kw):
    # Hendrycks & Gimpel: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    return Approximant("tanh", (1, 3), (SQRT_2_OVER_PI, SQRT_2_OVER_PI * 0.044715),
                       "gelu", **kw)


def test_paper_tanh_gelu_matches_closed_form():
    x = np.arange(-10, 10, 0.01)
    closed = 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
    # atol 1e-15: at x ≲ −8 the closed form's 1 + tanh(p) is exactly 0 while the
    # σ(2p) evaluation keeps a ~1e-30 tail; both are right to well below 1e-15.
    np.testing.assert_allclose(_paper_tanh().evaluate(x, on="value"), closed,
                               rtol=1e-12, atol=1e-15)


def test_paper_tanh_gelu_errors_match_published_figures():
    x = np.arange(-10, 10, 0.01)
    exact = 0.5 * x * (1 + erf(x / math.sqrt(2)))
    e = _paper_tanh().evaluate(x, on="value") - exact
    # SPEC claim paper-tanh-mse: MSE 2.4329e-08 (seed: "MSE ~1e-8"); half a unit of
    # the 5th significant digit.
    np.testing.assert_allclose(np.mean(e ** 2), 2.4329e-08, rtol=0, atol=0.5e-12)
    # Largest error on the samples, 4.7323e-04 (to 5 significant digits).
    np.testing.assert_allclose(np.max(np.abs(e)), 4.7323e-04, rtol=0, atol=0.5e-8)


def test_paper_tanh_scaled_form():
    a = _paper_tanh()
    np.testing.assert_allclose(a.scaled["a3"], 0.044715, rtol=1e-15, atol=0)
    np.testing.assert_allclose(a.coefficients["c1"], SQRT_2_OVER_PI, rtol=0, atol=0)


@pytest.mark.parametrize("approx", [
    _paper_tanh(name="paper-tanh"),
    Approximant("sigmoid", (1,), (1.702,), "silu", clamp=8.0, name="sig"),
    Approximant("poly", (1, 3, 5), (1.1, -0.3, 0.02), "erf", base="value"),
], ids=["tanh", "sigmoid-clamped", "poly-value"])
def test_approximant_dict_round_trip(approx):
    d = approx.to_dict()
    back = Approximant.from_dict(d)
    assert back.to_dict() == d
    x = np.linspace(-12, 12, 241)
    np.testing.assert_allclose(back.evaluate(x, on="value"), approx.evaluate(x, on="value"),
                               rtol=0, atol=0)
    np.testing.assert_allclose(back.coef, approx.coef, rtol=0, atol=0)


def test_from_dict_rejects_missing_coefficient():
    d = _paper_tanh().to_dict()
    del d["coefficients"]["c3"]
    with pytest.raises(InputError, match="not an approximant description"):
        Approximant.from_dict(d)


@pytest.mark.parametrize("approx", [
    _paper_tanh(),
    Approximant("sigmoid", (1, 3), (1.6, 0.07), "erf"),          # f = 2g − 1
    Approximant("poly", (1, 3, 5), (1.1, -0.3, 0.02), "erf", base="value"),
    _paper_tanh(clamp=2.0),
], ids=["tanh-gelu", "sigmoid-erf", "poly-value", "tanh-clamped"])
def test_approximant_derivative_matches_finite_differences(approx):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=60)
    if approx.clamp is not None:
        x = x[np.abs(np.abs(x) - approx.clamp) > 0.01]      # FD across the kink is void
    fd = _fd(lambda t: approx.evaluate(t, on="value"), x, 1e-3)
    # 4th-order FD with h = 1e-3 on O(1)–O(10) smooth functions: error ≲ 1e-10.
    np.testing.assert_allclose(approx.derivative(x), fd, rtol=1e-7, atol=1e-9)


def test_clamped_approximant_beyond_clamp_closed_form():
    # Beyond C the tail guard gives the gate's limits: GELU ≈ x above C and 0 below −C.
    a = _paper_tanh(clamp=2.0)
    x = np.array([-1e3, -7.0, -2.5, 2.5, 7.0, 1e3])
    np.testing.assert_allclose(a.evaluate(x, on="value"), np.where(x > 0, x, 0.0),
                               rtol=0, atol=0)
    np.testing.assert_allclose(a.derivative(x), np.where(x > 0, 1.0, 0.0), rtol=0, atol=0)
    inside = np.array([-1.5, 0.3, 1.9])
    pc = SQRT_2_OVER_PI * (inside + 0.044715 * inside**3)
    np.testing.assert_allclose(a.evaluate(inside, on="value"), inside * expit(2 * pc),
                               rtol=1e-14, atol=0)


def test_clamp_is_refused_for_a_polynomial():
    with pytest.raises(InputError, match="tanh and sigmoid families only"):
        Approximant("poly", (1, 3), (1.0, 0.1), "erf", base="value", clamp=3.0)
