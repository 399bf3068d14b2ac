"""``approxfit synthesize``: rounding intervals, exact tails, the piecewise kind, and a
proven synthesis re-checked by an independent exhaustive count."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.approximants.spec import approximant_from_dict, load_approximant_file
from approxfit.core.exceptions import InputError
from approxfit.core.targets import resolve_target
from approxfit.lowprec.formats import get_format, round_to_format
from approxfit.lowprec.model import make_model
from approxfit.studies.synthesize import exact_tails, prepare, rounding_intervals, synthesize
from tests.helpers import compile_c_filter, run_inprocess


def test_rounding_intervals_match_brute_force() -> None:
    """Every float32 r between the endpoints rounds to y in bfloat16, the next one out does
    not (checked by rounding candidates near both ends, not by the same formula)."""
    f, fc = get_format("bfloat16"), get_format("float32")
    y = np.array([1.0, 1.5, -3.0, 0.0, 2.0**-133, 1.0078125], dtype=np.float64)
    lo, hi = rounding_intervals(y.astype(f.dtype), f, fc)
    for yi, a, b in zip(y, lo, hi, strict=True):
        a32, b32 = np.float32(a), np.float32(b)
        assert float(a32) == a and float(b32) == b              # C values
        assert round_to_format(float(a32), f) == yi
        assert round_to_format(float(b32), f) == yi
        below = np.nextafter(a32, np.float32(-np.inf))
        above = np.nextafter(b32, np.float32(np.inf))
        assert round_to_format(float(below), f) != yi or (yi == 0 and float(below) == 0)
        assert round_to_format(float(above), f) != yi


def test_exact_tails_of_gelu_bfloat16() -> None:
    """GELU in bfloat16 is exactly x above its high threshold and 0 below its low one;
    the inputs next to each threshold are not (mpmath decides both)."""
    import mpmath

    model = make_model("bfloat16")
    pr = prepare(resolve_target("gelu"), model)
    assert pr.low is not None and pr.high is not None
    (lo, lo_v), (hi, hi_v) = pr.low, pr.high
    assert (lo_v, hi_v) == ("zero", "x")
    f = get_format("bfloat16")
    step = float(np.nextafter(np.float32(hi), np.float32(np.inf)))
    above_hi = float(round_to_format(step + 2 ** -6, f))        # the next bfloat16 value
    with mpmath.workdps(50):
        def cr(v: float) -> float:
            from approxfit.lowprec.reference import round_mpf

            return round_mpf(v * mpmath.ncdf(v), f)

        assert cr(above_hi) == above_hi            # in the tail: exactly x
        assert cr(hi) != hi                        # the threshold itself is not
        below_lo = float(pr.x64[np.flatnonzero(pr.x64 < lo)[-1]])
        assert cr(below_lo) == 0.0
        assert cr(lo) != 0.0


def test_exact_tails_none_when_no_run() -> None:
    x = np.array([-1.0, 0.0, 1.0])
    y = np.array([5.0, 6.0, 7.0]).astype(get_format("bfloat16").dtype)
    assert exact_tails(x, y, get_format("bfloat16")) == (None, None)


def test_piecewise_round_trip_and_program() -> None:
    a = PiecewiseApproximant("sigmoid", (1, 3), (1.0, 0.01), "silu", low=-97.0,
                             high=6.0, nudge=2.0**-149, name="s")
    b = approximant_from_dict(json.loads(json.dumps(a.to_dict())))
    assert isinstance(b, PiecewiseApproximant) and b.to_dict() == a.to_dict()
    x = np.array([-200.0, -1.0, 0.5, 7.0])
    v = a(x)
    assert v[0] == 0.0 and v[3] == 7.0                          # the tails
    p = 1.0 * x[1:3] + 0.01 * x[1:3] ** 3
    np.testing.assert_allclose(v[1:3], x[1:3] / (1 + np.exp(-p)), rtol=1e-12)
    ops = [s.op for s in a.program()]
    assert ops.count("where_neg") == 2 and ops.count("sigmoid") == 1


@pytest.mark.parametrize("bad", [{"family": "cubic"}, {"powers": (0,)}, {"coef": (1.0, 2.0)},
                                 {"low": 5.0, "high": 1.0}, {"nudge": math.inf}])
def test_piecewise_rejects_bad_arguments(bad: dict) -> None:
    kw = {"family": "sigmoid", "powers": (1,), "coef": (1.0,), "target": "silu", **bad}
    with pytest.raises(InputError):
        PiecewiseApproximant(**kw)


@pytest.mark.parametrize("kwargs", [{"ulp": -1}, {"ulp": True}, {"max_degree": 0},
                                    {"families": "poly"}, {"families": ["cubic"]}])
def test_synthesize_rejects_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(InputError):
        synthesize("silu", "float8_e4m3fn", **kwargs)


def test_synthesize_refuses_float32() -> None:
    with pytest.raises(InputError, match="`format`"):
        synthesize("silu", "float32")


def test_cli_bad_format_exits_2() -> None:
    code, _, err = run_inprocess(["synthesize", "silu", "--format", "bfloat17"])
    assert code == 2 and err.count("\n") == 1 and err.startswith("approxfit: error:")


@pytest.mark.slow
def test_silu_bfloat16_proven_and_rechecked_independently(tmp_path) -> None:
    """The synthesis proves SiLU in bfloat16 (float32, no FMA); the saved spec verifies
    with 0 incorrectly rounded, and an independent float32/mpmath count agrees
    (:func:`_independent_float32`, defined below: its σ is float64 rounded to float32,
    which the model's correctly rounded σ equals except within 2^-44 of a float32
    midpoint, which the count would expose)."""
    out = tmp_path / "silu.json"
    code, stdout, err = run_inprocess(["synthesize", "silu", "--format", "bfloat16",
                                       "--save", str(out), "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["proven"] and doc["verify"]["incorrectly_rounded"] == 0
    assert doc["verify"]["inputs"] == 65280
    assert doc["lookup_table"]["bytes"] == 131072
    assert all(v["ok"] for v in doc["verify"]["specials"].values())
    from approxfit.lowprec.verify import verify

    approx = load_approximant_file(out)
    assert verify(approx, "silu", "bfloat16").incorrectly_rounded == 0
    import ml_dtypes
    import mpmath

    from approxfit.lowprec.reference import round_mpf

    d = json.loads(out.read_text())["approximant"]
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    x = x[np.isfinite(x.astype(np.float32))].astype(np.float64)
    got = _independent_float32(d, x).astype(ml_dtypes.bfloat16).astype(np.float64)
    f = get_format("bfloat16")
    with mpmath.workdps(40):
        ref = np.array([round_mpf(mpmath.mpf(v) / (1 + mpmath.exp(-mpmath.mpf(v))), f)
                        for v in x])
    assert np.count_nonzero(got != ref) == 0           # −0 == +0, as verify counts them


@pytest.mark.slow
def test_synthesis_is_deterministic() -> None:
    a = synthesize("silu", "bfloat16").to_dict()
    b = synthesize("silu", "bfloat16").to_dict()
    assert a["approximant"] == b["approximant"]
    assert [c["outcome"] for c in a["candidates"]] == [c["outcome"] for c in b["candidates"]]


@pytest.mark.slow
def test_unproven_exits_1_with_best_count() -> None:
    """With only degree 1 allowed GELU in bfloat16 has no proven candidate: exit 1 and the
    best candidate's count is printed, never a success."""
    code, stdout, err = run_inprocess(["synthesize", "gelu", "--format", "bfloat16",
                                       "--max-degree", "1", "--families", "sigmoid",
                                       "--json"])
    assert code == 1
    doc = json.loads(stdout)
    assert doc["proven"] is False
    assert doc["incorrectly_rounded"] is None or doc["incorrectly_rounded"] > 0
    assert "incorrectly rounded" in err
    # the message names the best candidate (fewest incorrectly rounded), not the last
    counted = [c for c in doc["candidates"] if c["incorrectly_rounded"] is not None]
    if counted:
        best = min(counted, key=lambda c: c["incorrectly_rounded"])
        assert doc["incorrectly_rounded"] == best["incorrectly_rounded"]
        assert f"({doc['best_form']}) has {doc['incorrectly_rounded']} " in err


# -- pieces (issue 15, second round) ------------------------------------------------------

PIECES = PiecewiseApproximant(
    "sigmoid", (1, 2, 3), (1.5, 0.1, 0.01), "gelu", low=-13.5, high=2.765625,
    breaks=(-3.0, 0.5), more=((0.25, 0.5, 1.6, 0.1, 0.02), (0.0, 0.0, 1.7, -0.1, 0.03)),
    name="three")


def test_pieces_round_trip() -> None:
    b = approximant_from_dict(json.loads(json.dumps(PIECES.to_dict())))
    assert isinstance(b, PiecewiseApproximant) and b.to_dict() == PIECES.to_dict()
    assert b.pieces == 3 and b.breaks == (-3.0, 0.5)
    changed = b.with_coefficients({"p2_c3": 0.5})
    assert changed.more[1][-1] == 0.5 and changed.coef == b.coef


def test_pieces_select_each_piece_exactly_at_the_breaks() -> None:
    """Piece j applies from its break (inclusive) to the next (exclusive): the selected
    value equals that piece alone, evaluated on its own, at and beside every break."""
    x = np.array([-3.0 - 2**-20, -3.0, -1.0, 0.5 - 2**-20, 0.5, 2.0])
    want_piece = [0, 1, 1, 1, 2, 2]
    got = PIECES(x)
    for xi, j, g in zip(x, want_piece, got, strict=True):
        assert g == PIECES.piece(j)(np.array([xi]))[0]
    # and the pieces differ there, so a wrong selection would show
    assert PIECES.piece(0)(np.array([-3.0]))[0] != PIECES.piece(1)(np.array([-3.0]))[0]


def test_pieces_program_equals_float64_evaluation() -> None:
    """The program (coefficients selected by where_neg, one Horner, σ, the relation,
    the tails), run in float64, equals the float64 evaluation of each input's piece
    (numpy powers, not Horner: equal to rounding, 1e-13 relative)."""
    from approxfit.lowprec.model import run_program

    x = np.linspace(-16.0, 4.0, 4001)
    prog, _ = run_program(PIECES.program(), x, make_model("float64"))
    np.testing.assert_allclose(prog, PIECES(x), rtol=1e-13, atol=1e-300)
    ops = [s.op for s in PIECES.program()]
    # 2 breaks: each coefficient that differs is chosen by 2 selects (c0_neg/c0_pos
    # split by the sign, c1, c2, c3), plus the sign select and the 2 tails
    assert ops.count("where_neg") == 2 * 5 + 1 + 2
    assert ops.count("sigmoid") == 1 and ops.count("sub") == 2 + 2


@pytest.mark.slow     # 4-7 s of exact LP checks; the proofs above use the same regions
def test_piece_regions_partition_the_middle_and_are_feasible() -> None:
    """GELU in bfloat16 with an odd degree-9 σ∘poly: the regions are contiguous runs of
    the middle that cover it, and each is feasible for the LP on all its inputs (not
    the sampled rows the search used) while the whole middle is not."""
    from approxfit.studies.synthesize import Candidate, _feasible, _live, piece_regions

    pr = prepare(resolve_target("gelu"), make_model("bfloat16"))
    cand = Candidate("sigmoid", (1, 3, 5, 7, 9), False, True, True)
    regions = piece_regions(pr, cand, 4)
    assert regions is not None and 2 <= len(regions) <= 4
    a, b, live = _live(pr, cand)
    joined = np.concatenate(regions)
    assert np.array_equal(joined, np.flatnonzero(live))
    import approxfit.studies.synthesize as S

    old = S.FEASIBILITY_ROWS
    S.FEASIBILITY_ROWS = 10**9                     # every row
    try:
        assert all(_feasible(pr, cand, a, b, r) for r in regions)
        assert not _feasible(pr, cand, a, b, joined)
    finally:
        S.FEASIBILITY_ROWS = old


def test_max_pieces_is_checked() -> None:
    for bad in (0, 17, True, "2"):
        with pytest.raises(InputError, match="`max_pieces`"):
            synthesize("silu", "float8_e4m3fn", max_pieces=bad)


def _independent_float32(d: dict, x: np.ndarray) -> np.ndarray:
    """A saved piecewise spec evaluated in float32 numpy arithmetic written out here
    (piece chosen by searchsorted, Horner over the powers, σ in float64 rounded to
    float32 and the relation x·σ — or tanh in float64 rounded to float32 for the tanh
    family of an odd target, or p itself for poly —, the nudge, the small run, the
    tails, exp in float64 rounded to float32), without FMA."""
    powers = d["powers"]
    rows = [(d["constant"]["negative"], d["constant"]["positive"],
             *(d["coefficients"][f"c{k}"] for k in powers))]
    breaks = []
    for e in d.get("pieces", []):
        breaks.append(e["from"])
        rows.append((e["constant"]["negative"], e["constant"]["positive"],
                     *(e["coefficients"][f"c{k}"] for k in powers)))
    r = np.array(rows, dtype=np.float32)[np.searchsorted(np.array(breaks), x, side="right")]
    xf = x.astype(np.float32)
    odd = all(k % 2 for k in powers)
    col = {k: 2 + i for i, k in enumerate(powers)}
    top = max(powers)
    ks = range(top, 0, -2) if odd else range(top, 0, -1)
    with np.errstate(all="ignore"):       # x² overflows beyond the tails: selected out
        v = xf * xf if odd and top > 1 else xf
        acc = r[:, col[top]]
        for k in list(ks)[1:]:
            acc = acc * v
            if k in col:
                acc = acc + r[:, col[k]]
        q = xf * acc
        c0 = np.where(xf < 0, r[:, 0], r[:, 1])
        p = q + c0 if np.any(r[:, :2] != 0) else q
        if d["family"] == "poly":
            out = p
        elif d["family"] == "tanh":                # an odd target: value tanh(p)
            out = np.tanh(p.astype(np.float64)).astype(np.float32)
        else:
            g = (1.0 / (1.0 + np.exp(-p.astype(np.float64)))).astype(np.float32)
            out = xf * g
        out = out + np.float32(d["nudge"])
    tails = d["tails"]
    with np.errstate(over="ignore"):              # beyond the exp tail: selected out
        ex = np.exp(x).astype(np.float32)
    tail_value = {"x": xf, "zero": np.float32(0), "one": np.float32(1),
                  "minus_one": np.float32(-1), "exp": ex}
    if tails.get("small"):
        with np.errstate(over="ignore"):          # beyond the run: selected out
            sv = xf * np.float32(tails["small"]["scale"])
        out = np.where(np.abs(xf) < np.float32(tails["small"]["below"]), sv, out)
    if tails.get("high"):
        out = np.where(xf > np.float32(tails["high"]["above"]),
                       tail_value[tails["high"]["value"]], out)
    if tails.get("low"):
        out = np.where(xf < np.float32(tails["low"]["below"]),
                       tail_value[tails["low"]["value"]], out)
    return out


def _mpmath_gelu_bfloat16(x: np.ndarray) -> np.ndarray:
    """Correctly rounded GELU in bfloat16 at every x, by mpmath at 40 digits (its own
    loop, not the reference module's float64 fast path)."""
    import mpmath

    from approxfit.lowprec.reference import round_mpf

    f = get_format("bfloat16")
    with mpmath.workdps(40):
        return np.array([round_mpf(mpmath.mpf(v) * mpmath.ncdf(mpmath.mpf(v)), f)
                         for v in x.astype(np.float64)])


@pytest.mark.slow
def test_gelu_bfloat16_in_pieces_proven_and_rechecked_independently(tmp_path) -> None:
    """Issue 15's first goal: GELU in bfloat16 (float32 compute, no FMA) is proven
    correctly rounded — one piece is infeasible, so it comes in pieces; the saved spec,
    evaluated by independent float32 numpy code, matches mpmath on all 65 280 inputs."""
    import ml_dtypes

    out = tmp_path / "gelu.json"
    code, stdout, err = run_inprocess(["synthesize", "gelu", "--format", "bfloat16",
                                       "--save", str(out), "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["proven"] and doc["verify"]["incorrectly_rounded"] == 0
    assert doc["verify"]["inputs"] == 65280 and doc["pieces"] >= 2
    d = json.loads(out.read_text())["approximant"]
    bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    x = bits.view(ml_dtypes.bfloat16)
    x = x[np.isfinite(x.astype(np.float32))].astype(np.float64)
    got = _independent_float32(d, x).astype(ml_dtypes.bfloat16).astype(np.float64)
    ref = _mpmath_gelu_bfloat16(x)
    assert np.count_nonzero(got != ref) == 0           # −0 == +0, as verify counts them


@pytest.mark.slow
def test_gelu_bfloat16_fma_exported_c_is_the_proof_bit_for_bit(tmp_path) -> None:
    """With --fma: the winner exported to C (fmaf), compiled with gcc -O2
    -ffp-contract=off, returns on every finite bfloat16 input exactly the model's
    results (bit for bit) and those are mpmath's correctly rounded GELU."""
    import shutil
    import subprocess

    import ml_dtypes

    from approxfit.lowprec.export import export_code
    from approxfit.lowprec.model import run_program

    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc")
    r = synthesize("gelu", "bfloat16", fma=True)
    assert r.proven and r.verify is not None and r.verify.incorrectly_rounded == 0
    a = r.approximant
    assert a is not None
    exe = compile_c_filter(tmp_path, export_code(a, "c", "bfloat16", name="g",
                                                 max_error=0.0, fma=True), cc)
    bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    x = bits.view(ml_dtypes.bfloat16)
    x = x[np.isfinite(x.astype(np.float32))]
    run = subprocess.run([str(exe)], input=x.astype(np.float32).tobytes(),
                         capture_output=True, check=True)
    c = np.frombuffer(run.stdout, dtype=np.float32).astype(ml_dtypes.bfloat16)
    model, _ = run_program(a.program(), x, make_model("bfloat16", fma=True))
    assert c.size == x.size == 65280
    assert np.array_equal(c.view(np.uint16), model.view(np.uint16))
    ref = _mpmath_gelu_bfloat16(x.astype(np.float64))
    assert np.count_nonzero(c.astype(np.float64) != ref) == 0


def test_cut_positions_include_zero_and_skip_tiny_inputs() -> None:
    """Pieces may start at |x| ≥ 1/16 or at 0 (the first x ≥ 0): for GELU in float16
    the tiny inputs' two sides cannot share one polynomial (the LP on [−0.07, 0.07]
    is infeasible for odd-9 σ∘poly while each side alone is feasible)."""
    from approxfit.studies.synthesize import _cut_positions

    x = np.array([-1.0, -0.0625, -0.01, -1e-5, 0.0, 1e-5, 0.03, 0.0625, 2.0])
    assert _cut_positions(x).tolist() == [0, 1, 4, 7, 8]
    assert _cut_positions(np.array([1e-5, 0.5])).tolist() == [1]      # no negatives


@pytest.mark.slow
def test_float16_gelu_tiny_inputs_need_the_zero_break() -> None:
    from approxfit.studies.synthesize import Candidate, _feasible, _live

    pr = prepare(resolve_target("gelu"), make_model("float16"))
    cand = Candidate("sigmoid", (1, 3, 5, 7, 9), False, True, True)
    a, b, live = _live(pr, cand)
    idx = np.flatnonzero(live)
    x = pr.x64[idx]
    both = idx[np.abs(x) <= 0.07]
    assert not _feasible(pr, cand, a, b, both)
    assert _feasible(pr, cand, a, b, both[pr.x64[both] < 0])
    assert _feasible(pr, cand, a, b, both[pr.x64[both] > 0])


def _mpmath_bfloat16(fn, x: np.ndarray) -> np.ndarray:
    """``fn`` correctly rounded to bfloat16 at every x by mpmath at 40 digits (its own
    loop, not the reference module's float64 fast path)."""
    import mpmath

    from approxfit.lowprec.reference import round_mpf

    f = get_format("bfloat16")
    with mpmath.workdps(40):
        return np.array([round_mpf(fn(mpmath.mpf(v)), f) for v in x.astype(np.float64)])


def _bfloat16_inputs() -> np.ndarray:
    import ml_dtypes

    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    return x[np.isfinite(x.astype(np.float32))].astype(np.float64)


@pytest.mark.slow
def test_small_run_of_tanh_and_erf_bfloat16_is_exact_and_maximal() -> None:
    """The small run (tanh(x) = x, erf(x) = fl(c·x) near 0, c = 2/√π in float32) holds
    on every |x| < s by an mpmath count, and fails at s itself (so it is the longest
    run from 0); GELU (not odd) has none."""
    import ml_dtypes
    import mpmath

    model = make_model("bfloat16")
    xs = _bfloat16_inputs()
    for name, fn in (("tanh", mpmath.tanh), ("erf", mpmath.erf)):
        p = prepare(resolve_target(name), model)
        assert p.small is not None
        s, c = p.small
        assert c == float(np.float32(2 / math.sqrt(math.pi)) if name == "erf" else 1.0)
        inside = xs[np.abs(xs) <= s]
        lin = (np.float32(c) * inside.astype(np.float32)).astype(ml_dtypes.bfloat16)
        ref = _mpmath_bfloat16(fn, inside)
        ok = lin.astype(np.float64) == ref
        assert ok[np.abs(inside) < s].all()
        assert not ok[np.abs(inside) == s].all()          # s is the first failure
        assert not p.middle[np.abs(p.x64) < s].any()
    assert prepare(resolve_target("gelu"), model).small is None


def test_small_run_program_round_trip_and_cost() -> None:
    """The small run is a select on |x| − s (abs, sub, where_neg) plus the multiply
    when the slope is not 1; the spec round-trips; the float64 evaluation agrees."""
    a = PiecewiseApproximant("tanh", (1, 3), (1.0, -0.3), "erf", low=-2.0, high=2.0,
                             low_value="minus_one", high_value="one", small=0.01,
                             small_scale=1.125)
    b = approximant_from_dict(json.loads(json.dumps(a.to_dict())))
    assert b.to_dict() == a.to_dict() and b.small == 0.01 and b.small_scale == 1.125
    x = np.array([-3.0, -0.5, -0.005, 0.0, 0.0078125, 0.5, 3.0])
    from approxfit.lowprec.model import run_program

    got, _ = run_program(a.program(), x.astype(np.float32), make_model("float32",
                                                                       "float64"))
    want = np.where(np.abs(x) < 0.01, 1.125 * x, np.tanh(1.0 * x - 0.3 * x**3))
    want = np.where(x > 2, 1.0, np.where(x < -2, -1.0, want))
    # F = float32: the model rounds the float64 result once to float32 (2^-24 relative)
    assert np.allclose(got.astype(np.float64), want, rtol=2.0**-24, atol=0)
    assert np.allclose(a.kernel(x), want, rtol=1e-12, atol=0)
    ops = [s.op for s in a.program()]
    plain = replace(a, small=None)
    assert ops.count("abs") == 1 and ops.count("where_neg") == 3
    assert a.cost().total > plain.cost().total
    with pytest.raises(InputError, match="`small`"):
        replace(a, small=-1.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "erf"])
def test_tanh_and_erf_bfloat16_proven_and_rechecked_independently(tmp_path, name) -> None:
    """tanh and erf in bfloat16 (float32 compute, no FMA) proven correctly rounded; the
    saved spec, evaluated by independent float32 numpy code, matches mpmath at 40
    digits on all 65 280 inputs."""
    import ml_dtypes
    import mpmath

    out = tmp_path / f"{name}.json"
    code, stdout, err = run_inprocess(["synthesize", name, "--format", "bfloat16",
                                       "--save", str(out), "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["proven"] and doc["verify"]["incorrectly_rounded"] == 0
    assert doc["verify"]["inputs"] == 65280
    d = json.loads(out.read_text())["approximant"]
    x = _bfloat16_inputs()
    got = _independent_float32(d, x).astype(ml_dtypes.bfloat16).astype(np.float64)
    ref = _mpmath_bfloat16(getattr(mpmath, name), x)
    assert np.count_nonzero(got != ref) == 0           # −0 == +0, as verify counts them


@pytest.mark.slow
def test_softplus_bfloat16_proven_with_the_exp_tail(tmp_path) -> None:
    """softplus in bfloat16 (float32 compute, no FMA) is proven with the exp tail far
    left (log(1 + eˣ) rounds like eˣ there) and poly pieces; the saved spec, evaluated by
    independent float32 numpy code, matches mpmath at 40 digits on all 65 280 inputs."""
    import ml_dtypes
    import mpmath

    out = tmp_path / "softplus.json"
    code, stdout, err = run_inprocess(["synthesize", "softplus", "--format", "bfloat16",
                                       "--save", str(out), "--json"])
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["proven"] and doc["verify"]["incorrectly_rounded"] == 0
    assert doc["tails"]["low"]["value"] == "exp"
    d = json.loads(out.read_text())["approximant"]
    x = _bfloat16_inputs()
    got = _independent_float32(d, x).astype(ml_dtypes.bfloat16).astype(np.float64)
    ref = _mpmath_bfloat16(lambda v: mpmath.log1p(mpmath.exp(v)), x)
    assert np.count_nonzero(got != ref) == 0           # −0 == +0, as verify counts them


def test_exp_run_only_without_a_gate() -> None:
    """The exp run applies to softplus (no gate) and not to sigmoid (its σ family
    reaches the far left); in bfloat16 it holds on the 300 inputs just below its
    threshold L and fails at L, by a direct mpmath check of float32 exp rounded to F."""
    import ml_dtypes
    import mpmath

    from approxfit.lowprec.formats import finite_values
    from approxfit.lowprec.reference import round_mpf
    from approxfit.studies.synthesize import exp_run

    f = get_format("bfloat16")
    model = make_model("bfloat16")
    x = finite_values(f, 0, 200)                      # the 200 lowest inputs
    y = np.zeros(200).astype(f.dtype)
    assert exp_run(resolve_target("sigmoid"), model, x, y) is None
    p = prepare(resolve_target("softplus"), model)
    assert p.low is not None and p.low[1] == "exp"
    xs = _bfloat16_inputs()
    below = xs[xs < p.low[0]][-300:]                   # the 300 inputs nearest L
    got = np.exp(below).astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float64)
    with mpmath.workdps(40):
        ref = np.array([round_mpf(mpmath.log1p(mpmath.exp(mpmath.mpf(v))), f)
                        for v in below])
        at = round_mpf(mpmath.log1p(mpmath.exp(mpmath.mpf(p.low[0]))), f)
    assert np.array_equal(got, ref)
    assert float(np.float32(np.exp(p.low[0])).astype(ml_dtypes.bfloat16)) != at


def test_progress_counts_candidates_and_a_bad_callback_is_refused() -> None:
    calls: list[tuple[int, int]] = []
    r = synthesize("silu", "float8_e4m3fn", progress=lambda d, t: calls.append((d, t)))
    assert r.proven
    done = [d for d, _ in calls]
    assert done == list(range(len(calls))) and len({t for _, t in calls}) == 1
    assert 0 < len(calls) <= calls[0][1]       # the search may stop before the last one
    with pytest.raises(InputError, match="`progress`"):
        synthesize("silu", "float8_e4m3fn", progress="yes")


# -- the LP's conditioning, the breakpoint search, formats above 16 bits --------------------

def test_orthonormal_basis_spans_the_same_polynomials() -> None:
    """The feasibility LPs run on an orthonormal basis of the shape's columns: on a short
    interval away from 0 ([−5.4, −4.6], degree 8) the monomials are nearly collinear;
    the basis must reproduce every monomial column (least squares residual ~ rounding)
    and have orthonormal columns (QᵀQ = m·I), and drop an all-zero column (a sign split
    on inputs of one sign)."""
    from approxfit.studies.synthesize import _basis, _orthonormal

    x = np.linspace(-5.434, -4.59, 217)
    phi = _basis(x, tuple(range(1, 9)), False, 5.434)
    q, _, _ = _orthonormal(phi)
    m = x.size
    np.testing.assert_allclose(q.T @ q, m * np.eye(q.shape[1]), atol=1e-9 * m)
    coef, *_ = np.linalg.lstsq(q, phi, rcond=None)
    # the monomials reach 1 in size here; 1e-9 absolute is a million float64 ulps and
    # still far below the rounding intervals' half-widths (≥ 3e-8 in this region)
    np.testing.assert_allclose(q @ coef, phi, atol=1e-9)
    split = _basis(x, (1, 2), True, 5.434)          # x < 0 everywhere: one column is 0
    q2, _, cols2 = _orthonormal(split)
    assert q2.shape[1] == 3 and 1 not in cols2.tolist()


def test_feasibility_lp_on_a_short_far_interval_is_fast_and_right() -> None:
    """The degree-8 poly LP on GELU's float16 inputs in [−5.434, −4.59] (216 rows),
    which HiGHS did not finish in 200 s on monomials: answered (feasible) through the
    orthonormal basis, and the answer is checked by a least-squares-free test — the
    returned polynomial, evaluated in float64, lies in every row's interval."""
    from approxfit.studies.synthesize import (
        Candidate,
        _basis,
        _feasible,
        _live,
        _orthonormal,
        _solve_lp,
    )

    pr = prepare(resolve_target("gelu"), make_model("float16"))
    cand = Candidate("poly", tuple(range(1, 9)), False, True, False)
    a, b, live = _live(pr, cand)
    idx = np.flatnonzero(live)
    rows = idx[(pr.x64[idx] >= -5.434) & (pr.x64[idx] <= -4.59)]
    assert rows.size == 216
    assert _feasible(pr, cand, a, b, rows)
    q, _, _ = _orthonormal(_basis(pr.x64[rows], cand.powers, False, 5.434))
    w = (b[rows] - a[rows]) / 2
    sol = _solve_lp(q, a[rows], b[rows], w)
    assert sol is not None and sol[1] > 0
    p = q @ sol[0]
    # HiGHS's primal feasibility tolerance (1e-7, absolute): GELU's values here are
    # 1e-7 … 1e-5 and their intervals ~6e-8 wide, so the LP answers only to about the
    # intervals' own size — why breakpoints are a heuristic and every candidate is
    # re-checked exactly on every input
    assert np.all((p >= a[rows] - 1e-7) & (p <= b[rows] + 1e-7))


def test_galloping_finds_the_longest_feasible_runs() -> None:
    """piece_regions's runs are maximal: each run is feasible and adding its next
    breakpoint input makes it infeasible (the greedy choice a bisection over the whole
    rest also makes); silu in bfloat16, σ∘poly full-4 with tails, 8 pieces allowed."""
    from approxfit.studies.synthesize import (
        Candidate,
        _cut_positions,
        _feasible,
        _live,
        piece_regions,
    )

    pr = prepare(resolve_target("silu"), make_model("bfloat16"))
    cand = Candidate("sigmoid", (1, 2, 3, 4), False, True, False)
    regions = piece_regions(pr, cand, 8)
    assert regions is not None and len(regions) >= 2
    a, b, live = _live(pr, cand)
    idx = np.flatnonzero(live)
    for reg in regions:
        assert _feasible(pr, cand, a, b, reg)
    for reg, nxt in itertools.pairwise(regions):
        start = int(np.searchsorted(idx, reg[0]))
        cuts = _cut_positions(pr.x64[idx])
        end = int(np.searchsorted(idx, nxt[0]))
        later = cuts[cuts > end]
        if later.size:
            assert not _feasible(pr, cand, a, b, idx[start:later[0]])


def test_sample_is_only_for_formats_above_16_bits() -> None:
    with pytest.raises(InputError, match="give `sample` N"):
        synthesize("silu", "float32")
    with pytest.raises(InputError, match="`sample` applies to formats of more than 16"):
        synthesize("silu", "bfloat16", sample=5000)
    with pytest.raises(InputError, match="`sample` must be"):
        synthesize("silu", "float32", sample=10)
    code, _, err = run_inprocess(["synthesize", "silu", "--format", "float32"])
    assert code == 2 and "give --sample N" in err


def test_prepare_on_a_sample_keeps_the_sample() -> None:
    """prepare(sample=N) works on N evenly spread inputs of float32 (ascending, the
    first and last finite values included), with the tails found on them."""
    pr = prepare(resolve_target("gelu"), make_model("float32", "float64"), sample=4096)
    assert pr.x.size == 4096 and np.all(np.diff(pr.x64) >= 0)
    assert pr.x64[0] == -np.finfo(np.float32).max
    assert pr.low is not None and pr.high is not None
    assert pr.high[1] == "x"


@pytest.mark.slow
def test_rational_tanh_bfloat16_proven_and_rechecked_with_mpmath() -> None:
    """The rational family alone proves tanh in bfloat16 (one piece, ±1 tails, x near
    0): an odd p over an even Q.  Its results under the model (whose float32 arithmetic
    tests/test_piecewise_rational.py matches to compiled C bit for bit) are mpmath's
    correctly rounded tanh at 40 digits on all 65 280 inputs."""
    import mpmath

    from approxfit.lowprec.model import run_program

    r = synthesize("tanh", "bfloat16", families=("rational",), max_pieces=1)
    assert r.proven and r.approximant is not None
    a = r.approximant
    assert a.family == "rational" and a.den_powers and all(k % 2 == 0 for k in a.den_powers)
    assert r.winner is not None and r.winner.cost == a.cost().total
    x = _bfloat16_inputs()
    got, _ = run_program(a.program(), x.astype(get_format("bfloat16").dtype),
                         make_model("bfloat16"))
    ref = _mpmath_bfloat16(mpmath.tanh, x)
    assert np.count_nonzero(got.astype(np.float64) != ref) == 0


def test_rational_candidates_and_their_form() -> None:
    """Rational shapes: full/full up to denominator degree 4, and odd/even for an odd
    target (tanh) only; their form names both degrees; a rational is never split into
    pieces."""
    from approxfit.studies.synthesize import Candidate, _rational_shapes, candidates

    assert _rational_shapes(2, False) == [((1, 2), (1,)), ((1, 2), (1, 2))]
    assert ((1, 3, 5), (2, 4)) in _rational_shapes(5, True)
    assert all(len(q) <= 4 for _, q in _rational_shapes(9, True))
    assert Candidate("rational", (1, 3, 5), False, True, False, (2, 4)).form == (
        "rational odd-5/even-4, tails")
    pr = prepare(resolve_target("tanh"), make_model("float8_e4m3fn"))
    cands = [c for _, c in candidates(pr, ["rational", "tanh"], 3)]
    assert any(c.family == "rational" for c in cands)
    assert all(bool(c.den_powers) == (c.family == "rational") for c in cands)


def test_float32_search_on_a_sample_stops_after_one_exhaustive_check(monkeypatch) -> None:
    """float32 with ``sample``: the search runs on the sample and calls the exhaustive
    verify once (for the cheapest candidate right on the sample), then stops; the
    proof's own count is the result's.  The 4.3·10⁹-input verify (minutes) is replaced
    here by the real verify on 2^16 evenly spread inputs, which keeps the control flow
    and the document honest about what was checked."""
    import approxfit.studies.synthesize as syn
    from approxfit.lowprec.verify import verify as real_verify

    calls: list[dict] = []

    def small_verify(approx, target, fmt, **kw):
        calls.append(kw)
        return real_verify(approx, target, fmt, compute=kw.get("compute"),
                           fma=kw.get("fma", False), sample=2**16, executor="serial")

    monkeypatch.setattr(syn, "verify", small_verify)
    # tanh(c·x) with c = 1 is right on any sample: the proof is reached at once
    r = syn.synthesize("tanh", "float32", compute="float64", sample=2**14, max_degree=1,
                       max_pieces=1, families=("tanh",))
    assert len(calls) == 1 and calls[0]["executor"] == "local"
    assert r.verify is not None and r.verify.inputs == 2**16
    assert r.notes and "evenly spread float32 inputs" in r.notes[0]
    doc = r.to_dict()
    if r.proven:
        assert doc["incorrectly_rounded"] == 0 == r.verify.incorrectly_rounded
    else:
        assert doc["incorrectly_rounded"] == r.verify.incorrectly_rounded > 0
        assert "not proven" in r.notes[-1]
    assert doc["lookup_table"]["bytes"] == 4 * 2**32


def test_save_says_what_it_wrote(tmp_path) -> None:
    """--save writes the spec into a folder created if missing and names it on stderr
    (one `wrote PATH` line, as every command that writes does)."""
    out = tmp_path / "new" / "t8.json"
    code, _, err = run_inprocess(["synthesize", "tanh", "--format", "float8_e4m3fn",
                                  "--save", str(out)])
    assert code == 0 and out.exists()
    assert f"wrote {out}" in err
    assert approximant_from_dict(json.loads(out.read_text())["approximant"]).target_name == (
        "tanh")
