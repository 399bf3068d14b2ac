"""Rational approximants: Padé in closed form, fits, certificates, poles refused."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize
from scipy.special import erf

from approxfit.approximants.rational import RationalApproximant
from approxfit.core.exceptions import ComputationError
from approxfit.core.grids import make_grid
from approxfit.core.targets import custom_target
from approxfit.fitting.fit import fit
from approxfit.symbolic.taylor import pade_match


def test_pade_of_tanh_is_the_classical_one():
    # tanh x ≈ (15x + x³)/(15 + 6x²), the [3/2] Padé approximant (continued fraction of tanh)
    r = pade_match("tanh", degree=3, den_degree=2)
    assert r.exact == {"c1": "1", "c3": "1/15", "d2": "2/5"}


def test_pade_of_erf_agrees_with_its_series():
    r = pade_match("erf", degree=5, den_degree=4)
    x = sp.Symbol("x")
    c = {k: sp.sympify(v) for k, v in r.exact.items()}
    approx = (c["c1"] * x + c["c3"] * x**3 + c["c5"] * x**5) / (1 + c["d2"] * x**2
                                                                  + c["d4"] * x**4)
    diff = sp.series(approx - sp.erf(x), x, 0, 11).removeO()
    assert sp.simplify(diff) == 0                 # agrees through x^10


def test_recovers_a_rational_target():
    t = custom_target("lorentz", "x/(1 + x**2)")
    for objective in ("l2", "minimax"):
        r = fit(t, "rational", make_grid(-4, 4, samples=2001), degree=1, den_degree=2,
                objective=objective, on="value")
        np.testing.assert_allclose([r.coefficients["c1"], r.coefficients["d2"]], [1.0, 1.0],
                                   rtol=1e-9)
        assert r.metrics["value"]["max_abs_error"] < 1e-12


def test_minimax_beats_nelder_mead_and_is_level():
    grid = make_grid(-3, 3, samples=4001)
    r = fit("erf", "rational", grid, degree=3, den_degree=2, objective="minimax", on="value")
    assert r.converged and r.certificate.levelled_ratio >= 0.999 and r.certificate.alternates
    x = grid.x

    def max_err(p):
        c1, c3, d2 = p
        return np.max(np.abs((c1 * x + c3 * x**3) / (1 + d2 * x**2) - erf(x)))

    start = [r.coefficients[k] * 1.01 for k in ("c1", "c3", "d2")]
    nm = minimize(max_err, start, method="Nelder-Mead",
                  options={"xatol": 1e-13, "fatol": 1e-16, "maxiter": 20000, "maxfev": 40000})
    # The fit minimises the error over the continuous range; Nelder–Mead's on the samples
    # is the discrete optimum, a lower value, and its coefficients' error on a dense grid
    # an upper bound on the continuous optimum.  The certified optimum lies between.
    dense = np.linspace(-3, 3, 600_001)
    c1, c3, d2 = nm.x
    nm_dense = np.max(np.abs((c1 * dense + c3 * dense**3) / (1 + d2 * dense**2) - erf(dense)))
    assert r.max_error <= nm_dense * (1 + 1e-9)
    assert r.certificate.lower_bound <= nm_dense
    assert nm.fun <= r.max_error
    np.testing.assert_allclose(r.certificate.max_error_samples, max_err(
        [r.coefficients[k] for k in ("c1", "c3", "d2")]), rtol=1e-12)


def test_a_pole_on_the_range_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ComputationError, match="denominator"):
            fit("erf", "rational", make_grid(-2, 2, samples=2001), degree=3, den_degree=2,
                fix={"d2": -1.0}, on="value")


def test_min_abs_q_finds_a_sign_change():
    a = RationalApproximant((1,), (1.0,), (2,), (-1.0,), "erf")
    qmin, where = a.min_abs_q(-2, 2)
    assert qmin == 0.0 and abs(abs(where) - 1) < 1e-3


def test_cli_fit_save_report_round_trip(cli, tmp_path):
    path = tmp_path / "rat.json"
    r = cli("fit", "erf", "rational", "--degree", "3", "--den-degree", "2", "--range", "-3",
            "3", "--objective", "minimax", "--save", str(path), "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert set(d["coefficients"]) == {"c1", "c3", "d2"}
    assert d["on"] == "value" and d["certificate"]["levelled_ratio"] >= 0.999
    assert any("no pole" in w for w in d["warnings"])
    rep = cli("report", str(path), "--target", "erf", "--range", "-3", "3", "--samples",
              "4001", "--json")
    assert rep.code == 0, rep.err
    row = rep.json()["rows"][0]
    assert row["coefficients"] == d["coefficients"]
    saved = json.loads(path.read_text())
    assert saved["approximant"]["family"] == "rational"


def test_cli_taylor_rational_is_pade(cli):
    r = cli("taylor", "tanh", "rational", "--degree", "3", "--den-degree", "2", "--json")
    assert r.code == 0, r.err
    assert r.json()["exact"] == {"c1": "1", "c3": "1/15", "d2": "2/5"}


def test_symmetric_rational_certificate_counts_half_the_line():
    # erf is odd; an odd P over an even Q makes the error odd, so optimality needs
    # n + 1 alternation points on x > 0 alone.
    r = fit("erf", "rational", make_grid(-3, 3, samples=4001), degree=5, den_degree=4,
            objective="minimax", on="value")
    c = r.certificate
    # five free coefficients (c1, c3, c5, d2, d4): six points
    assert c.symmetry == "odd" and len(c.points) == c.required == 6 and min(c.points) > 0
    assert c.levelled_ratio >= 0.999
