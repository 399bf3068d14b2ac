"""From a sweep to a kernel: pareto's rows as specs, their fit commands, and the export's
non-finite inputs, dtypes and signs; the packaging metadata.

References: a row's coefficients are the sweep's own numbers (read back from its JSON);
rebuilding one with the printed ``approxfit fit`` command is an independent run of the
fit, which must agree to 1e-12 relative (the same deterministic algorithm on the same
grid; the fits agree bit for bit today, the tolerance allows another BLAS's rounding).
The limits at ±inf are GELU's: GELU(−∞) = 0 (either sign), GELU(+∞) = +∞, NaN → NaN.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.approximants.spec import parse_spec
from approxfit.core.exceptions import InputError
from approxfit.core.io import dumps
from approxfit.lowprec.export import export_code
from approxfit.studies import pareto as sweep
from tests.helpers import run_inprocess

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results" / "pareto-gelu.json"
REBUILT = ("tanh-5", "tanh-3", "poly-3", "rational-4")


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A small GELU sweep written as ``pareto --out`` writes its JSON."""
    res = sweep.pareto("gelu", families=("tanh", "poly", "rational"), max_degree=5,
                       samples=2001, executor="serial")
    path = tmp_path_factory.mktemp("sweep") / "pareto-gelu.json"
    path.write_text(dumps(res.to_dict()))
    return res, path


def row(res, name):
    return next(r for r in res.rows if r["name"] == name)


def close(a: dict, b: dict, rtol: float = 1e-12) -> bool:
    return a.keys() == b.keys() and all(
        math.isclose(a[k], b[k], rel_tol=rtol, abs_tol=0.0) for k in a)


# -- rows as specs, fit commands -----------------------------------------------------------

@pytest.mark.parametrize("name", REBUILT)
def test_the_printed_fit_command_rebuilds_the_row(swept, name):
    res, _ = swept
    r = row(res, name)
    args = shlex.split(r["fit_command"])
    assert args[:2] == ["approxfit", "fit"]
    code, out, err = run_inprocess([*args[1:], "--json"])
    assert code == 0, err
    got = json.loads(out)
    assert close(got["approximant"]["coefficients"], r["coefficients"]), (got, r)
    assert got["approximant"].get("clamp") == r["clamp"]


def test_a_row_is_a_spec_with_the_rows_coefficients(swept):
    res, path = swept
    for r in res.rows:
        a = parse_spec(f"{path}#{r['name']}")
        assert a.coefficients == r["coefficients"]        # exactly: read back from JSON
        assert a.clamp == r["clamp"]
    assert parse_spec(f"{path}#paper-tanh").coefficients == \
        get_published("paper-tanh").coefficients


def test_export_of_a_row_prints_a_c_kernel_with_its_coefficients():
    doc = json.loads(RESULTS.read_text())
    r = next(r for r in doc["rows"] if r["name"] == "tanh-5")
    code, out, err = run_inprocess(["export", f"{RESULTS}#tanh-5", "--to", "c"])
    assert code == 0, err
    assert "#include <math.h>" in out and re.search(r"^float gelu_\w+\(float x\)$", out, re.M)
    printed = dict(re.findall(r"(c\d+) = (-?[0-9.e-]+)",
                              out.split("coefficients (float64): ")[1].split("\n")[0]))
    assert {k: float(v) for k, v in printed.items()} == r["coefficients"]
    for k, v in r["coefficients"].items():     # the C constants: the float32 roundings
        lit = re.search(rf"const float {k} = (\S+)f;", out).group(1)
        assert float.fromhex(lit) == float(np.float32(v))
    assert "+ -" not in out and "- 0.000351516789" in out
    assert "clip" in out or "fmin" in out      # the row's tail guard


@pytest.mark.parametrize("command", [["report"], ["verify", "--format", "bfloat16"]])
def test_report_and_verify_take_a_row(command):
    code, out, err = run_inprocess([*command, f"{RESULTS}#tanh-5"])
    assert code == 0, err
    assert "tanh5" in out


@pytest.mark.parametrize(("fragment", "says"), [
    ("#tanh-4", "has no row 'tanh-4' (did you mean 'tanh-"),
    ("", "is a Pareto sweep of"),
    ("#", "is a Pareto sweep of"),
])
def test_an_unknown_row_is_bad_input_listing_the_rows(fragment, says):
    code, out, err = run_inprocess(["export", f"{RESULTS}{fragment}", "--to", "c"])
    assert code == 2 and out == ""
    assert err.startswith("approxfit: error: ") and err.count("\n") == 1
    assert says in err
    assert "tanh-N (N = 1, 3, 5, 7, 9)" in err      # the names, grouped (shortened)
    assert len(err) < 400


def test_a_row_of_a_saved_fit_is_refused(tmp_path):
    saved = tmp_path / "fit.json"
    code, _, err = run_inprocess(["fit", "gelu", "tanh", "--degree", "3", "--samples", "201",
                                  "--save", str(saved)])
    assert code == 0, err
    with pytest.raises(InputError, match="is not a Pareto sweep's JSON"):
        parse_spec(f"{saved}#tanh-3")


def test_fit_commands_are_shell_safe():
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    for target in ("gelu:mu=0.5,sigma=2", "my f's $(x)"):
        cmd = sweep.fit_command(target, "tanh", 3, range=(-4.0, 4.0), clamp=4.0)
        run = subprocess.run([bash, "-c", f"set -- {cmd}; printf '%s\\n' \"$@\""],
                             capture_output=True, text=True, check=True)
        assert run.stdout.splitlines()[2] == target
        assert run.stdout.splitlines()[-2:] == ["--clamp", "4.0"]


# -- the sweep's defaults and its frontier note ----------------------------------------------

def test_rational_is_a_default_family_of_the_library_and_the_cli():
    assert "rational" in sweep.DEFAULT_FAMILIES
    code, out, err = run_inprocess(["pareto", "gelu", "--max-degree", "2", "--samples", "201",
                                    "--executor", "serial"])
    assert code == 0, err
    assert re.search(r"^rational-2 ", out, re.M)
    assert "  rational-2: approxfit fit gelu rational --degree 2" in out


def test_pareto_says_why_no_row_is_on_the_frontier():
    res = sweep.pareto("gelu", families="poly,rational", max_degree=3, samples=201,
                       executor="serial")
    assert res.frontier == []
    note = res.frontier_note()
    assert note.startswith("no row is on the frontier: every row's whole-line error is 1 "
                           "or more") and "poly and rational diverge" in note
    assert res.to_dict()["frontier_note"] == note
    code, out, _ = run_inprocess(["pareto", "gelu", "--families", "poly", "--max-degree", "2",
                                  "--samples", "201", "--executor", "serial"])
    assert code == 0 and "no row is on the frontier" in out
    assert "* on the Pareto frontier" not in out


def test_the_committed_sweep_has_fit_commands_and_its_recommendation():
    doc = json.loads(RESULTS.read_text())
    assert all(r["fit_command"].startswith("approxfit fit gelu ") for r in doc["rows"])
    assert doc["recommended"]["name"] == "tanh-5" and doc["frontier_note"] is None


# -- export: ±inf, NaN, dtype, signs -----------------------------------------------------

KERNELS = ["paper-tanh", "paper-sigmoid", "bowling-2009", "ibert", "as-7.1.26",
           f"{RESULTS}#tanh-5", f"{RESULTS}#sigmoid-3"]
SPECIAL = np.array([-np.inf, np.inf, np.nan])


def load(src: str):
    ns: dict = {}
    exec(compile(src, "<export>", "exec"), ns)
    return next(v for k, v in ns.items() if k.startswith("gelu_"))


def assert_gelu_limits(y) -> None:
    y = np.asarray(y, dtype=np.float64)
    assert y[0] == 0.0 and y[1] == np.inf and np.isnan(y[2]), y


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.split("#")[-1])
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("form", ["tanh", "sigmoid"])
def test_numpy_export_gives_gelus_limits(spec, dtype, form):
    fn = load(export_code(parse_spec(spec), "numpy", dtype, gate_form=form, max_error=0.0))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = fn(SPECIAL[:2])                     # no inf·0 behind the scenes
    assert_gelu_limits([*y, fn(SPECIAL[2:])[0]])


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.split("#")[-1])
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "float16"])
def test_torch_export_gives_gelus_limits(spec, dtype):
    torch = pytest.importorskip("torch")
    fn = load(export_code(parse_spec(spec), "torch", dtype, max_error=0.0))
    assert_gelu_limits(fn(torch.tensor(SPECIAL)).numpy())


def test_torch_export_keeps_the_callers_dtype():
    torch = pytest.importorskip("torch")
    src = export_code(parse_spec(f"{RESULTS}#tanh-5"), "torch", "float32", max_error=0.0)
    assert "computed in float32" in src and "a tensor of x's dtype" in src
    fn = load(src)
    x = torch.linspace(-6, 6, 1001).to(torch.bfloat16)
    y = fn(x)
    assert y.dtype == torch.bfloat16
    # the float32 kernel's result on the same (exactly widened) inputs, rounded once
    assert torch.equal(y, fn(x.to(torch.float32)).to(torch.bfloat16))
    assert fn(x.to(torch.float64)).dtype == torch.float64
    assert fn([0.5, 1.0]).dtype == torch.float32          # not a tensor: the format


def test_c_export_gives_gelus_limits(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    units, calls = [], []
    for i, spec in enumerate(KERNELS):
        for dtype in ("float32", "float64"):
            for fma in (False, True) if dtype == "float32" else (False,):
                name = f"f{i}_{dtype}_{int(fma)}"
                units.append(export_code(parse_spec(spec), "c", dtype, name=name, fma=fma,
                                         max_error=0.0))
                cast = "double" if dtype == "float64" else "float"
                calls.append(f"printf(\"%a %a %a\\n\", (double){name}(({cast})-INFINITY), "
                             f"(double){name}(({cast})INFINITY), (double){name}(({cast})NAN));")
    main = ["#include <stdio.h>", "int main(void)", "{", *calls, "return 0;", "}"]
    src = tmp_path / "limits.c"
    src.write_text("\n".join(units) + "\n" + "\n".join(main) + "\n")
    exe = tmp_path / "limits"
    subprocess.run([cc, "-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Werror",
                    "-Wno-unused-variable", str(src), "-o", str(exe), "-lm"],
                   check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert len(lines) == len(calls)
    for line in lines:
        assert_gelu_limits([float.fromhex(t) if "nan" not in t else math.nan
                            for t in line.split()])


def test_the_header_writes_each_sign_once():
    src = export_code(parse_spec(f"{RESULTS}#tanh-5"), "numpy", "float32", max_error=0.0)
    formula = next(line for line in src.splitlines() if line.startswith("# formula:"))
    assert "+ -" not in formula and " - 0.000351516789·x^5" in formula


# -- packaging ------------------------------------------------------------------------------

def test_the_package_metadata_has_an_spdx_licence_and_meaningful_extras():
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").is_file()
    extras = meta["optional-dependencies"]
    assert set(extras) == {"test", "notebook", "dask", "torch", "all"}
    names = {k: {re.split(r"[<>=\[ ]", d)[0] for d in v} for k, v in extras.items()}
    assert {"jupyter", "nbconvert"} <= names["notebook"]
    assert names["dask"] == {"distributed"} and names["torch"] == {"torch"}
    assert names["test"] == {"pytest", "hypothesis"}       # the tests only
    assert extras["all"] == ["approxfit[test,notebook,dask,torch]"]
