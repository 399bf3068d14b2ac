"""The Chebyshev representation of family and rational approximants.

References are independent of the code under test: mpmath's ``chebyt`` at 50 digits
for Σ b_k T_k(u) and its derivative, mpmath's exact polynomial arithmetic for the
monomial conversion, and numpy's own ``cheb2poly`` on a small case.  The scale of
a Chebyshev sum on its domain is Σ|b_k| (|T_k(u)| ≤ 1 for |u| ≤ 1), and the bounds
below are stated relative to it.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
from numpy.polynomial import chebyshev as npcheb

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import cheb_to_monomial, monomial_to_cheb
from approxfit.approximants.program import Cost
from approxfit.approximants.rational import RationalApproximant
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_steps

EPS = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
mpmath.mp.dps = 50


def mp_cheb(x: float, indices, coef, domain) -> mpmath.mpf:
    """Σ b_k T_k(u) at the exact x, u = (2x − a − b)/(b − a), in 50 digits."""
    a, b = (mpmath.mpf(v) for v in domain)
    u = (2 * mpmath.mpf(x) - a - b) / (b - a)
    return mpmath.fsum(mpmath.mpf(c) * mpmath.chebyt(k, u)
                       for k, c in zip(indices, coef, strict=True))


def mp_cheb_derivative(x: float, indices, coef, domain) -> mpmath.mpf:
    """d/dx Σ b_k T_k(u) = (2/(b − a))·Σ b_k·k·U_{k−1}(u), in 50 digits (U_k by its
    defining recurrence U_{k+1} = 2u·U_k − U_{k−1}, U_0 = 1, U_1 = 2u; mpmath's
    ``chebyu`` does not converge at u = 0 and ±1)."""
    a, b = (mpmath.mpf(v) for v in domain)
    u = (2 * mpmath.mpf(x) - a - b) / (b - a)
    us = [mpmath.mpf(1), 2 * u]
    while len(us) < max(indices) + 1:
        us.append(2 * u * us[-1] - us[-2])
    s = mpmath.fsum(mpmath.mpf(c) * k * us[k - 1]
                    for k, c in zip(indices, coef, strict=True) if k > 0)
    return 2 * s / (b - a)


def random_series(indices, seed: int, scale: float = 0.25) -> tuple[float, ...]:
    rng = np.random.default_rng(seed)
    return tuple(float(v) for v in rng.normal(size=len(indices)) * scale)


SERIES = [
    # (indices, domain): all indices on a shifted domain, odd and even on symmetric ones,
    # odd indices on an asymmetric domain (no parity in x), a sparse set
    (tuple(range(13)), (-3.0, 7.0)),
    (tuple(range(1, 30, 2)), (-10.0, 10.0)),
    (tuple(range(0, 31, 2)), (-8.0, 8.0)),
    (tuple(range(1, 12, 2)), (-4.0, 10.0)),
    ((0, 3, 7, 20), (-1.0, 1.0)),
]


@pytest.mark.parametrize(("indices", "domain"), SERIES)
def test_clenshaw_matches_mpmath(indices, domain):
    coef = random_series(indices, seed=len(indices))
    a = Approximant.from_chebyshev("poly", indices, coef, domain, "gelu")
    lo, hi = domain
    x = np.concatenate([np.linspace(lo, hi, 301),
                        np.random.default_rng(3).uniform(lo, hi, 100)])
    want = np.array([float(mp_cheb(v, indices, coef, domain)) for v in x])
    got = a(x)
    # Clenshaw's rounding errors are a few eps of the partial sums, carried to the result
    # by U_k(u) (|U_k| ≤ k + 1 on [−1, 1]); at n ≤ 30 the largest seen is ~10 eps·Σ|b_k|.
    # 1e-14·Σ|b_k| (45 eps·Σ|b_k|) is that with a margin; a wrong index or a wrong domain
    # map is off by O(Σ|b_k|).
    scale = float(np.sum(np.abs(coef)))
    assert np.max(np.abs(got - want)) <= 1e-14 * scale


@pytest.mark.parametrize(("indices", "domain"), SERIES)
def test_derivative_matches_mpmath(indices, domain):
    coef = random_series(indices, seed=len(indices) + 1)
    a = Approximant.from_chebyshev("poly", indices, coef, domain, "gelu")
    lo, hi = domain
    x = np.linspace(lo, hi, 201)
    want = np.array([float(mp_cheb_derivative(v, indices, coef, domain)) for v in x])
    # |T_k′| ≤ k² on [−1, 1]: the derivative's scale is (2/(b − a))·Σ k²|b_k|, and the
    # same 1e-14 of it as for the value.
    scale = 2.0 / (hi - lo) * sum(k * k * abs(c) for k, c in zip(indices, coef, strict=True))
    assert np.max(np.abs(a.derivative(x) - want)) <= 1e-14 * scale


def test_monomial_conversion_is_numpys_cheb2poly_on_a_small_case():
    indices, coef = (0, 1, 2, 3, 4, 5), (0.5, -1.25, 0.75, 2.0, -0.375, 0.125)
    # on (−1, 1) u = x: the monomial coefficients are numpy's own cheb2poly
    a = Approximant.from_chebyshev("poly", indices, coef, (-1.0, 1.0), "gelu")
    want = npcheb.cheb2poly(np.asarray(coef))
    assert list(a.coefficients) == [f"c{k}" for k in range(6)]
    np.testing.assert_allclose(list(a.coefficients.values()), want, rtol=0, atol=4 * EPS)
    # and exactly: T_0..T_5 in x, by hand (T_5 = 16x⁵ − 20x³ + 5x, …) with dyadic b_k
    exact = [0.5 - 0.75 - 0.375, -1.25 - 3 * 2.0 + 5 * 0.125, 2 * 0.75 - 8 * -0.375,
             4 * 2.0 - 20 * 0.125, 8 * -0.375, 16 * 0.125]
    assert list(a.coefficients.values()) == exact


@pytest.mark.parametrize(("indices", "domain"), [
    ((0, 1, 2, 3, 4, 5), (-3.0, 2.0)), ((1, 3, 5, 7), (-2.5, 2.5)), ((0, 2, 4), (-5.0, 5.0))])
def test_monomial_form_is_the_same_polynomial(indices, domain):
    coef = random_series(indices, seed=7, scale=1.0)
    a = Approximant.from_chebyshev("poly", indices, coef, domain, "gelu")
    mono = a.coefficients
    if domain[0] + domain[1] == 0.0:   # a symmetric domain keeps the parity
        assert {int(k[1:]) % 2 for k in mono} == {indices[0] % 2}
    for x in np.linspace(*domain, 23):
        want = mp_cheb(x, indices, coef, domain)
        got = mpmath.fsum(mpmath.mpf(c) * mpmath.mpf(x) ** int(k[1:]) for k, c in mono.items())
        # a low-degree conversion loses a few eps of the largest term Σ|c_k|·|x|^k
        size = sum(abs(c) * abs(x) ** int(k[1:]) for k, c in mono.items())
        assert abs(got - want) <= 16 * EPS * max(size, 1.0), x
    # and back: the monomial form converted on the same domain is the Chebyshev one
    back_i, back_c = monomial_to_cheb(a.monomial.powers, a.monomial.coef, domain)
    full = dict(zip(back_i, back_c, strict=True))
    assert set(indices) <= set(back_i)
    np.testing.assert_allclose([full[k] for k in indices], coef, rtol=0, atol=64 * EPS)


def test_degree_30_on_a_wide_range_needs_the_chebyshev_basis():
    """The reason for the representation: degree 30 on [−10, 10]."""
    indices = tuple(range(31))
    coef = random_series(indices, seed=30, scale=0.1)      # Σ|b_k| ≈ 2, |p| ≤ Σ|b_k|
    a = Approximant.from_chebyshev("poly", indices, coef, (-10.0, 10.0), "silu")
    x = np.concatenate([np.linspace(-10, 10, 401),
                        np.random.default_rng(0).uniform(-10, 10, 100)])
    exact = np.array([float(mp_cheb(v, indices, coef, (-10.0, 10.0))) for v in x])
    cheb_err = float(np.max(np.abs(a(x) - exact)))
    horner_err = float(np.max(np.abs(a.monomial(x) - exact)))
    # Σ|c_k|·10^k of the monomial form is ~1e10 (T_30(x/10) alone has ~2.6e11), so Horner
    # in float64 loses ~eps·1e10 ≈ 1e-6 where Clenshaw keeps a few eps·Σ|b_k|.
    mono = a.monomial
    size = sum(abs(c) * 10.0 ** k for k, c in zip(mono.powers, mono.coef, strict=True))
    assert size > 1e9
    assert cheb_err <= 1e-14
    assert horner_err > 1e4 * cheb_err and horner_err > 1e-9


@pytest.mark.parametrize("family", ["tanh", "sigmoid", "poly"])
@pytest.mark.parametrize(("indices", "domain"), SERIES)
def test_program_in_float64_equals_evaluate(family, indices, domain):
    coef = random_series(indices, seed=11)
    a = Approximant.from_chebyshev(family, indices, coef, domain, "gelu")
    x = np.linspace(*domain, 801)
    on = "value" if family == "poly" else "gate"
    # gate_form "sigmoid": the gate is σ(2p) (tanh) or σ(p), the formula evaluate uses
    got = evaluate_steps(a.program(on=on, gate_form="sigmoid"), x, "float64")
    want = a.evaluate(x, on=on)
    parity = all(k % 2 == 1 for k in indices) or all(k % 2 == 0 for k in indices)
    if not parity:
        # mixed indices: the program does chebval's operations in chebval's order, and
        # the same σ: bit for bit the same numbers
        np.testing.assert_array_equal(got, want)
    else:
        # odd/even: Clenshaw in w = 2u² − 1 against chebval in u — each a few eps of
        # Σ|b_k| (test_clenshaw_matches_mpmath), and σ, ½(1 + tanh) are 1-Lipschitz in p
        assert np.max(np.abs(got - want)) <= 2e-14 * float(np.sum(np.abs(coef)))


@pytest.mark.parametrize(("indices", "domain"), SERIES)
def test_float32_emulator_runs_the_clenshaw_program(indices, domain):
    coef = random_series(indices, seed=5)
    a = Approximant.from_chebyshev("poly", indices, coef, domain, "gelu")
    lo, hi = domain
    x = np.linspace(lo, hi, 1001)
    x32 = x.astype(np.float32).astype(np.float64)     # the emulator rounds its inputs
    got = evaluate_steps(a.program(), x, "float32")
    assert got.dtype == np.float64 and np.all(np.isfinite(got))
    np.testing.assert_array_equal(got, got.astype(np.float32).astype(np.float64))
    want = np.array([float(mp_cheb(v, indices, coef, domain)) for v in x32])
    # float32 Clenshaw: the float64 bound above with eps32 in place of eps (45·eps32·Σ|b|)
    # plus the rounding of the constants (eps32/2 each, a further Σ|b_k|·eps32/2)
    scale = float(np.sum(np.abs(coef)))
    err = np.max(np.abs(got - want))
    assert err <= 48 * EPS32 * scale, err / (EPS32 * scale)


def test_float32_chebyshev_beats_float32_horner_at_degree_30():
    indices = tuple(range(31))
    coef = random_series(indices, seed=30, scale=0.1)
    a = Approximant.from_chebyshev("poly", indices, coef, (-10.0, 10.0), "silu")
    x = np.linspace(-10, 10, 801)
    exact = np.array([float(mp_cheb(v, indices, coef, (-10.0, 10.0))) for v in x])
    cheb = np.max(np.abs(evaluate_steps(a.program(), x, "float32") - exact))
    horner = np.max(np.abs(evaluate_steps(a.monomial.program(), x, "float32") - exact))
    assert cheb <= 48 * EPS32 * float(np.sum(np.abs(coef)))
    assert horner > 100 * cheb


def test_odd_program_cost_counted_by_hand():
    a = Approximant.from_chebyshev("poly", (1, 3, 5), (1.0, 0.5, 0.25), (-4.0, 4.0), "erf")
    # u = x/4 (a divide), 2u (add), (2u)² (mul), − 2 (add); Clenshaw's V-series on
    # (b1, b3, b5): b1 − b5 (add), b5·2w (mul), b3 + … (add); (c0 − c1) (add),
    # c1·2w (mul), + (add); times u (mul)
    assert a.cost() == Cost(5, 6, 0, 0)
    # mixed indices on (−3, 7): 2x (add), − (a + b) (add), / (b − a) (mul); chebval on
    # (b0 … b3): 2u (add), two steps of a sub, a mul and an add, then c0 + c1·u
    m = Approximant.from_chebyshev("poly", (0, 1, 2, 3), (1.0, 0.5, 0.25, 0.125),
                                   (-3.0, 7.0), "gelu")
    assert m.cost() == Cost(1 + 2 + 1, 2 + 1 + 4 + 1, 0, 0)


@pytest.mark.parametrize(("family", "clamp"), [
    ("tanh", None), ("tanh", 3.0), ("sigmoid", None), ("sigmoid", 3.0), ("poly", None)])
def test_dict_round_trip_is_exact(family, clamp):
    indices = tuple(range(1, 22, 2))
    coef = random_series(indices, seed=2)
    a = Approximant.from_chebyshev(family, indices, coef, (-6.0, 6.0), "gelu", clamp=clamp,
                                   name="cheb")
    d = json.loads(json.dumps(a.to_dict()))
    assert d["basis"] == "chebyshev"
    want = {f"T{k}": c for k, c in zip(indices, coef, strict=True)}
    assert d["chebyshev"] == {"domain": [-6.0, 6.0], "coefficients": want}
    assert d["coefficients"] == a.coefficients and d["powers"] == list(a.monomial.powers)
    back = approximant_from_dict(d)
    assert back.basis == "chebyshev" and back.domain == a.domain
    assert back.powers == a.powers and back.coef == a.coef and back.clamp == a.clamp
    x = np.linspace(-8, 8, 161)
    np.testing.assert_array_equal(back(x), a(x))
    np.testing.assert_array_equal(back.derivative(x), a.derivative(x))
    assert back.to_dict() == d


def test_saved_fits_without_basis_load_as_monomial():
    d = {"family": "tanh", "target": "gelu", "base": "gate", "powers": [1, 3],
         "coefficients": {"c1": 0.7978845608, "c3": 0.0356774}, "clamp": None, "name": "p"}
    a = approximant_from_dict(d)
    assert a.basis == "monomial" and a.domain is None and a.chebyshev is None
    assert a.to_dict() == d
    assert list(a.to_dict()) == list(d)     # same keys, same order: results/ unchanged


def test_chebyshev_of_a_monomial_approximant_needs_a_domain():
    a = Approximant("poly", (1, 3), (1.0, -0.25), "erf", base="value")
    assert a.chebyshev is None
    with pytest.raises(InputError, match="`domain`"):
        a.chebyshev_form()
    # x − x³/4 on (−2, 2): x = 2u, so 2u − 2u³ = 2T1 − (3T1 + T3)/2 = T1/2 − T3/2
    form = a.chebyshev_form((-2.0, 2.0))
    assert form["domain"] == [-2.0, 2.0]
    assert form["coefficients"] == pytest.approx({"T1": 0.5, "T3": -0.5}, abs=4 * EPS)


def test_with_coefficients_keeps_or_leaves_the_basis():
    a = Approximant.from_chebyshev("tanh", (1, 3), (1.0, 0.25), (-4.0, 4.0), "gelu")
    same = a.with_coefficients({}, clamp=5.0)
    assert same.basis == "chebyshev" and same.clamp == 5.0 and same.coef == a.coef
    t = a.with_coefficients({"T3": 0.5})
    assert t.basis == "chebyshev" and t.coef == (1.0, 0.5)
    c = a.with_coefficients({"c1": 0.1})
    assert c.basis == "monomial" and c.coefficients["c1"] == 0.1
    assert c.coefficients["c3"] == a.coefficients["c3"]
    with pytest.raises(InputError, match="`values` names T5"):
        a.with_coefficients({"T5": 1.0})


def test_bad_chebyshev_input_names_the_parameter():
    with pytest.raises(InputError, match="`domain`"):
        Approximant.from_chebyshev("poly", (1,), (1.0,), (2.0, 1.0), "gelu")
    with pytest.raises(InputError, match="`domain`"):
        Approximant.from_chebyshev("poly", (1,), (1.0,), (0.0, float("inf")), "gelu")
    with pytest.raises(InputError, match="`indices`"):
        Approximant.from_chebyshev("poly", (3, 1), (1.0, 1.0), (-1.0, 1.0), "gelu")
    with pytest.raises(InputError, match="`den_indices`"):
        RationalApproximant.from_chebyshev((0, 1), (1.0, 1.0), (0, 2), (1.0, 0.5),
                                           (-1.0, 1.0), "tanh")
    with pytest.raises(InputError, match="`basis`"):
        Approximant("poly", (1,), (1.0,), "gelu", base="value", basis="legendre")
    with pytest.raises(InputError, match="`domain`"):
        Approximant("poly", (1,), (1.0,), "gelu", base="value", domain=(-1.0, 1.0))
    with pytest.raises(InputError, match="not an approximant description"):
        approximant_from_dict({"family": "poly", "target": "gelu", "basis": "chebyshev",
                               "chebyshev": {"domain": [-1, 1], "coefficients": {"c1": 1}}})


# -- rational ----------------------------------------------------------------------------

def mp_rational(x, r: RationalApproximant) -> mpmath.mpf:
    return (mp_cheb(x, r.num_powers, r.num_coef, r.domain)
            / mp_cheb(x, (0, *r.den_powers), (1.0, *r.den_coef), r.domain))


RATIONALS = {
    # tanh-like [7/6] shape on (−4, 4), odd P and even Q; a full one on (−2, 6)
    "odd-even": RationalApproximant.from_chebyshev(
        (1, 3, 5, 7), (0.9, 0.08, 0.01, 0.001), (2, 4, 6), (0.3, 0.05, 0.004), (-4.0, 4.0),
        "tanh"),
    "full": RationalApproximant.from_chebyshev(
        (0, 1, 2, 3), (0.4, 0.5, 0.1, 0.02), (1, 2), (0.2, 0.1), (-2.0, 6.0), "gelu"),
}


@pytest.mark.parametrize("name", sorted(RATIONALS))
def test_rational_clenshaw_matches_mpmath(name):
    r = RATIONALS[name]
    x = np.linspace(*r.domain, 241)
    want = np.array([float(mp_rational(v, r)) for v in x])
    # |Q| ≥ 0.5 on these domains (1 − Σ|e_k| ≥ 0.5), so P/Q carries the P and Q bounds
    # of test_clenshaw_matches_mpmath, divided by min|Q|, plus one rounding
    bound = 2 * 1e-14 * (sum(map(abs, r.num_coef)) + sum(map(abs, r.den_coef)) + 1) / 0.5
    assert np.max(np.abs(r(x) - want)) <= bound
    h = 1e-6
    fd = (r(x + h) - r(x - h)) / (2 * h)
    np.testing.assert_allclose(r.derivative(x), fd, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", sorted(RATIONALS))
def test_rational_monomial_form_is_normalised_and_the_same_function(name):
    r = RATIONALS[name]
    coefs = r.coefficients
    assert all(k[0] in "cd" for k in coefs) and "d0" not in coefs
    m = r.monomial
    assert m.basis == "monomial" and m.q(np.array([0.0]))[0] == 1.0
    x = np.linspace(*r.domain, 101)
    np.testing.assert_allclose(m(x), r(x), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", sorted(RATIONALS))
def test_rational_dict_round_trip_and_program(name):
    r = RATIONALS[name]
    d = json.loads(json.dumps(r.to_dict()))
    assert d["basis"] == "chebyshev" and d["chebyshev"] == r.chebyshev
    back = approximant_from_dict(d)
    assert isinstance(back, RationalApproximant) and back.to_dict() == d
    x = np.linspace(*r.domain, 161)
    np.testing.assert_array_equal(back(x), r(x))
    got = evaluate_steps(r.program(), x, "float64")
    # mixed or parity Clenshaw against chebval: 2e-14 of the scales, over min|Q| ≥ 0.5
    assert np.max(np.abs(got - r(x))) <= 2e-14 * (sum(map(abs, r.num_coef)) + 2) / 0.25
    f32 = evaluate_steps(r.program(), x, "float32")
    assert np.all(np.isfinite(f32)) and np.max(np.abs(f32 - r(x))) <= 1e-5


def test_rational_without_a_monomial_form_says_so():
    # Q = T0 + T2(x/2) = 2(x/2)², zero at 0: P/Q exists on the domain's other points,
    # but no Q with Q(0) = 1 does
    r = RationalApproximant.from_chebyshev((0, 1), (1.0, 0.3), (2,), (1.0,), (-2.0, 2.0),
                                           "tanh")
    with pytest.raises(InputError, match=r"Q\(0\) = 1 does not exist.*`\.chebyshev`"):
        _ = r.coefficients
    assert r.chebyshev == {"domain": [-2.0, 2.0], "numerator": {"T0": 1.0, "T1": 0.3},
                           "denominator": {"T2": 1.0}}
    d = json.loads(json.dumps(r.to_dict()))
    assert d["coefficients"] is None
    back = approximant_from_dict(d)
    np.testing.assert_array_equal(back(np.array([1.0, -1.5])), r(np.array([1.0, -1.5])))
    assert "T0" in repr(r)


def test_rational_chebyshev_form_of_a_monomial_one():
    r = RationalApproximant((1,), (1.0,), (2,), (0.5,), "tanh")     # x/(1 + x²/2)
    with pytest.raises(InputError, match="`domain`"):
        r.chebyshev_form()
    form = r.chebyshev_form((-2.0, 2.0))
    # x = 2u: 2u/(1 + 2u²) = 2T1/(2 + T2), i.e. T1/(T0 + T2/2)
    assert form["numerator"] == pytest.approx({"T1": 1.0}, abs=4 * EPS)
    assert form["denominator"] == pytest.approx({"T2": 0.5}, abs=4 * EPS)


def test_cheb_to_monomial_exact_on_powers_of_two():
    # T3(x/2) = 4(x/2)³ − 3(x/2) = x³/2 − 3x/2, exactly
    assert cheb_to_monomial((3,), (1.0,), (-2.0, 2.0)) == ((1, 3), (-1.5, 0.5))
