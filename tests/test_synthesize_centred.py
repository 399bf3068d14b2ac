"""The centred shapes of ``synthesize`` (``--centred``): pieces in ``x − m``, LPs with
rows scaled by their widths, intervals widened by C's last rounding, the constant
rounded first — what proves softplus in float16."""

from __future__ import annotations

import json

import numpy as np
import pytest

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.targets import resolve_target
from approxfit.lowprec.formats import get_format
from approxfit.lowprec.model import make_model, run_program
from approxfit.studies import synthesize as S
from tests.helpers import run_inprocess


@pytest.fixture(scope="module")
def softplus16() -> S.Problem:
    return S.prepare(resolve_target("softplus"), make_model("float16", "float32", False))


def _cand(deg: int) -> S.Candidate:
    return S.Candidate("poly", tuple(range(1, deg + 1)), False, True, False, centred=True)


def test_width_scaled_lp_reports_the_slack_it_achieves(softplus16: S.Problem) -> None:
    """On softplus's float16 piece [−10.16, −6.72] (results 4e-5 … 1e-3, intervals
    down to 6e-8 wide) the LP's optimum t must be the slack its solution really has:
    checked against the rows themselves.  Unscaled, HiGHS's absolute 1e-7 tolerance
    let a solution claim t > 0 with rows violated by 0.7 half-widths; this piece is
    in fact infeasible for degree 6."""
    cand = _cand(6)
    a_all, b_all, live = S._live(softplus16, cand)
    x = softplus16.x64
    idx = np.flatnonzero(live & (x >= -10.15625) & (x <= -6.72265625))
    a, b = a_all[idx], b_all[idx]
    w = (b - a) / 2
    xs = x[idx]
    m = float(xs[np.argmin(np.abs(xs - 0.5 * (xs[0] + xs[-1])))])
    phi = S._basis(xs, cand.powers, False, float(np.max(np.abs(xs - m))), m)
    sol = S._solve_lp(phi, a, b, w, by_width=True)
    assert sol is not None
    p = phi @ sol[0]
    true_slack = float(np.min(np.minimum(p - a, b - p) / w))
    assert true_slack == pytest.approx(sol[1], abs=1e-6)   # HiGHS's tolerance, in half-widths
    assert sol[1] < 0


def test_widened_intervals_still_round_into_the_original(softplus16: S.Problem) -> None:
    """A centred poly's p intervals grow by just under half a float32 unit on each side
    (its last add rounds the real p to float32 once): every widened bound still rounds
    to the original bound in float32 (numpy's rounding, independent of the code)."""
    a0, b0 = S.p_intervals(softplus16, "poly", False)
    a1, b1, live = S._live(softplus16, _cand(4))
    fa = live & np.isfinite(a0)
    fb = live & np.isfinite(b0)
    assert np.all(a1[fa] < a0[fa]) and np.all(b1[fb] > b0[fb])
    assert np.array_equal(a1[fa].astype(np.float32).astype(float), a0[fa])
    assert np.array_equal(b1[fb].astype(np.float32).astype(float), b0[fb])
    a2, b2, _ = S._live(softplus16, S.Candidate("poly", (1, 2, 3, 4), False, True, False))
    assert np.array_equal(a2[fa], a0[fa]) and np.array_equal(b2[fb], b0[fb])  # unchanged


def test_float32_neighbours() -> None:
    got = S._float32_neighbours(np.array([0.1]))
    lo, hi = sorted(float(g[0]) for g in got)
    assert lo < 0.1 < hi and np.float32(lo) == lo and np.float32(hi) == hi
    assert np.nextafter(np.float32(lo), np.float32(1)) == np.float32(hi)
    assert abs(float(got[0][0]) - 0.1) <= abs(float(got[1][0]) - 0.1)   # nearest first
    assert len(S._float32_neighbours(np.array([0.5]))) == 1             # exact: itself


def _centred_example() -> PiecewiseApproximant:
    return PiecewiseApproximant(
        "poly", (1, 2, 3), (0.25, -0.125, 0.0625), "softplus", c0_neg=0.5, c0_pos=0.5,
        breaks=(0.0,), more=((0.75, 0.75, 0.5, 0.125, -0.03125),), centres=(-2.0, 2.0))


def test_centred_program_against_a_hand_evaluation() -> None:
    """The program of a centred two-piece poly, run in float32 on every float16 input of
    [−4, 4], equals Horner in t = x − m written out in numpy float32."""
    a = _centred_example()
    f = get_format("float16")
    x16 = np.arange(-4, 4, 2.0**-8).astype(np.float16)
    res, _ = run_program(a.program(), x16, make_model("float16", "float32", False))
    x = x16.astype(np.float32)
    neg = x < 0
    m = np.where(neg, np.float32(-2.0), np.float32(2.0))
    t = (x - m).astype(np.float32)
    c = [np.where(neg, np.float32(v0), np.float32(v1)) for v0, v1 in
         zip((0.5, 0.25, -0.125, 0.0625), (0.75, 0.5, 0.125, -0.03125), strict=True)]
    acc = c[3]
    for k in (2, 1):
        acc = (acc * t).astype(np.float32) + c[k]
    want = ((acc * t).astype(np.float32) + c[0]).astype(np.float16)
    assert f.name == "float16"
    assert np.array_equal(np.asarray(res, dtype=np.float16), want)
    # float64: the kernel is the same polynomial in x − m
    xs = np.linspace(-4, 4, 101)
    t64 = xs - np.where(xs < 0, -2.0, 2.0)
    k64 = np.where(xs < 0, 0.5 + 0.25 * t64 - 0.125 * t64**2 + 0.0625 * t64**3,
                   0.75 + 0.5 * t64 + 0.125 * t64**2 - 0.03125 * t64**3)
    np.testing.assert_allclose(a.kernel(xs), k64, rtol=1e-14, atol=1e-15)


def test_centred_spec_round_trip_and_text() -> None:
    a = _centred_example()
    d = a.to_dict()
    assert d["centres"] == [-2.0, 2.0]
    b = approximant_from_dict(json.loads(json.dumps(d)))
    assert b.to_dict() == d and b.centres == a.centres
    assert "t = x − m" in a.describe()
    assert a.cost().total > PiecewiseApproximant(
        "poly", (1, 2, 3), (0.25, -0.125, 0.0625), "softplus", c0_neg=0.5, c0_pos=0.5,
        breaks=(0.0,), more=((0.75, 0.75, 0.5, 0.125, -0.03125),)).cost().total


def test_cli_centred_candidates_and_refusal() -> None:
    code, out, _ = run_inprocess(["synthesize", "softplus", "--format", "float8_e4m3fn",
                                  "--centred", "--json"])
    assert code == 0
    doc = json.loads(out)
    assert doc["proven"] is True
    code, out, _ = run_inprocess(["synthesize", "softplus", "--format", "float8_e4m3fn",
                                  "--json"])
    assert code == 0
    assert not any("centred" in c["form"] for c in json.loads(out)["candidates"])
    with pytest.raises(Exception, match="centred"):
        S.synthesize("softplus", "float8_e4m3fn", centred="yes")


@pytest.mark.slow
def test_softplus_float16_centred_pieces_are_proven(softplus16: S.Problem) -> None:
    """The shape that proves softplus in float16 without FMA (degree 6, centred,
    tails): in pieces, every input correct by an exhaustive verify (~30 s)."""
    from approxfit.lowprec.verify import verify

    ap, bad, outcome = S.solve_pieces(softplus16, _cand(6), 16)
    assert outcome == "candidate" and bad == 0 and ap is not None
    r = verify(ap, "softplus", "float16", compute="float32", fma=False, executor="serial")
    assert r.incorrectly_rounded == 0
