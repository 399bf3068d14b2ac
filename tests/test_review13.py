"""Regressions for the review of issue 13's hardening: taylor's arguments and overflow,
saved-fit messages, empty collections, and the pole test of custom targets."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import approxfit as af
from approxfit.core.checks import InputTypeError
from approxfit.core.exceptions import ComputationError, InputError
from tests.helpers import run_inprocess

# -- 1. af.taylor's argument checks ---------------------------------------------------


@pytest.mark.parametrize("kwargs, name", [
    (dict(family=3), "family"),
    (dict(family="rational", den_degree="3"), "den_degree"),
    (dict(family="rational", den_degree=True), "den_degree"),
    (dict(family="rational", den_degree=2.0), "den_degree"),
    (dict(family="rational", den_parity=3), "den_parity"),
    (dict(family="tanh", den_degree="3"), "den_degree"),      # type-checked for every family
    (dict(family="tanh", den_parity=None), "den_parity"),
    (dict(family="tanh", degree="3"), "degree"),
    (dict(family="tanh", on=1), "on"),
])
def test_taylor_wrong_types_are_input_type_errors(kwargs, name):
    family = kwargs.pop("family")
    with pytest.raises(InputTypeError, match=rf"^`{name}` must be") as info:
        af.taylor("gelu", family, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, InputError)


@pytest.mark.parametrize("den_degree", [0, -1, 41, 1000])
def test_taylor_den_degree_out_of_range_has_one_wording(den_degree):
    with pytest.raises(InputError, match=rf"^`den_degree` must be between 1 and 40, got "
                                         rf"{den_degree}$"):
        af.taylor("tanh", "rational", den_degree=den_degree)


def test_taylor_den_options_refused_for_families_without_denominator():
    with pytest.raises(InputError, match=r"`den_degree` applies only to the rational family"):
        af.taylor("gelu", "tanh", den_degree=4)
    with pytest.raises(InputError, match=r"`den_parity` applies only to the rational"):
        af.taylor("gelu", "poly", den_parity="odd")
    # the defaults are accepted (the CLI always passes them)
    assert af.taylor("gelu", "tanh", degree=3, den_degree=2, den_parity="even").powers == (1, 3)


def test_taylor_cli_den_degree_message():
    code, _, err = run_inprocess(["taylor", "gelu", "rational", "--den-degree", "1000"])
    assert code == 2 and "--den-degree must be between 1 and 40, got 1000" in err


# -- 2. taylor: overflow and long forms -------------------------------------------------


def test_taylor_coefficient_beyond_float64_is_a_computation_error():
    # c1 = 64**64 ≈ 3.9e115; matching x^3 makes c3 ≈ c1**3/3 ≈ 2e346 (> 1.8e308)
    with pytest.raises(ComputationError, match=r"^c3 = .* overflows float64 \(about 10\^346\)"
                                               r"; the fixed value c1 = 64\*\*64 is too large"):
        af.taylor("gelu", "tanh", degree=3, fix={"c1": "64**64"})
    code, out, err = run_inprocess(["taylor", "gelu", "tanh", "--fix", "c1=64**64"])
    assert code == 1 and "inf" not in out and err.count("\n") == 1
    assert "c3 = " in err and "overflows float64" in err


def test_taylor_text_output_shortens_long_forms_json_keeps_them():
    r = af.taylor("gelu", "tanh", degree=3, fix={"c1": "64**32"})
    # independent reference: c3 = c1**3/3 - sqrt(2)/(6 sqrt(pi)) (the x^3 term of the gate)
    c1 = 64**32
    assert math.isclose(r.coefficients["c3"], c1**3 / 3, rel_tol=1e-15)
    assert len(r.exact["c3"]) > 170              # the whole integer, 174 digits
    code, out, _ = run_inprocess(["taylor", "gelu", "tanh", "--fix", "c1=64**32"])
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("c3"))
    assert re.search(r"\d{12}…\(174 digits\)/3", line), line
    assert len(line) < 200
    code, out, _ = run_inprocess(["taylor", "gelu", "tanh", "--fix", "c1=64**32", "--json"])
    assert json.loads(out)["exact"]["c3"] == r.exact["c3"]


def test_shorten_form_cuts_a_form_without_long_integers():
    from approxfit.cli.derive import shorten_form

    text = "+".join(["sqrt(pi)"] * 40)
    short = shorten_form(text)
    assert short.startswith("sqrt(pi)+") and short.endswith(f"… ({len(text)} characters)")
    assert len(short) <= 130


def test_taylor_budget_advice_wording(monkeypatch):
    import approxfit.symbolic.taylor as tay

    seen = {}

    def fake(fn, *args, advice="", **kwargs):
        seen["advice"] = advice
        raise ComputationError("stop")

    monkeypatch.setattr(tay, "run_bounded", fake)
    with pytest.raises(ComputationError):
        af.taylor("myf", "poly", degree=3, expr="exp(x)", parity="none")
    assert seen["advice"] == "try a lower `degree`, a simpler `expr` or a larger `budget`"
    with pytest.raises(ComputationError):
        af.taylor("gelu", "tanh", degree=3, fix={"c1": "1"})
    assert seen["advice"] == "try a lower `degree`, simpler `fix` values or a larger `budget`"


# -- 3. saved-fit messages -------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    r = af.fit("gelu", "tanh", degree=3, samples=201)
    return {"schema_version": 1, "approximant": r.approximant.to_dict()}


def _report(tmp_path: Path, doc: dict) -> tuple[int, str]:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    code, _, err = run_inprocess(["report", str(path)])
    return code, err


@pytest.mark.parametrize("change, expected", [
    (dict(clamp=-1), "'approximant.clamp' must be a positive number, got -1"),
    (dict(powers=[1, 1]), "'approximant.powers' must be a list of 1 to 41 distinct ascending"),
    (dict(base="value "), "'approximant.base' is 'value ' (did you mean 'value'?)"),
    (dict(target="*"), "'approximant.target' '*'"),
    (dict(family="tanhh"), "'approximant.family' is 'tanhh'"),
    (dict(basis="foo"), "'approximant.basis' is 'foo'; choose one of monomial, chebyshev"),
    (dict(powers=[1, 3, 5]),
     "'approximant.coefficients' has no c5, which 'approximant.powers' [1, 3, 5] lists"),
])
def test_saved_fit_messages_name_json_fields(tmp_path, saved, change, expected):
    doc = copy.deepcopy(saved)
    doc["approximant"].update(change)
    code, err = _report(tmp_path, doc)
    assert code == 2 and expected in err, err
    assert "--" not in err and "missing or bad" not in err and err.count("\n") == 1


@pytest.mark.parametrize("name, why", [
    ("c5", "which 'approximant.powers' [1, 3] does not list"),
    ("c99999999999999999999", "which 'approximant.powers' [1, 3] does not list"),
    ("d1", "which is not a coefficient name (c<k>)"),       # a family form has no Q
])
def test_saved_fit_extra_coefficient_is_refused(tmp_path, saved, name, why):
    doc = copy.deepcopy(saved)
    doc["approximant"]["coefficients"][name] = 1.0
    code, err = _report(tmp_path, doc)
    assert code == 2 and f"'approximant.coefficients' has {name}, {why}" in err, err


def test_saved_rational_fit_checks_both_power_lists(tmp_path):
    with pytest.warns(RuntimeWarning, match="outside the range"):
        r = af.fit("tanh", "rational", degree=3, den_degree=2, samples=201, range=(-2, 2))
    doc = {"schema_version": 1, "approximant": r.approximant.to_dict()}
    from approxfit.approximants.spec import load_approximant_file

    assert load_approximant_file(_write(tmp_path, doc)).evaluate(np.array([0.5])).size == 1
    doc["approximant"]["coefficients"]["d4"] = 0.1
    code, err = _report(tmp_path, doc)
    assert code == 2 and "has d4, which 'approximant.den_powers' [2] does not list" in err


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(doc))
    return path


def test_approximant_from_dict_names_fields_without_prefix(saved):
    from approxfit.approximants.spec import approximant_from_dict

    d = copy.deepcopy(saved["approximant"])
    d["clamp"] = 0
    with pytest.raises(InputError, match=r"'clamp' must be a positive number"):
        approximant_from_dict(d)
    d = copy.deepcopy(saved["approximant"])
    d["base"] = "value"                    # a tanh approximant of a value: the constructor
    with pytest.raises(InputError, match=r"^not an approximant description: 'base' must be "
                                         r"'gate' for the tanh family"):
        approximant_from_dict(d)


# -- 4. empty collections ----------------------------------------------------------------


def test_report_of_nothing_is_refused():
    with pytest.raises(InputError, match=r"^`specs` is empty; give at least one approximant"):
        af.report([])
    with pytest.raises(InputError, match=r"`specs` is empty"):
        af.report(())


@pytest.mark.parametrize("plot", ["plot_abs_error", "plot_overlay"])
def test_plots_of_nothing_are_refused(plot):
    with pytest.raises(InputError, match=r"^`approximants` is empty; give at least one"):
        getattr(af, plot)("gelu", {}, np.linspace(-1, 1, 5))


def test_plot_coefficient_vs_range_of_no_rows_is_refused():
    from approxfit.present.plotting import plot_coefficient_vs_range

    with pytest.raises(InputError, match=r"^`rows` is empty"):
        plot_coefficient_vs_range([])


# -- 5. poles of custom targets ----------------------------------------------------------


def test_finite_sharp_peak_is_not_a_pole():
    from approxfit.core.targets import custom_target, singularity

    peak = custom_target("myf", "1/(x**2+1e-12)")
    assert singularity(peak, -1, 1) is None
    # its peak is finite: 1e12 at 0 (closed form), as float64 says
    assert peak.value(np.array([0.0]))[0] == pytest.approx(1e12, rel=1e-15)
    with pytest.warns(RuntimeWarning, match="outside the range"):
        r = af.fit("myf", "poly", degree=4, expr="1/(x**2+1e-12)", range=(-1, 1),
                   samples=1001)
    assert r.converged


@pytest.mark.parametrize("expr, kind, x0", [
    ("1/x", "a pole", 0.0), ("1/(x-0.3)**2", "a pole", 0.3),
    ("1/abs(x)**0.5", "a pole", 0.0), ("log(x**2)", "a singularity", 0.0),
    ("log(abs(x-0.3))", "a singularity", 0.3), ("abs(x)/x", "a jump", 0.0),
])
def test_real_singularities_are_still_found(expr, kind, x0):
    from approxfit.core.targets import custom_target, singularity

    found = singularity(custom_target("myf", expr), -1, 1)
    assert found is not None and found[1] == kind and abs(found[0] - x0) < 1e-9


def test_overflow_is_named_as_overflow():
    code, _, err = run_inprocess(["fit", "myf", "poly", "--degree", "4", "--expr",
                                  "exp(exp(exp(exp(exp(exp(x))))))", "--range", "-1", "1"])
    # exp^6(-1) = exp(exp(exp(exp(exp(1/e))))) ≈ exp(3.4e29): beyond float64 already at -1
    assert code == 1 and "overflows float64 (|f| > 1.8e308) at x = -1" in err
    assert "where it is defined" not in err
    with pytest.raises(ComputationError, match=r"not finite at x = -1 on the range \(nan: not"):
        af.fit("myf", "poly", degree=2, expr="sqrt(x)", range=(-1, 1), samples=101)
    with pytest.raises(ComputationError, match=r"infinite at x = 0 on the range \(a pole\)"):
        af.fit("myf", "poly", degree=2, expr="1/x**2", range=(-1, 1), samples=101)


def test_report_refuses_a_custom_target_with_a_pole(cli):
    r = cli("report", "poly:c1=1", "--target", "myf", "--expr", "1/x", "--samples", "1000")
    assert r.code == 2 and "has a pole near x = 0" in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1
    ok = cli("report", "poly:c1=1", "--target", "myf", "--expr", "x*erf(x)", "--samples", "1001")
    assert ok.code == 0, ok.err
