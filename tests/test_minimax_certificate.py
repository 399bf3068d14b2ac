"""Minimax certificates that prove what they say: lower bounds against independent optima.

Every reference here is computed independently of the certificate's own bound: closed
forms (Chebyshev's x^(n+1), the degree-2 approximation of |x|), the symmetric problem
solved by Remez on [−R, R] (the asymmetric problems' optimum, see below), numpy's
Chebyshev interpolant (an upper bound), and a rational minimax computed in the test by a
different method (bisection on the level with an LP in the monomial basis on a grid).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.polynomial import chebyshev as npcheb
from scipy.optimize import linprog
from scipy.special import expit, ndtr

from approxfit.core.exceptions import ConvergenceWarning
from approxfit.core.grids import make_grid
from approxfit.core.targets import custom_target
from approxfit.fitting.fit import fit
from approxfit.fitting.result import Certificate, FitResult


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="outside the range", category=RuntimeWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        return fit(*args, **kwargs)


def honest(r, optimum, *, rtol=1e-6):
    """The certificate brackets the (independently known) optimum and its gap is small."""
    c = r.certificate
    assert r.converged and c.optimal
    assert c.lower_bound <= optimum * (1 + 1e-12)          # never above the optimum
    assert c.lower_bound <= r.max_error * (1 + 1e-12)
    assert r.max_error <= optimum * (1 + rtol)             # reached it
    assert c.optimality_gap <= c.tolerance
    assert c.method


# -- odd p on an asymmetric range: not Haar; the optimum is the symmetric one ------------
# The gate error of an odd p is odd (value x·g: even; 2g − 1: odd), so the fit on
# [−R, R] (R = max |a|, |b|) has the same maximum E_R over [a, b] as over [−R, R]: the
# optimum on [a, b] is at most E_R.  The reference E_R comes from the symmetric path
# (Remez on x > 0, de la Vallée Poussin).  The asymmetric fit must reach E_R to 1e-6, and
# its LP lower bound must lie below E_R and within 1e-6 of it — which proves that E_R is
# the optimum on [a, b] as well.
ASYM = [("gelu", "sigmoid", 7, "value", (-4.0, 10.0)),
        ("gelu", "tanh", 5, "gate", (-2.0, 6.0)),
        ("gelu", "tanh", 3, "value", (-4.0, 10.0)),
        ("gelu", "sigmoid", 5, "gate", (-2.0, 6.0)),
        ("gelu", "sigmoid", 3, "gate", (-6.0, 4.0)),
        ("gelu", "tanh", 9, "gate", (-4.0, 10.0))]


@pytest.mark.parametrize(("target", "family", "degree", "on", "rng"), ASYM)
def test_asymmetric_odd_p_reaches_the_symmetric_optimum(target, family, degree, on, rng):
    a, b = rng
    big = max(abs(a), abs(b))
    ref = quiet(target, family, degree=degree, on=on, objective="minimax",
                range=(-big, big), samples=40_001)
    assert ref.certificate.haar and ref.certificate.symmetry is not None
    optimum = ref.max_error
    r = quiet(target, family, degree=degree, on=on, objective="minimax", range=rng)
    c = r.certificate
    assert not c.haar and c.symmetry is None and "LP" in c.method
    honest(r, optimum)
    # And the bound is tight: the optimum is certified to 1e-6.
    assert c.lower_bound >= optimum * (1 - 1e-6)


def test_the_issue_case_no_longer_levels_mirror_images():
    r = quiet("gelu", "sigmoid", degree=7, on="value", objective="minimax", range=(-4, 10))
    pts = np.asarray(r.certificate.points)
    # No claimed alternation set made of ± pairs: the problem is declared non-Haar.
    assert not r.certificate.haar
    assert "LP infeasibility" in r.summary()
    assert pts.size and np.all((pts >= -4) & (pts <= 10))


# -- poly: closed forms ----------------------------------------------------------------
def power(m):
    return custom_target(f"pow{m}", f"x**{m}")


@pytest.mark.parametrize("n", [1, 4, 9, 16, 24, pytest.param(40, marks=pytest.mark.slow)])
def test_chebyshev_monomial_closed_form(n):
    # x^(n+1) on [−1, 1]: the best degree-n polynomial leaves T_{n+1}/2^n, error 2^−n
    # (parity: the best of degree n − 1 in the powers of n + 1's parity, same error).
    expected = 2.0 ** -n
    for kw in ({"degree": n, "parity": "none"}, {"degree": n - 1}):
        if kw["degree"] < 0:
            continue
        r = quiet(power(n + 1), "poly", on="value", objective="minimax", range=(-1, 1), **kw)
        c = r.certificate
        assert c.haar and "de la Vallée Poussin" in c.method
        # The target itself is rounded to eps·|x^(n+1)| ≤ 1.1e-16: at n = 40 that is 1e-4
        # of the error, so 1e-9 holds only while float64 can resolve it; the certificate's
        # tolerance says how far it can (100·eps·magnitude/error).
        rtol = max(1e-9, c.tolerance)
        assert c.lower_bound <= expected                       # never above the optimum
        np.testing.assert_allclose(r.max_error, expected, rtol=rtol)
        np.testing.assert_allclose(c.lower_bound, expected, rtol=rtol)
        assert c.optimality_gap <= c.tolerance


@pytest.mark.parametrize("n", [3, 6, 11])
def test_one_sided_range_closed_form(n):
    # On [0, 1] (one side of 0, all powers): the shifted Chebyshev polynomial, error
    # ((b − a)/2)^(n+1)·2^−n = 2^−(2n+1).
    r = quiet(power(n + 1), "poly", degree=n, parity="none", on="value", objective="minimax",
              range=(0, 1))
    honest(r, 2.0 ** -(2 * n + 1), rtol=1e-6)
    assert r.certificate.haar


def test_abs_x_degree_two_is_one_eighth():
    # |x| on [−1, 1] by even quadratics: x² + 1/8, error exactly 1/8 (three-point
    # equioscillation at 0, ±1/√2, ±1 on x ≥ 0).
    t = custom_target("absx", "abs(x)")
    r = quiet(t, "poly", degree=2, parity="even", on="value", objective="minimax",
              range=(-1, 1))
    honest(r, 0.125, rtol=1e-9)
    np.testing.assert_allclose(r.certificate.lower_bound, 0.125, rtol=1e-9)


@pytest.mark.parametrize("n", [4, 8, 10])    # at 12 the error (4e-14) is rounding level
def test_exp_is_no_worse_than_chebyshev_interpolation(n):
    r = quiet(custom_target("expo", "exp(x)"), "poly", degree=n, parity="none", on="value",
              objective="minimax", range=(-1, 1))
    xs = np.linspace(-1, 1, 200_001)
    interp = npcheb.chebinterpolate(np.exp, n)
    upper = float(np.max(np.abs(npcheb.chebval(xs, interp) - np.exp(xs))))
    assert r.max_error <= upper
    assert r.certificate.lower_bound <= r.max_error and r.certificate.optimal


@pytest.mark.parametrize(("target", "degree", "lo", "hi"),
                         [("gelu", 24, -8.0, 8.0), ("silu", 30, -10.0, 10.0)])
def test_high_degree_poly_converges(target, degree, lo, hi):
    r = quiet(target, "poly", degree=degree, on="value", objective="minimax", range=(lo, hi))
    c = r.certificate
    assert r.converged and c.optimality_gap <= 1e-6 and c.tolerance == 1e-6
    # The sampled error never exceeds the certified continuous one.
    assert c.max_error_samples <= r.max_error * (1 + 1e-12)


# -- rational ------------------------------------------------------------------------
def test_rational_target_recovered_exactly():
    t = custom_target("lor", "(1 + 2*x)/(1 + x**2 + 0.5*x**3)")
    r = quiet(t, "rational", make_grid(0, 3, samples=3001), degree=1, den_degree=3,
              den_parity="none", objective="minimax", on="value")
    got = r.coefficients
    np.testing.assert_allclose([got["c0"], got["c1"], got["d1"], got["d2"], got["d3"]],
                               [1.0, 2.0, 0.0, 1.0, 0.5], rtol=1e-8, atol=1e-9)
    assert r.metrics["value"]["max_abs_error_range"] < 1e-12


def _rational_minimax_lp(f, m, k, x, rtol=1e-10):
    """Discrete minimax of P/Q (odd P of degree m, even Q = 1 + …, degree k) on x, by
    bisection on the level with a feasibility LP in the monomial basis (Q(0) = 1,
    Q ≥ 1e-6): a different method, basis and normalisation from approxfit's."""
    y = f(x)
    pp = np.arange(1, m + 1, 2)
    qp = np.arange(2, k + 1, 2)
    vp = x[:, None] ** pp
    vq = x[:, None] ** qp
    lo, hi = 0.0, float(np.max(np.abs(y)))
    best = None
    while hi - lo > rtol * hi:
        e = 0.5 * (lo + hi)
        # P − (y + e)Q ≤ 0, −P + (y − e)Q ≤ 0, Q ≥ 1e-6 with Q = 1 + vq·d.
        a = np.vstack([np.hstack([vp, -(y + e)[:, None] * vq]),
                       np.hstack([-vp, (y - e)[:, None] * vq]),
                       np.hstack([np.zeros_like(vp), -vq])])
        b = np.concatenate([y + e, -(y - e), np.full(x.size, 1 - 1e-6)])
        res = linprog(np.zeros(pp.size + qp.size), A_ub=a, b_ub=b,
                      bounds=[(None, None)] * (pp.size + qp.size), method="highs")
        if res.status == 0:
            hi, best = e, res.x
        else:
            lo = e
    return hi, best, pp, qp


@pytest.mark.slow  # a few seconds: in the full selection (--all)
def test_tanh_rational_3_2_against_an_independent_lp():
    x = np.linspace(0, 4, 801)                  # odd error: x ≥ 0 is the whole problem
    level, coef, pp, qp = _rational_minimax_lp(np.tanh, 3, 2, x)
    dense = np.linspace(-4, 4, 400_001)
    p = (dense[:, None] ** pp) @ coef[:pp.size]
    q = 1 + (dense[:, None] ** qp) @ coef[pp.size:]
    upper = float(np.max(np.abs(p / q - np.tanh(dense))))   # the LP solution's true error
    r = quiet("tanh", "rational", degree=3, den_degree=2, objective="minimax", on="value",
              range=(-4, 4))
    c = r.certificate
    assert r.converged and c.optimal
    # The discrete optimum on 801 points is at most the continuous one; the LP
    # solution's continuous error at least.  The certificate sits inside, tightly.
    assert level * (1 - 1e-9) <= r.max_error <= upper * (1 + 1e-9)
    assert c.lower_bound <= upper
    # The grid LP's solution is optimal on 801 points only: its continuous error is above
    # the continuous optimum by the peaks' rise between points, ~1e-5 here.
    assert upper - r.max_error <= 1e-4 * upper
    assert c.lower_bound >= level * (1 - 1e-4)


@pytest.mark.parametrize(("target", "m", "k"), [("tanh", 5, 4), ("erf", 7, 6), ("erf", 9, 8)])
def test_rational_higher_types_converge(target, m, k):
    r = quiet(target, "rational", degree=m, den_degree=k, objective="minimax", on="value",
              range=(-4, 4))
    c = r.certificate
    assert r.converged and c.optimality_gap <= c.tolerance and c.lower_bound > 0


def test_rational_denominator_parity_follows_the_target():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gelu = fit("gelu", "rational", degree=3, den_degree=2, range=(-4, 4))
        tanh = fit("tanh", "rational", degree=3, den_degree=2, range=(-4, 4))
    assert "d1" in gelu.coefficients                   # gelu has no symmetry: full Q
    assert "d1" not in tanh.coefficients               # tanh is odd: even Q


def test_rational_warns_when_the_error_blows_up_outside():
    with pytest.warns(RuntimeWarning, match="outside the range"):
        fit("gelu", "rational", degree=3, den_degree=2, range=(-3, 3))


# -- every minimax result reports its gap; JSON carries it ----------------------------
def test_gap_is_reported_and_round_trips():
    r = quiet("gelu", "tanh", degree=5, objective="minimax", step=0.01)
    d = r.to_dict()["certificate"]
    for key in ("lower_bound", "optimality_gap", "tolerance", "method", "haar"):
        assert key in d
    back = FitResult.from_dict(r.to_dict())
    assert back.certificate == r.certificate
    assert Certificate.from_dict(d) == r.certificate
    assert "lower bound" in r.summary() and "optimal to" in r.summary()


def test_a_capped_fit_is_not_converged_and_says_its_gap():
    with pytest.warns(ConvergenceWarning, match="gap"):
        r = fit("gelu", "tanh", degree=7, objective="minimax", max_iter=2)
    assert not r.converged and r.certificate.optimality_gap > r.certificate.tolerance


def test_the_independent_gelu_error_matches_the_certificate_points():
    # Certificate errors are the error at the (refined) points, evaluated independently.
    r = quiet("gelu", "sigmoid", degree=5, on="gate", objective="minimax")
    coef = np.array(r.approximant.coef)
    pts = np.asarray(r.certificate.points)
    p = sum(c * pts ** k for c, k in zip(coef, r.approximant.powers, strict=True))
    np.testing.assert_allclose(r.certificate.errors, expit(p) - ndtr(pts), rtol=0, atol=1e-15)
