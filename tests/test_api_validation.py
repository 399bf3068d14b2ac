"""The public API checks its arguments as ``scipy.optimize.least_squares`` does.

Every wrong call below must raise :class:`~approxfit.core.exceptions.InputError` (never
a bare AttributeError, TypeError, IndexError or KeyError, and never succeed) whose
message names the parameter in backticks; the right calls after it must still work.
Issue 13, item 8 (and item 7: memory is estimated before a large allocation).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.published import ClosedFormApproximant, get_published
from approxfit.approximants.rational import RationalApproximant
from approxfit.core import resources
from approxfit.core.checks import (
    InputTypeError,
    check_array,
    check_choice,
    check_float,
    check_int,
    shown,
)
from approxfit.core.exceptions import ApproxfitError, InputError
from approxfit.core.grids import make_grid
from approxfit.core.targets import get_target, resolve_target
from approxfit.fitting.fit import fit
from approxfit.measure.report import report

X = np.linspace(-1.0, 1.0, 5)
# A fast fit: few samples; the checks run before any work.
FAST = {"samples": 201}


def _poly() -> Approximant:
    return Approximant("poly", (0, 1, 2), (0.0, 0.5, 0.25), "gelu", base="value")


def _tanh() -> Approximant:
    return Approximant("tanh", (1, 3), (0.8, 0.04), "gelu")


def _rational() -> RationalApproximant:
    return RationalApproximant((1,), (1.0,), (2,), (0.5,), "tanh")


def _closed() -> ClosedFormApproximant:
    return get_published("as-7.1.26")  # type: ignore[return-value]


# (label, the wrong call, the parameter its message must name)
WRONG: list[tuple[str, object, str]] = [
    # -- fit --------------------------------------------------------------------------
    ("fit target int", lambda: fit(5, "poly", **FAST), "target"),
    ("fit target None", lambda: fit(None, "poly", **FAST), "target"),
    ("fit target unknown", lambda: fit("gelux", "poly", **FAST), "target"),
    ("fit family int", lambda: fit("gelu", 3, **FAST), "family"),
    ("fit family unknown", lambda: fit("gelu", "polly", **FAST), "family"),
    ("fit degree str", lambda: fit("gelu", "poly", degree="3", **FAST), "degree"),
    ("fit degree float", lambda: fit("gelu", "poly", degree=3.0, **FAST), "degree"),
    ("fit degree bool", lambda: fit("gelu", "poly", degree=True, **FAST), "degree"),
    ("fit degree -1", lambda: fit("gelu", "poly", degree=-1, **FAST), "degree"),
    ("fit degree 1000", lambda: fit("gelu", "poly", degree=1000, **FAST), "degree"),
    ("fit parity int", lambda: fit("gelu", "poly", parity=1, **FAST), "parity"),
    ("fit parity unknown", lambda: fit("gelu", "poly", parity="oddd", **FAST), "parity"),
    ("fit on bogus", lambda: fit("gelu", "tanh", on="bogus", **FAST), "on"),
    ("fit objective", lambda: fit("gelu", "poly", objective="L3", **FAST), "objective"),
    ("fit objective None", lambda: fit("gelu", "poly", objective=None, **FAST), "objective"),
    ("fit max_iter -5", lambda: fit("gelu", "poly", max_iter=-5, **FAST), "max_iter"),
    ("fit max_iter 0", lambda: fit("gelu", "poly", max_iter=0, **FAST), "max_iter"),
    ("fit max_iter str", lambda: fit("gelu", "poly", max_iter="10", **FAST), "max_iter"),
    ("fit max_iter bool", lambda: fit("gelu", "poly", max_iter=True, **FAST), "max_iter"),
    ("fit samples str", lambda: fit("gelu", "poly", samples="100"), "samples"),
    ("fit samples 1", lambda: fit("gelu", "poly", samples=1), "samples"),
    ("fit samples bool", lambda: fit("gelu", "poly", samples=True), "samples"),
    ("fit samples float", lambda: fit("gelu", "poly", samples=200.0), "samples"),
    ("fit step str", lambda: fit("gelu", "poly", step="0.01"), "step"),
    ("fit step negative", lambda: fit("gelu", "poly", step=-0.1), "step"),
    ("fit step nan", lambda: fit("gelu", "poly", step=math.nan), "step"),
    ("fit step > range", lambda: fit("gelu", "poly", step=30.0), "step"),
    ("fit chebyshev with step", lambda: fit("gelu", "poly", "chebyshev", step=0.01), "grid"),
    ("fit grid int", lambda: fit("gelu", "poly", 5, **FAST), "grid"),
    ("fit grid unknown", lambda: fit("gelu", "poly", "unifrom", **FAST), "grid"),
    ("fit range short", lambda: fit("gelu", "poly", range=(1.0,), **FAST), "range"),
    ("fit range str", lambda: fit("gelu", "poly", range="ab", **FAST), "range"),
    ("fit range reversed", lambda: fit("gelu", "poly", range=(1, -1), **FAST), "range"),
    ("fit range of str", lambda: fit("gelu", "poly", range=("-1", "1"), **FAST), "range"),
    ("fit range nan", lambda: fit("gelu", "poly", range=(math.nan, 1), **FAST), "range"),
    ("fit range None", lambda: fit("gelu", "poly", range=None, **FAST), "range"),
    ("fit range bool", lambda: fit("gelu", "poly", range=(False, True), **FAST), "range"),
    ("fit fix list", lambda: fit("gelu", "poly", fix=[1, 2], **FAST), "fix"),
    ("fit fix unknown", lambda: fit("gelu", "poly", fix={"c9": 1}, **FAST), "fix"),
    ("fit fix None value", lambda: fit("gelu", "poly", fix={"c1": None}, **FAST), "fix"),
    ("fit clamp bool", lambda: fit("gelu", "tanh", clamp=True, **FAST), "clamp"),
    ("fit clamp list", lambda: fit("gelu", "tanh", clamp=[12], **FAST), "clamp"),
    ("fit expr int", lambda: fit("myf", "poly", expr=5, **FAST), "expr"),
    ("fit den_degree str",
     lambda: fit("tanh", "rational", den_degree="2", **FAST), "den_degree"),
    ("fit den_degree 1000",
     lambda: fit("tanh", "rational", den_degree=1000, **FAST), "den_degree"),
    ("fit den_degree bool",
     lambda: fit("tanh", "rational", den_degree=True, **FAST), "den_degree"),
    ("fit den_parity", lambda: fit("tanh", "rational", den_parity="x", **FAST), "den_parity"),
    ("fit start list", lambda: fit("gelu", "poly", start=[1.0], **FAST), "start"),
    ("fit start str value",
     lambda: fit("gelu", "tanh", start={"c1": "1", "c3": 0.0}, **FAST), "start"),
    ("fit error", lambda: fit("gelu", "poly", error="rel", **FAST), "error"),
    ("fit weight int", lambda: fit("gelu", "poly", weight=3, **FAST), "weight"),
    # -- report -----------------------------------------------------------------------
    ("report specs [5]", lambda: report([5]), "specs"),
    ("report specs 5", lambda: report(5), "specs"),
    ("report specs [None]", lambda: report([None]), "specs"),
    ("report specs dict", lambda: report({"a": 1}), "specs"),
    ("report target None", lambda: report(["paper-tanh"], target=None), "target"),
    ("report range short", lambda: report(["paper-tanh"], range=(1,)), "range"),
    ("report range str", lambda: report(["paper-tanh"], range="ab"), "range"),
    ("report range None", lambda: report(["paper-tanh"], range=None), "range"),
    ("report samples str", lambda: report(["paper-tanh"], samples="100"), "samples"),
    ("report step 0", lambda: report(["paper-tanh"], step=0), "step"),
    ("report dtype int", lambda: report(["paper-tanh"], dtype=32), "dtype"),
    ("report dtype unknown", lambda: report(["paper-tanh"], dtype="float8"), "dtype"),
    ("report opmath None", lambda: report(["paper-tanh"], opmath=None), "opmath"),
    ("report expr int", lambda: report(["poly:c1=1"], target="myf", expr=5), "expr"),
    # -- make_grid --------------------------------------------------------------------
    ("grid step > range", lambda: make_grid(0, 1, step=2), "step"),
    ("grid step str", lambda: make_grid(0, 1, step="0.1"), "step"),
    ("grid step bool", lambda: make_grid(0, 1, step=True), "step"),
    ("grid lo str", lambda: make_grid("0", 1), "lo"),
    ("grid hi None", lambda: make_grid(0, None), "hi"),
    ("grid lo bool", lambda: make_grid(False, 1), "lo"),
    ("grid reversed", lambda: make_grid(1, 0), "range"),
    ("grid samples bool", lambda: make_grid(0, 1, samples=True), "samples"),
    ("grid samples 1", lambda: make_grid(0, 1, samples=1), "samples"),
    ("grid samples huge", lambda: make_grid(0, 1, samples=10**12), "samples"),
    ("grid kind unknown", lambda: make_grid(0, 1, grid="cheb"), "grid"),
    ("grid kind None", lambda: make_grid(0, 1, grid=None), "grid"),
    ("grid chebyshev with step", lambda: make_grid(0, 1, grid="chebyshev", step=0.1), "grid"),
    ("grid samples and step", lambda: make_grid(0, 1, samples=5, step=0.1), "step"),
    # -- targets ----------------------------------------------------------------------
    ("get_target None", lambda: get_target(None), "name"),
    ("get_target int", lambda: get_target(5), "name"),
    ("get_target unknown", lambda: get_target("gelux"), "target"),  # the CLI says TARGET
    ("resolve_target int", lambda: resolve_target(1.0), "target"),
    ("resolve_target expr", lambda: resolve_target("myf", expr=["x"]), "expr"),
    # -- published --------------------------------------------------------------------
    ("get_published None", lambda: get_published(None), "name"),
    ("get_published list", lambda: get_published(["paper-tanh"]), "name"),
    ("get_published unknown", lambda: get_published("paper-tanhh"), "name"),
    # -- approximants: evaluate, gate, derivative -------------------------------------
    ("evaluate on bogus", lambda: _poly().evaluate(X, on="bogus"), "on"),
    ("evaluate on None", lambda: _tanh().evaluate(X, on=None), "on"),
    ("closed evaluate on bogus", lambda: _closed().evaluate(X, on="bogus"), "on"),
    ("rational evaluate on", lambda: _rational().evaluate(X, on="Gate"), "on"),
    ("evaluate x str", lambda: _poly().evaluate("1.5"), "x"),
    ("evaluate x None", lambda: _tanh().evaluate(None), "x"),
    ("evaluate x list of str", lambda: _tanh().evaluate(["1", "2"]), "x"),
    ("evaluate x complex", lambda: _poly().evaluate(np.array([1j])), "x"),
    ("evaluate x bool", lambda: _poly().evaluate(True), "x"),
    ("call x str", lambda: _tanh()("0.5"), "x"),
    ("gate x str", lambda: _tanh().gate("0.5"), "x"),
    ("closed gate x str", lambda: _closed().gate("0.5"), "x"),
    ("derivative x str", lambda: _tanh().derivative("0.5"), "x"),
    ("rational derivative x", lambda: _rational().derivative({"x": 1}), "x"),
    ("closed derivative x", lambda: _closed().derivative("1"), "x"),
    ("program on", lambda: _poly().program(on="bogus"), "on"),
    # -- approximants: with_coefficients ----------------------------------------------
    ("with_coefficients list", lambda: _tanh().with_coefficients([1, 2]), "values"),
    ("with_coefficients str value",
     lambda: _tanh().with_coefficients({"c1": "2"}), "values"),
    ("with_coefficients nan", lambda: _tanh().with_coefficients({"c1": math.nan}), "values"),
    ("with_coefficients bool", lambda: _tanh().with_coefficients({"c1": True}), "values"),
    ("with_coefficients unknown", lambda: _tanh().with_coefficients({"c9": 1}), "values"),
    ("with_coefficients name int",
     lambda: _tanh().with_coefficients({"c1": 1.0}, name=5), "name"),
    ("with_coefficients clamp str",
     lambda: _tanh().with_coefficients({"c1": 1.0}, clamp="x"), "clamp"),
    ("rational with_coefficients list",
     lambda: _rational().with_coefficients(["c1"]), "values"),
    ("rational with_coefficients str",
     lambda: _rational().with_coefficients({"d2": "1"}), "values"),
    ("closed with_coefficients str",
     lambda: _closed().with_coefficients({"p": "0.3"}), "values"),
    ("closed with_coefficients list",
     lambda: _closed().with_coefficients(None), "values"),
    # -- approximants: constructors ---------------------------------------------------
    ("Approximant family unknown",
     lambda: Approximant("polyx", (0,), (1.0,), "gelu", base="value"), "family"),
    ("Approximant family int", lambda: Approximant(3, (0,), (1.0,), "gelu"), "family"),
    ("Approximant powers descending",
     lambda: Approximant("poly", (1, 0), (1.0, 1.0), "gelu", base="value"), "powers"),
    ("Approximant powers int",
     lambda: Approximant("poly", 1, (1.0,), "gelu", base="value"), "powers"),
    ("Approximant coef str",
     lambda: Approximant("poly", (0, 1), ("1", 2.0), "gelu", base="value"), "coef"),
    ("Approximant coef count",
     lambda: Approximant("poly", (0, 1), (1.0,), "gelu", base="value"), "coef"),
    ("Approximant coef None",
     lambda: Approximant("poly", (0, 1), None, "gelu", base="value"), "coef"),
    ("Approximant base bogus",
     lambda: Approximant("poly", (0,), (1.0,), "gelu", base="bogus"), "base"),
    ("Approximant clamp str",
     lambda: Approximant("tanh", (1,), (1.0,), "gelu", clamp="5"), "clamp"),
    ("Approximant target int",
     lambda: Approximant("poly", (0,), (1.0,), 5, base="value"), "target"),
    ("Approximant name int",
     lambda: Approximant("poly", (0,), (1.0,), "gelu", base="value", name=5), "name"),
    ("Approximant meta list",
     lambda: Approximant("poly", (0,), (1.0,), "gelu", base="value", meta=[1]), "meta"),
    ("from_chebyshev coef str",
     lambda: Approximant.from_chebyshev("poly", (0,), ("1",), (-1, 1), "gelu"), "cheb_coef"),
    ("from_chebyshev domain",
     lambda: Approximant.from_chebyshev("poly", (0,), (1.0,), "ab", "gelu"), "domain"),
    ("Rational coef str",
     lambda: RationalApproximant((1,), ("1",), (2,), (0.5,), "tanh"), "num_coef"),
    ("Rational den powers 0",
     lambda: RationalApproximant((1,), (1.0,), (0,), (0.5,), "tanh"), "den_powers"),
    ("Rational den count",
     lambda: RationalApproximant((1,), (1.0,), (2,), (), "tanh"), "den_coef"),
    ("Rational base",
     lambda: RationalApproximant((1,), (1.0,), (2,), (0.5,), "tanh", base="x"), "base"),
    ("Rational target None",
     lambda: RationalApproximant((1,), (1.0,), (2,), (0.5,), None), "target"),
    ("Rational from_chebyshev coef",
     lambda: RationalApproximant.from_chebyshev((1,), (None,), (2,), (0.5,), (-1, 1),
                                                "tanh"), "num_cheb"),
    ("ClosedForm form",
     lambda: ClosedFormApproximant("x", "gelu", {"a": 1.0}, "bogus"), "form"),
    ("ClosedForm constants str",
     lambda: ClosedFormApproximant("x", "gelu", {"p": "0.3", "a1": 0.25, "a2": -0.2,
                                                 "a3": 1.3, "a4": -1.5, "a5": 1.1},
                                   "as-7.1.26"), "constants"),
    ("ClosedForm constants list",
     lambda: ClosedFormApproximant("x", "gelu", [1.0], "as-7.1.26"), "constants"),
]


@pytest.mark.parametrize(("label", "call", "param"), WRONG, ids=[w[0] for w in WRONG])
def test_wrong_call_raises_input_error_naming_the_parameter(label, call, param):
    with pytest.raises(ApproxfitError) as info:
        call()
    exc = info.value
    assert isinstance(exc, InputError), f"{label}: {type(exc).__name__}: {exc}"
    message = str(exc)
    assert f"`{param}`" in message, f"{label}: {message}"
    assert "\n" not in message and len(message) < 400, f"{label}: {message!r}"


def test_the_table_is_large_enough():
    # the brief asks for about 60 wrong calls
    assert len(WRONG) >= 60


# -- right calls that must still work ---------------------------------------------------

def test_right_calls_still_work():
    r = fit("gelu", "poly", degree=np.int64(4), samples=np.int32(401), max_iter=10,
            range=np.array([-3.0, 3.0]))
    assert r.samples == 401
    assert fit("gelu", "tanh", "chebyshev", samples=101, range=(-4, 4)).grid["kind"] == \
        "chebyshev"
    # a Grid made by hand, and step with the default kind
    assert fit("gelu", "tanh", make_grid(-4, 4, step=0.25)).grid["n"] == 32
    assert fit("gelu", "tanh", step=0.5, range=(-4, 4)).grid["kind"] == "arange"
    g = make_grid(np.float32(0), 1, step=np.float64(0.25))
    assert g.x.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert make_grid(-1, 1, samples=3).x.tolist() == [-1.0, 0.0, 1.0]
    a = _tanh()
    # int, list of ints, numpy integer arrays, Python floats: all evaluate
    for x in (1, [0, 1], np.arange(3), 0.5, np.float32(0.5), [0.5, -0.5]):
        assert np.all(np.isfinite(a.evaluate(x)))
        assert np.all(np.isfinite(a.derivative(x)))
        assert np.all(np.isfinite(a.gate(x)))
    assert a.with_coefficients({"c1": np.float64(0.7)}).coefficients["c1"] == 0.7
    assert a.with_coefficients({"c1": 1}, name="mine", clamp=10).clamp == 10.0
    assert _rational().with_coefficients({"d2": 1}).coefficients == {"c1": 1.0, "d2": 1.0}
    rep = report(["paper-tanh"], samples=np.int64(101), range=[-2, 2])
    assert len(rep) == 1
    assert report("paper-tanh", step=0.5).grid.size == 40
    assert resolve_target("gelu").name == "gelu"
    assert get_target("gelu:mu=0,sigma=1").name.startswith("gelu")
    assert get_published("paper-tanh").name == "paper-tanh"


def test_evaluate_on_bogus_is_refused_not_the_gate():
    # issue 13: `evaluate(x, on="bogus")` returned the gate
    a = _tanh()
    with pytest.raises(InputError, match="`on`"):
        a.evaluate(X, on="bogus")
    np.testing.assert_array_equal(a.evaluate(X, on="gate"), a.gate(X))


def test_max_iter_negative_does_not_run():
    # issue 13: fit(..., max_iter=-5) ran
    with pytest.raises(InputError, match=r"^`max_iter` must be between 1 and 10000, got -5$"):
        fit("gelu", "poly", max_iter=-5, **FAST)


def test_den_degree_is_named_for_the_denominator():
    # issue 13: --den-degree 1000 was reported as "degree must be …"
    with pytest.raises(InputError) as info:
        fit("tanh", "rational", degree=3, den_degree=1000, **FAST)
    assert str(info.value).startswith("`den_degree` must be"), str(info.value)


def test_wrong_types_are_also_type_errors():
    # an InputError for the command line (exit 2), and still a TypeError for callers
    # that catch one, as scipy's do
    with pytest.raises(TypeError):
        fit("gelu", "poly", degree="3")
    assert issubclass(InputTypeError, InputError)


# -- the shared checks -----------------------------------------------------------------

def test_checks():
    assert check_int(np.int16(5), "n", lo=0, hi=9) == 5
    assert type(check_int(np.int16(5), "n")) is int
    with pytest.raises(InputError, match=r"^`n` must be between 0 and 9, got 10$"):
        check_int(10, "n", lo=0, hi=9)
    with pytest.raises(InputTypeError, match=r"^`n` must be an int, got bool True$"):
        check_int(True, "n")
    assert check_float(np.float32(0.5), "t", lo=0, lo_open=True) == 0.5
    with pytest.raises(InputError, match=r"^`t` must be a positive number, got 0$"):
        check_float(0, "t", lo=0, lo_open=True)
    with pytest.raises(InputError, match=r"^`t` must be a finite number, got inf$"):
        check_float(math.inf, "t")
    with pytest.raises(InputError, match=r"^`t` must be a finite number, got nan$"):
        check_float(math.nan, "t", hi=1)
    with pytest.raises(InputTypeError, match=r"got str '1'"):
        check_float("1", "t")
    with pytest.raises(InputError, match=r"^unknown `grid` .unifrom. \(did you mean "
                                         r".uniform.\?\); choose one of uniform, chebyshev$"):
        check_choice("unifrom", ("uniform", "chebyshev"), "grid")
    assert check_array([1, 2]).dtype == np.float64
    assert check_array(np.array([1, 2], dtype=object)).tolist() == [1.0, 2.0]
    with pytest.raises(InputError, match="holds str"):
        check_array(np.array([1, "a"], dtype=object))
    with pytest.raises(InputError, match="booleans"):
        check_array([True, False])
    with pytest.raises(InputError):
        check_array([[1, 2], [3]])          # ragged


def test_shown_is_bounded():
    s = shown("x" * 100_000)
    assert len(s) == 60 and s.endswith("…")

    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    assert shown(Hostile()) == "<Hostile>"


def test_long_user_text_is_not_echoed_whole():
    with pytest.raises(InputError) as info:
        fit("gelu", "poly", objective="m" * 131_000, **FAST)
    assert len(str(info.value)) < 300


# -- memory ---------------------------------------------------------------------------

def test_available_memory_reads_meminfo():
    avail = resources.available_memory()
    assert avail is not None and avail > 0
    with open("/proc/meminfo") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("MemAvailable:"))
    # The least of several limits (MemAvailable, ulimit, cgroup), so never above the
    # machine's free memory — read at a different moment: 25 % slack for other processes.
    assert avail < 1.25 * kb * 1024


def test_require_memory_policy_is_half_the_available():
    resources.require_memory(499, "`samples` = 1", available=1000)
    with pytest.raises(InputError, match=r"^`samples` = 1 needs about 501 B; 1000 B are "
                                         r"available and approxfit uses at most half$"):
        resources.require_memory(501, "`samples` = 1", available=1000)
    assert resources.format_bytes(12.4 * 2**30) == "12.4 GiB"


def test_fit_refuses_what_would_not_fit_in_memory(monkeypatch):
    # 10 000 000 samples at degree 30: ~30 × 8 bytes per sample and copy → gigabytes
    monkeypatch.setattr(resources, "available_memory", lambda: 2 * 2**30)
    with pytest.raises(InputError, match=r"`samples` = 10000000 .* needs about [\d.]+ GiB; "
                                         r"2.0 GiB are available"):
        fit("gelu", "poly", degree=30, parity="none", samples=10_000_000)


def test_report_and_make_grid_refuse_what_would_not_fit(monkeypatch):
    monkeypatch.setattr(resources, "available_memory", lambda: 64 * 2**20)
    with pytest.raises(InputError, match=r"`samples` = 10000000 .*needs about"):
        make_grid(0, 1, samples=10_000_000)
    with pytest.raises(InputError, match=r"`samples` = 5000000 .*needs about"):
        report(["paper-tanh"], samples=5_000_000)


def test_memory_check_allows_ordinary_work(monkeypatch):
    # the default fit (20001 samples, degree 3) needs a few MiB: allowed at 64 MiB
    monkeypatch.setattr(resources, "available_memory", lambda: 64 * 2**20)
    assert fit("gelu", "tanh").samples == 20001


def test_cli_memory_refusal_is_one_line(tmp_path):
    code = ("import sys; from approxfit.core import resources as r; "
            "r.available_memory = lambda: 2 * 2**30; "
            "from approxfit.cli.main import main; sys.argv = ['approxfit', 'fit', 'gelu', "
            "'poly', '--degree', '30', '--parity', 'none', '--samples', '10000000']; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("approxfit: error: --samples = 10000000")
