"""The benchmark script's smoke test: ``scripts/bench.py --quick`` runs and writes valid JSON.

Only the shape of the output is checked, never a timing: timings depend on the
machine and its load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "bench.py"
SECTIONS = ("minimax_nonlinear", "minimax_poly", "least_squares", "cli", "scaling",
            "hard_cases", "coefficients")


def _strict_json(text: str) -> dict:
    """Parse JSON, refusing NaN and ±Infinity (which are not JSON)."""

    def bad_constant(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=bad_constant)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess,
                                                                 Path]:
    """Run the quick benchmark once into a fresh folder."""
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=out, check=False)
    return proc, out


def test_quick_bench_exits_zero_and_writes_both_files(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Atomic writes leave no temporary files behind; reproduce is not timed in --quick.
    assert sorted(p.name for p in out.iterdir()) == ["bench.json", "bench.md"]


def test_quick_bench_json_has_every_section(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = _strict_json((out / "bench.json").read_text(encoding="utf-8"))
    assert set(doc) >= {"meta", "headline", "targets", *SECTIONS}
    assert doc["meta"]["quick"] is True
    for section in ("minimax_nonlinear", "minimax_poly", "least_squares"):
        assert doc[section]["cases"], section
    assert set(doc["cli"]["commands"]) >= {"help", "fit_minimax", "reproduce"}
    assert doc["cli"]["commands"]["reproduce"]["time"] is None      # skipped in --quick
    assert doc["scaling"]["samples"] and doc["scaling"]["degree"]
    for t in doc["targets"]:
        assert set(t) >= {"name", "target", "value", "met", "detail", "kind"}
    # the cases: the degree-5 tanh minimax on 20 001 points is timed in process
    # against its 10 ms target; Sollya is compared (or skipped with a reason)
    hard = {c["name"]: c for c in doc["hard_cases"]["cases"]}
    assert hard["tanh5_gate_20001"]["target_s"] == 0.010
    assert any(t["name"].startswith("tanh5_gate_20001") for t in doc["targets"])
    for c in hard.values():
        assert c["approxfit"]["time"]["n"] >= 1
        assert c["sollya"]["time"] is not None or c["sollya"].get("skipped")
    assert "cases" in doc["release"]


def test_quick_bench_reports_ratios(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = _strict_json((out / "bench.json").read_text(encoding="utf-8"))
    case = doc["minimax_nonlinear"]["cases"][0]
    assert set(case["speedup"]) == {"nelder_mead", "powell", "lp_iterated"}
    assert set(case["error_ratio"]) == {"nelder_mead", "powell", "lp_iterated"}
    assert doc["least_squares"]["cases"][0]["time_ratio"] is not None
    md = (out / "bench.md").read_text(encoding="utf-8")
    for heading in ("## Headline", "## Targets", "## 1. Nonlinear minimax",
                    "## 2. Polynomial minimax", "## 3. Least squares", "## 4. Command line",
                    "## 5. Scaling", "## 9. Coefficients in a format"):
        assert heading in md, heading


def test_unknown_section_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--sections", "nope", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2
    assert "unknown sections nope" in proc.stderr
    assert not (tmp_path / "bench.json").exists()


def test_quick_bench_measures_every_method_over_the_range(quick_run):
    # "minimax ≤ Nelder–Mead" and "poly ≤ linprog" compare like with like: every method's
    # coefficients measured by the refined maximum over the range, which can never be
    # below the same coefficients' maximum on the samples (refinement only adds points).
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = _strict_json((out / "bench.json").read_text(encoding="utf-8"))
    for c in doc["minimax_nonlinear"]["cases"]:
        for m in (c["approxfit"], *c["baselines"].values()):
            assert m["max_error"] >= m["max_error_samples"] * (1 - 1e-15)
        nm = c["baselines"]["nelder_mead"]["max_error"]
        assert c["error_ratio"]["nelder_mead"] == pytest.approx(nm / c["approxfit"]["max_error"],
                                                                rel=1e-12)
    for c in doc["minimax_poly"]["cases"]:
        for m in (c["approxfit"], c["linprog"]):
            assert m["max_error"] >= m["max_error_samples"] * (1 - 1e-15)
        assert "coef" not in c["linprog"]
    assert "over the continuous range" in doc["minimax_nonlinear"]["setup"]["error"]
    assert "over the continuous range" in doc["minimax_poly"]["setup"]["error"]
    rows = {t["name"]: t for t in doc["targets"]}
    assert "maximum over the range" in rows["minimax: max error ≤ Nelder–Mead's"]["detail"]
    assert "maximum over the range" in rows["poly: max error ≤ linprog's (within 1e-6)"]["detail"]


def _bench_module(monkeypatch: pytest.MonkeyPatch):
    """``scripts/bench.py`` imported as a module (it imports ``bench_report`` beside it)."""
    import importlib

    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    return importlib.import_module("bench")


def test_format_cases_are_the_fpcoeff_tests_cases(monkeypatch):
    # section 9 times "the five cases of tests/test_fpcoeff.py": the same problems, and the
    # same Sollya call (precision, constrained part, minimax hint) as the recorded numbers
    from tests.test_fpcoeff import CASES

    bench = _bench_module(monkeypatch)
    assert [c.name for c in bench.FORMAT_FULL] == [c.name for c in CASES]
    for b, t in zip(bench.FORMAT_FULL, CASES, strict=True):
        kw = {k: v for k, v in t.kwargs.items() if k != "fixed"}
        assert {k: v for k, v in b.kwargs().items() if k != "fixed"} == kw, b.name
        assert dict(b.fixed) == dict(t.kwargs.get("fixed") or {}), b.name
        assert {int(n[1:]): v for n, v in b.fixed} == (t.constrained or {}), b.name
        assert (b.precision, b.needs_minimax) == (t.precision, t.needs_minimax), b.name
    assert bench.FORMAT_QUICK[0] in bench.FORMAT_FULL


def test_quick_bench_times_coefficients_in_a_format(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = _strict_json((out / "bench.json").read_text(encoding="utf-8"))
    cases = doc["coefficients"]["cases"]
    assert len(cases) == 1                                   # --quick: one case, one round
    c = cases[0]
    m = c["methods"]
    assert m["approxfit"]["time"]["n"] == 1 and m["baseline"]["time"]["n"] == 1
    # the same measure as fit_in_format's own report
    assert m["approxfit"]["max_error"] == m["approxfit"]["reported_max_error"]
    # fit_in_format is never worse than round-to-nearest (same measure, exact), and the
    # float64 minimax is a lower bound of every representable vector (1e-9: the refined
    # maxima of two different polynomials)
    assert c["error_ratio"]["nearest"] >= 1.0
    assert c["error_ratio"]["float64"] <= 1 + 1e-9
    # the ±2 ulp search's vector is in fit_in_format's search space; 1e-9 allows the
    # refinement between samples to disagree with the grid's order on a near tie
    assert c["error_ratio"]["baseline"] >= 1 - 1e-9
    assert c["time_ratio"]["baseline"] == pytest.approx(
        m["approxfit"]["time"]["median_s"] / m["baseline"]["time"]["median_s"], rel=1e-12)
    rows = {t["name"]: t for t in doc["targets"]}
    assert "coefficients in a format: max error ≤ rounding + ±2 ulp search" in rows
    assert set(doc["headline"]["coefficients"]) >= {"time_ratio_sollya", "error_ratio_sollya",
                                                    "error_ratio_baseline"}
    if c["sollya"]["time"] is None:
        assert c["sollya"]["skipped"] == "sollya is not installed"
        assert c["time_ratio"]["sollya"] is None
        return
    assert c["sollya"]["time"]["n"] == 1
    assert "coefficients in a format: max error ≤ Sollya's fpminimax" in rows


def test_quick_bench_sollya_fpminimax_matches_the_recorded_run(quick_run):
    # the bench's own fpminimax script gives Sollya 8.0's coefficients recorded in
    # tests/test_fpcoeff.py (bit for bit), and its dirtyinfnorm the recorded error
    from tests.test_fpcoeff import CASES

    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = _strict_json((out / "bench.json").read_text(encoding="utf-8"))
    c = doc["coefficients"]["cases"][0]
    if c["sollya"]["time"] is None:
        pytest.skip("sollya is not installed")
    case = {t.name: t for t in CASES}[c["name"]]
    got = {int(n[1:]): v for n, v in c["methods"]["sollya"]["coefficients"].items()}
    assert got == case.sollya_coefs
    assert c["methods"]["sollya"]["max_error_sollya"] == pytest.approx(case.sollya_error,
                                                                       rel=1e-12)
    assert c["sollya"]["representable"] is True
