"""Weighted and relative error (issue 12 item 4): ``fit(..., error=, weight=)``.

References are independent: closed forms (a weighted constant fit), numpy sums on the
same grid (weighted least squares), mpmath for the relative error of gelu's value, and
the recorded Sollya optima of tests/test_sollya.py (``remez(1, n, I, 1/f)``).
"""

from __future__ import annotations

import json
import warnings

import mpmath
import numpy as np
import pytest

from approxfit.core.exceptions import InputError
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import fit
from approxfit.fitting.result import FitResult
from tests.test_doors import run_cli


def _fit(*args, **kwargs) -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the "error outside the range" advice
        return fit(*args, **kwargs)


def test_weighted_minimax_constant_has_the_closed_form():
    # min_c max_{x in [0,1]} |c − x|/(1 + x): (c − x)/(1 + x) decreases in x, so the
    # optimum levels the ends: c = (1 − c)/2, c = 1/3, error 1/3.
    res = _fit("f", "poly", expr="x", degree=0, parity="none", range=(0, 1),
               objective="minimax", weight="1/(1+x)", samples=2001)
    assert res.coefficients["c0"] == pytest.approx(1 / 3, rel=1e-9)
    c = res.certificate
    assert c.lower_bound == pytest.approx(1 / 3, rel=1e-9)
    assert c.lower_bound <= max(abs(e) for e in c.errors) * (1 + 1e-12)
    assert res.weight == "1/(1+x)" and res.error == "absolute"
    assert "weighted by 1/(1+x)" in res.summary().splitlines()[0]


def test_weighted_least_squares_is_numpy_s_weighted_mean():
    # l2 constant fit of x with weight x: minimise Σ x·(c − x)² → c = Σx²/Σx on the grid
    grid = make_grid(0.0, 2.0, samples=1001)
    x = np.asarray(grid.x)
    res = _fit("f", "poly", grid, expr="x", degree=0, parity="none", weight="x+1")
    w = x + 1
    # the weight multiplies the residual, so least squares weighs its square: w²
    expected = float(np.sum(w * w * x) / np.sum(w * w))
    assert res.coefficients["c0"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("target, degree, lo, hi, expr, sollya", [
    ("phi", 8, -2.0, 3.0, None, 1.2019767839208e-3),
    ("softplus", 8, -3.0, 3.0, None, 1.73643706974504e-4),
    ("e", 5, 0.0, 1.0, "exp(x)", 6.72996865149442e-7),
])
def test_relative_minimax_matches_sollya_recorded(target, degree, lo, hi, expr, sollya):
    # Sollya 8.0 remez(1, n, [lo;hi], 1/f, 1e-12) (see tests/test_sollya.py); on 20 001
    # samples the grid fit is within 1e-6 of the continuous optimum
    res = _fit(target, "poly", degree=degree, range=(lo, hi), objective="minimax",
               expr=expr, error="relative")
    rel = res.metrics["value"]["max_rel_error_range"]
    assert rel <= sollya * (1 + 1e-6)
    assert rel >= sollya * (1 - 1e-6)
    c = res.certificate
    assert c.lower_bound <= sollya * (1 + 1e-9)           # a bound, never above the optimum
    assert res.converged and c.optimal
    assert "relative error" in res.summary().splitlines()[0]


def test_gelu_relative_tanh_fit_factors_x_out():
    res = _fit("gelu", "tanh", degree=5, on="value", range=(-5, 5), objective="minimax",
               error="relative", samples=4001)
    assert res.on == "gate"                       # x·G against x·g: the x cancels
    gate_rel = res.metrics["gate"]["max_rel_error_range"]
    # the value's relative error, by mpmath at the gate's worst point, is the same number
    xw = res.metrics["gate"]["argmax_rel_error_range"]
    with mpmath.workdps(30):
        exact = xw * mpmath.ncdf(xw)
    approx = float(res.approximant.evaluate(np.array([xw]), on="value")[0])
    assert abs(approx - float(exact)) / abs(float(exact)) == pytest.approx(gate_rel, rel=1e-9)
    c = res.certificate
    assert 0 < c.lower_bound <= gate_rel
    assert c.optimality_gap == pytest.approx((gate_rel - c.lower_bound) / gate_rel, abs=1e-9)
    assert c.optimality_gap <= c.tolerance


def test_relative_zero_at_origin_needs_a_vanishing_approximant():
    with pytest.raises(InputError, match=r"`error` relative.*x = 0.*`fix` c0=0"):
        _fit("gelu", "poly", degree=6, parity="none", range=(-3, 3), error="relative")
    # odd parity (no c0) vanishes there too: accepted, and its relative error is finite
    res = _fit("tanh", "poly", degree=7, range=(-3, 3), objective="minimax",
               error="relative", samples=4001)
    assert np.isfinite(res.metrics["value"]["max_rel_error_range"]) and res.converged


def test_relative_zero_elsewhere_is_refused_with_its_place():
    with pytest.raises(InputError, match=r"is 0 at x ≈ 1\b|is 0 at x ≈ 0\.99"):
        _fit("f", "poly", expr="x-1", degree=3, range=(0, 3), error="relative")


def test_bad_weight_is_refused_naming_it():
    with pytest.raises(InputError, match="`weight` must be finite and > 0"):
        _fit("gelu", "poly", weight="x", range=(-1, 1), degree=3)


def test_cli_names_the_flags_and_exits_2():
    code, _, err = run_cli(["fit", "gelu", "poly", "--parity", "none", "--degree", "6",
                            "--range", "-3", "3", "--error", "relative"])
    assert code == 2 and "--error" in err and "--fix" in err
    code, _, err = run_cli(["fit", "gelu", "poly", "--weight", "x-2", "--range", "-1", "1"])
    assert code == 2 and "--weight" in err


def test_saved_relative_fit_round_trips(tmp_path):
    out = tmp_path / "f.json"
    code, _, _ = run_cli(["fit", "softplus", "poly", "--degree", "4", "--range", "-2", "2",
                          "--objective", "minimax", "--error", "relative", "--weight",
                          "1+x**2", "--samples", "2001", "--save", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["error"] == "relative" and doc["weight"] == "1+x**2"
    back = FitResult.from_dict(doc)
    assert back.error == "relative" and back.weight == "1+x**2"
    assert back.to_dict(timing=False) == doc
