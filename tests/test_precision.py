"""Low precision: rounding, ULPs, evaluation in a format, precision rows, coefficient rounding.

Every check is against an independent reference: numpy's and ml_dtypes' own
format descriptions and conversions, a brute-force nearest-neighbour search over
all bfloat16 numbers, exact rational arithmetic (``fractions``), hand-written
float32/bfloat16 evaluations of the paper's formula, and mpmath.
"""

from __future__ import annotations

import math
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.program import Step
from approxfit.approximants.published import PUBLISHED, get_published
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_in_format, evaluate_steps
from approxfit.lowprec.formats import (
    DTYPES,
    FORMATS,
    format_grid,
    get_format,
    round_to_format,
    step_ulps,
    ulp,
)
from approxfit.lowprec.rounding import (
    coefficient_rounding,
    reoptimise_rounded,
    round_coefficients,
    rounding_text,
)
from approxfit.lowprec.tables import (
    ULP_BIN_EDGES,
    precision_markdown,
    precision_rows,
    precision_text,
    ulp_histogram,
)

BF16 = ml_dtypes.bfloat16
SEED_GRID = np.arange(-10, 10, 0.01)  # the seed's grid (README, report)


def all_bfloat16() -> np.ndarray:
    """Every finite bfloat16 number, ascending, as float64 (−0 dropped)."""
    with np.errstate(invalid="ignore"):  # the NaN patterns
        v = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(BF16).astype(np.float64)
    v = v[np.isfinite(v)]
    return np.unique(v + 0.0)


# -- formats, rounding, ULPs ------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPES)
def test_format_constants_match_numpy_and_ml_dtypes(name):
    fmt = FORMATS[name]
    info = ml_dtypes.finfo(BF16) if name == "bfloat16" else np.finfo(np.dtype(name))
    assert fmt.eps == float(info.eps)
    assert fmt.max == float(info.max)
    assert fmt.smallest_normal == float(info.smallest_normal)
    assert fmt.smallest_subnormal == float(info.smallest_subnormal)
    assert fmt.dtype.itemsize * 8 == fmt.bits


def test_get_format_rejects_unknown_names():
    with pytest.raises(InputError, match=r"unknown dtype 'bfloat'.*did you mean 'bfloat16'"):
        get_format("bfloat")


def test_round_to_float16_matches_numpy():
    # numpy converts float64 to float16 directly and correctly (round to nearest even)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200_000) * np.exp(rng.uniform(-25, 12, 200_000))
    with np.errstate(over="ignore"):
        expected = x.astype(np.float16).astype(np.float64)
    np.testing.assert_array_equal(round_to_format(x, "float16"), expected)


def test_round_to_bfloat16_is_the_nearest_number_ties_to_even():
    # Brute force: the nearest of all bfloat16 numbers; on a tie, the one whose last
    # significand bit is 0.  Includes exact ties and subnormals.
    allv = all_bfloat16()
    rng = np.random.default_rng(1)
    x = np.concatenate([
        rng.standard_normal(20_000) * np.exp(rng.uniform(-90, 80, 20_000)),
        (allv[:-1] + allv[1:]) / 2,  # every midpoint: a tie
        rng.uniform(-1e-38, 1e-38, 2000),  # subnormal range
    ])
    x = x[np.abs(x) < allv[-1]]
    i = np.clip(np.searchsorted(allv, x), 1, allv.size - 1)
    lo, hi = allv[i - 1], allv[i]
    dlo, dhi = x - lo, hi - x
    hi_even = (hi.astype(BF16).view(np.uint16) & 1) == 0
    expected = np.where(dlo < dhi, lo, np.where(dhi < dlo, hi, np.where(hi_even, hi, lo)))
    got = round_to_format(x, "bfloat16")
    np.testing.assert_array_equal(np.abs(got), np.abs(expected))


def test_round_to_bfloat16_avoids_double_rounding():
    # 1 + 2^-8 + 2^-30 lies just above the midpoint between 1 and 1 + 2^-7; through
    # float32 (as older ml_dtypes converted float64) it becomes the midpoint and rounds
    # to 1.
    x = 1 + 2.0**-8 + 2.0**-30
    assert float(round_to_format(x, "bfloat16")) == 1 + 2.0**-7
    assert float(np.float32(x).astype(BF16)) == 1.0  # the double rounding we avoid


def test_round_to_format_overflows_like_ieee():
    f16 = FORMATS["float16"]
    half_ulp = float(ulp(f16.max, "float16")) / 2
    assert float(round_to_format(f16.max + 0.99 * half_ulp, "float16")) == f16.max
    assert math.isinf(float(round_to_format(f16.max + half_ulp, "float16")))  # tie → even


def test_ulp_known_values():
    assert float(ulp(1.0, "float32")) == 2.0**-23
    assert float(ulp(1.0, "bfloat16")) == 2.0**-7
    assert float(ulp(1.0, "float16")) == 2.0**-10
    assert float(ulp(1.0, "float64")) == 2.0**-52
    # at 0 and below the normal range: the subnormal spacing
    assert float(ulp(0.0, "float16")) == 2.0**-24
    assert float(ulp(1e-45, "float32")) == 2.0**-149
    assert float(ulp(1e-40, "bfloat16")) == 2.0**-133
    # a value that rounds up into the next binade takes that binade's ulp
    assert float(ulp(2 - 2.0**-12, "float16")) == 2.0**-9


@pytest.mark.parametrize("name", ["float32", "float16"])
def test_ulp_matches_numpy_spacing(name):
    # numpy.spacing(v) is the distance from |v| to the next larger number: the ulp of
    # v's binade (v representable).
    rng = np.random.default_rng(2)
    v = (rng.standard_normal(10_000) * np.exp(rng.uniform(-12, 8, 10_000))).astype(name)
    np.testing.assert_array_equal(ulp(v.astype(np.float64), name),
                                  np.spacing(np.abs(v)).astype(np.float64))


def test_step_ulps_crosses_zero_and_binades():
    assert float(step_ulps(1.0, 1, "bfloat16")) == 1 + 2.0**-7
    assert float(step_ulps(1.0, -1, "bfloat16")) == 1 - 2.0**-8
    assert float(step_ulps(0.0, -1, "float16")) == -(2.0**-24)
    assert float(step_ulps(2.0**-24, -2, "float16")) == -(2.0**-24)
    np.testing.assert_array_equal(step_ulps([1.5, -1.5], [2, 2], "float32"),
                                  [1.5 + 2 * 2.0**-23, -1.5 + 2 * 2.0**-23])


def test_format_grid_is_every_number_of_a_half_format():
    # bfloat16(10) has the bit pattern 0x4120: 0x4120 positive numbers up to 10, as many
    # negative ones, and zero.
    g = format_grid("bfloat16", -10, 10)
    assert g.size == 2 * 0x4120 + 1
    assert g[0] == -10 and g[-1] == 10 and np.all(np.diff(g) > 0)
    assert np.array_equal(g, round_to_format(g, "bfloat16"))
    g32 = format_grid("float32", -10, 10, max_points=2001)
    assert g32.size == 2001
    with pytest.raises(InputError, match="`lo` and `hi` must be finite with `lo` < `hi`"):
        format_grid("float16", 1, -1)


# -- evaluation in a format ------------------------------------------------------------

def paper_tanh_float32_by_hand(x: np.ndarray) -> np.ndarray:
    """½x(1 + tanh(x·(c1 + c3·x²))) with every operation in numpy float32."""
    f = np.float32
    c1 = f(math.sqrt(2 / math.pi))
    c3 = f(math.sqrt(2 / math.pi) * 0.044715)
    x = x.astype(f)
    p = x * (c3 * (x * x) + c1)
    t = np.tanh(p.astype(np.float64)).astype(f)  # correctly rounded float32 tanh
    return ((f(0.5) * x) * (f(1) + t)).astype(np.float64)


def test_float32_evaluation_is_the_formula_in_float32():
    x = format_grid("float32", -10, 10, max_points=20_001)
    got = evaluate_in_format(get_published("paper-tanh"), x, "float32")
    np.testing.assert_array_equal(got, paper_tanh_float32_by_hand(x))


def test_bfloat16_evaluation_rounds_every_operation():
    # The same formula with ml_dtypes' bfloat16 arithmetic (each ufunc computes in
    # float32 and rounds to bfloat16) and tanh computed in float32, rounded.
    x = format_grid("bfloat16", -10, 10)
    b = BF16
    c1 = np.array(math.sqrt(2 / math.pi), dtype=np.float32).astype(b)
    c3 = np.array(math.sqrt(2 / math.pi) * 0.044715, dtype=np.float32).astype(b)
    xb = x.astype(np.float32).astype(b)
    p = xb * (c3 * (xb * xb) + c1)
    t = np.tanh(p.astype(np.float64)).astype(np.float32).astype(b)
    expected = ((np.array(0.5, b) * xb) * (np.array(1, b) + t)).astype(np.float64)
    got = evaluate_in_format(get_published("paper-tanh"), x, "bfloat16")
    np.testing.assert_array_equal(got, expected)


def test_fused_half_evaluation_is_float32_rounded_once():
    x = format_grid("bfloat16", -10, 10)
    a = get_published("paper-tanh")
    fused = evaluate_in_format(a, x, "bfloat16", opmath="float32")
    expected = paper_tanh_float32_by_hand(x).astype(np.float32).astype(BF16)
    np.testing.assert_array_equal(fused, expected.astype(np.float64))


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_float64_program_matches_the_approximant(name):
    # The operation-level program in float64 is the approximant's own numpy form.
    # Sigmoid gate form: no cancellation, so a relative tolerance of 1e-13 holds
    # everywhere (the numpy form computes σ(2p) too).
    a = get_published(name)
    x = np.linspace(-10, 10, 4001)
    for on in ("value", "gate") if a.target_obj.has_gate else ("value",):   # exp2: no gate
        got = evaluate_in_format(a, x, "float64", on=on, gate_form="sigmoid")
        ref = a.evaluate(x, on=on)
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-300, err_msg=f"{name} {on}")


def test_half_operations_are_correctly_rounded():
    # x·c, x + c and c / x in bfloat16 and float16 against exact rationals rounded once
    # (the double rounding through float32 is innocuous for p ≤ 11).
    import operator

    rng = np.random.default_rng(3)
    for name in ("bfloat16", "float16"):
        xs = round_to_format(rng.uniform(-40, 40, 300), name)
        xs = xs[xs != 0]
        c = float(round_to_format(0.7978845608, name))
        for op, fn, args in (("mul", operator.mul, ("x", "c")),
                             ("add", operator.add, ("x", "c")),
                             ("div", operator.truediv, ("c", "x"))):
            steps = (Step("x", "input"), Step("c", "const", value=c), Step("r", op, args))
            got = evaluate_steps(steps, xs, name)
            exact = [fn(Fraction(c), Fraction(v)) if op == "div" else fn(Fraction(v), Fraction(c))
                     for v in xs]
            # float(Fraction) is correctly rounded to float64; rounding that to the
            # format is one more rounding, innocuous as 53 ≥ 2·11 + 2
            want = round_to_format(np.array([float(q) for q in exact]), name)
            np.testing.assert_array_equal(got, want, err_msg=f"{name} {op}")


def test_program_uses_horner_in_x_squared_and_the_tail_guard():
    a = Approximant("tanh", (1, 3, 5), (0.8, 0.03, -0.0003), "gelu", clamp=10.0)
    steps = a.program()
    ops = [s.op for s in steps]
    assert ops[1] == "clip" and steps[1].value == 10.0
    # s = xc·xc once; ((c5·s + c3)·s + c1)·xc; ½·(1 + tanh p); the guard; x·g
    assert ops.count("mul") == 6 and ops.count("add") == 3 and ops.count("tanh") == 1
    assert ops[-2] == "guard" and steps[-2].value == 10.0
    x = np.array([-1e4, -20.0, 0.5, 20.0, 1e4])
    got = evaluate_in_format(a, x, "float64", gate_form="sigmoid")
    np.testing.assert_allclose(got, a.evaluate(x), rtol=1e-14)


def test_unknown_closed_form_is_refused():
    from dataclasses import replace

    with pytest.raises(InputError, match=r"unknown closed form 'as-7\.1\.27'"):
        replace(get_published("as-7.1.26"), form="as-7.1.27")


# -- precision rows ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows32():
    return precision_rows([get_published(n) for n in PUBLISHED], SEED_GRID, "float32")


def test_rows_have_the_documented_keys(rows32):
    keys = {"name", "target", "on", "dtype", "opmath", "gate_form", "n", "reference",
            "max_abs_error", "argmax_abs_error", "max_ulp_error", "argmax_ulp_error",
            "floor_abs_error", "floor_ulp_error", "approximation_abs_error",
            "evaluation_abs_error", "evaluation_ulp_error", "dominant", "coefficients",
            "histogram", "floor_histogram"}
    for r in rows32:
        assert keys <= set(r)
        assert sum(r["histogram"]["counts"]) == r["n"] == SEED_GRID.size
        assert r["histogram"]["edges"] == list(ULP_BIN_EDGES)


def test_float32_errors_against_an_independent_computation(rows32):
    # Recompute paper-tanh's row by hand: the formula in float32 (as above), the
    # exact GELU from scipy, ULPs from numpy.spacing of the exact value in float32.
    from scipy.special import ndtr

    x = round_to_format(SEED_GRID, "float32")
    approx = paper_tanh_float32_by_hand(x)
    exact = x * ndtr(x)
    err = np.abs(approx - exact)
    spacing = np.spacing(np.abs(exact.astype(np.float32))).astype(np.float64)
    row = next(r for r in rows32 if r["name"] == "paper-tanh")
    assert row["max_abs_error"] == pytest.approx(err.max(), rel=1e-12)
    assert row["max_ulp_error"] == pytest.approx(np.max(err / spacing), rel=1e-12)
    floor = np.abs(exact.astype(np.float32).astype(np.float64) - exact)
    assert row["floor_abs_error"] == pytest.approx(floor.max(), rel=1e-12)
    # paper-tanh's max error on the seed's grid is 4.7323e-4 (README, float64); float32
    # arithmetic moves it by a few float32 ulps of values near 2.7 (~2.4e-7 each).
    assert abs(row["max_abs_error"] - 4.7323e-4) < 1e-6
    assert row["dominant"] == "approximation"


def test_floor_is_at_most_half_an_ulp():
    for name in ("float32", "float16", "bfloat16"):
        rows = precision_rows([get_published("paper-tanh")], format_grid(name, -10, 10,
                              max_points=20_001), name)
        assert 0.49 < rows[0]["floor_ulp_error"] <= 0.5
        assert rows[0]["floor_histogram"]["counts"][0] == rows[0]["n"]


def test_bfloat16_is_dominated_by_the_format_for_accurate_formulas():
    rows = precision_rows([get_published("as-7.1.26"), get_published("paper-sigmoid")],
                          SEED_GRID, "bfloat16")
    by = {r["name"]: r for r in rows}
    # A&S's GELU error (2.1e-7) is far below bfloat16's rounding of values up to 10
    # (half an ulp at 8…10 is 2^-5 · ½ = 0.0156; the floor on this grid is 7.8e-3).
    assert by["as-7.1.26"]["dominant"] == "format"
    assert by["as-7.1.26"]["approximation_abs_error"] < 3e-7
    assert by["paper-sigmoid"]["dominant"] == "approximation"
    assert by["paper-sigmoid"]["max_abs_error"] > by["paper-sigmoid"]["floor_abs_error"]


def test_float64_rows_use_mpmath():
    import mpmath

    rows = precision_rows([get_published("as-7.1.26")], SEED_GRID, "float64", mp_points=401)
    r = rows[0]
    assert r["reference"].startswith("mpmath") and r["n"] == 401
    assert r["evaluation_ulp_error"] is None
    # Abramowitz & Stegun 7.1.26: |ε(erf)| ≤ 1.5e-7, so GELU's error
    # |x|/2·|ε| ≤ 10/2 · 1.5e-7 on [−10, 10].
    assert r["max_abs_error"] <= 7.5e-7
    # and the mpmath reference is what the error is taken against
    x = r["argmax_abs_error"]
    with mpmath.workdps(50):
        exact = mpmath.mpf(x) * mpmath.ncdf(mpmath.mpf(x))
        mine = evaluate_in_format(get_published("as-7.1.26"), [x], "float64")[0]
        assert float(abs(mpmath.mpf(float(mine)) - exact)) == pytest.approx(
            r["max_abs_error"], rel=1e-12)
    assert r["floor_ulp_error"] <= 0.5


def test_gate_rows_and_markdown():
    rows = precision_rows([get_published("paper-tanh")], SEED_GRID, "float16", on="gate")
    assert rows[0]["on"] == "gate"
    # the gate is in [0, 1]: float16's half ulp below 1 is 2^-12
    assert rows[0]["floor_abs_error"] <= 2.0**-12
    text = precision_markdown(rows)
    assert text.startswith("| name | dtype |") and "paper-tanh" in text
    lines = precision_text(rows).splitlines()
    assert lines[0].startswith("paper-tanh in float16 (gelu's gate, 2000 inputs")
    assert "floor (exact rounded to float16)" in lines[1]


def test_ulp_histogram_bins_are_right_closed():
    h = ulp_histogram([0.0, 0.5, 0.51, 1.0, 3.0, math.inf, math.nan])
    assert h["counts"][:4] == [2, 2, 0, 1] and h["counts"][-1] == 1 and h["nan"] == 1


# -- coefficient rounding ---------------------------------------------------------------

@pytest.fixture(scope="module")
def minimax3():
    from approxfit.core.grids import make_grid
    from approxfit.fitting.fit import fit

    grid = make_grid(-10, 10, samples=4001)
    return fit("gelu", "tanh", grid, degree=3, objective="minimax", on="gate"), grid


def test_round_coefficients_gives_representable_nearest_values(minimax3):
    result, _ = minimax3
    r = round_coefficients(result.approximant, "bfloat16")
    for c64, c in zip(result.approximant.coef, r.coef, strict=True):
        assert float(np.float32(c).astype(BF16)) == c  # representable
        assert abs(c - c64) <= 0.5 * float(ulp(c64, "bfloat16"))
    assert r.name.endswith("@bfloat16")
    with pytest.raises(InputError, match="closed form"):
        round_coefficients(get_published("ibert"), "bfloat16")


def test_reoptimise_never_loses_and_reports_its_own_numbers(minimax3):
    result, grid = minimax3
    approx = result.approximant
    res = reoptimise_rounded(approx, grid.x, "bfloat16", on="gate")
    # The minimax fit's error (the fit's own metric on the same points).
    assert res.error_float64 == pytest.approx(result.metrics["gate"]["max_abs_error"],
                                              rel=1e-12)
    assert res.loss > 0  # any move away from the minimax optimum costs
    assert 0 <= res.error_reoptimised <= res.error_rounded
    assert res.gain == pytest.approx(res.error_rounded - res.error_reoptimised)
    # independent re-evaluation of the reported coefficients
    from dataclasses import replace

    from approxfit.core.targets import get_target

    exact = get_target("gelu").gate(grid.x)
    for coef, err in ((res.rounded, res.error_rounded),
                      (res.reoptimised, res.error_reoptimised)):
        a = replace(approx, coef=coef)
        assert np.max(np.abs(a.evaluate(grid.x, on="gate") - exact)) == pytest.approx(
            err, rel=1e-12)
    np.testing.assert_array_equal(step_ulps(res.rounded, res.steps, "bfloat16"),
                                  res.reoptimised)
    d = res.to_dict()
    assert set(d["coefficients_rounded"]) == {"c1", "c3"}
    text = rounding_text(res)
    assert "coefficients rounded to bfloat16" in text and f"(gain {res.gain:.3e})" in text


def test_search_beats_every_neighbour_within_the_radius(minimax3):
    # Brute force the (2·2 + 1)² neighbours independently: the search's result is at
    # least as good as the best of them.
    from dataclasses import replace

    from approxfit.core.targets import get_target

    result, grid = minimax3
    approx = result.approximant
    res = reoptimise_rounded(approx, grid.x, "float16", on="gate", radius=2)
    exact = get_target("gelu").gate(grid.x)
    best = math.inf
    for k1 in range(-2, 3):
        for k3 in range(-2, 3):
            c = (float(step_ulps(res.rounded[0], k1, "float16")),
                 float(step_ulps(res.rounded[1], k3, "float16")))
            e = np.max(np.abs(replace(approx, coef=c).evaluate(grid.x, on="gate") - exact))
            best = min(best, float(e))
    assert res.error_reoptimised <= best


def test_float32_rounding_costs_almost_nothing(minimax3):
    result, grid = minimax3
    res = coefficient_rounding(result.approximant, grid.x, "float32", on="gate")
    assert not res.searched and res.reoptimised == res.rounded and res.gain == 0
    # float32's relative spacing 2^-24 on c1 ≈ 0.8, times |x·g′| ≤ 0.25: well below 1e-7
    assert 0 <= res.loss < 1e-7


def test_coefficient_rounding_validates_its_arguments(minimax3):
    result, grid = minimax3
    with pytest.raises(InputError, match="radius"):
        coefficient_rounding(result.approximant, grid.x, "bfloat16", radius=0)
    with pytest.raises(InputError, match="arithmetic"):
        coefficient_rounding(result.approximant, grid.x, "bfloat16", arithmetic="fp8")
    with pytest.raises(InputError, match="not coefficients"):
        coefficient_rounding(result.approximant, grid.x, "bfloat16", fixed=("c2",))
    held = reoptimise_rounded(result.approximant, grid.x, "bfloat16", fixed=("c1",))
    assert held.steps[0] == 0


# -- the histogram plot -----------------------------------------------------------------

def test_plot_ulp_histogram_returns_axes_with_a_bar_per_bin_and_series():
    from approxfit.present.plotting import figure_bytes
    from approxfit.present.precision_plot import bin_labels, plot_ulp_histogram

    rows = precision_rows([get_published("paper-tanh"), get_published("as-7.1.26")],
                          SEED_GRID, "bfloat16")
    ax = plot_ulp_histogram(rows)
    # a cumulative share per row and the floor, each a step line and its edge markers
    steps = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
    assert [ln.get_label().split(":")[0] for ln in steps] == [
        "paper-tanh", "as-7.1.26", "floor"]
    finite = [e for e in ULP_BIN_EDGES[1:] if math.isfinite(e)]
    np.testing.assert_array_equal(steps[0].get_xdata()[:-1], finite)
    counts = rows[0]["histogram"]["counts"]
    np.testing.assert_allclose(steps[0].get_ydata()[:-1],
                               np.cumsum(counts)[:len(finite)] / sum(counts))
    assert len(bin_labels(ULP_BIN_EDGES)) == len(ULP_BIN_EDGES) - 1
    assert figure_bytes(ax.figure, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="no rows"):
        plot_ulp_histogram([])
