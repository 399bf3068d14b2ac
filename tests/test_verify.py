"""Exhaustive verification (issue 14): formats, the evaluation model, the reference, the
measure.

Every check is against an independent reference: ``ml_dtypes``' own format tables and
conversions, exact rational arithmetic (``fractions``) with a rounding written here
from the definition (round to nearest, ties to even, gradual underflow, overflow),
mpmath values rounded by that same rational rounding, and the format emulator of
``approxfit.lowprec.emulate`` (a separate implementation of the unfused model).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import ml_dtypes
import mpmath
import numpy as np
import pytest

from approxfit.approximants.program import Step
from approxfit.approximants.published import get_published
from approxfit.core.exceptions import InputError
from approxfit.core.targets import get_target
from approxfit.lowprec.emulate import evaluate_steps
from approxfit.lowprec.formats import (
    ALL_DTYPES,
    ALL_FORMATS,
    FORMATS,
    all_finite,
    finite_count,
    get_format,
    round_to_format,
    step_ulps,
)
from approxfit.lowprec.model import (
    EvaluationModel,
    correctly_rounded_call,
    fma_round,
    fused_program,
    make_model,
    run_program,
)
from approxfit.lowprec.reference import FLOAT64_ERROR, correctly_rounded, error_bound
from approxfit.lowprec.verify import NAN_ULP, Kernel, Tally, tally_block, ulp_distance, verify

F32 = (24, -126, (2 - 2.0**-23) * 2.0**127, True)


def spec(name: str) -> tuple[int, int, float, bool]:
    f = get_format(name, float8=True)
    return f.precision, f.emin, f.max, f.infinities


# -- an independent rounding: Fraction -> format, from the definition ----------------

def fround(q: Fraction, fmt: tuple[int, int, float, bool], zero_sign: float = 1.0) -> float:
    """Round the rational q to a format (precision p, emin, largest finite, has inf):
    nearest, ties to the even significand; beyond the largest, ±inf (or NaN)."""
    p, emin, largest, has_inf = fmt
    if q == 0:
        return math.copysign(0.0, zero_sign)
    s = 1 if q > 0 else -1
    a = abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    qe = max(e, emin) - (p - 1)
    sc = a / Fraction(2) ** qe
    n = sc.numerator // sc.denominator
    rem = sc - n
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n % 2 == 1):
        n += 1
    v = Fraction(n) * Fraction(2) ** qe
    if v > Fraction(largest):
        return s * math.inf if has_inf else math.nan
    return math.copysign(float(v), s)


def mp_fraction(v) -> Fraction:
    sign, man, exp, bc = mpmath.mpf(v)._mpf_        # (−1)^sign · man · 2^exp
    if man and exp + bc < -400:                       # far below every format's
        man, exp = 1, -400                            # half-smallest-subnormal: same rounding
    q = Fraction(int(man)) * Fraction(2) ** exp if exp >= 0 else Fraction(int(man), 2**-exp)
    return -q if sign else q


def mp_round(v, fmt) -> float:
    return fround(mp_fraction(v), fmt)


# -- 1. formats -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "float16", "bfloat16"])
def test_all_finite_matches_ml_dtypes_enumeration(name):
    f = get_format(name, float8=True)
    pats = np.arange(2**f.bits, dtype=np.uint32).astype(f.uint).view(f.dtype)
    with np.errstate(invalid="ignore"):
        v = pats.astype(np.float64)
    fin = np.isfinite(v)
    ours = np.concatenate(list(all_finite(name, chunk=97)))
    assert ours.size == int(fin.sum()) == finite_count(name)
    # ascending, −0 before +0, every finite pattern exactly once
    o = ours.astype(np.float64)
    assert np.all(np.diff(o) >= 0)
    assert sorted(ours.view(f.uint).tolist()) == sorted(pats.view(f.uint)[fin].tolist())
    if name.startswith("float8"):
        fi = ml_dtypes.finfo(f.dtype)
        assert f.max == float(fi.max) and f.smallest_normal == float(fi.tiny)
        assert f.smallest_subnormal == float(fi.smallest_subnormal)


def test_float8_counts_and_float32_count():
    # computed from the encodings: e4m3fn loses one pattern per sign (NaN), e5m2 four
    # (inf and three NaNs) — and float32 all 2^24 with exponent 255
    assert finite_count("float8_e4m3fn") == 2 * (128 - 1) == 254
    assert finite_count("float8_e5m2") == 2 * (128 - 4) == 248
    assert finite_count("float32") == 2**32 - 2 * 2**23
    assert finite_count("float32", 1.0, 2.0) == 2**23 + 1
    assert finite_count("float32", -0.0, 0.0) == 2          # both zeros
    assert finite_count("bfloat16", 0.5, 0.5) == 1
    chunks = list(all_finite("float32", 1.0, 1.0 + 1000 * 2.0**-23, chunk=300))
    assert [c.size for c in chunks] == [300, 300, 300, 101]
    assert float(chunks[0][0]) == 1.0 and float(chunks[-1][-1]) == 1.0 + 1000 * 2.0**-23


def test_existing_formats_unchanged():
    for name, f in FORMATS.items():
        assert ALL_FORMATS[name] is f and f.infinities and f.top_codes_lost == 0
    assert FORMATS["bfloat16"].max == float(ml_dtypes.finfo(ml_dtypes.bfloat16).max)
    with pytest.raises(InputError, match="unknown dtype"):
        get_format("float8_e5m2")            # the old door still takes only the four


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2"])
def test_float8_rounding_matches_fractions_and_ml_dtypes(name):
    rng = np.random.default_rng(8)
    f = get_format(name, float8=True)
    x = np.concatenate([rng.uniform(-1.2, 1.2, 3000) * f.max,
                        rng.uniform(-4, 4, 3000) * f.smallest_normal,
                        np.array([464.0, 464.0001, -464.0, 61440.0, 61439.9, 1e9, 0.0])])
    x32 = x.astype(np.float32)
    ours = round_to_format(x32.astype(np.float64), f)
    exact = np.array([fround(Fraction(float(v)), spec(name)) for v in x32])
    ml = x32.astype(f.dtype).astype(np.float64)                # float32 -> float8: RNE
    same = lambda a, b: np.all((a == b) | (np.isnan(a) & np.isnan(b)))  # noqa: E731
    assert same(ours, exact) and same(ml, exact)


# -- 2. the model: fused multiply-add, exact -----------------------------------------

def _fma_triples(n: int) -> np.ndarray:
    rng = np.random.default_rng(2024)
    f32 = lambda v: np.asarray(v, dtype=np.float32)  # noqa: E731
    rand_bits = lambda k: rng.integers(0, 2**32, k, dtype=np.uint64).astype(  # noqa: E731
        np.uint32).view(np.float32)
    a, b, c = rand_bits(n), rand_bits(n), rand_bits(n)
    out = [np.stack([a, b, c], 1)]
    # moderate magnitudes, where a·b and c interact
    m = rng.uniform(-4, 4, (n, 3)).astype(np.float32)
    m[:, 2] *= rng.uniform(0, 16, n).astype(np.float32)
    out.append(m)
    # cancellation: c = −RN(a·b) (+ a few ulps), so the result is the product's error
    a2, b2 = f32(rng.uniform(-2, 2, n)), f32(rng.uniform(-2, 2, n))
    c2 = -(a2 * b2)
    c2 = np.nextafter(c2, np.float32(np.inf) * rng.choice([-1, 1], n)).astype(np.float32)
    out.append(np.stack([a2, b2, c2], 1))
    # ties: a·b is exactly a float32 midpoint (25 significant bits) plus c = 0 or tiny
    a3 = f32(1 + rng.integers(0, 2**12, n) * 2.0**-12)
    b3 = f32(1 + rng.integers(0, 2**12, n) * 2.0**-12)
    tiny = rng.choice([0.0, 2.0**-149, -(2.0**-149), 2.0**-60], n)
    out.append(np.stack([a3, b3, f32(tiny)], 1))
    # subnormal results and subnormal operands
    a4 = f32(rng.uniform(-1, 1, n) * 2.0**-70)
    b4 = f32(rng.uniform(-1, 1, n) * 2.0**-70)
    c4 = f32(rng.uniform(-1, 1, n) * 2.0**-140)
    out.append(np.stack([a4, b4, c4], 1))
    # overflow and its threshold: products near 2^128
    a5 = f32(rng.uniform(1, 2, n) * 2.0**64)
    b5 = f32(rng.uniform(0.9, 1, n) * 2.0**64) * rng.choice([-1, 1], n).astype(np.float32)
    c5 = f32(rng.uniform(-1, 1, n) * 2.0**103)
    out.append(np.stack([a5, b5, c5], 1))
    # zeros of both signs
    z = f32(rng.choice([0.0, -0.0, 1.5, -2.25], (n // 10, 3)))
    out.append(z)
    t = np.concatenate(out).astype(np.float32)
    return t[np.all(np.isfinite(t), axis=1)]


@pytest.mark.slow  # a few seconds: in the full selection (--all)
def test_fma_round_is_exact_against_fractions():
    t = _fma_triples(20_000)
    assert t.shape[0] >= 100_000
    got = fma_round(t[:, 0], t[:, 1], t[:, 2], "float32")
    with np.errstate(over="ignore"):
        naive = (t[:, 0].astype(np.float64) * t[:, 1] + t[:, 2]).astype(np.float32)
    wrong_naive = 0
    for i, (a, b, c) in enumerate(t.tolist()):
        q = Fraction(a) * Fraction(b) + Fraction(c)
        prod_sign = math.copysign(1.0, a) * math.copysign(1.0, b)
        zero_sign = -1.0 if (prod_sign < 0 and math.copysign(1.0, c) < 0) else 1.0
        want = fround(q, F32, zero_sign)
        g = float(got[i])
        assert g == want or (math.isnan(g) and math.isnan(want)), (a, b, c, g, want)
        assert math.copysign(1.0, g) == math.copysign(1.0, want), (a, b, c)
        wrong_naive += float(naive[i]) != want
    # the set has teeth: float64 double rounding gets some of these wrong
    assert wrong_naive > 0


def test_fused_program_fuses_horner_only():
    prog = get_published("paper-tanh").program()
    fused = fused_program(prog)
    fmas = [s for s in fused if s.op == "fma"]
    assert [(s.name, s.args) for s in fmas] == [("t3", ("c3", "t1", "c1"))]
    assert "t2" not in {s.name for s in fused}
    # a multiply used twice is not fused; sub gets a negation
    p = (Step("x", "input"), Step("c", "const", value=3.0), Step("m", "mul", ("x", "x")),
         Step("s", "sub", ("c", "m")), Step("m2", "mul", ("x", "c")),
         Step("u", "sub", ("m2", "s")), Step("w", "add", ("u", "m2")))
    f = fused_program(p)
    ops = {s.name: (s.op, s.args) for s in f}
    assert ops["s"] == ("fma", ("s_neg", "x", "c")) and ops["s_neg"] == ("neg", ("x",))
    assert ops["u"] == ("sub", ("m2", "s")) and "m2" in ops   # m2 used twice


# -- the model: the whole program against a rational evaluation (float8, every input) --

def _fraction_program(steps, x: float, fmt: str, fma: bool) -> float:
    """The program under the model, every value a Fraction rounded by :func:`fround`."""
    prog = fused_program(steps) if fma else steps
    env: dict[str, float] = {}
    r32 = lambda q: fround(q, F32)  # noqa: E731
    fns = {"tanh": mpmath.tanh, "exp": mpmath.exp,
           "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}
    for s in prog:
        a = [env[n] for n in s.args]
        fr = [Fraction(v) if math.isfinite(v) else None for v in a]
        if s.op == "input":
            v = x
        elif s.op == "const":
            v = float(np.float32(s.value))
        elif s.op in ("add", "sub", "mul", "div") and None not in fr:
            import operator

            fn = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                  "div": operator.truediv}[s.op]
            v = r32(fn(fr[0], fr[1]))
        elif s.op == "fma" and None not in fr:
            v = r32(fr[0] * fr[1] + fr[2])
        elif s.op in ("add", "sub", "mul", "div", "fma"):
            with np.errstate(all="ignore"):
                v = float({"add": np.float32(a[0]) + np.float32(a[1]),
                           "mul": np.float32(a[0]) * np.float32(a[1])}.get(s.op, math.nan))
        elif s.op in fns:
            with mpmath.workdps(60):
                v = (math.copysign(1.0, a[0]) if s.op == "tanh" and math.isinf(a[0])
                     else mp_round(fns[s.op](mpmath.mpf(a[0])), F32))
        elif s.op == "neg":
            v = -a[0]
        elif s.op == "abs":
            v = abs(a[0])
        elif s.op == "sign":
            v = float(np.sign(a[0]))
        elif s.op == "min":
            v = min(a[0], a[1])
        elif s.op == "where_neg":
            v = a[1] if a[0] < 0 else a[2]
        else:
            raise AssertionError(s.op)
        env[s.name] = v
    out = env[prog[-1].name]
    return fround(Fraction(out), spec(fmt)) if math.isfinite(out) else out


@pytest.mark.parametrize("fmt", ["float8_e4m3fn", "float8_e5m2"])
@pytest.mark.parametrize("fma", [False, True])
@pytest.mark.parametrize("name", ["paper-tanh", "as-7.1.26", "ibert", "paper-sigmoid"])
def test_model_matches_rational_evaluation_on_every_float8_input(fmt, fma, name):
    steps = get_published(name).program()
    x = np.concatenate(list(all_finite(fmt)))
    got, _ = run_program(steps, x, make_model(fmt, fma=fma))
    got = got.astype(np.float64)
    for xi, g in zip(x.astype(np.float64).tolist(), got.tolist(), strict=True):
        want = _fraction_program(steps, xi, fmt, fma)
        assert g == want or (math.isnan(g) and math.isnan(want)), (xi, g, want)


@pytest.mark.parametrize("name", ["paper-tanh", "paper-sigmoid", "as-7.1.26", "ibert"])
def test_unfused_model_equals_emulator_on_all_bfloat16(name):
    steps = get_published(name).program()
    x = np.concatenate(list(all_finite("bfloat16")))
    got, _ = run_program(steps, x, make_model("bfloat16"))
    ref = evaluate_steps(steps, x.astype(np.float64), "bfloat16", opmath="float32")
    g = got.astype(np.float64)
    assert np.all((g == ref) | (np.isnan(g) & np.isnan(ref)))


def test_fma_changes_some_float32_results_of_a_long_horner():
    # a degree-9 odd polynomial inside tanh: four fused steps, so fusing must change
    # some float32 results (the exact fma itself is proven above; in float16 the final
    # rounding hides the float32 differences)
    from approxfit.approximants.spec import parse_spec

    a = parse_spec("tanh:c1=0.7978845608,c3=0.0356774,c5=-1.1e-4,c7=3e-6,c9=-2e-8")
    x = np.concatenate(list(all_finite("float32", 1.0, 1.01)))
    plain, _ = run_program(a.program(), x, make_model("float32"))
    fused, _ = run_program(a.program(), x, make_model("float32", fma=True))
    assert sum(s.op == "fma" for s in fused_program(a.program())) >= 4
    assert np.any(plain.astype(np.float64) != fused.astype(np.float64))


def test_correctly_rounded_call_against_mpmath():
    rng = np.random.default_rng(5)
    t = np.concatenate([rng.uniform(-20, 20, 1500), rng.uniform(-1e-3, 1e-3, 300),
                        np.array([0.0, 88.7, 89.0, -103.9, -110.0])]).astype(np.float32)
    for op, fn in (("tanh", mpmath.tanh), ("exp", mpmath.exp),
                   ("sigmoid", lambda v: 1 / (1 + mpmath.exp(-v)))):
        got, _ = correctly_rounded_call(op, t, "float32")
        with mpmath.workdps(60):
            want = [mp_round(fn(mpmath.mpf(float(v))), F32) for v in t]
        assert got.astype(np.float64).tolist() == want, op


# -- 3. the reference ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(FLOAT64_ERROR))
def test_float64_error_bounds_hold_with_margin(name):
    tg = get_target(name)
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(-40, 40, 600), rng.uniform(-4, 4, 300),
                        np.exp(rng.uniform(-30, 3, 200)) * rng.choice([-1, 1], 200)])
    y = tg.value(x)
    b = error_bound(tg, x)
    worst = 0.0
    with mpmath.workdps(40):
        for xi, yi, bi in zip(x, y, b, strict=True):
            v = tg.value_mp(mpmath.mpf(float(xi)))
            if abs(v) < 1e-290:
                continue
            worst = max(worst, float(abs((mpmath.mpf(float(yi)) - v) / v)) / bi)
    assert worst < 1 / 8          # the stated bound holds with a factor 8 to spare


def _mp_reference(name: str, x: np.ndarray, fmt: str) -> list[float]:
    tg = get_target(name)
    with mpmath.workdps(80):
        return [mp_round(tg.value_mp(mpmath.mpf(float(v))), spec(fmt)) for v in x]


@pytest.mark.parametrize("name", ["gelu", "silu", "tanh", "erf", "mish", "softplus"])
def test_reference_equals_mpmath_on_every_bfloat16_input_of_ranges(name):
    x = np.concatenate([np.concatenate(list(all_finite("bfloat16", lo, hi)))
                        for lo, hi in ((-12.0, -3.0), (-0.3, -0.25), (1.0, 2.0),
                                       (-2e-38, 2e-38))]).astype(np.float64)
    got, _ = correctly_rounded(get_target(name), x, "bfloat16")
    want = _mp_reference(name, x, "bfloat16")
    bad = [(xi, g, w) for xi, g, w in zip(x, got, want, strict=True) if not g == w]
    assert not bad, bad[:5]


def test_reference_float32_near_zero_and_tail():
    # the x/2 midpoints of float32's subnormals (decided by the series), and the tail
    x = np.concatenate([np.concatenate(list(all_finite("float32", -3e-45, 3e-45))),
                        np.concatenate(list(all_finite("float32", 2.0**-40,
                                                       2.0**-40 * (1 + 2.0**-16)))),
                        np.linspace(-14, -13, 200).astype(np.float32)]).astype(np.float64)
    for name in ("gelu", "silu"):
        got, _ = correctly_rounded(get_target(name), x, "float32")
        assert got.tolist() == _mp_reference(name, x, "float32"), name


def test_reference_custom_target_uses_mpmath_everywhere():
    from approxfit.core.targets import custom_target

    tg = custom_target("xerf", "x*erf(x)")
    x = np.concatenate(list(all_finite("float8_e5m2"))).astype(np.float64)
    got, n = correctly_rounded(tg, x, "float8_e5m2")
    assert n == x.size
    with mpmath.workdps(60):
        want = [mp_round(mpmath.mpf(float(v)) * mpmath.erf(float(v)), spec("float8_e5m2"))
                for v in x]
    assert got.tolist() == want


# -- 4. the measure ----------------------------------------------------------------------

def test_ulp_distance_zeros_nan_inf():
    f = "bfloat16"
    r = np.array([0.0, -0.0, 1.0, np.nan, np.nan, np.inf, -2.0**-133, 5.0])
    c = np.array([-0.0, 0.0, 1.0078125, np.nan, 1.0, 3.3895313892515355e38, 2.0**-133, 5.0])
    d = ulp_distance(r, c, f).tolist()
    assert d[:3] == [0, 0, 1]
    assert d[3] == 0 and d[4] == NAN_ULP
    assert d[5] == 1                        # inf is nextUp(max)
    assert d[6] == 2                        # −min_subnormal to +min_subnormal: via 0
    assert d[7] == 0


def test_correctly_rounded_kernel_scores_zero_and_k_errors_score_k():
    fmt = "float8_e5m2"
    tg = get_target("gelu")

    def exact(x):
        with mpmath.workdps(60):
            v = [mp_round(tg.value_mp(mpmath.mpf(float(t))), spec(fmt))
                 for t in x.astype(np.float64)]
        return np.array(v).astype(get_format(fmt, float8=True).dtype)

    r = verify(Kernel("exact", exact), "gelu", fmt)
    assert r.incorrectly_rounded == 0 and r.max_ulp == 0 and r.argmax_ulp is None
    assert r.histogram == {0: 248} and r.inputs == 248

    picks = [1.5, -0.75, 3.0]

    def off(x):
        out = exact(x).astype(np.float64)
        for p in picks:
            i = np.flatnonzero(x.astype(np.float64) == p)
            out[i] = step_ulps(out[i], 1, get_format(fmt, float8=True))  # one value up
        return out

    r2 = verify(Kernel("off", off), "gelu", fmt)
    assert r2.incorrectly_rounded == 3
    assert r2.histogram == {0: 245, 1: 3} and r2.max_ulp == 1
    assert r2.argmax_ulp == -0.75 and [w["x"] for w in r2.worst] == [-0.75, 1.5, 3.0]


def test_exhaustive_bfloat16_counts_against_independent_reference():
    # every bfloat16 input of [−12, −1] ∪ [1, 12]: results from the emulator, reference
    # from mpmath, distance from the bit patterns, counted here
    for name in ("paper-tanh", "paper-sigmoid"):
        a = get_published(name)
        for lo, hi in ((-12.0, -1.0), (1.0, 12.0)):
            r = verify(a, "gelu", "bfloat16", range=(lo, hi))
            x = np.concatenate(list(all_finite("bfloat16", lo, hi))).astype(np.float64)
            res = evaluate_steps(a.program(), x, "bfloat16", opmath="float32")
            want = _mp_reference("gelu", x, "bfloat16")
            o = lambda v: np.sign(v) * np.array(  # noqa: E731
                np.abs(v).astype(np.float32).astype(ml_dtypes.bfloat16).view(np.uint16),
                dtype=np.int64)
            d = np.abs(o(res) - o(np.array(want)))
            assert r.inputs == x.size
            assert r.incorrectly_rounded == int(np.count_nonzero(d)), (name, lo)
            assert r.max_ulp == int(d.max())
            assert r.argmax_ulp == float(x[np.argmax(d)])


def test_specials_and_dict_contract():
    r = verify(get_published("paper-tanh"), "gelu", "bfloat16")
    assert r.inputs == 65280
    sp = r.specials
    assert sp["+inf"] == {"result": "inf", "expected": "inf", "ok": True}
    # ½·x·(1 + tanh(…)) at −inf is −inf·0 = NaN, not gelu's limit 0
    assert sp["-inf"] == {"result": "nan", "expected": 0.0, "ok": False}
    assert sp["nan"]["ok"] is True
    d = r.to_dict()
    assert set(d) == {"name", "target", "model", "format", "compute", "fma", "inputs",
                      "max_ulp", "argmax_ulp", "incorrectly_rounded", "histogram", "worst",
                      "specials", "reference_mpmath_cases", "seconds", "form", "input_set"}
    json.dumps(d, allow_nan=False)
    assert sum(d["histogram"].values()) == d["inputs"]
    assert len(d["worst"]) == 20 and d["worst"][0]["ulp"] == d["max_ulp"]
    assert d["model"].startswith("Model: inputs are bfloat16 values")
    e4 = verify(get_published("paper-tanh"), "tanh", "float8_e4m3fn")
    assert set(e4.specials) == {"nan"}    # e4m3fn has no infinities


def test_blocks_combine_to_the_whole_and_progress():
    a = get_published("as-7.1.26")
    calls = []
    whole = verify(a, "gelu", "float16", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (63488, 63488)
    m = make_model("float16")
    x = np.concatenate(list(all_finite("float16")))
    parts = [tally_block(a.program(), get_target("gelu"), m, x[i:i + 5000])
             for i in range(0, x.size, 5000)]
    total = Tally()
    for p in reversed(parts):             # order must not matter
        total = total.combine(p)
    assert total.inputs == whole.inputs
    assert sum(v for k, v in total.histogram.items() if k) == whole.incorrectly_rounded
    assert total.worst[0][1] == whole.argmax_ulp


def test_float32_range_runs():
    r = verify(get_published("paper-tanh"), "gelu", "float32", range=(-3.0, -2.999), fma=True)
    assert r.inputs == finite_count("float32", -3.0, -2.999)
    assert r.model.compute == "float32" and r.model.fma


# -- validation --------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"format": "float128"}, "`format`"),
    ({"format": 16}, "`format`"),
    ({"format": "bfloat16", "compute": "float16"}, "`compute`"),
    ({"format": "float32", "compute": "bfloat16"}, "`compute`"),
    ({"format": "float64", "compute": "float32"}, "`compute`"),
    ({"format": "float32", "fma": 1}, "`fma`"),
    ({"format": "float64", "fma": True}, "`fma`"),
    ({"format": "bfloat16", "range": (2.0, 1.0)}, "`range`"),
    ({"format": "bfloat16", "range": "1 2"}, "`range`"),
    ({"format": "bfloat16", "range": (1.0, math.nan)}, "`range`"),
    ({"format": "bfloat16", "progress": 3}, "`progress`"),
])
def test_verify_validates_arguments(kwargs, match):
    fmt = kwargs.pop("format")
    with pytest.raises(InputError, match=match):
        verify(get_published("paper-tanh"), "gelu", fmt, **kwargs)


def test_verify_rejects_non_approximant_and_bad_target():
    with pytest.raises(InputError, match="`approximant`"):
        verify("paper-tanh", "gelu", "bfloat16")
    with pytest.raises(InputError, match="target"):
        verify(get_published("paper-tanh"), "gleu", "bfloat16")


def test_model_describe_and_defaults():
    m = make_model("float32")
    assert m == EvaluationModel("float32", "float32", False)
    assert make_model("float8_e4m3fn").compute == "float32"
    assert "overflow to NaN" in make_model("float8_e4m3fn").describe()
    assert "fused" in make_model("bfloat16", fma=True).describe()
    assert set(ALL_DTYPES) == set(ALL_FORMATS)
