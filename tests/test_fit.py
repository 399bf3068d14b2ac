"""Fits: known answers, closed-form minimax, independent scipy cross-checks, recovery.

References used here:

- least squares on ``numpy.arange(-10, 10, 0.01)`` (the seed's grid): the figures
  a3 = 0.0448465 / 0.0445228, k = 1.700991 / 1.780076, and the free form
  0.799732x + 0.0348998x³ of approxfit's reproduction, each re-derived below with
  ``scipy.optimize.curve_fit`` on the same data;
- Chebyshev: the best uniform approximation of xⁿ⁺¹ on [−1, 1] by polynomials of
  degree ≤ n is xⁿ⁺¹ − Tₙ₊₁(x)/2ⁿ, with error 2⁻ⁿ (e.g. Rivlin, *Chebyshev
  Polynomials*, thm 1.10);
- one-parameter minimax: a direct 1-D minimisation of the sampled max error with
  scipy.optimize.minimize_scalar, the error computed with scipy.special here.
"""

from __future__ import annotations

import functools
import math
import warnings

import mpmath
import numpy as np
import pytest
from numpy.polynomial import chebyshev as cheb
from scipy.optimize import curve_fit, minimize_scalar
from scipy.special import expit, ndtr

from approxfit.core.exceptions import ConvergenceWarning, InputError
from approxfit.core.grids import make_grid
from approxfit.core.targets import RELATIONS, Target
from approxfit.fitting.fit import fit

S = math.sqrt(2.0 / math.pi)


def quiet_fit(*args, **kwargs):
    """fit(), with the expected "outside the range" note silenced and any
    ConvergenceWarning turned into an error (a fit here must converge)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="outside the range", category=RuntimeWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        return fit(*args, **kwargs)


@functools.cache
def arange_grid():
    return make_grid(-10, 10, step=0.01)


@functools.cache
def dense_grid():
    return make_grid(-10, 10, samples=20001)


@functools.cache
def gelu_minimax(family, degree, on):
    return quiet_fit("gelu", family, dense_grid(), degree=degree, objective="minimax", on=on)


def gate_model(family, x, coef, powers):
    """The family's gate, written independently: ½(1 + tanh p) or 1/(1 + e^−p)."""
    p = sum(c * x ** k for k, c in zip(powers, coef, strict=True))
    return 0.5 * (1 + np.tanh(p)) if family == "tanh" else expit(p)


def gelu_error(family, x, coef, powers, on):
    """Approximant minus gelu (gate Φ or value x·Φ), with scipy.special."""
    g = gate_model(family, x, coef, powers)
    return g - ndtr(x) if on == "gate" else x * g - x * ndtr(x)


# -- least squares: known answers and an independent curve_fit -----------------------
def test_arange_grid_is_numpy_arange():
    np.testing.assert_array_equal(arange_grid().x, np.arange(-10, 10, 0.01))


@pytest.mark.parametrize(("on", "a3_published"), [("gate", 0.0448465), ("value", 0.0445228)])
def test_l2_tanh_fixed_slope(on, a3_published):
    r = quiet_fit("gelu", "tanh", arange_grid(), degree=3, fix={"c1": S}, on=on)
    assert r.converged and r.fixed == ("c1",)
    np.testing.assert_allclose(r.coefficients["c1"], S, rtol=0, atol=0)
    np.testing.assert_allclose(r.scaled["a3"], a3_published, rtol=0, atol=5e-8)

    x = arange_grid().x
    y = ndtr(x) if on == "gate" else x * ndtr(x)

    def model(t, a3):
        g = 0.5 * (1 + np.tanh(S * (t + a3 * t ** 3)))
        return g if on == "gate" else t * g

    (a3,), _ = curve_fit(model, x, y, p0=[0.04], ftol=1e-15, xtol=1e-15, gtol=1e-15)
    np.testing.assert_allclose(r.scaled["a3"], a3, rtol=1e-6, atol=0)


@pytest.mark.parametrize(("on", "k_published"), [("gate", 1.700991), ("value", 1.780076)])
def test_l2_sigmoid_degree_1(on, k_published):
    r = quiet_fit("gelu", "sigmoid", arange_grid(), degree=1, on=on)
    assert r.converged
    np.testing.assert_allclose(r.coefficients["c1"], k_published, rtol=0, atol=5e-7)

    x = arange_grid().x
    y = ndtr(x) if on == "gate" else x * ndtr(x)

    def model(t, k):
        return expit(k * t) if on == "gate" else t * expit(k * t)

    (k,), _ = curve_fit(model, x, y, p0=[1.5], ftol=1e-15, xtol=1e-15, gtol=1e-15)
    np.testing.assert_allclose(r.coefficients["c1"], k, rtol=1e-6, atol=0)


def test_l2_tanh_free_on_value():
    r = quiet_fit("gelu", "tanh", arange_grid(), degree=3, on="value")
    assert r.converged and r.fixed == ()
    np.testing.assert_allclose(r.coefficients["c1"], 0.799732, rtol=0, atol=5e-7)
    np.testing.assert_allclose(r.coefficients["c3"], 0.0348998, rtol=0, atol=5e-8)

    x = arange_grid().x

    def model(t, c1, c3):
        return 0.5 * t * (1 + np.tanh(c1 * t + c3 * t ** 3))

    (c1, c3), _ = curve_fit(model, x, x * ndtr(x), p0=[0.8, 0.04],
                            ftol=1e-15, xtol=1e-15, gtol=1e-15)
    np.testing.assert_allclose([r.coefficients["c1"], r.coefficients["c3"]], [c1, c3],
                               rtol=1e-6, atol=0)


# -- minimax, linear: Chebyshev's closed form ------------------------------------------
def power_target(m):
    """The target xᵐ, in numpy, mpmath and sympy form."""
    return Target(
        name=f"x^{m}", formula=f"x^{m}", description="a monomial",
        value=lambda x: np.asarray(x, dtype=float) ** m,
        dvalue=lambda x: m * np.asarray(x, dtype=float) ** (m - 1),
        value_mp=lambda x: x ** m, sympy_value=lambda sp, x: x ** m,
        value_parity="odd" if m % 2 else "even")


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 12, 15])
def test_minimax_poly_of_monomial_is_chebyshev(n):
    # samples = 4(n+1) + 1 Chebyshev points contain cos(jπ/(n+1)), j = 0…n+1, where
    # xⁿ⁺¹ − Tₙ₊₁/2ⁿ equioscillates, so the discrete optimum is the continuous one.
    grid = make_grid(-1, 1, samples=4 * (n + 1) + 1, grid="chebyshev")
    r = quiet_fit(power_target(n + 1), "poly", grid, degree=n, parity="none",
                  on="value", objective="minimax")
    assert r.converged
    np.testing.assert_allclose(r.metrics["value"]["max_abs_error"], 2.0 ** -n,
                               rtol=1e-9, atol=0)
    cert = r.certificate
    assert cert.alternates and len(cert.points) == n + 2
    assert cert.levelled_ratio >= 0.999
    # The points are the error's peaks refined between samples: a flat maximum fixes its
    # abscissa only to ~sqrt(eps) (the error there is flat to second order).
    np.testing.assert_allclose(cert.points, np.cos(np.pi * np.arange(n + 1, -1, -1) / (n + 1)),
                               rtol=0, atol=1e-7)
    # De la Vallée Poussin's bound is the closed-form optimum, and never above it.
    assert cert.haar and cert.lower_bound <= 2.0 ** -n * (1 + 1e-12)
    np.testing.assert_allclose(cert.lower_bound, 2.0 ** -n, rtol=1e-9, atol=0)
    np.testing.assert_allclose(np.abs(cert.errors), 2.0 ** -n, rtol=1e-9, atol=0)
    # The best polynomial itself: xⁿ⁺¹ − Tₙ₊₁(x)/2ⁿ, without its xⁿ⁺¹ term.
    best = -cheb.cheb2poly([0] * (n + 1) + [1])[: n + 1] / 2.0 ** n
    got = [r.coefficients[f"c{k}"] for k in range(n + 1)]
    # The monomial basis is ill-conditioned on [-1, 1] (|coefficients| up to ~7 at
    # n = 15, LP solved in that basis): the coefficients come out to ~5e-12.
    np.testing.assert_allclose(got, best, rtol=0, atol=1e-10)


# -- minimax, one nonlinear parameter: a direct 1-D search ------------------------------
def _min_max_error(err, lo, hi):
    """Minimise c ↦ max |err(c)| by bounded Brent, then polish by golden section.

    The bounded method stops at a relative width ~√eps·|c| whatever xatol says, and
    at a kink of the max that costs ~1e-7 in the minimum; golden section on the
    (unimodal) function then converges to ~1e-13.
    """
    f = lambda c: float(np.max(np.abs(err(c))))      # noqa: E731
    coarse = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    c0 = coarse.x
    res = minimize_scalar(f, bracket=(c0 * (1 - 1e-4), c0, c0 * (1 + 1e-4)),
                          method="golden", options={"xtol": 1e-13})
    return res.x, res.fun, f


def test_minimax_sigmoid_degree_1_on_gate_matches_direct_search():
    x = dense_grid().x
    k_ref, e_ref, f = _min_max_error(lambda k: expit(k * x) - ndtr(x), 1.5, 2.0)
    r = gelu_minimax("sigmoid", 1, "gate")
    k = r.coefficients["c1"]
    np.testing.assert_allclose(k, k_ref, rtol=1e-6, atol=0)
    # The max error is flat to first order only in the right direction; 1e-9
    # relative is what both searches reach (they agree to ~1e-12 in practice).
    np.testing.assert_allclose(f(k), e_ref, rtol=1e-9, atol=0)
    np.testing.assert_allclose(r.certificate.max_error_samples, e_ref, rtol=1e-9, atol=0)


def test_minimax_tanh_fixed_slope_on_gate_matches_direct_search():
    x = dense_grid().x
    c3_ref, e_ref, f = _min_max_error(
        lambda c: 0.5 * (1 + np.tanh(S * x + c * x ** 3)) - ndtr(x), 0.02, 0.05)
    r = quiet_fit("gelu", "tanh", dense_grid(), degree=3, fix={"c1": S},
                  objective="minimax", on="gate")
    c3 = r.coefficients["c3"]
    np.testing.assert_allclose(c3, c3_ref, rtol=1e-6, atol=0)
    np.testing.assert_allclose(f(c3), e_ref, rtol=1e-9, atol=0)
    np.testing.assert_allclose(r.certificate.max_error_samples, e_ref, rtol=1e-9, atol=0)


# -- minimax certificates over tanh/sigmoid × degree × gate/value -------------------------
CERT_CASES = [(fam, d, on) for fam in ("tanh", "sigmoid") for on in ("gate", "value")
              for d in (1, 3, 5, 7, 9)]


@pytest.mark.parametrize(("family", "degree", "on"), CERT_CASES)
def test_minimax_certificate(family, degree, on):
    r = gelu_minimax(family, degree, on)
    cert = r.certificate
    powers = r.approximant.powers
    coef = r.approximant.coef
    x = dense_grid().x
    e = gelu_error(family, x, coef, powers, on)
    assert r.converged
    assert cert.levelled_ratio >= 0.999
    # Odd p in a symmetric gate on a symmetric range: the error is odd (gate) or
    # even (value = x·gate), so n + 1 alternations are needed on x > 0 alone.
    assert cert.symmetry == ("odd" if on == "gate" else "even")
    assert cert.required == len(powers) + 1
    assert len(cert.points) >= cert.required and min(cert.points) > 0
    signs = np.sign(cert.errors)
    np.testing.assert_array_equal(signs[1:], -signs[:-1])
    # The certificate's points are the error's peaks refined between samples: the largest
    # is at least the sampled maximum (computed independently; 1e-14 absolute for the
    # rounding noted below) and agrees with the maximum on a 100× finer grid, where a
    # peak rises between samples by ~(h/width)² < 1e-9 relative.
    top = np.max(np.abs(cert.errors))
    assert top >= np.max(np.abs(e)) - 1e-14
    fine = np.linspace(x[0], x[-1], 100 * (x.size - 1) + 1)
    e_fine = np.max(np.abs(gelu_error(family, fine, coef, powers, on)))
    np.testing.assert_allclose(top, e_fine, rtol=1e-9, atol=1e-14)
    # The certificate's errors are the error at its points, evaluated independently.
    # Abs tolerance: ½(1+tanh p) vs σ(2p) differ by rounding, ~1e-16 of the gate (×10 on value).
    at = gelu_error(family, np.asarray(cert.points), coef, powers, on)
    np.testing.assert_allclose(cert.errors, at, rtol=0, atol=1e-14)
    # An honest bound: below the achieved error, the gap as stated and within tolerance.
    assert cert.haar and 0 < cert.lower_bound <= top
    # The tolerance is 1e-6, or what float64 resolves at this error (degree 9: ~1.2e-6).
    assert cert.optimality_gap <= cert.tolerance < 2e-6


@pytest.mark.parametrize(("degree", "on"), [(d, on) for d in (1, 3, 5, 7, 9)
                                            for on in ("gate", "value")])
def test_minimax_sigmoid_is_tanh_with_doubled_coefficients(degree, on):
    # σ(p) = ½(1 + tanh(p/2)): the two families are the same set of functions, so
    # their minimax optima must coincide with c_sigmoid = 2·c_tanh.  The two fits
    # run the same engine; 1e-7 allows for the LP stopping at slightly different
    # points along a flat direction of the max error.
    t = gelu_minimax("tanh", degree, on)
    s = gelu_minimax("sigmoid", degree, on)
    np.testing.assert_allclose(s.approximant.coef, 2 * np.asarray(t.approximant.coef),
                               rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s.metrics[on]["max_abs_error"], t.metrics[on]["max_abs_error"],
                               rtol=1e-9, atol=0)


# -- recovery: data made from known coefficients -------------------------------------------
C1_TRUE, C3_TRUE = 0.8, 0.03


def _toy_gate(x):
    x = np.asarray(x, dtype=float)
    return expit(2 * (C1_TRUE * x + C3_TRUE * x ** 3))


def _toy_gate_mp(x):
    return 1 / (1 + mpmath.exp(-2 * (C1_TRUE * x + C3_TRUE * x ** 3)))


TOY = Target(
    name="toy", formula="x·σ(2(0.8x + 0.03x³))", description="a gelu-like target that the "
    "tanh family represents exactly",
    value=lambda x: np.asarray(x, dtype=float) * _toy_gate(x),
    dvalue=lambda x: _toy_gate(x) + np.asarray(x, dtype=float) * 2 * (
        C1_TRUE + 3 * C3_TRUE * np.asarray(x, dtype=float) ** 2) * _toy_gate(x) * (
        1 - _toy_gate(x)),
    value_mp=lambda x: x * _toy_gate_mp(x),
    sympy_value=lambda sp, x: x / (1 + sp.exp(-2 * (sp.Rational(4, 5) * x
                                                     + sp.Rational(3, 100) * x ** 3))),
    relation=RELATIONS["product"], gate=_toy_gate, gate_mp=_toy_gate_mp,
    sympy_gate=lambda sp, x: 1 / (1 + sp.exp(-2 * (sp.Rational(4, 5) * x
                                                    + sp.Rational(3, 100) * x ** 3))),
    value_parity="none", gate_symmetric=True)


@pytest.mark.parametrize("objective", ["l2", "minimax"])
@pytest.mark.parametrize("on", ["gate", "value"])
@pytest.mark.parametrize(("family", "factor"), [("tanh", 1.0), ("sigmoid", 2.0)])
def test_recovers_known_coefficients(family, factor, on, objective):
    # tanh: σ(2p) with p = 0.8x + 0.03x³; sigmoid: σ(p) with p = 1.6x + 0.06x³.
    r = quiet_fit(TOY, family, make_grid(-10, 10, samples=2001), degree=3,
                  objective=objective, on=on)
    assert r.converged          # an exact fit is a converged fit, not a ragged one
    np.testing.assert_allclose([r.coefficients["c1"], r.coefficients["c3"]],
                               [factor * C1_TRUE, factor * C3_TRUE], rtol=1e-8, atol=0)
    # The data are the model: the error is rounding only (|value| ≤ 10).
    np.testing.assert_allclose(r.metrics[on]["max_abs_error"], 0.0, rtol=0, atol=1e-13)


@pytest.mark.parametrize("parity", ["none", "odd"])
def test_minimax_poly_recovers_a_polynomial_target(parity):
    # x³ is in the family: the minimax error is 0 and p = x³.
    r = quiet_fit(power_target(3), "poly", make_grid(-1, 1, samples=101), degree=3,
                  parity=parity, on="value", objective="minimax")
    assert r.converged
    np.testing.assert_allclose(r.coefficients["c3"], 1.0, rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.metrics["value"]["max_abs_error"], 0.0, rtol=0, atol=1e-15)


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(("target", "family", "kwargs", "match"), [
    ("gelu", "tanh", {"degree": 3, "fix": {"c1": S, "c3": 0.0357}},
     r"fixes every coefficient \(c1, c3\)"),
    ("gelu", "tanh", {"degree": 3, "fix": {"c2": 0.1}},
     r"`fix` names c2, which tanh of degree 3 \(odd\) does not have; it has c1, c3"),
    ("gelu", "tanh", {"degree": 3, "objective": "l1"}, r"unknown `objective` 'l1'"),
    ("gelu", "tanh", {"degree": 3, "on": "gates"}, r"unknown `on` 'gates'"),
    ("softplus", "sigmoid", {"degree": 1, "on": "value"},
     r"'softplus' has no gate, so the sigmoid family does not apply"),
    ("softplus", "poly", {"degree": 1, "on": "gate"}, r"'softplus' has no gate"),
    ("gelu", "tanh", {"degree": 4}, r"`degree` 4 is even; `parity` 'odd'"),
    ("gelu", "tanh", {"degree": 3, "clamp": 5.0}, r"`clamp` must be at least the range"),
    ("gelu", "poly", {"degree": 3, "clamp": "range"}, r"`clamp` \(a tail guard\) applies"),
    ("gelu", "tanh", {"degree": 3, "fix": {"c1": float("nan")}}, r"`fix` c1 must be finite"),
    ("erf", "rational", {"degree": 3, "fix": {"c1": float("nan")}},
     r"`fix` c1 must be finite"),
    ("erf", "rational", {"degree": 3, "fix": {"c2": 1.0}},
     r"`fix` names c2, which rational of degree 3 over 2 \(odd over even\) does not have; "
     r"it has c1, c3, d2"),
    ("gelu", "tanh", {"degree": 3, "fix": {"c1": "sqrt(2/"}}, r"`fix` c1"),
    ("gelu", "tanh", {"degree": 3, "max_iter": -5},
     r"`max_iter` must be between 1 and 10000, got -5"),
    ("gelu", "tanh", {"degree": 3, "max_iter": 10_001},
     r"`max_iter` must be between 1 and 10000, got 10001"),
    ("gelu", "tanh", {"degree": 3, "den_parity": "evn"}, r"did you mean 'even'"),
    ("gelu", "tanh", {"degree": 3, "samples": 100}, r"`samples` and `step` do not apply"),
    ("gelu", "tanh", {"degree": 3, "range": (-3, 3)}, r"`range` \(-3, 3\) differs"),
])
def test_fit_rejects_bad_input(target, family, kwargs, match):
    grid = make_grid(-10, 10, samples=201)
    with pytest.raises(InputError, match=match):
        fit(target, family, grid, **kwargs)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"degree": 3.0}, r"`degree` must be an int, got float"),
    ({"max_iter": "200"}, r"`max_iter` must be an int, got str"),
    ({"fix": [("c1", 1.0)]}, r"`fix` must be a mapping"),
    ({"fix": {"c1": None}}, r"`fix` c1 must be a number or an expression string"),
    ({"objective": None}, r"`objective` must be a str"),
    ({"grid": 5}, r"`grid` must be a Grid or one of uniform, chebyshev"),
    ({"range": 10}, r"`range` must be a pair of numbers"),
    ({"range": ("-1", "1")}, r"`range` must be a number, got str"),
    ({"clamp": [12]}, r"`clamp` must be a number"),
    ({"start": 0.5}, r"`start` must be a mapping"),
    ({"start": {"c1": "0.8", "c3": 0.04}}, r"`start` c1 must be a number, got str"),
    ({"start": {"c1": True, "c3": 0.04}}, r"`start` c1 must be a number, got bool"),
    ({"family": 3}, r"`family` must be a str or a Family"),
    ({"target": 1.0}, r"`target` must be a str or a Target"),
])
def test_fit_rejects_wrong_kinds_with_type_error(kwargs, match):
    # like scipy.optimize: a TypeError for an argument of the wrong kind, named
    args = {"target": "gelu", "family": "tanh", **kwargs}
    with pytest.raises(TypeError, match=match):
        fit(args.pop("target"), args.pop("family"), **args)


def test_fit_rejects_a_bad_range_and_grid_kind():
    with pytest.raises(InputError, match=r"`range` must satisfy LO < HI"):
        fit("gelu", "tanh", range=(2, 1))
    with pytest.raises(InputError, match=r"unknown `grid` 'chebychev' \(did you mean "):
        fit("gelu", "tanh", "chebychev")
    with pytest.raises(InputError, match=r"give either `samples` or `step`, not both"):
        fit("gelu", "tanh", samples=101, step=0.1)


def test_keyword_fit_builds_the_grid_as_the_cli_does():
    # grid="uniform" (default) on range with 20001 samples, unless samples/step given
    r = quiet_fit("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"}, step=0.01)
    assert r.grid == {"kind": "arange", "n": 2000, "step": 0.01}
    assert r.range == (-10.0, 10.0) and r.on == "gate"
    assert r.coefficients["c1"] == S
    same = quiet_fit("gelu", "tanh", arange_grid(), degree=3, fix={"c1": S})
    assert r.coefficients == same.coefficients
    # the seed's reference value, a3 = 0.0448465 (see the module docstring)
    assert r.scaled["a3"] == pytest.approx(0.0448465, abs=5e-8)
    d = quiet_fit("gelu", "tanh", degree=1, range=(-3, 3))
    assert d.samples == 20001 and d.range == (-3.0, 3.0)
    c = quiet_fit("gelu", "tanh", "chebyshev", degree=1, range=(-3, 3), samples=101)
    assert c.grid == {"kind": "chebyshev", "n": 101}


def test_poly_defaults_to_the_value():
    # a poly fit measures the value unless told otherwise (as the command line does)
    r = quiet_fit("silu", "poly", degree=4, range=(-4, 4), samples=2001)
    assert r.on == "value" and r.parity == "none"
    x = np.linspace(-4, 4, 2001)
    y = x * expit(x)
    ref = np.polynomial.polynomial.polyfit(x, y, 4)
    got = [r.coefficients[f"c{k}"] for k in range(5)]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)


# -- behaviour on the whole line -------------------------------------------------------------
def test_degree_5_minimax_breaks_down_outside_the_range():
    with pytest.warns(RuntimeWarning, match="outside the range the error grows"):
        r = fit("gelu", "tanh", dense_grid(), degree=5, objective="minimax", on="gate")
    c = r.coefficients
    assert c["c5"] < 0                           # p turns over: p(x) → +∞ as x → −∞
    p_far = c["c1"] * -1e3 + c["c3"] * -1e9 + c["c5"] * -1e15
    # At x = −1000 the approximant's gate is 1, Φ is 0: the error is exactly 1.
    np.testing.assert_allclose(0.5 * (1 + np.tanh(p_far)) - ndtr(-1e3), 1.0, rtol=0, atol=0)
    np.testing.assert_allclose(r.metrics_outside["max_abs_error"], 1.0, rtol=0, atol=1e-15)
    assert r.metrics_outside["max_abs_error"] > 0.1
    assert len(r.warnings) == 1 and "set `clamp` to 'range'" in r.warnings[0]


def test_degree_5_minimax_with_clamp_is_right_on_the_whole_line():
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no breakdown note, no ConvergenceWarning
        r = fit("gelu", "tanh", dense_grid(), degree=5, objective="minimax", on="gate",
                clamp="range")
    unclamped = gelu_minimax("tanh", 5, "gate")
    np.testing.assert_allclose(r.approximant.coef, unclamped.approximant.coef, rtol=0, atol=0)
    np.testing.assert_allclose(r.approximant.clamp, 10.0, rtol=0, atol=0)
    # Beyond ±10 the tail guard gives the gate's limits 1 and 0; Φ is within
    # Φ(−10) = 7.6e-24 of them there, so the largest error is at the nearest point.
    expected = ndtr(-(10.0 + 1e-3))
    np.testing.assert_allclose(r.metrics_outside["max_abs_error"], expected,
                               rtol=1e-6, atol=1e-30)
    assert r.metrics_outside["max_abs_error"] < 1e-20
    assert r.warnings == ()


def test_discrete_minimax_on_few_samples_is_certified():
    # On 9 samples of [-3, 3] the optimum levels the error at neighbouring samples with
    # opposite signs; a sign change must split two peaks, or the certificate (which
    # once rejected this optimum) finds too few alternation points.
    r = fit("gelu", "tanh", make_grid(-3, 3, samples=9), degree=3,
            fix={"c1": math.sqrt(2 / math.pi)}, objective="minimax", on="gate")
    assert r.converged and r.certificate.levelled_ratio >= 0.999 and r.certificate.alternates
    x = np.linspace(0, 3, 5)[1:]
    err = 0.5 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + r.scaled["a3"] * x**3))) - ndtr(x)
    np.testing.assert_allclose(np.max(np.abs(err)), r.certificate.max_error_samples,
                               rtol=1e-12)


def test_local_extrema_splits_at_sign_changes():
    from approxfit.measure.metrics import local_extrema

    e = np.array([0.0, 1.0, -1.0, 0.5, 0.2])
    assert local_extrema(e).tolist() == [1, 2, 3]


# -- `start`: checked like `fix`, with one wording for every family ------------------------
@pytest.mark.parametrize("family", ["tanh", "poly", "rational"])
@pytest.mark.parametrize(("start", "match"), [
    ({"c1": float("nan"), "c3": 0.04}, r"`start` c1 must be finite, got nan"),
    ({"c1": float("inf"), "c3": 0.04}, r"`start` c1 must be finite, got inf"),
    ({"c1": 0.8, "c3": 0.04, "c9": 1.0}, r"`start` names c9, which \w+ of degree 3"),
    ({"c1": 0.8}, r"`start` lacks c3.*: give a starting value for every free coefficient"),
    ({}, r"`start` lacks c1, c3"),
])
def test_start_is_checked_like_fix(family, start, match):
    if family == "rational" and "c3" in start and "c9" not in start:
        start = {**start, "d2": 0.1}              # P/Q on erf: c1, c3 over 1 + d2·x²
    target = "erf" if family == "rational" else "gelu"
    with pytest.raises(InputError, match=match):
        fit(target, family, degree=3, start=start, parity="odd", samples=201)


def test_start_nan_in_a_rational_fit_names_start():
    # was scipy's "Initial guess is outside of provided bounds"
    with pytest.raises(InputError, match=r"^`start` c1 must be finite, got nan$"):
        fit("erf", "rational", degree=3, start={"c1": float("nan"), "c3": 0.1, "d2": 0.3})


def test_start_of_a_fixed_coefficient_is_ignored_and_a_good_start_is_used():
    res = quiet_fit("gelu", "tanh", degree=3, fix={"c1": S}, start={"c1": 0.0, "c3": 0.03},
                    step=0.01)
    assert res.coefficients["c1"] == S
    # the seed's least-squares value, reached from the given start
    assert res.scaled["a3"] == pytest.approx(0.0448465, abs=5e-8)


def test_a_problem_needs_only_residual_and_jacobian():
    """The engine's declared interface: constraints and admissibility have defaults."""
    from approxfit.fitting.engine import Problem, minimax

    class Line(Problem):
        """c0 + c1·x against |x| on [−1, 1]: the minimax line is 1/2, error 1/2."""

        linear = True

        def __init__(self) -> None:
            self.x = np.linspace(-1.0, 1.0, 201)
            self.y = np.abs(self.x)

        def residual(self, c, idx=None):
            x = self.x if idx is None else self.x[idx]
            y = self.y if idx is None else self.y[idx]
            return c[0] + c[1] * x - y

        def jacobian(self, c, idx=None):
            x = self.x if idx is None else self.x[idx]
            return np.stack([np.ones_like(x), x], axis=1)

    prob = Line()
    assert prob.constraints(np.zeros(2), np.arange(3)) is None
    assert prob.admissible(np.zeros(2)) is True
    c, converged, *_ = minimax(prob, np.zeros(2), 50)
    assert converged
    np.testing.assert_allclose(c, [0.5, 0.0], atol=1e-12)
    with pytest.raises(TypeError, match="abstract"):
        type("Half", (Problem,), {"residual": lambda self, c, idx=None: c})()
