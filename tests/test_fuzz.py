"""Generated input for every command: whatever a user types or loads ends in exit 0, 1
or 2 — with one line on stderr when it is not 0 — and never runs code.

Four generators, each derandomised (the same examples in every run) and with a time
budget per example, so that the suite stays inside CI's budget:

- safe expressions for ``--expr`` (the grammar the parser documents, nested and
  combined at random) through ``taylor``, ``fit`` and ``report``;
- saved-fit documents — valid ones written by ``fit --save``, then mutated (wrong types,
  huge and non-finite numbers, deep nesting, hostile names) — through ``report`` and
  ``export`` to every target, whose generated Python is then run;
- output paths (missing folders, files in the way, empty and very long names) for every
  option that writes;
- the remaining commands: ``identify``, ``export``, ``pareto``, ``provenance``,
  ``reproduce``, with junk mixed into their options.
"""

from __future__ import annotations

import copy
import json
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import run_inprocess

BUDGET = timedelta(seconds=20)
"""Per-example wall-clock budget: far above the 0.01–2 s an example takes, low enough
that a hang (the failure these tests exist to catch) fails the test instead of CI."""


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Every example runs in a scratch folder: a relative or empty output path that a
    bug resolves to the current folder must not write into the checkout."""
    monkeypatch.chdir(tmp_path)


def fuzz_settings(n: int):
    return settings(max_examples=n, deadline=BUDGET, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def run(argv: list[str]) -> tuple[int, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_inprocess(argv)


def assert_clean(argv: list[str], code: int, out: str, err: str) -> None:
    """Exit 0, 1 or 2; no traceback; a failure says why in exactly one line."""
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err + out, (argv, err)
    if code != 0:
        lines = err.strip().splitlines()
        assert lines and lines[-1].startswith("approxfit: error: "), (argv, err)
        assert sum(ln.startswith("approxfit: error: ") for ln in lines) == 1, (argv, err)
        assert len(lines[-1]) < 2000, (argv, len(lines[-1]))   # user text is shortened


# -- safe expressions ----------------------------------------------------------------

FUNCS = ["sqrt", "exp", "log", "erf", "erfc", "tanh", "sinh", "cosh", "sin", "cos", "atan",
         "abs"]
ATOMS = st.sampled_from(["x", "x", "x", "pi", "E", "1", "2", "0.5", "3", "1e-3", "0",
                         "1e300", "7"])


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(FUNCS), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner)
              .map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
            inner.map(lambda s: f"-({s})"),
        ),
        max_leaves=2 ** depth,
    )


@fuzz_settings(40)
@given(expr=expressions(), cmd=st.sampled_from(["taylor", "fit", "report"]),
       degree=st.integers(0, 6))
def test_generated_expressions(expr, cmd, degree):
    if cmd == "taylor":
        argv = ["taylor", "myf", "poly", "--degree", str(degree), "--expr", expr, "--json"]
    elif cmd == "fit":
        argv = ["fit", "myf", "poly", "--degree", str(degree), "--expr", expr,
                "--samples", "201", "--range", "-2", "2", "--json"]
    else:
        argv = ["report", "poly:c1=1", "--target", "myf", "--expr", expr,
                "--samples", "201", "--range", "-2", "2", "--json"]
    code, out, err = run(argv)
    assert_clean(argv, code, out, err)
    if code == 0:
        json.loads(out)


# -- saved-fit documents ---------------------------------------------------------------

HOSTILE_TEXT = [
    "x\nimport os; os.system('touch {marker}')\n#",
    "*/ system(\"touch {marker}\"); /*",
    "x \\\nimport os; os.system('touch {marker}')",
    "\"\"\"; import os; os.system('touch {marker}'); \"\"\"",
    "[/x]", "[bold]red", "$\\frac$", "$", "a_b^c", "\u2028import os", "\x00", "é" * 300,
]


@pytest.fixture(scope="module")
def saved_fits(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("saved")
    docs = []
    for i, argv in enumerate([
        ["fit", "gelu", "tanh", "--degree", "3", "--samples", "401"],
        ["fit", "gelu", "sigmoid", "--degree", "3", "--samples", "401"],
        ["fit", "silu", "poly", "--degree", "4", "--samples", "401"],
        ["fit", "gelu", "rational", "--degree", "3", "--den-degree", "2", "--samples", "401"],
        ["fit", "myf", "poly", "--degree", "4", "--expr", "x*erf(x)", "--samples", "401"],
    ]):
        path = folder / f"fit{i}.json"
        code, _, err = run([*argv, "--save", str(path)])
        assert code == 0, (argv, err)
        docs.append(json.loads(path.read_text()))
    return docs


def _leaf_paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _leaf_paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _leaf_paths(v, (*prefix, i))


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(10 ** 30), 10 ** 30),
    st.sampled_from([10 ** 400, -(10 ** 400), 2 ** 64, 0, -1, 41, 10 ** 9]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_TEXT), st.text(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                         max_size=2),
    st.just("NESTED"),
)


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@fuzz_settings(60)
@given(data=st.data(), which=st.integers(0, 4), mutations=st.integers(0, 3),
       command=st.sampled_from(["report", "numpy", "torch", "c"]))
@pytest.mark.slow  # a few seconds: in the full selection (--all)
def test_saved_fit_documents(saved_fits, tmp_path_factory, data, which, mutations, command):
    folder = tmp_path_factory.mktemp("doc")
    marker = folder / "PWNED"
    doc = copy.deepcopy(saved_fits[which])
    for _ in range(mutations):
        paths = list(_leaf_paths(doc))
        path = data.draw(st.sampled_from(paths))
        value = data.draw(JUNK)
        if isinstance(value, str):
            value = value.replace("{marker}", str(marker))
        try:
            _set(doc, path, value)
        except (TypeError, KeyError, IndexError):
            pass
    file = folder / "fit.json"
    # "NESTED" becomes 3000 nested lists in the text (Python's own json cannot write them).
    file.write_text(json.dumps(doc, allow_nan=True).replace('"NESTED"', "[" * 3000 + "]" * 3000))
    if command == "report":
        argv = ["report", str(file), "--samples", "201", "--json"]
    else:
        argv = ["export", str(file), "--to", command, "--out", str(folder / "k.txt")]
    code, out, err = run(argv)
    assert_clean(argv, code, out, err)
    if code == 0 and command in ("numpy", "torch"):
        source = (folder / "k.txt").read_text()
        if command == "numpy" or _has_torch():
            exec(compile(source, "exported.py", "exec"), {})     # importing it runs nothing
    assert not marker.exists(), argv


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# -- output paths --------------------------------------------------------------------

PATHS = st.sampled_from([
    "", " ", "out.json", "missing/out.json", "FILE/out.json", "FOLDER", "FOLDER/",
    "x" * 245 + ".json", "x" * 300, "é.json", "-", ".", "..", "/proc/fit.json",
    "/dev/null/x", "a\nb.json",
])


@pytest.mark.slow  # a few seconds: in the full selection (--all)
@fuzz_settings(40)
@given(path=PATHS, option=st.sampled_from(["save", "plot", "export", "csv", "pareto"]))
def test_output_paths(tmp_path_factory, monkeypatch, path, option):
    folder = tmp_path_factory.mktemp("paths")
    (folder / "FILE").write_text("a file")
    (folder / "FOLDER").mkdir()
    monkeypatch.chdir(folder)
    argv = {
        "save": ["fit", "gelu", "tanh", "--samples", "201", "--save", path],
        "plot": ["report", "paper-tanh", "--samples", "201", "--plot", path],
        "export": ["export", "paper-tanh", "--out", path],
        "csv": ["report", "paper-tanh", "--samples", "201", "--csv", path],
        "pareto": ["pareto", "gelu", "--families", "poly", "--max-degree", "2", "--samples",
                   "201", "--executor", "serial", "--out", path],
    }[option]
    code, out, err = run(argv)
    assert_clean(argv, code, out, err)
    assert not (Path(folder) / "FILE").is_dir()


# -- every other command -------------------------------------------------------------

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e999999999", "-1e-999999", "0.044715", "0.045539924122527116",
                     "1.702", "nan", "inf", "", "0x10", "1_000", "1" * 5000, "pi", "--", "-0"]),
)
EXECUTORS = st.sampled_from(["serial", "local", "dask://", "dask://localhost:notaport",
                             "dask://inproc://x", "bogus", ""])


@st.composite
def other_invocations(draw) -> list[str]:
    cmd = draw(st.sampled_from(["identify", "export", "pareto", "provenance", "reproduce",
                                "targets", "families", "published", "parity"]))
    if cmd == "identify":
        argv = ["identify", draw(NUMBERS)]
        if draw(st.booleans()):
            argv += ["--digits", str(draw(st.integers(-2, 40)))]
        if draw(st.booleans()):
            argv += ["--max-results", str(draw(st.integers(-1, 50)))]
    elif cmd == "export":
        argv = ["export", draw(st.sampled_from(["paper-tanh", "ibert", "tanh:c1=1",
                                                "poly:c0=1e300", "nope", "tanh:"])),
                "--to", draw(st.sampled_from(["numpy", "torch", "c", "rust", ""])),
                "--dtype", draw(st.sampled_from(["float32", "bfloat16", "float8", ""]))]
        if draw(st.booleans()):
            argv += ["--name", draw(st.sampled_from([*HOSTILE_TEXT, "ok_name", "int", "1x"]))]
    elif cmd == "pareto":
        argv = ["pareto", draw(st.sampled_from(["gelu", "silu", "nope"])),
                "--families", draw(st.sampled_from(["poly", "tanh", "poly,rational", "x", ""])),
                "--max-degree", str(draw(st.integers(-1, 3))),
                "--samples", str(draw(st.sampled_from([1, 101, 201]))),
                "--executor", draw(EXECUTORS)]
    elif cmd == "provenance":
        argv = ["provenance", draw(st.sampled_from(["paper-tanh", "nope", "tanh:c1=1"])),
                "--samples", str(draw(st.sampled_from([-1, 0, 2, 51, 10 ** 12])))]
    elif cmd == "reproduce":
        # Only invocations that end before the 7-second computation: bad folders.
        argv = ["reproduce", "--out", draw(st.sampled_from(["", "/proc/x", "/dev/null",
                                                            "/dev/null/x"]))]
    elif cmd == "parity":
        argv = ["parity", draw(st.sampled_from(["paper-tanh", "nope"])),
                "--dtype", draw(st.sampled_from(["float32", "float9"])), "--points", "1001"]
    else:
        argv = [cmd]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@fuzz_settings(50)
@given(argv=other_invocations())
def test_every_command(argv):
    code, out, err = run(argv)
    assert_clean(argv, code, out, err)
    if code == 0 and "--json" in argv:
        json.loads(out)
