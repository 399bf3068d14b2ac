"""Shipped constants (issue 17, items 4 and 5): the exp2 target, and Eigen's and
XNNPACK's rational tanh/GELU and FlashAttention-4's exp2 polynomials as published
approximants.

The literals below are copied from the sources by hand (they are the test's own copy;
the registry's is :mod:`approxfit.approximants.published`):

* Eigen 3.4.0 (commit 3147391d946bb4b6c68edd901f2add6ac1f31f8c),
  Eigen/src/Core/MathFunctionsImpl.h, ``generic_fast_tanh_float`` (the clamp of the
  branch without ``EIGEN_VECTORIZE_FMA``);
* XNNPACK (commit 75db3c093b6d74fe90b8df82670cd8a01102ba38),
  src/f32-vtanh/gen/f32-vtanh-scalar-rational-9-8-div.c and
  src/f32-vgelu/gen/f32-vgelu-scalar-rational-12-10-div.c (clamps without native FMA;
  the scalar ``xnn_fmadd_f32`` is ``a * b + c``);
* FlashAttention-4 (Dao-AILab/flash-attention commit
  0251105a2fb19d2957484b7f023cd8c115286ced), flash_attn/cute/utils.py, ``POLY_EX2``.

The kernels themselves are transcribed to C (:data:`C_KERNELS`, in the sources' order
of operations) and compared bit for bit with approxfit's float32 model and exported
code on every bfloat16 input.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import mpmath
import numpy as np
import pytest

from approxfit.approximants.published import (
    EIGEN_TANH_LITERALS,
    FA4_EXP2_LITERALS,
    PUBLISHED,
    XNNPACK_GELU_LITERALS,
    XNNPACK_TANH_LITERALS,
    ClosedFormApproximant,
    get_published,
    published_for,
)
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import ComputationError
from approxfit.core.targets import get_target
from approxfit.lowprec.emulate import evaluate_in_format
from approxfit.lowprec.reference import correctly_rounded
from tests.helpers import run_inprocess

EPS32 = 2.0**-23       # float32 machine epsilon: XNNPACK's test/unary-ops.h "ulp"

# -- the sources' text, copied by hand -------------------------------------------------

EIGEN = {"clamp": "7.90531110763549805", "tiny": "0.0004",
         "c1": "4.89352455891786e-03", "c3": "6.37261928875436e-04",
         "c5": "1.48572235717979e-05", "c7": "5.12229709037114e-08",
         "c9": "-8.60467152213735e-11", "c11": "2.00018790482477e-13",
         "c13": "-2.76076847742355e-16", "d0": "4.89352518554385e-03",
         "d2": "2.26843463243900e-03", "d4": "1.18534705686654e-04",
         "d6": "1.19825839466702e-06"}
XNN_TANH = {"clamp": "7.8522667885e+00", "c1": "1.0000000000e+00",
            "c3": "1.3412411511e-01", "c5": "3.5330520477e-03", "c7": "2.1235626264e-05",
            "c9": "1.4248920266e-08", "d0": "1.0000000000e+00", "d2": "4.6745735407e-01",
            "d4": "2.6018999517e-02", "d6": "3.3472978976e-04", "d8": "8.1365948290e-07"}
XNN_GELU = {"clamp": "5.1158981323e+00", "c1": "7.9788452387e-01",
            "c3": "6.6972173750e-02", "c5": "9.3065137044e-03", "c7": "3.2973114867e-04",
            "c9": "1.2609783880e-05", "c11": "4.5835321316e-08", "d0": "1.0",
            "d2": "2.5060352683e-01", "d4": "2.8431978077e-02", "d6": "1.8622842617e-03",
            "d8": "7.2267655923e-05", "d10": "1.1988805682e-06"}
FA4 = {1: ("1.0", "0.922497093677520751953125"),
       2: ("1.0", "0.6657850742340087890625", "0.330107033252716064453125"),
       3: ("1.0", "0.695146143436431884765625", "0.227564394474029541015625",
           "0.077119089663028717041015625"),
       4: ("1.0", "0.693042695522308349609375", "0.2412912547588348388671875",
           "5.2225358784198760986328125e-2", "1.3434938155114650726318359375e-2"),
       5: ("1.0", "0.693151414394378662109375", "0.24016360938549041748046875",
           "5.5802188813686370849609375e-2", "9.01452265679836273193359375e-3",
           "1.86810153536498546600341796875e-3")}
RATIONALS = {"eigen-tanh": EIGEN, "xnnpack-tanh": XNN_TANH, "xnnpack-gelu": XNN_GELU}


def f32(text: str) -> float:
    return float(np.float32(text))


# -- the constants ---------------------------------------------------------------------

@pytest.mark.parametrize("name", list(RATIONALS))
def test_rational_constants_are_the_sources_float32_literals(name):
    a = get_published(name)
    assert isinstance(a, ClosedFormApproximant)
    want = {k: f32(v) for k, v in RATIONALS[name].items()}
    assert a.coefficients == want                  # exact: same names, same float32 bits
    assert all(np.float32(v) == v for v in a.coefficients.values())


def test_registry_literals_are_the_tests_copy():
    assert EIGEN_TANH_LITERALS == EIGEN
    assert XNNPACK_TANH_LITERALS == XNN_TANH
    assert XNNPACK_GELU_LITERALS == XNN_GELU
    assert FA4_EXP2_LITERALS == FA4


@pytest.mark.parametrize("n", sorted(FA4))
def test_fa4_coefficients_are_printed_exactly(n):
    a = get_published(f"fa4-exp2-{n}")
    assert a.family == "poly" and a.target_name == "exp2" and a.powers == tuple(range(n + 1))
    want = tuple(f32(t) for t in FA4[n])
    assert tuple(a.coef) == want
    # Sollya printed the float32 values in full: each decimal is exactly a float32
    assert all(float(t) == f32(t) for t in FA4[n])
    assert a.coef[0] == 1.0                        # fpminimax's fixed c0 ([|1,24...|])


def test_sources_name_file_and_commit():
    for name, needle in (("eigen-tanh", "3147391d946bb4b6c68edd901f2add6ac1f31f8c"),
                         ("xnnpack-tanh", "f32-vtanh-scalar-rational-9-8-div.c"),
                         ("xnnpack-gelu", "f32-vgelu-scalar-rational-12-10-div.c"),
                         ("fa4-exp2-3", "flash_attn/cute/utils.py")):
        entry = PUBLISHED[name]
        assert needle in entry.source and "https://" in entry.source and entry.shipped
        assert get_published(name).meta["source"] == entry.source


def test_published_for_leaves_shipped_constants_out_unless_asked():
    assert "xnnpack-gelu" not in [e.name for e in published_for("gelu")]
    assert "xnnpack-gelu" in [e.name for e in published_for("gelu", shipped=True)]
    assert [e.name for e in published_for("exp2", shipped=True)] == [
        f"fa4-exp2-{n}" for n in range(1, 6)]


# -- the clamp, the kernels' arithmetic -------------------------------------------------

@pytest.mark.parametrize("name", list(RATIONALS))
def test_beyond_the_clamp_the_value_is_the_clamps(name):
    a = get_published(name)
    c = a.coefficients["clamp"]
    x = np.array([c, c * 1.5, 50.0, 1e4])
    if name == "xnnpack-gelu":   # (x·½)·(1 + r(C)): r is held at r(C)
        r = 2.0 * a(x) / x - 1.0
        np.testing.assert_allclose(r, r[0], rtol=0, atol=1e-15)
    else:
        assert np.all(a(x) == a(np.array([c]))[0])
        assert np.all(a(-x) == -a(np.array([c]))[0])


@pytest.mark.parametrize("name", ["eigen-tanh", "xnnpack-tanh"])
def test_clamp_is_where_the_float32_kernel_reaches_one(name):
    """Both sources: C is "the smallest value where the approximation evaluates to
    exactly 1" in float32 (without FMA) — true of approxfit's float32 model only if
    it runs the kernel's operations in the kernel's order."""
    a = get_published(name)
    c = np.float32(a.coefficients["clamp"])
    below = np.nextafter(c, np.float32(0))
    y = evaluate_in_format(a, np.array([below, c], dtype=np.float32), "float32")
    assert y[1] == 1.0 and y[0] < 1.0


def test_eigen_small_x_branch_returns_x():
    a = get_published("eigen-tanh")
    x = np.array([1e-30, -3e-4, 0.000399])
    assert np.all(a(x) == x)
    assert a(np.array([0.0005]))[0] != 0.0005


@pytest.mark.parametrize("name", list(RATIONALS))
def test_derivative_is_the_slope(name):
    a = get_published(name)
    x = np.array([-6.0, -1.3, -0.2, 0.01, 0.7, 2.5, 4.9])
    h = 1e-6
    fd = (a(x + h) - a(x - h)) / (2 * h)
    np.testing.assert_allclose(a.derivative(x), fd, rtol=1e-6, atol=1e-9)
    far = np.array([20.0, -20.0])
    # beyond ±C: r is constant, so tanh′ = 0 and GELU′ = ½(1 + r(±C)) = value/x
    want = np.zeros(2) if name != "xnnpack-gelu" else a(far) / far
    np.testing.assert_allclose(a.derivative(far), want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", list(RATIONALS))
def test_saved_and_read_back(name):
    a = get_published(name)
    b = approximant_from_dict(json.loads(json.dumps(a.to_dict())))
    x = np.linspace(-12, 12, 101)
    assert np.array_equal(a(x), b(x)) and b.coefficients == a.coefficients


# -- errors against the sources' claims --------------------------------------------------

def report_value(spec: str, target: str, lo: float, hi: float) -> dict:
    code, out, err = run_inprocess(["report", spec, "--target", target, "--range", str(lo),
                                    str(hi), "--json"])
    assert code == 0, err
    return json.loads(out)["rows"][0]["metrics"]["value"]


def test_eigen_tanh_is_within_twice_its_claim():
    """Eigen: "accurate up to a couple of ulps in the (approximate) range [-8, 8]" —
    2 ulp read as a relative 2·2^-23; measured (float64 model, [-8, 8]): max abs
    3.48e-8 at x = −0.971, max rel 9.52e-8 at x = 0.00056."""
    m = report_value("eigen-tanh", "tanh", -8, 8)
    assert m["max_rel_error_range"] <= 2 * (2 * EPS32)
    assert m["max_abs_error_range"] <= 2 * (2 * EPS32)
    assert m["max_abs_error_range"] == pytest.approx(3.4817e-8, rel=1e-3)


def tol_mixed(y: float, abs_tol: float, rel_tol: float) -> float:
    """XNNPACK's test/unary-ops.h TolMixed: max(abs_tol, |y|·rel_tol)."""
    return max(abs_tol, abs(y) * rel_tol)


@pytest.mark.parametrize("name, target, abs_tol, rel_tol, measured", [
    # XNNPACK's tests on [-10, 10]: TanH TolMixed(y, eps, 4 eps), GELU (10 eps, 5 eps);
    # measured in float64: the largest error is far out, where float64 keeps the
    # kernel's 1 − r(C) (2.7e-7, 3.3e-7) that float32 rounds away
    ("xnnpack-tanh", "tanh", EPS32, 4 * EPS32, 2.7467e-7),
    ("xnnpack-gelu", "gelu", 10 * EPS32, 5 * EPS32, 1.6274e-6),
])
def test_xnnpack_is_within_twice_its_tested_tolerance(name, target, abs_tol, rel_tol,
                                                      measured):
    m = report_value(name, target, -10, 10)
    x = m["argmax_abs_error_range"]
    y = float(get_target(target).value(np.array([x]))[0])
    assert m["max_abs_error_range"] <= 2 * tol_mixed(y, abs_tol, rel_tol)
    assert m["max_abs_error_range"] == pytest.approx(measured, rel=1e-3)
    # and pointwise, on an independent grid, against XNNPACK's own tolerance
    a = get_published(name)
    xs = np.linspace(-10, 10, 4001)
    err = np.abs(a(xs) - get_target(target).value(xs))
    tol = np.array([tol_mixed(v, abs_tol, rel_tol) for v in get_target(target).value(xs)])
    assert np.max(err / tol) <= 2.0


@pytest.mark.parametrize("n", sorted(FA4))
def test_fa4_relative_error_agrees_with_mpmath(n):
    """FlashAttention-4 claims no error; fpminimax(…, relative) minimises the relative
    error on [0, 1].  approxfit report's max relative error agrees with an mpmath
    measurement at 401 points to 1e-3 (the points miss the peaks by at most
    ~(π(n + 1)/800)²/2 ≈ 3e-4 relative)."""
    m = report_value(f"fa4-exp2-{n}", "exp2", 0, 1)
    coef = [mpmath.mpf(f32(t)) for t in FA4[n]]
    with mpmath.workdps(40):
        rel = max(abs(mpmath.polyval(coef[::-1], x) / mpmath.power(2, x) - 1)
                  for x in mpmath.linspace(0, 1, 401))
    assert float(rel) <= m["max_rel_error_range"] * (1 + 1e-9)
    assert m["max_rel_error_range"] == pytest.approx(float(rel), rel=1e-3)


#: approxfit report's max relative error of fa4-exp2-n on [0, 1] (recorded).
FA4_MEASURED = {1: 3.8751e-2, 2: 2.0755e-3, 3: 8.7626e-5, 4: 2.9900e-6, 5: 8.5346e-8}


@pytest.mark.parametrize("n", sorted(FA4))
def test_fa4_relative_errors_are_near_minimax(n):
    """Each is within 1.35 times the Chebyshev estimate of the best relative error of
    degree n, ln2^(n+1)/((n+1)!·2^(2n+1)) (2^x's (n+1)-th derivative over 2^x is
    ln2^(n+1); measured ratios 1.29, 1.20, 1.17, 1.15, 1.13 — float32 coefficients
    and the estimate's slack), and equal to the recorded figure."""
    m = report_value(f"fa4-exp2-{n}", "exp2", 0, 1)
    estimate = math.log(2) ** (n + 1) / (math.factorial(n + 1) * 2 ** (2 * n + 1))
    assert 1.0 <= m["max_rel_error_range"] / estimate <= 1.35
    assert m["max_rel_error_range"] == pytest.approx(FA4_MEASURED[n], rel=1e-3)


# -- the exp2 target ----------------------------------------------------------------------

def test_exp2_target_float64_form_is_within_its_bound():
    t = get_target("exp2")
    assert t.relation is None and not t.has_gate
    xs = np.concatenate([np.linspace(-1020, 1020, 301), np.linspace(-1, 1, 101) / 3])
    with mpmath.workdps(40):
        worst = max(abs(mpmath.mpf(float(v)) / mpmath.power(2, mpmath.mpf(float(x))) - 1)
                    for x, v in zip(xs, t.value(xs), strict=True))
        # float64's subnormal results: within half a subnormal step (the reference's
        # absolute allowance is 2^-1060)
        sub = np.linspace(-1074.5, -1023, 41)
        worst_sub = max(abs(mpmath.mpf(float(v)) - mpmath.power(2, mpmath.mpf(float(x))))
                        for x, v in zip(sub, t.value(sub), strict=True))
    assert worst <= 2.0**-52      # one rounding; the reference assumes 2^-47
    assert worst_sub <= mpmath.mpf(2) ** -1075     # (2.0**-1075 is 0 in float64)
    x = np.array([-0.3, 0.5, 2.0])
    np.testing.assert_allclose(t.dvalue(x), np.log(2) * 2.0**x, rtol=1e-15)


def test_exp2_reference_rounds_exact_midpoints(monkeypatch):
    """2^-134 is the midpoint between 0 and bfloat16's least subnormal 2^-133: ties to
    even give 0 (mpmath cannot decide a tie; without the exact-integer rule this
    raised ComputationError)."""
    t = get_target("exp2")
    vals, n_mp = correctly_rounded(t, np.array([-134.0, -133.0, -135.0, 0.0, 5.0]),
                                   "bfloat16")
    assert list(vals) == [0.0, 2.0**-133, 0.0, 1.0, 32.0] and n_mp == 0
    # 2^-133.5 is not a tie: 2^-134·√2 > 2^-134 rounds up to 2^-133
    vals, _ = correctly_rounded(t, np.array([-133.5]), "bfloat16")
    assert vals[0] == 2.0**-133
    monkeypatch.setattr("approxfit.lowprec.reference.EXACT_AT_INTEGERS", ())
    with pytest.raises(ComputationError, match="not decided"):   # without the rule
        correctly_rounded(t, np.array([-134.0]), "bfloat16")


def test_targets_lists_exp2_and_fit_works():
    code, out, _ = run_inprocess(["targets"])
    assert code == 0 and "exp2" in out
    code, out, err = run_inprocess(["fit", "exp2", "poly", "--degree", "3", "--range", "0",
                                    "1", "--objective", "minimax", "--json"])
    assert code == 0, err
    fit_err = json.loads(out)
    text = json.dumps(fit_err)
    assert "max_abs_error" in text
    # the absolute minimax of degree 3 beats every degree-3 polynomial, FA4's included
    best = _first(fit_err, "max_abs_error")
    fa4 = report_value("fa4-exp2-3", "exp2", 0, 1)["max_abs_error_range"]
    assert best < fa4 and best == pytest.approx(1.0703e-4, rel=1e-3)


def _first(d, key):
    if isinstance(d, dict):
        if key in d and isinstance(d[key], float):
            return d[key]
        vals = [_first(v, key) for v in d.values()]
    elif isinstance(d, list):
        vals = [_first(v, key) for v in d]
    else:
        return None
    return next((v for v in vals if v is not None), None)


# -- the commands -----------------------------------------------------------------------

def test_report_eigen_tanh_runs():
    code, out, err = run_inprocess(["report", "eigen-tanh", "--target", "tanh"])
    assert code == 0, err
    assert "eigen-tanh" in out and "max abs error" in out


def test_verify_fa4_exp2_bfloat16_matches_an_independent_count():
    """verify's count of incorrectly rounded bfloat16 results on [0, 1], against this
    test's own: Horner in float32 numpy (no FMA, FA4's evaluate_polynomial order) and
    mpmath's 2^x rounded to bfloat16."""
    import ml_dtypes

    code, out, err = run_inprocess(["verify", "fa4-exp2-3", "--target", "exp2", "--format",
                                    "bfloat16", "--range", "0", "1", "--json"])
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    bits = np.append(np.arange(0, 0x3F81, dtype=np.uint16),   # +0 … 1.0 in bfloat16
                     np.uint16(0x8000))                          # and −0
    x = bits.view(ml_dtypes.bfloat16).astype(np.float32)
    c = [np.float32(f32(t)) for t in FA4[3]]
    p = c[3]
    for k in (2, 1, 0):
        p = (p * x).astype(np.float32) + c[k]
    got = p.astype(ml_dtypes.bfloat16).astype(np.float64)
    with mpmath.workdps(40):
        want = np.array([_round_bf16(mpmath.power(2, mpmath.mpf(float(v)))) for v in x])
    assert row["inputs"] == x.size == 16258
    assert row["incorrectly_rounded"] == int(np.sum(got != want)) == 9


def _round_bf16(v) -> float:
    """mpmath value → nearest bfloat16 (ties to even), exactly: 8 significant bits."""
    m, e = mpmath.frexp(v)                       # v = m·2^e, ½ ≤ m < 1
    scaled = m * 256
    lo = int(mpmath.floor(scaled))
    frac = scaled - lo
    q = lo + (1 if frac > 0.5 or (frac == 0.5 and lo % 2) else 0)
    return math.ldexp(q, int(e) - 8)


C_KERNELS = r"""
#include <math.h>
/* Eigen 3.4.0 generic_fast_tanh_float, without EIGEN_VECTORIZE_FMA (pmadd = a*b + c) */
float eigen_tanh(float a_x) {
  const float plus_clamp = 7.90531110763549805f, minus_clamp = -7.90531110763549805f;
  const float tiny = 0.0004f;
  const float x = fmaxf(fminf(a_x, plus_clamp), minus_clamp);
  const int tiny_mask = fabsf(a_x) < tiny;
  const float alpha_1 = 4.89352455891786e-03f, alpha_3 = 6.37261928875436e-04f,
    alpha_5 = 1.48572235717979e-05f, alpha_7 = 5.12229709037114e-08f,
    alpha_9 = -8.60467152213735e-11f, alpha_11 = 2.00018790482477e-13f,
    alpha_13 = -2.76076847742355e-16f;
  const float beta_0 = 4.89352518554385e-03f, beta_2 = 2.26843463243900e-03f,
    beta_4 = 1.18534705686654e-04f, beta_6 = 1.19825839466702e-06f;
  const float x2 = x * x;
  float p = x2 * alpha_13 + alpha_11;
  p = x2 * p + alpha_9; p = x2 * p + alpha_7; p = x2 * p + alpha_5;
  p = x2 * p + alpha_3; p = x2 * p + alpha_1; p = x * p;
  float q = x2 * beta_6 + beta_4;
  q = x2 * q + beta_2; q = x2 * q + beta_0;
  return tiny_mask ? x : p / q;
}
/* XNNPACK xnn_f32_vtanh_ukernel__scalar_rational_9_8_div, no native FMA */
float xnn_tanh(float vx) {
  const float vmax_x = 7.8522667885e+00f, vmin_x = -7.8522667885e+00f;
  const float valpha_3 = 1.3412411511e-01f, valpha_5 = 3.5330520477e-03f,
    valpha_7 = 2.1235626264e-05f, valpha_9 = 1.4248920266e-08f;
  const float vbeta_2 = 4.6745735407e-01f, vbeta_4 = 2.6018999517e-02f,
    vbeta_6 = 3.3472978976e-04f, vbeta_8 = 8.1365948290e-07f, vone = 1.0f;
  vx = fminf(vmax_x, vx); vx = fmaxf(vmin_x, vx);
  const float vx2 = vx * vx;
  float vp = vx2 * valpha_9 + valpha_7;
  vp = vx2 * vp + valpha_5; vp = vx2 * vp + valpha_3; vp = vx2 * vp + vone;
  vp = vx * vp;
  float vq = vx2 * vbeta_8 + vbeta_6;
  vq = vx2 * vq + vbeta_4; vq = vx2 * vq + vbeta_2; vq = vx2 * vq + vone;
  return vp / vq;
}
/* XNNPACK xnn_f32_vgelu_ukernel__scalar_rational_12_10_div, no native FMA */
float xnn_gelu(float vx_orig) {
  const float vmax_abs_x = 5.1158981323e+00f;
  const float valpha_1 = 7.9788452387e-01f, valpha_3 = 6.6972173750e-02f,
    valpha_5 = 9.3065137044e-03f, valpha_7 = 3.2973114867e-04f,
    valpha_9 = 1.2609783880e-05f, valpha_11 = 4.5835321316e-08f;
  const float vbeta_2 = 2.5060352683e-01f, vbeta_4 = 2.8431978077e-02f,
    vbeta_6 = 1.8622842617e-03f, vbeta_8 = 7.2267655923e-05f,
    vbeta_10 = 1.1988805682e-06f, vone = 1.0f, vhalf = 0.5f;
  float vx = fminf(vmax_abs_x, vx_orig); vx = fmaxf(-vmax_abs_x, vx);
  const float vx2 = vx * vx;
  float vp = vx2 * valpha_11 + valpha_9;
  vp = vx2 * vp + valpha_7; vp = vx2 * vp + valpha_5; vp = vx2 * vp + valpha_3;
  vp = vx2 * vp + valpha_1; vp = vx * vp;
  float vq = vx2 * vbeta_10 + vbeta_8;
  vq = vx2 * vq + vbeta_6; vq = vx2 * vq + vbeta_4; vq = vx2 * vq + vbeta_2;
  vq = vx2 * vq + vone;
  const float verf = vp / vq;
  return (vx_orig * vhalf) * (verf + vone);
}
"""


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """The sources' kernels (:data:`C_KERNELS`) and ``approxfit export … --to c`` of the
    three rationals, compiled and run on every finite bfloat16 input (as float32)."""
    import ml_dtypes

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    tmp = tmp_path_factory.mktemp("shipped_c")
    units = [C_KERNELS]
    for i, name in enumerate(RATIONALS):
        code, out, err = run_inprocess(["export", name, "--to", "c", "--name", f"ex{i}"])
        assert code == 0, err
        units.append(out)
    main = r"""
#include <stdio.h>
int main(void) {
  float v;
  while (scanf("%a", &v) == 1)
    printf("%a %a %a %a %a %a\n", eigen_tanh(v), ex0(v), xnn_tanh(v), ex1(v),
           xnn_gelu(v), ex2(v));
  return 0;
}
"""
    src = tmp / "shipped.c"
    src.write_text("\n".join(units) + main)
    exe = tmp / "shipped"
    subprocess.run([cc, "-std=c99", "-O2", "-ffp-contract=off", "-Wall",
                    "-Wno-unused-variable", str(src), "-o", str(exe), "-lm"],
                   check=True, capture_output=True, text=True)
    bits = np.arange(0, 0x10000, dtype=np.uint16)
    x = bits.view(ml_dtypes.bfloat16).astype(np.float32)
    x = x[np.isfinite(x)]
    run = subprocess.run([str(exe)], input="\n".join(float(v).hex() for v in x),
                         capture_output=True, text=True, check=True)
    table = np.array([[float.fromhex(t) for t in line.split()]
                      for line in run.stdout.splitlines()])
    return x, table


@pytest.mark.parametrize("i, name", list(enumerate(RATIONALS)))
def test_model_and_export_are_the_shipped_kernel_bit_for_bit(kernels, i, name):
    x, table = kernels
    source, exported = table[:, 2 * i], table[:, 2 * i + 1]
    model = evaluate_in_format(get_published(name), x, "float32").astype(np.float64)
    assert x.size == 65280
    assert np.array_equal(source, model), name
    assert np.array_equal(exported, model), name
