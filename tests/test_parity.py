"""Framework parity: approxfit's GELUs against PyTorch's CPU kernels (optional extra).

The numbers here were measured with torch 2.13.0 (CPU build; SLEEF's vectorised
tanhf/expf in ATen, oneDNN for float32/bfloat16 GELU) and are explained in
:mod:`approxfit.lowprec.parity`.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.lowprec.emulate import evaluate_in_format
from approxfit.lowprec.formats import format_grid, ulp

torch = pytest.importorskip("torch")

from approxfit.lowprec.parity import compare, parity_report, parity_text, torch_gelu  # noqa: E402


@pytest.fixture(scope="module")
def report():
    return parity_report()


def by_name(report, name, dtype):
    return next(c for c in report["comparisons"] if c["name"] == name and c["dtype"] == dtype)


def torch_tanh_gelu(x: np.ndarray, dtype) -> np.ndarray:
    t = torch.from_numpy(x.astype(np.float32)).to(dtype)
    return torch.nn.functional.gelu(t, approximate="tanh").to(torch.float64).numpy()


def test_paper_tanh_agrees_with_torch_to_2_ulp_in_float32(report):
    x = format_grid("float32", -10, 10, max_points=200_001)
    ours = evaluate_in_format(get_published("paper-tanh"), x, "float32")
    theirs = torch_tanh_gelu(x, torch.float32)
    diff = np.abs(ours - theirs)
    ulps = diff / ulp(np.maximum(np.abs(ours), np.abs(theirs)), "float32")
    # The criterion, ≤ 2 ulp, holds for every x ≥ −0.62 (all x ≥ 0 included).
    assert np.max(ulps[x >= 0]) <= 2
    assert np.max(ulps[x >= -0.62]) <= 2
    # It does not hold below: there tanh(p) → −1 and 1 + tanh(p) cancels, so a
    # one-ulp difference between PyTorch's tanhf (SLEEF) and approxfit's correctly
    # rounded tanh is amplified (to ~1e7 ulp where one of them returns 0).  The
    # absolute difference stays within what two tanh values at most 2 ulps
    # (2·2⁻²⁴) apart each can cause, ½|x|·4·2⁻²⁴, plus 2 ulps of the result.
    assert np.max(ulps[x < -0.62]) > 2
    bound = 2 * ulp(np.maximum(np.abs(ours), np.abs(theirs)), "float32") + np.abs(x) * 2.0**-23
    assert np.all(diff <= bound)
    # The report says where and by how much, the same numbers.
    c = by_name(report, "paper-tanh", "float32")
    assert not c["agrees"] and report["paper_tanh_float32_agrees"] is False
    assert c["le_2ulp_from"] == pytest.approx(-0.6219, abs=1e-4)
    assert all(r["to"] <= 0 for r in c["beyond"])
    assert sum(r["points"] for r in c["beyond"]) == int(np.sum(ulps > 2))
    assert max(r["max_ulp"] for r in c["beyond"]) == pytest.approx(np.max(ulps))
    assert c["max_abs"] == pytest.approx(np.max(diff)) and c["max_abs"] < 2.5e-7
    assert "cancels" in c["note"]


def test_paper_tanh_in_bfloat16_matches_torch_computing_in_float32(report):
    # PyTorch's bfloat16 GELU widens to float32, computes, rounds once: approxfit's
    # opmath="float32" evaluation.  Every bfloat16 number of [−10, 10] is compared.
    x = format_grid("bfloat16", -10, 10)
    ours = evaluate_in_format(get_published("paper-tanh"), x, "bfloat16", opmath="float32")
    theirs = torch_tanh_gelu(x, torch.bfloat16)
    ulps = np.abs(ours - theirs) / ulp(np.maximum(np.abs(ours), np.abs(theirs)), "bfloat16")
    assert np.max(ulps[x >= -5.0]) <= 2
    c = by_name(report, "paper-tanh", "bfloat16")
    # the only misses: 4 points in [−5.16, −5.03] where one float32 tanh rounds to −1
    assert c["le_2ulp_from"] == pytest.approx(-5.03125)
    assert [(r["from"], r["points"]) for r in c["beyond"]] == [(-6.0, 4)]
    assert c["max_abs"] < 2.0e-7


def test_torch_tanh_gelu_carries_the_formulas_own_error(report):
    # PyTorch's tanh GELU against the exact GELU: the formula's 4.73e-4 (paper-tanh's
    # max error, computed independently here in float64 on the same points).
    from scipy.special import ndtr

    x = format_grid("float32", -10, 10, max_points=200_001)
    formula = get_published("paper-tanh").evaluate(x)
    c = by_name(report, "tanh-vs-exact", "float32")
    assert c["max_abs"] == pytest.approx(np.max(np.abs(formula - x * ndtr(x))), abs=1e-6)
    assert 4.73e-4 < c["max_abs"] < 4.74e-4


def test_torch_exact_gelu_in_float32(report):
    c = by_name(report, "exact", "float32")
    # PyTorch's float32 GELU is within about 1e-6 of the exact GELU everywhere …
    assert c["max_abs"] < 1.1e-6
    # … but returns 0 for x ≤ −5.5 where the exact value is −1e-7 … −7.6e-23.
    z = c["zero_where_nonzero"]
    assert z["points"] > 0 and z["from"] == -10.0 and -5.6 < z["to"] < -5.4


def test_aten_gelu_is_abramowitz_stegun(report):
    # With oneDNN off, PyTorch's float32 GELU runs ATen's kernel, whose vectorised erf
    # is A&S 7.1.26: on [−4, 4] it sits far closer to approxfit's as-7.1.26 than to the
    # exact GELU (median differences; the max is dominated by float32 rounding).
    from scipy.special import ndtr

    x = format_grid("float32", -4, 4, max_points=80_001)
    aten = torch_gelu(x, "float32", onednn=False)
    as7126 = evaluate_in_format(get_published("as-7.1.26"), x, "float32")
    to_as = np.median(np.abs(aten - as7126))
    to_exact = np.median(np.abs(aten - x * ndtr(x)))
    assert to_as < to_exact / 4
    assert by_name(report, "as-7.1.26", "float32")["max_abs"] < 5e-7


def test_erf_formulas_against_the_exact_erf(report):
    rows = {r["name"]: r for r in report["erf"]}
    a64 = rows["as-7.1.26 erf in float64 arithmetic"]
    # Abramowitz & Stegun (1964) 7.1.26: |ε(x)| ≤ 1.5e-7.
    assert 1.0e-7 < a64["max_abs"] <= 1.5e-7
    a32 = rows["as-7.1.26 erf in float32 (every operation)"]
    # float32 adds rounding: near x = 0, erf = 1 − P·e with P·e ≈ 1 cancels; a dozen
    # operations of at most 2⁻²⁴ each near 1 bound it by 1.5e-7 + 12·2⁻²⁴ ≈ 8.7e-7.
    assert a64["max_abs"] < a32["max_abs"] <= 1.5e-7 + 12 * 2.0**-24
    # torch.erf is a proper libm erf: within one float32 ulp
    assert rows["torch.erf (float32)"]["max_ulp"] <= 1.0


def test_compare_reports_intervals_and_starting_point():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5])
    a = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    b = a + np.array([8, 0, 3, 0, 0]) * 2.0**-23
    c = compare(x, a, b, "float32")
    assert c["le_2ulp_from"] == 0.5 and not c["agrees"]
    assert [(r["from"], r["points"], r["max_ulp"]) for r in c["beyond"]] == [
        (-3.0, 1, 8.0), (-1.0, 1, 3.0)]
    assert compare(x, a, a, "float32")["agrees"]


def test_report_is_json_and_text(report):
    from approxfit.core.io import dumps

    doc = dumps(report)
    assert '"paper_tanh_float32_agrees": false' in doc
    text = parity_text(report)
    assert "within 2 ulp for x ≥ -0.6219" in text
    assert report["torch"]["version"].startswith("2.")


def test_missing_torch_is_a_computation_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ComputationError, match=r"pip install 'approxfit\[torch\]'"):
        parity_report()


def test_float64_is_not_a_parity_format():
    with pytest.raises(InputError, match="float64 is the reference"):
        parity_report(dtypes=("float64",))
    assert math.isfinite(float(torch_gelu([1.0], "float16")[0]))
