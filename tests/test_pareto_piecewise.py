"""``approxfit pareto --families piecewise``: the piecewise-K-d rows (issue 17, item 2).

Kept fast: GELU on [−4, 4], K = 2, degrees ≤ 3, 2001 samples per fit.  The numbers are
checked against independent measurements: each row's approximant is evaluated by hand
from its saved coefficients, breakpoints and tails (numpy), against the exact GELU
(``x·erfc(−x/√2)/2``, and mpmath at the largest errors), on a dense grid.
"""

from __future__ import annotations

import json
import math
import shlex

import mpmath
import numpy as np
import pytest
from scipy.special import erfc

from approxfit.approximants.costmodels import DEFAULT_PARAMETERS, model_cost
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.studies.pareto import (
    DEFAULT_FAMILIES,
    MAX_PIECEWISE_DEGREE,
    pareto,
    piecewise_tails,
    task_count,
    write_pareto,
)
from tests.helpers import run_inprocess

RANGE = (-4.0, 4.0)
SAMPLES = 2001
SWEEP = ["gelu", "--families", "piecewise", "--max-degree", "3", "--range", "-4", "4",
         "--samples", str(SAMPLES), "--executor", "serial"]


PROGRESS: list[str] = []


@pytest.fixture(scope="module")
def sweep():
    """One sweep of piecewise-2-1 … piecewise-2-3 under the mpc model (in this process),
    its progress calls recorded in :data:`PROGRESS`."""
    return pareto("gelu", families="piecewise", max_degree=3, range=RANGE, samples=SAMPLES,
                  executor="serial", cost="mpc",
                  progress=lambda row: PROGRESS.append(row["name"]))


def _row(res, name):
    return next(r for r in res.rows if r["name"] == name)


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU in float64: x·Φ(x) with Φ(x) = erfc(−x/√2)/2 (no cancellation)."""
    return 0.5 * x * erfc(-x / math.sqrt(2.0))


def _by_hand(row: dict, x: np.ndarray) -> np.ndarray:
    """The row's approximant evaluated from its coefficients, breakpoints and tails alone:
    piece j is c0 + Σ c_k x^k on [b_(j−1), b_j); below the low threshold the low tail's
    value, above the high one the high tail's."""
    c = row["coefficients"]
    edges = row["breakpoints"]
    j = np.searchsorted(np.array(edges), x, side="right")
    out = np.empty_like(x)
    for i in range(len(edges) + 1):
        pre = "" if i == 0 else f"p{i}_"
        coef = [c[f"{pre}c0_pos"]] + [c[f"{pre}c{k}"] for k in range(1, row["degree"] + 1)]
        assert c[f"{pre}c0_neg"] == c[f"{pre}c0_pos"]     # no split at 0 in these rows
        m = j == i
        out[m] = np.polynomial.polynomial.polyval(x[m], coef)
    low, high = row["tails"]["low"], row["tails"]["high"]
    value = {"zero": lambda t: 0.0 * t, "x": lambda t: t, "one": lambda t: 0.0 * t + 1.0,
             "minus_one": lambda t: 0.0 * t - 1.0}
    if low is not None:
        m = x < low["threshold"]
        out[m] = value[low["value"]](x[m])
    if high is not None:
        m = x > high["threshold"]
        out[m] = value[high["value"]](x[m])
    return out


def test_rows_present_and_not_in_the_defaults(sweep):
    assert "piecewise" not in DEFAULT_FAMILIES
    assert [r["name"] for r in sweep.rows] == ["piecewise-2-1", "piecewise-2-2",
                                               "piecewise-2-3"]
    for r in sweep.rows:
        assert "error" not in r
        assert r["family"] == "piecewise" and r["pieces"] == 2
        assert r["converged"]
        assert len(r["breakpoints"]) == 1
        # GELU's limits: 0 far left, x far right (piecewise_tails)
        assert r["tails"]["low"]["value"] == "zero" and r["tails"]["high"]["value"] == "x"
        assert RANGE[0] <= r["tails"]["low"]["threshold"] < r["breakpoints"][0]
        assert r["breakpoints"][0] < r["tails"]["high"]["threshold"] <= RANGE[1]
    # a higher degree is at least as good (a degree-d piece contains degree d − 1)
    errs = [r["max_error_on_range"] for r in sweep.rows]
    assert errs[0] > errs[1] > errs[2]


def test_errors_are_honest(sweep):
    """Each row's error on the range and on the whole line against an independent
    measurement: the approximant by hand (:func:`_by_hand`) against the exact GELU on a
    grid of 800 001 points (and geometrically spaced points out to ±1e4)."""
    x = np.linspace(*RANGE, 800_001)
    far = np.geomspace(4.0, 1e4, 200_001)
    beyond = np.concatenate([-far, far])
    for r in sweep.rows:
        mine = _by_hand(r, x)
        # the hand evaluation is the saved approximant's (to rounding in Horner's order)
        a = approximant_from_dict(r["approximant"])
        np.testing.assert_allclose(a.evaluate(x), mine, rtol=0, atol=1e-13)
        e = np.abs(mine - _gelu(x))
        dense = float(e.max())
        # the error jumps at the thresholds and the breakpoint, and its supremum may sit at
        # one of them (a tail's error grows up to its threshold): add the one-sided limits
        # there (each side's formula at the point itself; GELU is continuous)
        jumps = np.array([r["tails"]["low"]["threshold"], *r["breakpoints"],
                          r["tails"]["high"]["threshold"]])
        sides = [_by_hand(r, np.nextafter(jumps, -np.inf)),
                 _by_hand(r, np.nextafter(jumps, np.inf))]
        sides[0][0] = 0.0            # left of the low threshold: the zero tail
        sides[1][-1] = jumps[-1]     # right of the high threshold: the x tail
        limits = max(float(np.max(np.abs(s - _gelu(jumps)))) for s in sides)
        sup = max(dense, limits)
        # the row's maximum is refined between samples, so at least the dense grid's; at a
        # smooth maximum the dense grid (spacing 1e-5) comes within 1e-6 relative of it
        # (the error is flat there: the gap is O(h²))
        assert dense <= r["max_error_on_range"] * (1 + 1e-9)
        assert r["max_error_on_range"] == pytest.approx(sup, rel=1e-6)
        # the largest error checked in 50 digits
        at = float(x[int(np.argmax(e))])
        with mpmath.workdps(50):
            exact = mpmath.mpf(at) * mpmath.ncdf(mpmath.mpf(at))
            assert abs(float(abs(mpmath.mpf(float(a.evaluate(np.array([at]))[0])) - exact))
                       - dense) <= 1e-15
        out = float(np.max(np.abs(_by_hand(r, beyond) - _gelu(beyond))))
        # beyond the range the tails are GELU to within |GELU(x)| ≤ 4·Φ(−4) ≈ 1.3e-4 left
        # of −4 and 4·Φ(−4) right of 4: below these rows' errors on the range
        assert out <= r["max_error_on_range"]
        assert r["max_error_whole_line"] == pytest.approx(max(sup, out), rel=1e-6)


def test_mpc_cost_by_hand(sweep):
    """piecewise-2-3: two cubic pieces, a zero tail below and an x tail above.

    Powers: x² = x·x and x³ = x²·x, 2 Beaver products, depth 2 (shared by both pieces).
    Comparisons: x against the breakpoint and the two thresholds, 3.  Selects: one
    product per region whose value is secret — piece 0, piece 1, the x tail — 3 (the
    zero tail times its bit is local).  Rounds: one comparison stage, the depth of x³,
    one select round.
    """
    r = _row(sweep, "piecewise-2-3")
    c = r["coefficients"]
    assert all(c[k] != 0.0 for k in ("c1", "c2", "c3", "p1_c1", "p1_c2", "p1_c3"))
    m = r["cost_mpc"]
    p = DEFAULT_PARAMETERS["mpc"]
    assert m["polynomial_multiplications"] == 2
    assert m["select_multiplications"] == 3
    assert m["multiplications"] == 5
    assert m["comparisons"] == 3
    assert m["rounds"] == p["rounds_per_comparison"] + 2 + p["select_rounds"]
    assert m["rounds_overlapped"] == max(p["rounds_per_comparison"], 2) + p["select_rounds"]
    # total = 1·multiplications + 10·comparisons + 1·rounds (the default mpc weights)
    assert m["total"] == 5 + 10 * 3 + m["rounds"]


def test_frontier_as_for_the_others(sweep):
    """The frontier under mpc: no row beats another in both the mpc total and the error on
    the range (worked out here from the rows)."""
    pts = [(r["name"], r["cost_mpc"]["total"], r["max_error_on_range"]) for r in sweep.rows]
    want = [n for n, c, e in pts
            if not any((c2 <= c and e2 < e) or (c2 < c and e2 <= e) for _, c2, e2 in pts)]
    assert sweep.frontier == want
    assert want                    # errors fall as the cost rises: all three here


def test_kernel_cost_counts_the_selects(sweep):
    """Kernel counts from the program: the coefficients are selected between the two
    pieces (one compare-and-select per coefficient, d + 1), plus one per tail."""
    for r in sweep.rows:
        d = r["degree"]
        assert r["cost"]["compares"] == (d + 1) + 2
        assert r["cost"]["multiplies"] == d           # Horner: d multiply-adds
        assert r["cost"]["adds"] == d + 3             # … and the tails' x − T, T − x, x − b
        assert r["cost"]["transcendentals"] == 0


def test_fit_command_rebuilds_the_row(sweep):
    r = _row(sweep, "piecewise-2-2")
    argv = shlex.split(r["fit_command"])
    assert argv[:4] == ["approxfit", "fit", "gelu", "piecewise"]
    code, out, err = run_inprocess([*argv[1:], "--json"])
    assert code == 0, err
    got = json.loads(out)["approximant"]
    assert got["coefficients"] == r["approximant"]["coefficients"]
    assert got == r["approximant"]


def test_cost_he_gives_the_reason(sweep):
    """Through the process pool (the default executor), one row: not evaluable under HE,
    with the reason; the same for the saved rows' approximants."""
    code, out, err = run_inprocess(["pareto", *SWEEP[:3], "--max-degree", "1", "--range",
                                    "-2", "2", "--samples", str(SAMPLES), "--cost", "he"])
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if ln.startswith("piecewise-2-1"))
    assert "a piecewise form needs comparisons: not evaluable under HE" in line
    for r in sweep.rows:
        he = model_cost(approximant_from_dict(r["approximant"]), "he", domain=RANGE)
        assert he.to_dict()["total"] is None
        assert "needs comparisons" in he.to_dict()["reason"]


@pytest.mark.parametrize(("pieces", "says"), [
    ("0", "between 1 and 32, got 0"), ("33", "between 1 and 32, got 33"),
    ("two", "whole numbers separated by commas"), ("2,,3", "whole numbers"),
    ("2.5", "whole numbers"), ("", "whole numbers"),
])
def test_bad_pieces_exit_2_with_one_line(pieces, says):
    code, out, err = run_inprocess(["pareto", *SWEEP, "--pieces", pieces])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("approxfit: error: --pieces")
    assert says in err and "Traceback" not in err


def test_pieces_without_the_piecewise_family():
    code, _, err = run_inprocess(["pareto", "gelu", "--families", "poly", "--pieces", "2"])
    assert code == 2 and err.count("\n") == 1
    assert "add piecewise to --families" in err
    with pytest.raises(InputError, match="`pieces`"):
        pareto("gelu", families="poly", pieces=2)
    with pytest.raises(InputError, match="`objective` must be minimax"):
        pareto("gelu", families="piecewise", objective="l2")
    with pytest.raises(InputError, match="`pieces` must be an int"):
        pareto("gelu", families="piecewise", pieces=2.0)


def test_task_count_caps_the_degree_and_takes_a_list():
    assert task_count("gelu", families="piecewise", max_degree=3) == 3
    assert task_count("gelu", families="piecewise", max_degree=3, pieces="2,3") == 6
    assert task_count("gelu", families="piecewise", max_degree=20, pieces=[3, 2, 3]) \
        == 2 * MAX_PIECEWISE_DEGREE
    assert task_count("gelu", families="poly,piecewise", max_degree=2, pieces=4) == 2 + 2


def test_tails_are_the_targets_limits():
    assert piecewise_tails("gelu") == ("zero", "x")
    assert piecewise_tails("tanh") == ("minus_one", "one")
    assert piecewise_tails("sigmoid") == ("zero", "one")
    assert piecewise_tails("softplus") == ("zero", "x")
    assert piecewise_tails("exp2") == ("zero", None)       # 2^x grows without bound


def test_a_failed_fit_is_a_row_with_the_reason(monkeypatch):
    """A fit that fails (an InputError/ComputationError, or a numerical breakdown) gives a
    row with the reason, printed as such; the other rows stand."""
    import approxfit.fitting.piecewise_fit as pf

    def boom(*args, **kwargs):
        if kwargs["degree"] == 1:
            raise ComputationError("a piece's fit failed on the equal split of the range")
        raise FloatingPointError("overflow in the search")

    monkeypatch.setattr(pf, "fit_piecewise", boom)
    code, out, err = run_inprocess(["pareto", "gelu", "--families", "piecewise,poly",
                                    "--max-degree", "2", "--range", "-4", "4", "--samples",
                                    str(SAMPLES), "--executor", "serial"])
    assert code == 0, err
    assert "Traceback" not in out + err
    assert ("piecewise-2-1    failed: a piece's fit failed on the equal split of the range"
            in out)
    assert ("piecewise-2-2    failed: the fit broke down: FloatingPointError: overflow in "
            "the search") in out
    assert "poly-2" in out
    with pytest.raises(ComputationError, match="every fit of the sweep failed"):
        pareto("gelu", families="piecewise", max_degree=1, range=RANGE, samples=SAMPLES,
               executor="serial")


def test_progress_sees_each_piecewise_row(sweep):
    assert PROGRESS == ["piecewise-2-1", "piecewise-2-2", "piecewise-2-3"]


def test_export_a_saved_piecewise_row(sweep, tmp_path):
    write_pareto(sweep, tmp_path)
    saved = tmp_path / "pareto-gelu.json"
    r = _row(sweep, "piecewise-2-3")
    code, out, err = run_inprocess(["export", f"{saved}#piecewise-2-3", "--to", "c"])
    assert code == 0, err
    assert "float gelu_piecewise" in out
    # each coefficient, the breakpoint and the thresholds, rounded to float32, are in it
    for v in [*r["coefficients"].values(), *r["breakpoints"],
              r["tails"]["low"]["threshold"], r["tails"]["high"]["threshold"]]:
        assert f"/* {float(np.float32(v))!r} */" in out
