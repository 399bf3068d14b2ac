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


# --- issue 12, "speed stays": one refinement for every quantity, honest overflow ---------

def test_shared_refinement_equals_refining_each_quantity_alone():
    # approximant_metrics refines the value's and the gate's absolute and relative maxima
    # in one batch; each must be exactly what refine_max finds for that error alone.
    from approxfit.measure.metrics import relative_error

    a = approximant_from_dict({"family": "sigmoid", "target": "gelu", "base": "gate",
                               "powers": [1, 3, 5], "coefficients": SIGMOID5})
    x = np.linspace(-10.0, 10.0, 2001)
    got = approximant_metrics(a, x, lo=-10.0, hi=10.0)
    for on in ("value", "gate"):
        def err(t, on=on):
            with np.errstate(all="ignore"):
                return a.evaluate(t, on=on) - a.target_obj.evaluate(t, on=on)

        def rel(t, on=on):
            with np.errstate(all="ignore"):
                return relative_error(err(t), a.target_obj.evaluate(t, on=on))

        e = err(x)
        assert (got[on]["max_abs_error_range"], got[on]["argmax_abs_error_range"]) == \
            refine_max(err, x, e, local_extrema(e), lo=-10.0, hi=10.0)
        r = rel(x)
        rs = np.where(np.isnan(r), 0.0, r)
        assert (got[on]["max_rel_error_range"], got[on]["argmax_rel_error_range"]) == \
            refine_max(rel, x, rs, local_extrema(rs), lo=-10.0, hi=10.0)


def test_refinement_evaluates_the_approximant_a_handful_of_times(monkeypatch):
    # Value and gate, absolute and relative: one kernel evaluation on the samples and one
    # per zoom/polish call (2 rounds + 3 parabolic steps), not one per quantity and kind.
    a = approximant_from_dict({"family": "sigmoid", "target": "gelu", "base": "gate",
                               "powers": [1, 3, 5], "coefficients": SIGMOID5})
    calls = []
    kernel = type(a).kernel

    def counting(self, t):
        calls.append(np.size(t))
        return kernel(self, t)

    monkeypatch.setattr(type(a), "kernel", counting)
    approximant_metrics(a, np.linspace(-10.0, 10.0, 2001), lo=-10.0, hi=10.0)
    assert len(calls) == 1 + 5


def test_exact_values_given_are_used_and_checked():
    from approxfit.core.exceptions import InputError

    a = approximant_from_dict({"family": "sigmoid", "target": "gelu", "base": "gate",
                               "powers": [1, 3, 5], "coefficients": SIGMOID5})
    x = np.linspace(-10.0, 10.0, 2001)
    gate = a.target_obj.evaluate(x, on="gate")
    assert approximant_metrics(a, x, exact={"gate": gate}) == approximant_metrics(a, x)
    # Values that are not the target's change the sample statistics: they are used.
    shifted = approximant_metrics(a, x, exact={"gate": gate + 1e-3})["gate"]
    assert shifted["max_abs_error"] > 1e-3 * 0.9
    with pytest.raises(InputError, match="`exact`"):
        approximant_metrics(a, x, exact={"gate": gate[:-1]})
    with pytest.raises(InputError, match="`exact`"):
        approximant_metrics(a, x, exact={"slope": gate})
    with pytest.raises(InputError, match="`exact`"):
        approximant_metrics(a, x, exact=[gate])


def test_overflowing_approximant_reports_inf_without_warnings():
    # `approxfit report poly:c0=1e300`: the squared error overflows; the MSE is inf,
    # honestly, and numpy's RuntimeWarnings (with source paths) are not printed.
    import warnings

    a = approximant_from_dict({"family": "poly", "target": "gelu", "base": "value",
                               "powers": [0], "coefficients": {"c0": 1e300}})
    x = np.linspace(-10.0, 10.0, 2001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = approximant_metrics(a, x, lo=-10.0, hi=10.0)
    v = m["value"]
    assert v["mse"] == math.inf and v["rmse"] == math.inf
    # |1e300 − gelu(x)| is largest where gelu is most negative (x ≈ −0.75: −0.17), and
    # 1e300 + 0.17 rounds to 1e300: the error is exactly 1e300 in float64.
    assert v["max_abs_error"] == v["max_abs_error_range"] == 1e300
    assert v["max_rel_error_range"] == math.inf          # gelu(0) = 0 and the error is not


def test_relative_error_rules():
    from approxfit.measure.metrics import relative_error

    tiny = np.finfo(float).tiny
    err = np.array([1.0, 1.0, 0.0, np.nan, 1.0, 2.0, 1.0])
    exact = np.array([4.0, 0.0, 0.0, 0.0, tiny / 4, -8.0, np.nan])
    got = relative_error(err, exact)
    assert got[0] == 0.25 and got[5] == 0.25
    assert got[1] == math.inf                 # a zero of the target, the error is not 0
    assert np.isnan(got[2]) and np.isnan(got[3])   # 0/0 and NaN errors are skipped
    assert np.isnan(got[4]) and np.isnan(got[6])   # subnormal and NaN exact values


# --- issue 12, item 6: the speed of a fit without changing a bit of its answer -----------

def test_outside_points_are_the_formula_and_a_fresh_copy_each_call():
    """The cached outside points are exactly the geometric grid, and a caller that
    changes its copy does not change the next caller's."""
    from approxfit.measure.metrics import outside_points

    lo, hi, limit, n = -4.0, 10.0, 1e4, 4000
    want = np.sort(np.concatenate([hi + np.geomspace(1e-3, limit - hi, n),
                                   lo - np.geomspace(1e-3, limit + lo, n)]))
    first = outside_points(lo, hi)
    assert np.array_equal(first, want)
    first[:] = 0.0
    assert np.array_equal(outside_points(lo, hi), want)
    assert outside_points(-1e4, 1e4).size == 0


def test_sampled_relative_error_skips_zeros_and_subnormals_as_numpy_where_does():
    """``max_rel_error`` skips an exact 0 (where the relative error is inf) and a
    subnormal exact value, and ``max_rel_error_range`` is inf where the exact value is 0
    and the error is not: the rule of ``numpy.where(isfinite(r), r, 0)``, by hand."""
    x = np.arange(6.0)
    exact = np.array([1.0, 0.0, 2.0, 1e-310, 4.0, 0.5])
    approx = exact + np.array([1e-3, 1e-3, -8e-3, 1e-3, 1e-3, 1e-4])
    res = error_metrics(x, approx, exact)
    # relative errors 1e-3, inf (skipped), 4e-3, NaN (subnormal, skipped), 2.5e-4, 2e-4
    assert res["max_rel_error"] == pytest.approx(4e-3, rel=1e-12)
    assert res["max_rel_error_range"] == math.inf
    assert res["argmax_rel_error_range"] == 1.0
    ok = approx.copy()
    ok[1] = 0.0                                      # no error where the exact value is 0
    res = error_metrics(x, ok, exact)
    assert res["max_rel_error_range"] == pytest.approx(4e-3, rel=1e-12)
    assert res["max_abs_error"] == pytest.approx(8e-3, rel=1e-12)
    assert res["argmax_abs_error"] == 2.0


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "poly"])
def test_derivative_from_the_value_is_outer_dp_bit_for_bit(name):
    """:meth:`Family.derivative_from` (the derivative given ``h = outer(p)``, which the
    fit's rounding scale uses) is exactly ``outer_dp(p)``, tails and zeros included."""
    from approxfit.approximants.families import get_family

    fam = get_family(name)
    rng = np.random.default_rng(12)
    p = np.concatenate([rng.normal(0, 3, 5000), rng.uniform(-800, 800, 5000),
                        [0.0, -0.0, 1e-300, -1e-300, 354.0, -354.0, 1e308, -1e308]])
    with np.errstate(all="ignore"):
        want = fam.outer_dp(p)
        got = fam.derivative_from(p, fam.outer(p))
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_a_minimax_fit_evaluates_the_special_functions_no_more_than_it_must(monkeypatch):
    """A degree-5 tanh minimax fit of gelu's gate on 20 001 points (issue 12's speed
    case) evaluates σ on all samples 7 times (the start, three discrete Remez steps, one
    continuous one, the rounding scale's σ(−2p), the metrics) and Φ twice (the target's
    gate and value); it used to take 9 and 3, recomputing what it had."""
    import scipy.special

    import approxfit as af

    counts = {"expit": 0, "ndtr": 0}
    for fn in counts:
        orig = getattr(scipy.special, fn)

        def counted(z, *args, _orig=orig, _fn=fn):
            if np.size(z) >= 20001:
                counts[_fn] += 1
            return _orig(z, *args)

        monkeypatch.setattr(scipy.special, fn, counted)
    with pytest.warns(RuntimeWarning, match="outside the range"):
        r = af.fit("gelu", "tanh", degree=5, objective="minimax")
    assert r.converged
    assert counts == {"expit": 7, "ndtr": 2}
