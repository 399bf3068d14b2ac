"""Targets: numpy forms against 50-digit mpmath references, derivatives, gate relations.

The references are the targets' own mpmath forms (``Target.reference``), which are
first checked against closed forms written independently here, so that a slip in
``value_mp``/``gate_mp`` cannot hide behind a matching slip in the numpy form.
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
import scipy.special

from approxfit.core.exceptions import InputError
from approxfit.core.targets import TARGETS, get_target

TINY = 2.2250738585072014e-308          # smallest normal double
EPS = np.finfo(float).eps
POINTS = np.array([s * v for v in (1e-8, 0.5, 1.0, 5.0, 10.0, 40.0, 1e3, 1e6)
                   for s in (1.0, -1.0)])

CASES = [(name, on) for name, t in TARGETS.items()
         for on in (("value", "gate") if t.has_gate else ("value",))]


# -- independent 50-digit closed forms -------------------------------------------
# Written differently from approxfit.core.targets wherever a different exact form exists
# (e.g. e^x/(1+e^x) for σ, a rational form of tanh(softplus(x)), (e^{2x}−1)/(e^{2x}+1)).
def _sig(x):
    return mpmath.exp(x) / (1 + mpmath.exp(x))


def _softplus(x):
    return x + mpmath.log1p(mpmath.exp(-x)) if x >= 0 else mpmath.log1p(mpmath.exp(x))


def _mish_gate(x):
    # tanh(log(1 + e^x)) = ((1+e^x)^2 − 1)/((1+e^x)^2 + 1) = e^x(e^x+2)/(e^x(e^x+2) + 2)
    u = mpmath.exp(x) * (mpmath.exp(x) + 2)
    return u / (u + 2)


def _tanh(x):
    e = mpmath.exp(2 * x)
    return (e - 1) / (e + 1)


def _ncdf(x):
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


INDEPENDENT = {
    ("gelu", "value"): lambda x: x * _ncdf(x),
    ("gelu", "gate"): _ncdf,
    ("phi", "value"): _ncdf,
    ("phi", "gate"): _ncdf,
    ("erf", "value"): lambda x: 2 * _ncdf(mpmath.sqrt(2) * x) - 1,
    ("erf", "gate"): lambda x: _ncdf(mpmath.sqrt(2) * x),
    ("silu", "value"): lambda x: x * _sig(x),
    ("silu", "gate"): _sig,
    ("mish", "value"): lambda x: x * _mish_gate(x),
    ("mish", "gate"): _mish_gate,
    ("softplus", "value"): _softplus,
    ("tanh", "value"): _tanh,
    ("tanh", "gate"): lambda x: _sig(2 * x),
    ("sigmoid", "value"): _sig,
    ("sigmoid", "gate"): _sig,
    ("exp2", "value"): lambda x: mpmath.exp(x * mpmath.log(2)),
}


def test_every_target_form_has_an_independent_reference():
    # A new target must come with its own independent closed form here.
    assert sorted(CASES) == sorted(INDEPENDENT)
    assert len(CASES) == 16


@pytest.mark.parametrize(("name", "on"), CASES)
def test_mpmath_reference_matches_independent_closed_form(name, on):
    t = TARGETS[name]
    for x in POINTS:
        ref = t.reference(float(x), on=on)
        with mpmath.workdps(50):
            ind = INDEPENDENT[(name, on)](mpmath.mpf(float(x)))
            rel = abs(ref - ind) / abs(ind)
        # The closed forms lose at most ~8 of 50 digits to cancellation (at x = ±1e-8),
        # so 1e-35 leaves ample margin and still catches any mistaken formula.
        np.testing.assert_allclose(float(rel), 0.0, rtol=0, atol=1e-35,
                                   err_msg=f"{name} {on} at x={x}")


@pytest.mark.parametrize(("name", "on"), CASES)
def test_numpy_form_matches_mpmath_and_is_silent(name, on):
    t = TARGETS[name]
    # Any warning and any numpy floating-point error must surface as an exception here.
    # (scipy.special's own error reporting stays at its default, off: under
    # errstate(all="raise") expit reports an internal exp overflow at x = −1e6 even
    # though it returns the correct 0, which is scipy's business, not the target's.)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            got = t.evaluate(POINTS.copy(), on=on)
    assert got.shape == POINTS.shape and got.dtype == np.float64
    for x, g in zip(POINTS, got, strict=True):
        ref = t.reference(float(x), on=on)
        if abs(ref) >= TINY:
            np.testing.assert_allclose(g, float(ref), rtol=1e-13, atol=0,
                                       err_msg=f"{name} {on} at x={x}")
        else:
            # The true value underflows: the double must be 0 or a subnormal next to it.
            np.testing.assert_allclose(g, float(ref), rtol=0, atol=TINY,
                                       err_msg=f"{name} {on} at x={x} (underflow)")


@pytest.mark.parametrize("name", list(TARGETS))
def test_dvalue_matches_mpmath_derivative_of_reference(name):
    t = TARGETS[name]
    pts = np.array([-5.0, -2.5, -0.5, 0.25, 1.0, 2.5, 5.0])   # away from zeros of f′
    got = t.dvalue(pts)
    for x, g in zip(pts, got, strict=True):
        with mpmath.workdps(50):
            ref = mpmath.diff(t.value_mp, mpmath.mpf(float(x)))
        np.testing.assert_allclose(g, float(ref), rtol=1e-10, atol=0,
                                   err_msg=f"{name}′ at x={x}")


@pytest.mark.parametrize("name", [n for n, t in TARGETS.items() if t.has_gate])
def test_value_follows_from_gate_through_relation(name):
    t = TARGETS[name]
    rel = t.relation
    value = t.evaluate(POINTS, on="value")
    gate = t.evaluate(POINTS, on="gate")
    from_gate = rel.value_from_gate(POINTS, gate)
    scale = rel.scale(POINTS)
    for i, x in enumerate(POINTS):
        # Rounding bound of scale·g + offset: a few ulps of the larger term.  For
        # f = 2g − 1 near x = 0 the subtraction cancels, so the bound is absolute in
        # the terms, not relative to the (small) value.
        bound = 1e-14 * (abs(scale[i] * gate[i]) + abs(rel.offset))
        np.testing.assert_allclose(value[i], from_gate[i], rtol=0, atol=bound,
                                   err_msg=f"{name} at x={x}")


@pytest.mark.parametrize(("name", "relation", "offset"), [
    ("gelu", "product", 0.0), ("phi", "identity", 0.0), ("erf", "odd", -1.0),
    ("silu", "product", 0.0), ("mish", "product", 0.0), ("tanh", "odd", -1.0),
])
def test_relation_table_matches_module_docstring(name, relation, offset):
    # The table in approxfit/targets.py: f = x·g, f = g, f = 2g − 1.
    t = TARGETS[name]
    assert t.relation.name == relation
    x = np.array([-2.0, 0.5, 3.0])
    expected_scale = {"product": x, "identity": np.ones(3), "odd": np.full(3, 2.0)}[relation]
    np.testing.assert_allclose(t.relation.scale(x), expected_scale, rtol=0, atol=0)
    np.testing.assert_allclose(t.relation.offset, offset, rtol=0, atol=0)


def test_softplus_has_no_gate():
    t = TARGETS["softplus"]
    assert not t.has_gate
    with pytest.raises(InputError, match="'softplus' has no gate"):
        t.evaluate(np.array([1.0]), on="gate")
    with pytest.raises(InputError, match="'softplus' has no gate"):
        t.reference(1.0, on="gate")


def test_get_target_suggests_nearest_name():
    np.testing.assert_allclose(get_target("gelu").value(np.array([1.0])),
                               0.5 * (1 + scipy.special.erf(1 / np.sqrt(2))),
                               rtol=1e-15, atol=0)
    with pytest.raises(InputError, match=r"did you mean 'gelu'"):
        get_target("gelx")
