"""Robustness: bad input, hostile input, numerical faults, interruption, custom targets.

Each row of the README's table "What approxfit answers to bad input" is backed by a
test here or in tests/test_cli.py.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approxfit.core import names
from tests.helpers import run_inprocess

RESULTS = Path(__file__).resolve().parents[1] / "results"


def one_line_exit(r, code: int, needle: str) -> None:
    assert r.code == code, (r.code, r.err)
    assert needle in r.err, r.err
    assert "Traceback" not in r.err + r.out
    assert len(r.err.strip().splitlines()) == 1, r.err


# -- hostile text: nothing runs -----------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "(lambda: __import__('os').system('touch {marker}'))()",
    "[__import__('os').system('touch {marker}') for _ in (1,)]",
    "f\"{{__import__('os').system('touch {marker}')}}\"",
    "().__class__.__base__.__subclasses__()",
    "x.__class__",
    "9**9**9",
    "2**10000",
    "1" * 100_000,
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_fix_never_runs(tmp_path, payload):
    # In this process (four commands per payload; a subprocess each took ~2.5 s a
    # payload): the parser refuses every payload before anything could run.
    marker = tmp_path / "pwned"
    text = payload.format(marker=marker)
    for args in (("fit", "gelu", "tanh", "--fix", f"c1={text}"),
                 ("taylor", "gelu", "tanh", "--fix", f"c1={text}"),
                 ("report", f"tanh:c1={text}", "--samples", "101"),
                 ("fit", "custom", "poly", "--expr", text, "--samples", "101")):
        code, _, err = run_inprocess(list(args))
        assert code == 2, (args, code, err[-300:])
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert not marker.exists()


def test_a_10_mb_expression_is_refused_before_parsing():
    # Too long for a command line, so in-process; the length check comes before ast.
    code, _, err = run_inprocess(["taylor", "gelu", "tanh", "--fix",
                                  "c1=" + "9*" * 5_000_000 + "9"])
    assert code == 2 and "characters long" in err and len(err.strip().splitlines()) == 1


# -- spec files and output paths ------------------------------------------------------

@pytest.mark.parametrize("content, needle", [
    (None, "does not exist"),
    ("", "is empty"),
    ("{not json", "is not JSON"),
    ('{"coefficients": {}}', "is not a saved fit"),
    ('{"schema_version": 99, "approximant": {}}', "schema_version 99"),
    ('{"schema_version": 1, "approximant": {"family": "tanh"}}', "not an approximant"),
])
def test_bad_spec_files(cli, tmp_path, content, needle):
    path = tmp_path / "fit.json"
    if content is not None:
        path.write_text(content)
    one_line_exit(cli("report", str(path), "--samples", "101"), 2, needle)


@pytest.mark.parametrize("args, needle", [
    # a missing folder is created (issue 16); a parent that is a file cannot be
    (("fit", "gelu", "tanh", "--save", "/dev/null/folder/fit.json"), "is not a folder"),
    (("report", "paper-tanh", "--csv", "/dev/null/folder/t.csv"), "is not a folder"),
    (("report", "paper-tanh", "--plot", "/dev/null/folder"), "is not a folder"),
    (("reproduce", "--out", "/dev/null/folder/results"), "is not a folder"),
])
def test_unwritable_outputs(cli, args, needle):
    one_line_exit(cli(*args), 2, needle)


def test_out_that_is_a_file(cli, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    one_line_exit(cli("reproduce", "--out", str(f)), 2, "is not a folder")


def test_saved_fit_round_trips_through_report(cli, tmp_path):
    path = tmp_path / "fit.json"
    r = cli("fit", "gelu", "tanh", "--degree", "3", "--fix", "c1=sqrt(2/pi)", "--step", "0.01",
            "--save", str(path), "--json")
    assert r.code == 0
    rep = cli("report", str(path), "--step", "0.01", "--json").json()
    assert rep["rows"][0]["coefficients"] == r.json()["coefficients"]
    assert rep["rows"][0]["metrics"]["gate"]["mse"] == pytest.approx(
        r.json()["metrics"]["gate"]["mse"], rel=1e-12)


def test_debug_shows_the_traceback(cli):
    r = cli("--debug", "fit", "gelx", "tanh")
    assert r.code != 0 and "Traceback" in r.err and "InputError" in r.err


# -- numerical faults: exit 1, one line ----------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (("fit", "gelu", "poly", "--degree", "15", "--range", "-1e25", "1e25", "--samples",
      "1000"), "overflows"),
    (("fit", "gelu", "sigmoid", "--degree", "3", "--range", "1e5", "1e6", "--samples",
      "1000"), "nothing to fit"),
])
def test_numerical_faults_exit_1(cli, args, needle):
    one_line_exit(cli(*args), 1, needle)


# -- --expr custom targets through every command --------------------------------------

def test_expr_target_through_taylor_fit_report(cli, tmp_path):
    import math

    t = cli("taylor", "xerf", "poly", "--degree", "4", "--expr", "x*erf(x)", "--json")
    assert t.code == 0, t.err
    # x·erf(x) = (2/√π)(x² − x⁴/3 + …)
    assert t.json()["coefficients"]["c2"] == pytest.approx(2 / math.sqrt(math.pi), rel=1e-15)
    assert t.json()["exact"]["c4"] == "-2/(3*sqrt(pi))"
    path = tmp_path / "xerf.json"
    f = cli("fit", "xerf", "poly", "--degree", "6", "--expr", "x*erf(x)", "--range", "-2", "2",
            "--objective", "minimax", "--samples", "4001", "--save", str(path), "--json")
    assert f.code == 0, f.err
    assert f.json()["parity"] == "even"           # detected from f(−x) = f(x)
    assert f.json()["certificate"]["levelled_ratio"] >= 0.999
    r = cli("report", str(path), "--target", "xerf", "--expr", "x*erf(x)", "--range", "-2", "2",
            "--samples", "4001", "--json")
    assert r.code == 0, r.err
    assert r.json()["rows"][0]["metrics"]["value"]["max_abs_error"] == pytest.approx(
        f.json()["metrics"]["value"]["max_abs_error"], rel=1e-9)


def test_expr_cannot_shadow_a_builtin(cli):
    one_line_exit(cli("fit", "gelu", "poly", "--expr", "x"), 2, "built-in target")


# -- interruption leaves earlier results intact ----------------------------------------

@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_reproduce_leaves_previous_results(tmp_path, sig, code):
    out = tmp_path / "results"
    shutil.copytree(RESULTS, out)
    (out / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "approxfit", "reproduce", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)                     # well inside the computation (a run takes ~8 s)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "interrupted" in err and "Traceback" not in err
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before               # no file replaced, none half-written, none added


# -- property-based: any invocation exits 0, 1 or 2, never with a traceback ----------



names_or_junk = lambda good: st.one_of(st.sampled_from(good), st.text(min_size=0, max_size=8))  # noqa: E731
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-50, 50),
                    st.sampled_from(["nan", "-inf", "1e400", "abc", ""]))


@st.composite
def invocations(draw) -> list[str]:
    cmd = draw(st.sampled_from(["fit", "taylor", "report"]))
    argv = [cmd]
    if cmd in ("fit", "taylor"):
        argv += [draw(names_or_junk(names.TARGET_NAMES)), draw(names_or_junk(names.FAMILY_NAMES))]
        argv += ["--degree", str(draw(st.integers(-3, 33) if cmd == "fit" else st.integers(-1, 5)))]
        if draw(st.booleans()):
            argv += ["--parity", draw(names_or_junk(names.PARITIES))]
        if draw(st.booleans()):
            argv += ["--fix", draw(st.sampled_from(["c1=sqrt(2/pi)", "c3=0.04", "c0=1", "c1",
                                                    "c1=", "c1=x", "c9=1", "a3=2"]))]
        if draw(st.booleans()):
            argv += ["--on", draw(names_or_junk(names.ONS))]
    else:
        argv += draw(st.lists(st.sampled_from(["paper-tanh", "ibert", "tanh:c1=1", "poly:c2=1",
                                               "nope", "tanh:", "sigmoid:c1=1.7,a3=1"]),
                              max_size=2))
        argv += ["--target", draw(names_or_junk(names.TARGET_NAMES))]
    if cmd in ("fit", "report"):
        if draw(st.booleans()):
            argv += ["--range", str(draw(numbers)), str(draw(numbers))]
        choice = draw(st.sampled_from(["samples", "step", "none"]))
        if choice == "samples":
            argv += ["--samples", str(draw(st.integers(-2, 3000)))]
        elif choice == "step":
            argv += ["--step", str(draw(st.sampled_from([0.0, -1.0, 0.05, 1e-9, 0.5])))]
    if cmd == "fit":
        argv += ["--objective", draw(names_or_junk(names.OBJECTIVES))]
        if draw(st.booleans()):
            argv += ["--clamp", draw(st.sampled_from(["none", "range", "100", "-1", "x"]))]
    argv.append("--json")
    return argv


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(invocations())
def test_any_invocation_exits_cleanly(argv):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, out, err = run_inprocess(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err
    if code != 0:
        assert err.strip(), argv
    if code == 0:
        doc = json.loads(out)
        if argv[0] == "fit":
            assert {"coefficients", "scaled", "fixed", "metrics", "converged",
                    "iterations", "seconds"} <= set(doc)
        elif argv[0] == "taylor":
            assert {"coefficients", "scaled", "exact"} <= set(doc)
        else:
            assert "rows" in doc


# -- found in review: each once a traceback, a hang or a wrong answer ------------------

@pytest.mark.parametrize("args, code, needle", [
    (("fit", "gelu", "tanh", "--range", "-1", "1", "--step", "1e-320"), 2, "larger step"),
    (("fit", "gelu", "tanh", "--range", "-1e308", "1e308"), 2, "too wide"),
    (("report", "paper-tanh", "--range", "-1e308", "1e308", "--samples", "11"), 2,
     "too wide"),
    (("taylor", "myf", "poly", "--expr", "x*1e999"), 2, "not finite"),
    (("taylor", "myf", "poly", "--expr", "log(x)"), 2, "not analytic at 0"),
    (("taylor", "myf", "poly", "--expr", "sin(1/x)"), 2, "no Maclaurin series"),
    (("taylor", "myf", "poly", "--expr", "sqrt(x)*x"), 2, "not analytic at 0"),
    (("taylor", "gelu", "tanh", "--fix", "c1=1+1/((((2**64)**64)**64)**64)"), 2, "exceeds"),
    (("fit", "myf", "poly", "--expr", "log(x)"), 1, "not finite at x"),
    (("fit", "gelu", "tanh", "--step", "0.01", "--samples", "100"), 2, "not both"),
    (("fit", "gelu", "rational", "--dtype", "float32"), 2, "--dtype rounding"),
    (("fit", "gelu", "rational", "--den-parity", "evn"), 2, "did you mean 'even'"),
    (("report", "paper-tanh", "--dtype", "float32", "--csv", "x.csv"), 2, "--csv and --svg"),
    (("export", "paper-tanh", "--name", "float", "--to", "c"), 2, "keyword"),
    (("export", "poly:c0=1e39", "--to", "c"), 2, "overflows float32"),
    (("pareto", "gelu", "--samples", "1"), 2, "--samples must be between"),
])
def test_review_inputs(cli, args, code, needle):
    one_line_exit(cli(*args), code, needle)


@pytest.mark.parametrize("approximant", [
    {"family": "tanh", "target": "gelu", "powers": [], "coefficients": {}},
    {"family": "tanh", "target": "gelu", "powers": [-1, 1], "coefficients": {"c-1": 1, "c1": 1}},
    {"family": "tanh", "target": "gelu", "powers": [1, 300],
     "coefficients": {"c1": 1, "c300": 1}},
    {"family": "tanh", "target": "gelu", "powers": [1.5], "coefficients": {"c1.5": 1}},
    {"family": "tanh", "target": "gelu", "powers": [1], "coefficients": {"c1": float("nan")}},
])
def test_bad_saved_fit_contents(cli, tmp_path, approximant):
    path = tmp_path / "fit.json"
    path.write_text(json.dumps({"schema_version": 1, "approximant": approximant}))
    r = cli("report", str(path), "--samples", "101")
    assert r.code == 2 and "Traceback" not in r.err, r.err


def test_taylor_warns_when_nothing_matches(cli):
    r = cli("taylor", "mish", "tanh", "--degree", "3", "--parity", "odd")
    assert r.code == 0 and "differ already at x^0" in r.err


def test_export_names_a_parametrised_target_legally(cli, tmp_path):
    r = cli("export", "tanh:c1=1", "--target", "gelu:mu=1,sigma=2", "--to", "numpy")
    assert r.code == 0, r.err
    ns: dict = {}
    exec(compile(r.out, "exported.py", "exec"), ns)       # the generated code must run
    funcs = [v for k, v in ns.items() if callable(v) and k.startswith("gelu")]
    assert len(funcs) == 1
    np = pytest.importorskip("numpy")
    x = np.array([0.5, 1.0])
    # tanh:c1=1 is the gate ½(1 + tanh x): the value is x·σ(2x)
    np.testing.assert_allclose(funcs[0](x), x / (1 + np.exp(-2 * x)), rtol=1e-6)
