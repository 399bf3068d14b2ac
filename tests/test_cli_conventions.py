"""The command line's conventions (issue 16): --version, -h, shell completion, choices
and metavars, one list convention, shell-safe help examples, output folders created
the same way everywhere with a ``wrote PATH`` line per file, tables that fit 80
columns, and messages that say what is true."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from approxfit.cli.common import app, split_lists
from approxfit.cli.main import COMMANDS, app_command
from tests.helpers import run_inprocess

ROOT = Path(__file__).resolve().parent.parent
NAMES = [fn.__name__ for fn, _ in COMMANDS]
#: synthesize's options are the lead's (approxfit/cli/synthesize.py), converted separately.
OWN = [n for n in NAMES if n != "synthesize"]


def help_text(*args: str) -> str:
    code, out, err = run_inprocess([*args, "--help"])
    assert code == 0, err
    return out


# -- --version, -h, completion -----------------------------------------------------------

def test_version_prints_the_package_version() -> None:
    from approxfit.core.version import __version__

    code, out, _ = run_inprocess(["--version"])
    assert code == 0
    assert out == f"approxfit {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


@pytest.mark.parametrize("name", ["", *NAMES])
def test_h_is_help_everywhere(name: str) -> None:
    args = [name] if name else []
    code, short, _ = run_inprocess([*args, "-h"])
    assert code == 0
    assert short == help_text(*args)
    assert "-h, --help" in short


def test_shell_completion_is_on() -> None:
    top = help_text()
    assert "--install-completion" in top and "--show-completion" in top
    script = Path(sys.executable).parent / "approxfit"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "approxfit"]
    # typer detects the shell from the parent process (shellingham), which a test's
    # process tree does not reliably have; typer's own switch for tests turns detection
    # off, and the shell is then named on the command line
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    r = subprocess.run([*cmd, "--show-completion", "bash"], capture_output=True, text=True,
                       timeout=60, cwd=ROOT, check=False, env=env)
    assert r.returncode == 0, r.stderr
    assert "complete -o default -F" in r.stdout and "COMPLETE=complete_bash" in r.stdout


# -- choices and metavars ----------------------------------------------------------------

@pytest.mark.parametrize("name", OWN)
def test_metavars_read_as_words(name: str) -> None:
    text = help_text(name)
    for bad in ("<str>", "<int>", "<float>", "<list[", "<float,float>", " range>", "<path>"):
        assert bad not in text, f"{name}: {bad}"


@pytest.mark.parametrize("args, listed", [
    (("fit",), "--objective <l2|minimax>"),
    (("fit",), "--grid <uniform|chebyshev>"),
    (("fit",), "FAMILY <tanh|sigmoid|poly|rational|piecewise>"),
    (("taylor",), "--parity <odd|even|none>"),
    (("export",), "--to <numpy|torch|c>"),
    (("report",), "--opmath <format|float32>"),
    (("pareto",), "--on <gate|value>"),
    (("pareto",), "--range LO HI"),
    (("fit",), "--fix NAME=EXPR"),
])
def test_help_lists_the_choices(args: tuple[str, ...], listed: str) -> None:
    assert listed in help_text(*args)


@pytest.mark.parametrize("args, message", [
    (["fit", "gelu", "tanh", "--objective", "minmax"],
     "unknown --objective 'minmax' (did you mean 'minimax'?); choose one of l2, minimax"),
    (["fit", "gelu", "tahn"], "unknown FAMILY 'tahn' (did you mean 'tanh'?); choose one of "
     "tanh, sigmoid, poly, rational"),
    (["export", "paper-tanh", "--to", "rust"], "unknown --to 'rust'; choose one of numpy, "
     "torch, c"),
    (["pareto", "--families", "tanh,sigmod"], "unknown --families 'sigmod' (did you mean "
     "'sigmoid'?)"),
    (["parity", "--dtype", "float64"], "unknown --dtype 'float64' (did you mean 'float16'?); "
     "choose one of float32, bfloat16, float16"),
])
def test_a_bad_choice_is_refused_by_the_parser(args: list[str], message: str) -> None:
    code, out, err = run_inprocess(args)
    assert code == 2 and out == ""
    assert err.startswith(f"approxfit: error: {message}")
    assert len(err.strip().splitlines()) == 1


def test_a_comma_list_is_the_repeated_option() -> None:
    cmd = app_command("pareto")
    assert split_lists(cmd, ["--families", "tanh,poly", "--max-degree", "3"]) == [
        "--families", "tanh", "--families", "poly", "--max-degree", "3"]
    assert split_lists(cmd, ["--families=tanh, poly"]) == [
        "--families", "tanh", "--families", "poly"]
    assert split_lists(cmd, ["--", "--families", "a,b"]) == ["--", "--families", "a,b"]
    # --range is not a list: its values are left alone
    assert split_lists(cmd, ["--range", "-1,2", "3"]) == ["--range", "-1,2", "3"]
    for args in (["--families", "tanh,rational"],
                 ["--families", "tanh", "--families", "rational"]):
        ctx = cmd.make_context("pareto", list(args))
        assert [f.value for f in ctx.params["families"]] == ["tanh", "rational"]
    ctx = app_command("parity").make_context("parity", ["--dtype", "float32,float16"])
    assert [d.value for d in ctx.params["dtype"]] == ["float32", "float16"]


def test_fix_takes_one_coefficient_per_use() -> None:
    code, _, err = run_inprocess(["fit", "gelu", "tanh", "--fix", "c1=1,a3=0.04"])
    assert code == 2
    assert "one NAME=EXPR per --fix" in err


# -- help examples are shell-safe -------------------------------------------------------

UNSAFE = set("()*;&|<>")


def example_lines() -> list[tuple[str, str]]:
    found = []
    for name in ["", *NAMES]:
        text = help_text(*([name] if name else []))
        for line in text.splitlines():
            line = line.strip()
            line = line.removeprefix("Example:").strip()
            if line.startswith("approxfit "):
                found.append((name, line))
    return found


def test_every_command_has_an_example() -> None:
    having = {name for name, _ in example_lines()}
    assert set(NAMES) <= having


@pytest.mark.parametrize("name, line", example_lines())
def test_help_examples_are_shell_safe(name: str, line: str) -> None:
    r = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True,
                       timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    lexer = shlex.shlex(line, posix=True, punctuation_chars="();&|<>")
    lexer.whitespace_split = True
    tokens = list(lexer)
    assert not [t for t in tokens if set(t) <= UNSAFE], line     # an unquoted operator
    raw = shlex.split(line, comments=False)
    assert raw == tokens
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", line)
    assert not (set(unquoted) & UNSAFE), line
    # the command reaches its parser and parses (no command is run)
    assert raw[0] == "approxfit"
    group = typer.main.get_command(app)
    sub = group.commands[raw[1]]  # type: ignore[attr-defined]
    sub.make_context(raw[1], raw[2:], parent=group.make_context("approxfit", raw[1:2]))


# -- output folders are created, and each file written is named ---------------------------

def wrote(err: str) -> list[str]:
    return [line.removeprefix("wrote ") for line in err.splitlines()
            if line.startswith("wrote ")]


def test_export_out_creates_its_folder(tmp_path: Path) -> None:
    dest = tmp_path / "a" / "b" / "gelu.c"
    code, out, err = run_inprocess(["export", "paper-tanh", "--to", "c", "--out", str(dest)])
    assert code == 0, err
    assert out == "" and wrote(err) == [str(dest)]
    assert "float" in dest.read_text()


def test_a_failed_command_creates_no_folder(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "x.c"
    code, _, err = run_inprocess(["export", "tanh:c1=1,zz=2", "--out", str(dest)])
    assert code == 2, err
    assert not (tmp_path / "new").exists()


def test_a_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    code, _, err = run_inprocess(["export", "paper-tanh", "--out", str(tmp_path / "f" / "x.c")])
    assert code == 2
    assert "is not a folder" in err


def test_report_plot_and_csv_create_folders(tmp_path: Path) -> None:
    plot, csv = tmp_path / "p" / "q", tmp_path / "c" / "t.csv"
    code, _, err = run_inprocess(["report", "paper-tanh", "--samples", "201", "--plot",
                                  str(plot), "--csv", str(csv)])
    assert code == 0, err
    assert sorted(wrote(err)) == sorted([str(csv), str(plot / "overlay.png"),
                                         str(plot / "abs-error.png")])
    assert all(Path(p).is_file() for p in wrote(err))


def test_pareto_out_creates_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "x" / "y"
    code, _, err = run_inprocess(["pareto", "gelu", "--families", "poly", "--max-degree",
                                  "2", "--samples", "201", "--executor", "serial",
                                  "--out", str(out), "--json"])
    assert code == 0, err
    assert sorted(Path(p).name for p in wrote(err)) == [
        "pareto-gelu.csv", "pareto-gelu.json", "pareto-gelu.png"]
    assert all(Path(p).parent == out and Path(p).is_file() for p in wrote(err))


def test_verify_plot_creates_its_folder(tmp_path: Path) -> None:
    plot = tmp_path / "v" / "w"
    code, _, err = run_inprocess(["verify", "paper-tanh", "--format", "float8_e4m3fn",
                                  "--plot", str(plot)])
    assert code == 0, err
    assert wrote(err) == [str(plot / "verify-float8_e4m3fn.png")]


def test_fit_save_creates_its_folder(tmp_path: Path) -> None:
    dest = tmp_path / "s" / "fit.json"
    code, _, err = run_inprocess(["fit", "gelu", "poly", "--degree", "2", "--samples", "201",
                                  "--save", str(dest)])
    assert code == 0, err
    assert wrote(err) == [str(dest)] and dest.is_file()


# -- reproduce notes wrap on words ------------------------------------------

def test_claims_text_wraps_notes_on_words() -> None:
    from types import SimpleNamespace

    from approxfit.cli.studies import claims_text

    note = ("a3 = 0.0447149 on [-3, 3] rounds to every printed digit of 0.044715; "
            "the same procedure for sigma(kx) gives k = 1.70175 -> 1.702 " * 2).strip()
    claims = [SimpleNamespace(id="seed-constant", agrees=True, note=note),
              SimpleNamespace(id="q", agrees=False, note="short")]
    text = claims_text(claims, 80)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert lines[0].startswith("seed-constant  agrees   a3 = ")
    body = " ".join(line[len("seed-constant") + 11:] for line in lines[:-1])
    assert body.split() == note.split()            # no word was cut
    assert lines[-1].rstrip() == "q" + " " * 12 + "  differs  short"


# -- messages ------------------------------------------------------------------------------

def test_bfloat16_text_says_what_sets_each_error() -> None:
    code, out, err = run_inprocess(["report", "paper-tanh", "--dtype", "bfloat16"])
    assert code == 0, err
    assert "dominated by" not in out
    # paper-tanh's 255 ulp are at x = -4.34 where 1 + tanh(p) cancels: evaluation, not
    # the format's rounding of the result (0.5 ulp) nor the formula
    m = re.search(r"max ([\d.]+) ulp at x = (-?[\d.]+)", out)
    assert m and 250 < float(m.group(1)) < 260 and float(m.group(2)) == -4.34375
    assert "ulp error set by evaluating in bfloat16" in out
    assert "abs error set by the format's rounding" in out


def test_a_rational_fit_prints_no_gate_line() -> None:
    code, out, err = run_inprocess(["fit", "gelu", "rational", "--degree", "3", "--samples",
                                    "401"])
    assert code == 0, err
    assert "value: max abs error" in out and "gate :" not in out
    code, out, _ = run_inprocess(["fit", "gelu", "tanh", "--samples", "401"])
    assert "gate : max abs error" in out                  # a gated family keeps it


@pytest.mark.parametrize("name", ["report", "export", "verify"])
def test_spec_commands_expr_help_names_what_it_replaces(name: str) -> None:
    text = " ".join(help_text(name).split())
    expr = text[text.index("--expr EXPR"):]
    assert "instead of the specs' own" in expr[:200]
    assert "TARGET names it" not in expr[:400]


def test_pareto_cost_model_is_plain_text() -> None:
    from approxfit.approximants.program import TRANSCENDENTAL_WEIGHT
    from approxfit.studies.pareto import COST_MODEL

    assert not re.search(r":[a-z]+:|``|\n", COST_MODEL)
    assert f"+ {TRANSCENDENTAL_WEIGHT} x transcendental" in COST_MODEL
