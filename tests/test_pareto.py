"""The cost-aware sweep: cost model, whole-line error, frontier, executors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import ndtr

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.published import get_published
from approxfit.approximants.spec import parse_spec
from approxfit.core.exceptions import InputError
from approxfit.measure.metrics import WHOLE_LINE, outside_metrics
from approxfit.studies.pareto import (
    Cost,
    approximant_cost,
    cost_difference_text,
    make_executor,
    pareto,
    pareto_sweep,
    task_count,
    whole_line_error,
    write_pareto,
)

SQRT_2_PI = math.sqrt(2 / math.pi)


@pytest.mark.parametrize(("powers", "want"), [
    # counted by hand from Horner's rule: x·(c1 + c3·x²) is x², one multiply-add, one
    # multiply by x; an even p needs no final multiply; a full p is one multiply-add a power
    ((1, 3), Cost(3, 1, 0, 0)),
    ((1, 3, 5), Cost(4, 2, 0, 0)),
    ((1,), Cost(1, 0, 0, 0)),
    ((0, 2, 4), Cost(3, 2, 0, 0)),
    ((0, 1, 2, 3), Cost(3, 3, 0, 0)),
])
def test_poly_cost_is_horners_count(powers, want):
    a = Approximant("poly", powers, tuple(1.0 + k for k in powers), "softplus", base="value")
    assert approximant_cost(a) == want

def test_paper_tanh_cost_and_one_more_multiply_add():
    paper = approximant_cost(get_published("paper-tanh"))
    # x², fma, ·x, tanh, ½(1 + t) as an fma, x·g
    assert paper == Cost(multiplies=5, adds=2, transcendentals=1, compares=0)
    deg5 = Approximant("tanh", (1, 3, 5), (0.8, 0.03, -1e-4), "gelu", clamp=10.0)
    assert approximant_cost(deg5) == paper + Cost(1, 1, 0, 2)     # one fma, one clamp


def test_whole_line_error_of_paper_tanh():
    # The paper's form has its largest error inside [-10, 10]; GELU's max error 4.7324e-4
    # (refined between samples; the seed grid's own maximum is 4.7323e-4).
    err, where = whole_line_error(get_published("paper-tanh"), -10, 10)
    x = np.linspace(2.6, 2.8, 200001)
    ref = np.max(np.abs(0.5 * x * (1 + np.tanh(SQRT_2_PI * (x + 0.044715 * x**3)))
                        - x * ndtr(x)))
    np.testing.assert_allclose(err, ref, rtol=1e-9)
    assert 2.6 < abs(where) < 2.8


@pytest.fixture(scope="module")
def sweep():
    return pareto_sweep("gelu", families=("tanh", "poly"), max_degree=7, samples=4001)


def test_recommended_beats_the_paper_for_one_more_multiply_add(sweep):
    rec = sweep.recommended
    assert rec["family"] == "tanh" and rec["degree"] == 5 and rec["clamp"] == 10.0
    # The discovery issue's bar: below 3e-5 on the whole line (the paper: 4.7e-4).
    assert rec["max_error_whole_line"] < 3e-5
    paper = next(p for p in sweep.published if p["name"] == "paper-tanh")
    assert rec["cost"]["multiplies"] == paper["cost"]["multiplies"] + 1
    assert rec["cost"]["adds"] == paper["cost"]["adds"] + 1
    # Recompute the recommended approximant's whole-line error independently.
    a = Approximant.from_dict(rec["approximant"])
    x = np.concatenate([np.linspace(-10, 10, 400001), np.geomspace(10, 1e4, 1000),
                        -np.geomspace(10, 1e4, 1000)])
    c = a.coefficients
    p = c["c1"] * x + c["c3"] * x**3 + c["c5"] * x**5
    gate = np.where(x > 10, 1.0, np.where(x < -10, 0.0, 0.5 * (1 + np.tanh(p))))
    ref = np.max(np.abs(x * gate - x * ndtr(x)))
    np.testing.assert_allclose(rec["max_error_whole_line"], ref, rtol=1e-6)


def test_recommendation_counts_its_extra_cost(sweep):
    # tanh-5 with a tail guard against the cheapest published tanh form (paper-tanh and
    # the other tanh forms all cost 5 multiplies, 2 adds, 1 tanh): one fma, and the
    # guard's two compares that the sentence names as the guard
    rec = sweep.recommended
    tanh_costs = {p["name"]: p["cost"]["total"] for p in sweep.published
                  if p["family"] == "tanh"}
    assert min(tanh_costs.values()) == tanh_costs["paper-tanh"]
    assert sweep.recommendation() == (
        f"recommended: tanh-5 (tail guard at ±10) — whole-line error "
        f"{rec['max_error_whole_line']:.3e} for one multiply-add more than paper-tanh")


@pytest.mark.parametrize(("more", "guard", "text"), [
    (Cost(1, 1, 0, 2), True, " for one multiply-add more than P"),
    (Cost(1, 1, 0, 2), False, " for one multiply-add and 2 compares more than P"),
    (Cost(0, 0, 0, 0), False, ""),
    (Cost(0, 0, 0, 2), True, ""),
    (Cost(2, 2, 0, 0), False, " for 2 multiply-adds more than P"),
    (Cost(3, 1, 0, 0), False, " for one multiply-add and 2 multiplies more than P"),
    (Cost(0, 1, -1, 0), False, " for one add more and one transcendental fewer than P"),
    (Cost(-1, -1, 0, 0), False, " for one multiply and one add fewer than P"),
])
def test_cost_difference_text(more, guard, text):
    assert cost_difference_text(more, "P", guard=guard) == text


def test_recommendation_without_a_guard_or_a_published_form():
    from approxfit.studies.pareto import ParetoResult

    row = {"name": "tanh-3", "family": "tanh", "clamp": None, "max_error_whole_line": 1e-3,
           "cost": Cost(5, 2, 1, 0).to_dict()}
    paper = {"name": "paper-tanh", "family": "tanh", "cost": Cost(5, 2, 1, 0).to_dict()}
    res = ParetoResult("gelu", (-10.0, 10.0), "minimax", "value", [row], [paper], [], row)
    assert res.recommendation() == "recommended: tanh-3 — whole-line error 1.000e-03"
    res = ParetoResult("gelu", (-10.0, 10.0), "minimax", "value", [row], [], [], None)
    assert res.recommendation() is None


def test_frontier_is_not_dominated(sweep):
    rows = {r["name"]: r for r in sweep.rows}
    for name in sweep.frontier:
        r = rows[name]
        for other in rows.values():
            assert not (other["cost"]["total"] <= r["cost"]["total"]
                        and other["max_error_whole_line"] < r["max_error_whole_line"])
    # Polynomials diverge beyond their range: never on the frontier.
    assert not any(n.startswith("poly") for n in sweep.frontier)


def test_process_pool_gives_the_same_rows(sweep):
    ex, close = make_executor("local", jobs=2)
    try:
        par = pareto_sweep("gelu", families=("tanh", "poly"), max_degree=7, samples=4001,
                           executor=ex)
    finally:
        close()
    assert json.dumps(par.to_dict(), sort_keys=True) == json.dumps(sweep.to_dict(),
                                                                   sort_keys=True)


def test_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp://", dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        ex, close = make_executor(f"dask://{address}")
        try:
            res = pareto_sweep("gelu", families=("tanh",), max_degree=5, samples=2001,
                               executor=ex)
        finally:
            close()
    serial = pareto_sweep("gelu", families=("tanh",), max_degree=5, samples=2001)
    assert [r["coefficients"] for r in res.rows] == [r["coefficients"] for r in serial.rows]


def test_cli_writes_json_csv_png(cli, tmp_path):
    r = cli("pareto", "gelu", "--families", "tanh", "--max-degree", "5", "--samples", "2001",
            "--executor", "serial", "--out", str(tmp_path))
    assert r.code == 0, r.err
    assert "recommended: tanh-5" in r.out
    d = json.loads((tmp_path / "pareto-gelu.json").read_text())
    assert d["recommended"]["name"] == "tanh-5"
    assert "transcendental" in d["cost_model"]
    assert (tmp_path / "pareto-gelu.csv").read_text().startswith("name,kind,")
    assert (tmp_path / "pareto-gelu.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, needle", [
    (("pareto", "gelu", "--max-degree", "41"), "between 1 and 40"),
    (("pareto", "gelu", "--families", "tanh,sigmod"), "did you mean"),
    (("pareto", "gelu", "--executor", "spark://x"), "--executor must be"),
    (("pareto", "gelu", "--out", "{tmp}/a-file/dir"), "is not a folder"),
])
def test_cli_bad_input(cli, args, needle, tmp_path):
    # --out creates a missing folder (issue 16), so the bad one has a file as parent
    (tmp_path / "a-file").write_text("")
    r = cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert r.code == 2 and needle in r.err and "Traceback" not in r.err


def test_one_whole_line_for_fit_and_pareto():
    # "The whole line" is [-1e4, 1e4] for fit's metrics_outside and pareto alike (it was
    # 1e3 for fit before issue #11). p(x) = x against GELU: at x = -1e4, GELU is -0
    # (x·Φ(x), Φ(-1e4) underflows), so the largest error outside [-10, 10] is exactly 1e4.
    assert WHOLE_LINE == 1e4
    out = outside_metrics(parse_spec("poly:c1=1", target="gelu"), -10.0, 10.0)
    assert out["limit"] == 1e4
    np.testing.assert_allclose(out["max_abs_error"], 1e4, rtol=0, atol=0)
    assert out["argmax_abs_error"] == pytest.approx(-1e4, rel=1e-12)
    err, where = whole_line_error(parse_spec("poly:c1=1", target="gelu"), -10.0, 10.0)
    assert err == out["max_abs_error"] and where == out["argmax_abs_error"]


def test_pareto_is_the_sweep_with_the_cli_s_arguments(sweep):
    seen = []
    res = pareto("gelu", families="tanh,poly", max_degree=7, samples=4001, executor="serial",
                 progress=seen.append)
    assert json.dumps(res.to_dict(), sort_keys=True) == json.dumps(sweep.to_dict(),
                                                                   sort_keys=True)
    n = task_count("gelu", families=("tanh", "poly"), max_degree=7, samples=4001)
    assert n == len(seen) == len(res.rows)
    # tanh: odd degrees 1, 3, 5, 7; poly on GELU's value (no parity): degrees 1 … 7
    assert n == 4 + 7


def test_write_pareto_writes_the_result(sweep, tmp_path):
    write_pareto(sweep, tmp_path)
    assert json.loads((tmp_path / "pareto-gelu.json").read_text()) == json.loads(
        json.dumps(sweep.to_dict()))
    assert (tmp_path / "pareto-gelu.csv").read_text() == sweep.to_csv()
    assert (tmp_path / "pareto-gelu.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kwargs, needle", [
    ({"max_degree": 41}, "`max_degree` must be between 1 and 40, got 41"),
    ({"executor": "spark://x"}, "`executor` must be local, serial or dask://HOST:PORT"),
    ({"samples": 1}, "`samples` must be between 10 and 10000000, got 1"),
    ({"families": ("tanh", "sigmod")}, "did you mean 'sigmoid'"),
    ({"on": "both"}, "unknown `on` 'both'"),
])
def test_pareto_names_its_parameters(kwargs, needle):
    with pytest.raises(InputError) as info:
        pareto("gelu", **{"executor": "serial", **kwargs})
    assert needle in str(info.value)
