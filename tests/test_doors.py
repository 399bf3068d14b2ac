"""One library, thin doors: ``approxfit fit`` and :func:`approxfit.fitting.fit.fit` agree.

Each case runs once through the Python function and once through the command line
(in-process, ``approxfit.cli.main.main([...])``, as tests/test_robustness.py does) and
asserts identical coefficients, bit for bit, and the same JSON document; the text the
command prints is ``FitResult.summary()``.  A few numbers are also held to independent
references (numpy's least-squares polynomial, the seed's a3 = 0.0448465).
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from scipy.special import erf

from approxfit.core.exceptions import InputError
from approxfit.core.io import dumps
from approxfit.fitting.fit import fit
from approxfit.symbolic.taylor import pade_match, taylor, taylor_match
from tests.helpers import run_inprocess as run_cli


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# (name, command line after `approxfit fit`, the same fit as Python arguments)
CASES = [
    ("poly-silu-8",
     ["silu", "poly", "--degree", "8", "--range", "-6", "6", "--samples", "2001"],
     dict(target="silu", family="poly", degree=8, range=(-6, 6), samples=2001)),
    ("rational-pade-start",
     ["erf", "rational", "--degree", "3", "--den-degree", "2", "--range", "-3", "3",
      "--objective", "minimax", "--samples", "2001"],
     dict(target="erf", family="rational", degree=3, den_degree=2, range=(-3, 3),
          objective="minimax", samples=2001)),
    ("tanh-clamp",
     ["gelu", "tanh", "--degree", "5", "--objective", "minimax", "--clamp", "range",
      "--samples", "4001"],
     dict(target="gelu", family="tanh", degree=5, objective="minimax", clamp="range",
          samples=4001)),
    ("expr-target",
     ["myf", "poly", "--expr", "x*erf(x)", "--degree", "6", "--range", "-3", "3",
      "--samples", "2001"],
     dict(target="myf", family="poly", expr="x*erf(x)", degree=6, range=(-3, 3),
          samples=2001)),
    ("fix-expression",
     ["gelu", "tanh", "--degree", "3", "--fix", "c1=sqrt(2/pi)", "--step", "0.01"],
     dict(target="gelu", family="tanh", degree=3, fix={"c1": "sqrt(2/pi)"}, step=0.01)),
    ("minimax-sigmoid",
     ["gelu", "sigmoid", "--degree", "3", "--objective", "minimax", "--grid", "chebyshev",
      "--samples", "4001"],
     dict(target="gelu", family="sigmoid", grid="chebyshev", degree=3, objective="minimax",
          samples=4001)),
    ("value-on-gate-family",
     ["gelu", "tanh", "--degree", "3", "--on", "value", "--range", "-5", "5", "--samples",
      "3001", "--clamp", "12"],
     dict(target="gelu", family="tanh", degree=3, on="value", range=(-5, 5), samples=3001,
          clamp="12")),    ("relative-weighted",
     ["myf", "poly", "--expr", "exp(x)", "--degree", "4", "--range", "0", "1",
      "--objective", "minimax", "--error", "relative", "--weight", "1+x", "--samples", "2001"],
     dict(target="myf", family="poly", expr="exp(x)", degree=4, range=(0, 1),
          objective="minimax", error="relative", weight="1+x", samples=2001)),
]


@pytest.fixture(scope="module")
def results():
    """Each case through both doors, once."""
    done = {}
    for name, argv, kwargs in CASES:
        kw = dict(kwargs)
        res = quiet(fit, kw.pop("target"), kw.pop("family"), **kw)
        code, out, err = quiet(run_cli, ["fit", *argv, "--json"])
        assert code == 0, (name, err)
        tcode, text, _ = quiet(run_cli, ["fit", *argv])
        assert tcode == 0, name
        done[name] = (res, json.loads(out), text)
    return done


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_both_doors_give_the_same_fit(results, name):
    res, doc, _ = results[name]
    assert doc["coefficients"] == res.coefficients          # bit for bit
    mine = json.loads(dumps(res.to_dict(timing=False)))
    doc.pop("seconds")
    assert doc == mine


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_summary_is_what_the_cli_prints(results, name):
    res, _, text = results[name]
    assert text == res.summary() + "\n"


def test_poly_from_python_fits_the_value_like_the_cli(results):
    res, doc, _ = results["poly-silu-8"]
    assert res.on == doc["on"] == "value"
    # independent reference: the least-squares polynomial of the value x·σ(x)
    x = np.linspace(-6, 6, 2001)
    ref = np.polynomial.polynomial.polyfit(x, x / (1 + np.exp(-x)), 8)
    np.testing.assert_allclose([res.coefficients[f"c{k}"] for k in range(9)], ref,
                               rtol=1e-8, atol=1e-12)


def test_rational_starts_from_pade_in_the_library(results):
    res, _, _ = results["rational-pade-start"]
    pade = pade_match("erf", degree=3, den_degree=2).coefficients
    explicit = quiet(fit, "erf", "rational", degree=3, den_degree=2, range=(-3, 3),
                     objective="minimax", samples=2001, start=pade)
    assert explicit.coefficients == res.coefficients
    assert res.certificate.levelled_ratio >= 0.999
    # independent check of the reported error: erf from scipy
    x = np.linspace(-3, 3, 2001)
    c = res.coefficients
    err = np.max(np.abs((c["c1"] * x + c["c3"] * x**3) / (1 + c["d2"] * x**2) - erf(x)))
    assert res.certificate.max_error_samples == pytest.approx(err, rel=1e-12)


def test_clamp_and_fixed_values_are_the_library_s(results):
    clamped, doc, _ = results["tanh-clamp"]
    assert clamped.approximant.clamp == 10.0 and doc["approximant"]["clamp"] == 10.0
    assert clamped.approximant.gate(np.array([-11.0, 11.0])).tolist() == [0.0, 1.0]
    fixed, _, _ = results["fix-expression"]
    assert fixed.coefficients["c1"] == math.sqrt(2 / math.pi)
    assert fixed.fixed == ("c1",)
    # the seed's grid numpy.arange(-10, 10, 0.01): a3 = 0.0448465
    assert fixed.scaled["a3"] == pytest.approx(0.0448465, abs=5e-8)


def test_the_issue_s_example_reads_the_same_from_both_doors():
    res = quiet(fit, "gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"},
                objective="minimax", range=(-10, 10))
    code, text, _ = quiet(run_cli, ["fit", "gelu", "tanh", "--degree", "3", "--fix",
                                    "c1=sqrt(2/pi)", "--objective", "minimax", "--range",
                                    "-10", "10"])
    assert code == 0 and text == res.summary() + "\n"
    lines = res.summary().splitlines()
    assert lines[0].startswith("minimax fit of tanh (degree 3, odd) to gelu's gate on "
                               "[-10, 10], 20001 samples: minimax converged")
    assert "  c1   = 0.7978845608 (fixed)" in lines
    assert res.certificate.levelled_ratio >= 0.999


def test_repr_and_html_are_short_and_escaped(results):
    res, _, _ = results["expr-target"]
    r = repr(res)
    assert "\n" not in r and len(r) < 160
    assert r.startswith("<FitResult poly degree 6 to myf's value, l2, max abs error ")
    assert r.endswith(", converged>")
    assert f"{res.metrics['value']['max_abs_error_range']:.4e}" in r
    page = res._repr_html_()
    assert page.startswith("<table>") and page.count("<tr>") == len(res.coefficients) + 2
    assert "myf&#x27;s value" in page and "myf's" not in page


@pytest.mark.parametrize("argv, kwargs, needle", [
    (["gelu", "tanh", "--fix", "c2=1"], dict(fix={"c2": 1}),
     "names c2, which tanh of degree 3 (odd) does not have"),
    (["gelu", "tanh", "--max-iter", "0"], dict(max_iter=0), "must be between 1 and 10000"),
    (["gelu", "tanh", "--max-iter", "10001"], dict(max_iter=10_001),
     "must be between 1 and 10000, got 10001"),
    (["gelu", "tanh", "--range", "1", "-1"], dict(range=(1, -1)), "must satisfy LO < HI"),
    (["gelu", "tanh", "--clamp", "3"], dict(clamp="3"), "must be at least the range"),
])
def test_both_doors_refuse_the_same_input(argv, kwargs, needle):
    with pytest.raises(InputError) as info:
        fit("gelu", "tanh", **kwargs)
    code, _, err = run_cli(["fit", *argv])
    assert code == 2 and len(err.strip().splitlines()) == 1
    if needle is not None:
        assert needle in str(info.value) and needle in err
        assert "`" in str(info.value) and "`" not in err     # flags on the command line


def test_taylor_door_is_one_library_call():
    code, out, _ = run_cli(["taylor", "gelu", "tanh", "--degree", "3", "--fix",
                            "c1=sqrt(2/pi)", "--json"])
    assert code == 0
    res = taylor("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"})
    assert json.loads(out) == json.loads(dumps(res.to_dict(timing=False)))
    assert res.exact["a3"] == "(4 - pi)/(6*pi)"
    assert res.scaled["a3"] == pytest.approx((4 - math.pi) / (6 * math.pi), rel=1e-15)
    assert taylor("gelu", "tanh", degree=3).to_dict(timing=False) == \
        taylor_match("gelu", "tanh", degree=3, on="gate").to_dict(timing=False)
    code, out, _ = run_cli(["taylor", "tanh", "rational", "--degree", "3", "--json"])
    assert json.loads(out)["exact"] == taylor("tanh", "rational", degree=3).exact \
        == {"c1": "1", "c3": "1/15", "d2": "2/5"}


def test_parity_points_are_checked_by_the_library():
    from approxfit.lowprec.parity import parity_report

    for bad in (1000, 10_000_001):
        with pytest.raises(InputError, match=rf"^`points` must be between 1001 and 10000000, "
                                             rf"got {bad}$"):
            parity_report(points=bad)
        code, _, err = run_cli(["parity", "--points", str(bad)])
        assert code == 2
        assert err == f"approxfit: error: --points must be between 1001 and 10000000, got {bad}\n"


def test_fit_dtype_of_a_rational_is_refused_by_the_library(tmp_path):
    from approxfit.lowprec.rounding import coefficient_rounding

    res = fit("erf", "rational", degree=3, range=(-2, 2), samples=501)
    with pytest.raises(InputError, match=r"^`dtype` rounding applies to the tanh, sigmoid "
                                         r"and poly families, not to rational"):
        coefficient_rounding(res.approximant, np.linspace(-2, 2, 11), "float32", on="value")
    save = tmp_path / "r.json"
    code, out, err = run_cli(["fit", "erf", "rational", "--degree", "3", "--range", "-2", "2",
                              "--samples", "501", "--dtype", "float32", "--save", str(save)])
    assert code == 2 and out == "" and not save.exists()
    assert err.startswith("approxfit: error: --dtype rounding applies to the tanh, sigmoid "
                          "and poly families, not to rational")
