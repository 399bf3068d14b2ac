"""The reported maximum is the maximum: ``max_abs_error_range`` against mpmath.

Every reference below is computed independently of approxfit: the error is written out
in mpmath at 30 digits from the approximant's formula and coefficients, its local
maxima are found on a dense grid of its own (not the samples approxfit measures on)
and each is refined by golden-section search in mpmath.  The approximants are built
from fixed coefficients (minimax fits made by approxfit at the time of writing), so
the tests do not depend on the fitting engine.

With the old rule (refine only the 8 largest sampled peaks) the degree-21 tanh case
reports 1.7634e-4 and fails.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.approximants.spec import approximant_from_dict
from approxfit.measure.metrics import (
    approximant_metrics,
    error_metrics,
    local_extrema,
    refine_max,
)

mp.mp.dps = 30
REL = 1e-9

# `approxfit fit tanh poly --degree 21 --range -4 4 --objective minimax --samples 1001`
TANH21 = {"c1": 0.9988332509648542, "c3": -0.324796093886466, "c5": 0.11422759953303141,
          "c7": -0.03270914974308989, "c9": 0.006933328021822884,
          "c11": -0.0010390660161615592, "c13": 0.00010721290918678512,
          "c15": -7.401303136029058e-06, "c17": 3.2530948844806506e-07,
          "c19": -8.21180235491799e-09, "c21": 9.048970974871012e-11}
# fit("gelu", "sigmoid", degree=5, objective="minimax", samples=2001, on="gate")
SIGMOID5 = {"c1": 1.5954356760686306, "c3": 0.07359650140145667,
            "c5": -0.0006316128448949447}
# fit("gelu", "rational", degree=4, objective="minimax", samples=2001, range=(-6, 6))
RATIONAL = {"c0": 0.009707516710767633, "c1": 0.5000000000000019, "c2": 0.3854542280303593,
            "c3": 0.09547885403510656, "c4": 0.007572387593359577, "d2": 0.19095770807021328}


def mp_max_abs(f, lo: float, hi: float, n: int = 3001) -> mp.mpf:
    """max |f| on [lo, hi]: every local maximum on an n-point grid, golden-section refined."""
    lo_, hi_ = mp.mpf(lo), mp.mpf(hi)
    xs = [lo_ + (hi_ - lo_) * i / (n - 1) for i in range(n)]
    ys = [abs(f(t)) for t in xs]
    best = max(ys[0], ys[-1])
    g = (mp.sqrt(5) - 1) / 2
    for i in range(1, n - 1):
        if ys[i] >= ys[i - 1] and ys[i] >= ys[i + 1]:
            a, b = xs[i - 1], xs[i + 1]
            c, d = b - g * (b - a), a + g * (b - a)
            fc, fd = abs(f(c)), abs(f(d))
            while b - a > mp.mpf(10) ** -14:
                if fc > fd:
                    b, d, fd = d, c, fc
                    c = b - g * (b - a)
                    fc = abs(f(c))
                else:
                    a, c, fc = c, d, fd
                    d = a + g * (b - a)
                    fd = abs(f(d))
            best = max(best, fc, fd, ys[i])
    return best


def mp_poly(coefs: dict[str, float]):
    cs = [(int(k[1:]), mp.mpf(v)) for k, v in coefs.items()]
    return lambda t: mp.fsum(c * t**k for k, c in cs)


def mp_gelu_gate(t):
    return (1 + mp.erf(t / mp.sqrt(2))) / 2


def test_tanh_degree_21_minimax_every_peak():
    a = approximant_from_dict({"family": "poly", "target": "tanh", "base": "value",
                               "powers": list(range(1, 22, 2)), "coefficients": TANH21})
    x = np.linspace(-4.0, 4.0, 1001)
    m = approximant_metrics(a, x, lo=-4.0, hi=4.0)["value"]
    got, where = m["max_abs_error_range"], m["argmax_abs_error_range"]
    p = mp_poly(TANH21)

    def err(t):
        return p(t) - mp.tanh(t)

    ref = mp_max_abs(err, -4.0, 4.0, n=2001)
    # The figure: the true maximum of these coefficients is 1.7665e-4.
    assert got >= 1.7665e-4 * (1 - REL)
    # The place found is the maximum: the exact error there is within 1e-9 of the maximum.
    assert abs(err(mp.mpf(where))) >= ref * (1 - REL)
    # The value is float64's: p's terms reach |c21|·4²¹ ≈ 400 and cancel to 1e-4, so float64
    # evaluates the error near x = ±4 only to ±1e-8 relative (measured: ±8e-9 over 1e-7 in x).
    assert got == pytest.approx(float(ref), rel=2e-8)


@pytest.mark.parametrize("on", ["value", "gate"])
def test_paper_tanh_on_seed_range(on):
    a = get_published("paper-tanh")
    x = np.linspace(-10.0, 10.0, 2001)
    got = approximant_metrics(a, x, lo=-10.0, hi=10.0)[on]["max_abs_error_range"]
    c = mp.sqrt(2 / mp.pi)

    def gate_err(t):
        return (1 + mp.tanh(c * (t + mp.mpf("0.044715") * t**3))) / 2 - mp_gelu_gate(t)

    ref = mp_max_abs(gate_err if on == "gate" else (lambda t: t * gate_err(t)), -10.0, 10.0)
    assert got == pytest.approx(float(ref), rel=REL)


@pytest.mark.parametrize("on", ["value", "gate"])
def test_sigmoid_minimax(on):
    a = approximant_from_dict({"family": "sigmoid", "target": "gelu", "base": "gate",
                               "powers": [1, 3, 5], "coefficients": SIGMOID5})
    x = np.linspace(-10.0, 10.0, 2001)
    got = approximant_metrics(a, x, lo=-10.0, hi=10.0)[on]["max_abs_error_range"]
    p = mp_poly(SIGMOID5)

    def gate_err(t):
        return 1 / (1 + mp.exp(-p(t))) - mp_gelu_gate(t)

    ref = mp_max_abs(gate_err if on == "gate" else (lambda t: t * gate_err(t)), -10.0, 10.0)
    assert got == pytest.approx(float(ref), rel=REL)


def test_rational_minimax():
    a = approximant_from_dict({"family": "rational", "target": "gelu", "base": "value",
                               "powers": [0, 1, 2, 3, 4], "den_powers": [2],
                               "coefficients": RATIONAL})
    x = np.linspace(-6.0, 6.0, 2001)
    m = approximant_metrics(a, x, lo=-6.0, hi=6.0)["value"]
    num = mp_poly({k: v for k, v in RATIONAL.items() if k.startswith("c")})
    d2 = mp.mpf(RATIONAL["d2"])
    ref = mp_max_abs(lambda t: num(t) / (1 + d2 * t**2) - t * mp_gelu_gate(t), -6.0, 6.0)
    assert m["max_abs_error_range"] == pytest.approx(float(ref), rel=REL)
    # P(0) = c0 ≠ 0 where GELU is 0: the relative error is unbounded, and says so.
    assert m["max_rel_error_range"] == math.inf
    assert math.isfinite(m["max_rel_error"])        # the samples' rule skips x = 0


def test_paper_tanh_gate_relative_error():
    a = get_published("paper-tanh")
    x = np.linspace(-10.0, 10.0, 2001)
    got = approximant_metrics(a, x, lo=-10.0, hi=10.0)["gate"]["max_rel_error_range"]
    c = mp.sqrt(2 / mp.pi)

    def rel(t):
        g = mp_gelu_gate(t)
        return ((1 + mp.tanh(c * (t + mp.mpf("0.044715") * t**3))) / 2 - g) / g

    assert got == pytest.approx(float(mp_max_abs(rel, -10.0, 10.0)), rel=REL)


@pytest.mark.parametrize("w_over_h", [1.6, 2.0, 3.0, 7.0, 40.0])
@pytest.mark.parametrize("shift", [0.0, 0.3, 0.7])
def test_refine_max_closed_form(w_over_h, shift):
    # |e^(−a t)·sin(b t)| peaks where tan(b t) = b/a: the closed-form maximum on the range.
    h, a = 0.1, 0.05
    b = math.pi / (w_over_h * h)
    x = np.linspace(0.0, 10.0, 101) + shift * h

    def f(t):
        return np.exp(-a * t) * np.sin(b * t)

    ts = (math.atan(b / a) + np.arange(400) * math.pi) / b
    ts = ts[(ts >= x[0]) & (ts <= x[-1])]
    exact = max(float(np.max(np.abs(f(ts)))), abs(float(f(x[0]))))
    e = f(x)
    got, where = refine_max(f, x, e, local_extrema(e), lo=x[0], hi=x[-1])
    assert got == pytest.approx(exact, rel=1e-12)
    assert abs(f(where)) == got


def test_refine_max_reaches_the_range_end_and_ignores_nan():
    x = np.linspace(0.0, 1.0, 11)

    def f(t):
        t = np.asarray(t, dtype=float)
        return np.where(t == 0.5, np.nan, 1.0 - t)  # decreasing: the maximum is at lo

    e = 1.0 - x
    got, where = refine_max(f, x, e, local_extrema(e), lo=-0.05, hi=1.0)
    assert (got, where) == (1.05, -0.05)


def test_error_metrics_without_refinement_keeps_samples():
    x = np.linspace(-1.0, 1.0, 5)
    exact = np.array([1.0, 2.0, 0.0, 2.0, 1.0])
    approx = exact + np.array([0.1, -0.1, 0.0, 0.3, 0.0])
    m = error_metrics(x, approx, exact)
    assert m["max_abs_error_range"] == m["max_abs_error"] == pytest.approx(0.3)
    assert m["max_rel_error_range"] == m["max_rel_error"] == pytest.approx(0.15)
