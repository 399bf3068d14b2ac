"""Piecewise fits (issue 17, item 2): a form per piece in :class:`PiecewiseApproximant`,
:func:`fit_piecewise` (given or optimal breakpoints, exact tails) and PUMA's GELU.

Every number is checked against an independent reference written out here: numpy
formulas of each piece, scipy's erfc, mpmath, a closed form of the best linear
approximation of exp, a compiled C program.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import ml_dtypes
import mpmath
import numpy as np
import pytest
from scipy.special import erfc

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import InputError
from approxfit.core.targets import custom_target
from approxfit.fitting.piecewise_fit import fit_piecewise
from approxfit.lowprec.emulate import evaluate_steps
from approxfit.lowprec.export import export_code
from approxfit.lowprec.model import make_model, run_program
from approxfit.lowprec.verify import verify
from tests.helpers import compile_c_filter, run_inprocess

# PUMA's GELU as published (secretflow/spu, examples/python/ml, `hack_gelu`; Dong et
# al. 2023): 0 below −4, a cubic on [−4, −1.95), an even-plus-linear sextic on
# [−1.95, 3], x above 3.
PUMA_A = (-0.5054031199708174, -0.42226581151983866, -0.11807612951181953,
          -0.011034134030615728)
PUMA_B = (0.008526321541038084, 0.5, 0.3603292692789629, 0.0, -0.037688200365904236, 0.0,
          0.0018067462606141187)
PUMA = PiecewiseApproximant(
    "poly", (1, 2, 3), PUMA_A[1:], "gelu", c0_neg=PUMA_A[0], c0_pos=PUMA_A[0],
    low=-4.0, high=3.0, low_value="zero", high_value="x", breaks=(-1.95,),
    more=((PUMA_B[0], PUMA_B[0], *PUMA_B[1:]),), forms=(("poly", (1, 2, 3, 4, 5, 6), ()),),
    name="puma-gelu")
# Three pieces of three forms (values of no claimed accuracy: the tests check which
# piece is used and that every path computes the same thing).
MIXED = PiecewiseApproximant(
    "poly", (1, 2), (0.1, 0.02), "gelu", c0_neg=-0.2, c0_pos=-0.2, breaks=(-1.0, 1.0),
    more=((0.0, 0.0, 0.5, 0.3, 0.1), (0.0, 0.0, 1.7, 0.04)),
    forms=(("rational", (1, 2), (2,)), ("sigmoid", (1, 3), ())), low=-5.0, high=4.0)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * erfc(-x / math.sqrt(2.0))


def _numpy_mixed(x: np.ndarray) -> np.ndarray:
    """MIXED written out by hand."""
    p0 = -0.2 + 0.1 * x + 0.02 * x**2
    p1 = (0.5 * x + 0.3 * x**2) / (1.0 + 0.1 * x**2)
    p2 = x / (1.0 + np.exp(-(1.7 * x + 0.04 * x**3)))
    v = np.where(x < -1.0, p0, np.where(x < 1.0, p1, p2))
    return np.where(x < -5.0, 0.0, np.where(x > 4.0, x, v))


def _bfloat16_inputs() -> np.ndarray:
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    return x[np.isfinite(x.astype(np.float32))]


# -- the kind: a form per piece -------------------------------------------------------------
def test_mixed_kernel_and_program_equal_a_hand_written_formula() -> None:
    x = np.linspace(-7.0, 7.0, 14001)
    with np.errstate(over="ignore"):
        want = _numpy_mixed(x)
    assert np.allclose(MIXED.evaluate(x), want, rtol=1e-14, atol=1e-15)
    got = evaluate_steps(MIXED.program(on="value"), x, "float64")
    assert np.allclose(got, want, rtol=1e-14, atol=1e-15)
    assert {s.op for s in MIXED.program()} <= set(__import__(
        "approxfit.approximants.program", fromlist=["OPS"]).OPS)


def test_mixed_round_trip_describe_and_coefficients() -> None:
    d = MIXED.to_dict()
    back = approximant_from_dict(json.loads(json.dumps(d)))
    assert back.to_dict() == d and back.forms == MIXED.forms
    text = MIXED.describe()
    assert "p/Q" in text and "σ(p)" in text and "-1 ≤ x < 1" in text
    c = MIXED.coefficients
    assert c["p1_e2"] == 0.1 and c["p2_c3"] == 0.04 and "p2_e2" not in c
    moved = MIXED.with_coefficients({"p2_c3": 0.05})
    assert moved.more[1] == (0.0, 0.0, 1.7, 0.05) and moved.forms == MIXED.forms


def test_forms_equal_to_piece_zero_give_todays_program_bit_for_bit() -> None:
    plain = PiecewiseApproximant("poly", (1, 3), (0.5, 0.01), "gelu", breaks=(0.5,),
                                 more=((0.0, 0.1, 0.4, 0.02),), low=-4.0)
    same = PiecewiseApproximant("poly", (1, 3), (0.5, 0.01), "gelu", breaks=(0.5,),
                                more=((0.0, 0.1, 0.4, 0.02),), low=-4.0,
                                forms=(("poly", (1, 3), ()),))
    assert same.forms == () and same.program() == plain.program()
    assert same.to_dict() == plain.to_dict()


def test_cost_counts_every_piece_and_the_selects() -> None:
    # PUMA: Horner of degree 3 (3 mul, 3 add) and of degree 6 in x (6 mul; an add per
    # non-zero c4, c2, c1, c0: 4, PUMA's c3 = c5 = 0 add nothing), the break's sub and
    # the tails' two subs (3 adds), three where_neg.
    c = PUMA.cost()
    assert (c.multiplies, c.adds, c.compares) == (9, 10, 3)


@pytest.mark.parametrize(("bad", "name"), [
    ({"forms": (("poly", (1,), ()),)}, "`more`"),          # row width of its own form
    ({"forms": (("cubic", (1, 2, 3, 4, 5, 6), ()),)}, "`forms`"),
    ({"forms": (("poly", (1, 2, 3, 4, 5, 6), ()), ("poly", (1,), ()))}, "`forms`"),
])
def test_bad_forms_are_refused_naming_the_field(bad, name) -> None:
    kw = {"c0_neg": PUMA.c0_neg, "c0_pos": PUMA.c0_pos, "breaks": PUMA.breaks,
          "more": PUMA.more, **bad}
    with pytest.raises(InputError, match=name):
        PiecewiseApproximant("poly", (1, 2, 3), PUMA_A[1:], "gelu", **kw)


def test_a_gated_piece_needs_a_target_with_a_gate() -> None:
    t = custom_target("cube", "x**3")
    with pytest.raises(InputError, match="no gate"):
        PiecewiseApproximant("poly", (1,), (1.0,), t, breaks=(0.0,), more=((0, 0, 1.0),),
                             forms=(("sigmoid", (1,), ()),))


@pytest.mark.parametrize("a", [PUMA, MIXED], ids=["puma", "three-forms"])
@pytest.mark.parametrize("fma", [False, True])
def test_exported_c_equals_the_model_bit_for_bit(tmp_path, a, fma) -> None:
    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc")
    exe = compile_c_filter(tmp_path, export_code(a, "c", "bfloat16", name="g", max_error=0.0,
                                         fma=fma), cc)
    x = _bfloat16_inputs()
    run = subprocess.run([str(exe)], input=x.astype(np.float32).tobytes(),
                         capture_output=True, check=True)
    c = np.frombuffer(run.stdout, dtype=np.float32).astype(ml_dtypes.bfloat16)
    model = run_program(a.program(), x, make_model("bfloat16", fma=fma))[0]
    assert c.size == x.size == 65280
    assert np.array_equal(c.view(np.uint16), model.view(np.uint16))


@pytest.mark.parametrize("to", ["numpy", "torch"])
def test_exported_python_equals_the_model_bit_for_bit(to) -> None:
    if to == "torch":
        torch = pytest.importorskip("torch")
    space: dict = {}
    exec(compile(export_code(MIXED, to, "bfloat16", name="g", max_error=0.0), "<export>",
                 "exec"), space)                          # our own exported code
    x = _bfloat16_inputs()
    xf = x.astype(np.float32)
    with np.errstate(all="ignore"):
        y = space["g"](xf if to == "numpy" else torch.from_numpy(xf))
    y = np.asarray(y if to == "numpy" else y.float().numpy(), dtype=np.float32)
    model = run_program(MIXED.program(), x, make_model("bfloat16"))[0]
    assert np.array_equal(y.astype(ml_dtypes.bfloat16).view(np.uint16),
                          model.view(np.uint16))


def test_verify_counts_what_an_independent_reference_counts() -> None:
    x = _bfloat16_inputs()
    r = verify(PUMA, "gelu", "bfloat16")
    assert r.inputs == 65280
    # GELU in float64 (scipy's erfc, relative error ~1e-16) rounded once to bfloat16:
    # a double rounding could differ only within 1e-16 of a midpoint of 8-bit values.
    xf = x.astype(np.float64)
    with np.errstate(all="ignore"):
        ref = _gelu(xf).astype(ml_dtypes.bfloat16).astype(np.float64)
    model = run_program(PUMA.program(), x, make_model("bfloat16"))[0].astype(np.float64)
    assert r.incorrectly_rounded == int(np.count_nonzero(model != ref))


def test_report_measures_a_saved_mixed_spec(tmp_path) -> None:
    f = tmp_path / "puma.json"
    f.write_text(json.dumps({"approximant": PUMA.to_dict()}))
    code, out, err = run_inprocess(["report", str(f), "--target", "gelu", "--json"])
    assert code == 0, err
    rows = json.loads(out)
    row = rows["rows"][0]
    x = np.arange(-10.0, 10.0, 0.01)
    want = float(np.max(np.abs(PUMA.evaluate(x) - _gelu(x))))
    # the report's samples are these; its refinement between them may only add
    got = row["metrics"]["value"]["max_abs_error"]
    assert want * (1 - 1e-9) <= got < want * 1.05
    assert 0.019 < want < 0.021                 # PUMA's jump at x = 3


# -- PUMA's GELU --------------------------------------------------------------------------
def _mp_gelu_error(a: PiecewiseApproximant, x: np.ndarray) -> float:
    """max |a(x) − GELU(x)| over ``x``, GELU by mpmath at 30 digits."""
    mpmath.mp.dps = 30
    v = a.evaluate(x)
    return max(abs(float(mpmath.mpf(float(vi)) - xi / 2 * mpmath.erfc(-xi / mpmath.sqrt(2))))
               for xi, vi in zip(x.tolist(), v.tolist(), strict=True))


def test_puma_pieces_fitted_minimax_against_mpmath_and_puma_own() -> None:
    r = fit_piecewise("gelu", pieces=2, degree=[3, 6], range_=(-10, 10),
                      breakpoints=[-1.95], low_tail=("zero", -4.0), high_tail=("x", 3.0))
    assert r.converged and r.breakpoints == (-1.95,)
    # mpmath on a grid of the range dense near the pieces (step 1e-3 on [−4.5, 3.5])
    x = np.concatenate([np.linspace(-10, -4.5, 551), np.linspace(-4.5, 3.5, 8001),
                        np.linspace(3.5, 10, 651)])
    mine = _mp_gelu_error(r.approximant, x)
    assert mine == pytest.approx(r.max_error, rel=1e-3)  # the sampled max ≤ the refined
    assert 0.0074 < mine < 0.0076                        # the sextic on [−1.95, 3] rules
    puma = _mp_gelu_error(PUMA, x)
    # PUMA's coefficients: about 2e-2 (issue 17): the jump at x = 3 (0.0199 by report)
    assert 0.015 < puma < 0.025
    assert mine < puma / 2


# -- the breakpoint search ----------------------------------------------------------------
def _best_line_error(u: float, v: float) -> float:
    """The minimax error of the best line for exp on [u, v] (closed form, convexity):
    half the gap between the chord and exp at the point of tangency ξ = log(slope)."""
    s = (math.exp(v) - math.exp(u)) / (v - u)
    xi = math.log(s)
    return (math.exp(u) + s * (xi - u) - math.exp(xi)) / 2


@pytest.mark.slow  # 3-4 s: 200,001 candidate breakpoints
def test_two_lines_for_exp_match_a_brute_force_breakpoint() -> None:
    t = custom_target("e", "exp(x)")
    r = fit_piecewise(t, pieces=2, degree=1, range_=(0.0, 2.0))
    grid = np.linspace(1e-4, 2 - 1e-4, 200_001)      # every breakpoint, step 1e-5
    worst = [max(_best_line_error(0.0, b), _best_line_error(b, 2.0)) for b in grid]
    i = int(np.argmin(worst))
    # the search's ε bracket is EPS_RATIO = 1e-4; the grid's step costs less than that
    assert r.max_error == pytest.approx(worst[i], rel=3e-4)
    assert r.breakpoints[0] == pytest.approx(grid[i], abs=1e-3)
    assert r.piece_errors[0] == pytest.approx(_best_line_error(0, r.breakpoints[0]), rel=1e-6)
    assert r.balance > 1 - 1e-3 and r.converged


def test_auto_tails_sit_where_the_tail_error_reaches_the_pieces() -> None:
    r = fit_piecewise("gelu", pieces=1, degree=4, range_=(-8.0, 8.0),
                      low_tail=("zero", "auto"), high_tail=("x", "auto"))
    lo, hi = r.tails["low"]["threshold"], r.tails["high"]["threshold"]
    eps = r.piece_errors[0]
    # |GELU| and |GELU − x| = x·Φ(−x) (closed forms by erfc) at the thresholds: ≈ ε
    assert abs(_gelu(np.array([lo]))[0]) == pytest.approx(eps, rel=2e-2)
    assert abs(hi - _gelu(np.array([hi]))[0]) == pytest.approx(eps, rel=2e-2)
    assert r.max_error == pytest.approx(eps, rel=2e-2) and r.whole_line_error <= r.max_error


# -- the command line ---------------------------------------------------------------------
def test_cli_piecewise_fit_prints_and_saves(tmp_path) -> None:
    f = tmp_path / "p.json"
    code, out, err = run_inprocess([
        "fit", "gelu", "piecewise", "--objective", "minimax", "--pieces", "2",
        "--degrees", "3,6", "--breakpoints=-1.95", "--low-tail", "zero", "--low=-4",
        "--high-tail", "x", "--high", "3", "--save", str(f)])
    assert code == 0, err
    assert "piece 1: [-1.95, 3]" in out and "max error on the range: 0.0075" in out
    back = approximant_from_dict(json.loads(f.read_text())["approximant"])
    assert back.forms == (("poly", (1, 2, 3, 4, 5, 6), ()),) and back.low == -4.0


@pytest.mark.parametrize(("args", "flag"), [
    (["--pieces", "2", "--breakpoints", "1,2"], "--breakpoints"),
    (["--pieces", "3", "--families", "poly,rational"], "--families"),
    (["--families", "cubic"], "--families"),
    (["--degrees", "3,x"], "--degrees"),
    (["--low-tail", "zero", "--low", "abc"], "--low"),
    (["--low-tail", "zero", "--low=-20"], "--low-tail"),
    (["--pieces", "0"], "--pieces"),
    (["--pieces", "2", "--breakpoints=5,1"], "--breakpoints"),
])
def test_cli_bad_input_exits_2_with_one_line(args, flag) -> None:
    proc = subprocess.run([sys.executable, "-m", "approxfit", "fit", "gelu", "piecewise",
                           "--objective", "minimax", *args], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("approxfit: error:") and flag in lines[0]


def test_cli_piecewise_needs_minimax() -> None:
    code, _, err = run_inprocess(["fit", "gelu", "piecewise"])
    assert code == 2 and "--objective must be minimax" in err
