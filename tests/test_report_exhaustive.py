"""``report --dtype`` on every value of a ≤ 16-bit format, and export's header on the same.

Issue 14, item 6 and the export header:

* ``report --dtype F`` for float16, bfloat16 and the float8s measures every finite value of
  F in the range — the count is checked against an independent enumeration of all bit
  patterns (numpy/ml_dtypes), and the maximum against the same measure on that
  enumeration; ``--samples``/``--step`` are ignored with a note.  float32 with
  ``--exhaustive`` measures every float32 in the range in chunks (count checked against the
  distance of the bit patterns; rows equal to the unchunked measure).
* ``export``'s header states the error on the inputs report uses, in the code's arithmetic:
  equal to ``report --dtype F --opmath float32`` (half formats) or ``report --dtype
  float32``, and for ``--fma`` to the evaluation model computed here directly.
* ``export --form stable`` (σ(2p)): the numpy and C code equal the verify model with
  ``gate_form="sigmoid"`` bit for bit on every finite bfloat16 input, and numpy's σ
  raises no floating-point warning.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from typing import NamedTuple

import numpy as np
import pytest

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.published import get_published
from approxfit.approximants.spec import parse_spec
from approxfit.core.exceptions import InputError
from approxfit.core.targets import resolve_target
from approxfit.lowprec.export import export_code, function_name, measured_error
from approxfit.lowprec.model import make_model, run_program
from approxfit.lowprec.tables import input_set, precision_rows, precision_rows_chunked
from approxfit.measure.report import report
from tests.helpers import run_inprocess

ml_dtypes = pytest.importorskip("ml_dtypes")
CC = shutil.which("gcc")

GUARDED = Approximant("tanh", (1, 3, 5), (0.797717834, 0.03679825598, -0.0003158070595),
                      "gelu", clamp=10.0, name="tanh5-guard")


class Run(NamedTuple):
    code: int
    out: str
    err: str


def cli(argv: list[str]) -> Run:
    return Run(*run_inprocess(argv))


def enumerate_format(dtype: str, lo: float, hi: float) -> np.ndarray:
    """Every finite value of a ≤ 16-bit format in [lo, hi] from all its bit patterns,
    as float64, ±0 as one (independent of approxfit.lowprec.formats)."""
    np_dtype = np.dtype(np.float16) if dtype == "float16" else np.dtype(getattr(ml_dtypes,
                                                                               dtype))
    bits = np.arange(2 ** (8 * np_dtype.itemsize), dtype=np.uint32)
    values = bits.astype(f"uint{8 * np_dtype.itemsize}").view(np_dtype)
    with np.errstate(invalid="ignore"):
        v = values.astype(np.float64)
    v = v[np.isfinite(v) & (v >= lo) & (v <= hi)]
    return np.unique(v + 0.0)                       # −0 + 0.0 is +0: one zero


# -- report --dtype on every value ------------------------------------------------------

@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float8_e4m3fn", "float8_e5m2"])
def test_report_measures_every_value_of_a_small_format(dtype):
    rep = report(["paper-tanh"], dtype=dtype, range=(-10, 10))
    want = enumerate_format(dtype, -10, 10)
    row = rep.rows[0]
    assert row["n"] == want.size
    assert rep.input_set == (f"every finite {dtype} value in [-10, 10] "
                             f"({want.size:,} inputs, ±0 once)")
    # the measure on the independent enumeration gives the same maximum and place
    ref = precision_rows([get_published("paper-tanh")], want, dtype)[0]
    assert row["max_abs_error"] == ref["max_abs_error"]
    assert row["argmax_abs_error"] == ref["argmax_abs_error"]
    assert row["max_ulp_error"] == ref["max_ulp_error"]


def test_bfloat16_counts_and_grid_description():
    # 2^16 patterns − 256 non-finite; [-10, 10] holds 33 345 of them with ±0 as one:
    # the 16 672 positive ones up to 10 = 0x4120 (16 672 patterns 0x0001 … 0x4120), twice,
    # and zero.
    assert enumerate_format("bfloat16", -np.inf, np.inf).size == 2**16 - 256 - 1
    assert enumerate_format("bfloat16", -10, 10).size == 2 * 0x4120 + 1 == 33_345
    doc = report(["paper-tanh"], dtype="bfloat16").to_dict()
    assert {"kind", "dtype", "opmath", "grid", "rows", "input_set"} <= set(doc)
    assert doc["grid"] == {"kind": "every-value", "n": 33_345, "dtype": "bfloat16"}


def test_samples_and_step_are_ignored_with_a_note():
    rep = report(["paper-tanh"], dtype="bfloat16", samples=101)
    assert rep.rows[0]["n"] == 33_345
    assert rep.input_set.endswith("(33,345 inputs, ±0 once; samples ignored: every value "
                                  "is measured)")
    r = cli(["report", "paper-tanh", "--dtype", "float16", "--step", "0.5",
                       "--json"])
    assert r.code == 0, r.err
    assert r.err.strip() == ("approxfit: note: --step is ignored with --dtype float16: every "
                             "finite float16 value in the range is measured")
    assert json.loads(r.out)["rows"][0]["n"] == enumerate_format("float16", -10, 10).size


def test_text_and_markdown_state_the_inputs():
    r = cli(["report", "paper-tanh", "--dtype", "bfloat16", "--range", "-1", "1"])
    assert r.code == 0, r.err
    n = enumerate_format("bfloat16", -1, 1).size
    assert r.out.splitlines()[0] == (f"inputs: every finite bfloat16 value in [-1, 1] "
                                     f"({n:,} inputs, ±0 once)")
    m = cli(["report", "paper-tanh", "--dtype", "float32", "--markdown"])
    assert m.out.splitlines()[0] == ("Inputs: 2,000 samples numpy.arange(-10, 10, 0.01) rounded "
                                     "to float32 (2,000 distinct inputs).")


def test_float32_stays_sampled_and_float64_states_its_grid():
    assert report(["paper-tanh"], dtype="float32").rows[0]["n"] == 2000
    rep = report(["paper-tanh"], samples=101)
    assert rep.input_set == "101 uniform samples of [-10, 10]"
    assert rep.to_dict()["input_set"] == rep.input_set


def test_float32_exhaustive_on_a_small_range():
    lo, hi = 1.0, 1.0009765625                    # 2^-10 above 1: 2^13 float32 steps
    seen = []
    rep = report(["paper-tanh", "paper-sigmoid"], dtype="float32", range=(lo, hi),
                 exhaustive=True, progress=lambda done, total: seen.append((done, total)))
    n = int(np.float32(hi).view(np.int32) - np.float32(lo).view(np.int32)) + 1
    assert n == 2**13 + 1
    assert [r["n"] for r in rep.rows] == [n, n]
    assert rep.input_set == f"every finite float32 value in [1, 1.00098] ({n:,} inputs)"
    assert seen[-1] == (2 * n, 2 * n)
    # chunked (the library splits into chunks; here 1000 values each) = measured at once
    every = (np.arange(n, dtype=np.int32) + np.float32(lo).view(np.int32)).view(np.float32)
    whole = precision_rows([get_published("paper-tanh")], every.astype(np.float64), "float32")
    parts = precision_rows_chunked([get_published("paper-tanh")],
                                   input_set("float32", (lo, hi), exhaustive=True).chunks(1000),
                                   "float32")
    assert parts == whole
    assert {k: v for k, v in rep.rows[0].items() if k != "metrics"} == whole[0]


def test_float32_exhaustive_on_the_whole_range_is_not_refused(monkeypatch):
    # [-10, 10] holds 2 185 232 385 float32 values; the memory check sees one chunk, so the
    # measure starts (stopped here at its first call instead of running ~6–7 minutes).
    import approxfit.lowprec.tables as tables

    class Started(Exception):
        pass

    def stop(*args, **kwargs):
        raise Started

    monkeypatch.setattr(tables, "precision_rows_chunked", stop)
    n = input_set("float32", (-10, 10), exhaustive=True).size
    assert n == 2 * int(np.float32(10).view(np.int32)) + 1 == 2_185_232_385
    with pytest.raises(Started):
        report(["paper-tanh"], dtype="float32", exhaustive=True)


@pytest.mark.parametrize(("argv", "line"), [
    (["--dtype", "bfloat16", "--exhaustive"],
     "approxfit: error: --exhaustive goes with --dtype float32 (formats of 16 bits or fewer "
     "are always measured on every value; float64 has 2^64)"),
    (["--dtype", "float32", "--exhaustive", "--samples", "11"],
     "approxfit: error: --exhaustive measures every float32 value in the range; drop "
     "--samples and --step"),
    (["--dtype", "float8_e4m3fn", "--range", "500", "600"],
     "approxfit: error: no finite float8_e4m3fn value lies in the range [500, 600]"),
])
def test_exhaustive_misuse_is_one_line_exit_2(argv, line):
    r = cli(["report", "paper-tanh", *argv])
    assert r.code == 2 and r.err.strip() == line and r.out == ""


def test_library_refuses_exhaustive_float64_and_non_bool():
    with pytest.raises(InputError, match="`exhaustive` is for float32 and narrower"):
        report(["paper-tanh"], exhaustive=True)
    with pytest.raises(InputError, match="`exhaustive` must be True or False"):
        report(["paper-tanh"], dtype="float32", exhaustive="yes")
    with pytest.raises(InputError, match="`samples` does not go with `exhaustive`"):
        input_set("float32", (1, 2), samples=11, exhaustive=True)


# -- export's header: the same inputs and arithmetic ------------------------------------

def header_numbers(src: str) -> tuple[str, str, str]:
    m = re.search(r"max \|error\| (\S+) in exact arithmetic, (\S+) at x = (\S+) as computed",
                  src)
    assert m, src
    return m.group(1), m.group(2), m.group(3)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
@pytest.mark.parametrize("spec", ["paper-tanh", "paper-sigmoid"])
def test_export_header_equals_report(spec, dtype):
    src = export_code(get_published(spec), "c", dtype, range=(-4, 6))
    opmath = "float32" if dtype != "float32" else "format"
    row = report([spec], dtype=dtype, opmath=opmath, range=(-4, 6))
    r = row.rows[0]
    assert header_numbers(src) == (f"{r['approximation_abs_error']:.4g}",
                                   f"{r['max_abs_error']:.4g}", f"{r['argmax_abs_error']:.6g}")
    assert f"inputs: {row.input_set}" in src


def test_fma_header_is_the_fused_model():
    # A cubic against itself: the exact-arithmetic error is ~0, so the float32 error is all
    # rounding, and fusing the Horner steps changes it (5.7e-7 unfused, 4.4e-7 fused).
    tgt = resolve_target("cubic", expr="0.1 + 0.7*x + 0.3*x**2 - 0.11*x**3")
    a = parse_spec("poly:c0=0.1,c1=0.7,c2=0.3,c3=-0.11", tgt)
    x = np.arange(-3, 3, 0.01).astype(np.float32)       # report's float32 inputs on [-3, 3]
    exact = tgt.evaluate(x.astype(np.float64))
    fused, _ = run_program(a.program(on="value"), x, make_model("float32", fma=True))
    plain, _ = run_program(a.program(on="value"), x, make_model("float32"))
    err_fused = np.abs(fused.astype(np.float64) - exact)
    err_plain = np.abs(plain.astype(np.float64) - exact)
    assert f"{err_fused.max():.4g}" != f"{err_plain.max():.4g}"
    src = export_code(a, "c", "float32", range=(-3, 3), fma=True)
    assert header_numbers(src)[1:] == (f"{err_fused.max():.4g}",
                                       f"{float(x[np.argmax(err_fused)]):.6g}")
    assert "make_model('float32', fma=True) gives the same" in src
    src = export_code(a, "c", "float32", range=(-3, 3))
    assert header_numbers(src)[1] == f"{err_plain.max():.4g}"
    # bfloat16: every value, fused in float32 and rounded once (the verify model)
    xb = enumerate_format("bfloat16", -3, 3)
    fb, _ = run_program(a.program(on="value"), xb.astype(ml_dtypes.bfloat16),
                        make_model("bfloat16", fma=True))
    eb = np.abs(fb.astype(np.float64) - tgt.evaluate(xb))
    src = export_code(a, "c", "bfloat16", range=(-3, 3), fma=True)
    assert header_numbers(src)[1] == f"{eb.max():.4g}"
    assert f"({xb.size:,} inputs, ±0 once)" in src


def test_export_narrow_float32_range_uses_uniform_samples():
    src = export_code(get_published("paper-tanh"), "numpy", "float32", range=(0, 0.001))
    assert "20,001 uniform samples of [0, 0.001] rounded to float32" in src
    rep = report(["paper-tanh"], dtype="float32", range=(0, 0.001), samples=20_001)
    assert header_numbers(src)[1] == f"{rep.rows[0]['max_abs_error']:.4g}"
    inputs, _ = measured_error(get_published("paper-tanh"), "float32", (0, 0.001))
    assert inputs.samples == 20_001


# -- export --form stable ---------------------------------------------------------------

STABLE = [get_published("paper-tanh"), GUARDED, get_published("paper-sigmoid")]


def bfloat16_inputs() -> np.ndarray:
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    return x[np.isfinite(x.astype(np.float32))]


def same_bits(got_float32: np.ndarray, model: np.ndarray) -> np.ndarray:
    got = np.asarray(got_float32, dtype=np.float32).astype(ml_dtypes.bfloat16)
    both_nan = np.isnan(got.astype(np.float32)) & np.isnan(model.astype(np.float32))
    return (got.view(np.uint16) == model.view(np.uint16)) | both_nan


@pytest.mark.parametrize("a", STABLE, ids=lambda a: a.name)
def test_stable_numpy_export_is_the_model_on_every_bfloat16(a):
    src = export_code(a, "numpy", "bfloat16", gate_form="sigmoid", max_error=0.0)
    ns: dict = {}
    exec(compile(src, "<export>", "exec"), ns)
    x = bfloat16_inputs()
    with np.errstate(over="ignore", invalid="ignore"):   # x·x overflows float32 at 1e38
        got = ns[function_name(a)](x.astype(np.float32))
    model, _ = run_program(a.program(on="value", gate_form="sigmoid"), x,
                           make_model("bfloat16"))
    ok = same_bits(got, model)
    assert ok.all(), f"{np.count_nonzero(~ok)} of {x.size} differ"
    # Stronger, as rounding to bfloat16 hides most 1-ulp float32 differences: the float32
    # export equals the float32 model bit for bit on the same inputs (a σ computed in
    # float32, 1/(1 + expf(-|t|)), differs from it on 1 847 of them for paper-tanh).
    src32 = export_code(a, "numpy", "float32", gate_form="sigmoid", max_error=0.0)
    ns32: dict = {}
    exec(compile(src32, "<export>", "exec"), ns32)
    x32 = x.astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        got32 = np.asarray(ns32[function_name(a)](x32))
    model32, _ = run_program(a.program(on="value", gate_form="sigmoid"), x32,
                             make_model("float32"))
    same = (got32.view(np.uint32) == model32.view(np.uint32)) | (np.isnan(got32)
                                                                  & np.isnan(model32))
    assert got32.dtype == np.float32 and same.all(), np.count_nonzero(~same)


def test_stable_numpy_sigma_raises_no_warning():
    # GUARDED clips p: every bfloat16 input runs without a floating-point exception; the
    # unguarded paper-tanh does up to |x| = 1e4, where σ(2p) sees t ≈ ∓3.6e10.
    x = bfloat16_inputs().astype(np.float32)
    for a, xs in ((GUARDED, x), (get_published("paper-tanh"), x[np.abs(x) <= 1e4])):
        src = export_code(a, "numpy", "float32", gate_form="sigmoid", max_error=0.0)
        ns: dict = {}
        exec(compile(src, "<export>", "exec"), ns)
        with np.errstate(over="raise", invalid="raise", divide="raise"), \
                warnings.catch_warnings():
            warnings.simplefilter("error")
            y = ns[function_name(a)](xs)
        assert np.all(np.isfinite(y))
        assert y[np.argmin(xs)] == 0.0 and y[np.argmax(xs)] == np.max(xs)


@pytest.mark.skipif(CC is None, reason="no gcc")
def test_stable_c_export_is_the_model_on_every_bfloat16(tmp_path):
    units, calls = [], []
    for fma in (False, True):
        for i, a in enumerate(STABLE):
            for dtype in ("bfloat16", "float32"):
                calls.append(f"f_{int(fma)}_{i}_{dtype}")
                units.append(export_code(a, "c", dtype, gate_form="sigmoid", name=calls[-1],
                                         max_error=0.0, fma=fma))
    main = ["#include <stdio.h>", "#include <stdlib.h>",
            f"static float (*const fns[{len(calls)}])(float) = {{{', '.join(calls)}}};",
            "int main(int argc, char **argv)", "{", "    int k = atoi(argv[1]);",
            "    float v;", "    while (fread(&v, sizeof v, 1, stdin) == 1) {",
            "        float y = fns[k](v);", "        fwrite(&y, sizeof y, 1, stdout);", "    }",
            "    return 0;", "}"]
    src = tmp_path / "stable.c"
    src.write_text("\n".join(units) + "\n" + "\n".join(main) + "\n")
    exe = tmp_path / "stable"
    subprocess.run([CC, "-std=c99", "-O2", "-ffp-contract=off", str(src), "-o", str(exe),
                    "-lm"], check=True, capture_output=True)
    x = bfloat16_inputs()
    data = x.astype(np.float32).tobytes()
    for k, name in enumerate(calls):
        _, fma, i, dtype = name.split("_")
        run = subprocess.run([str(exe), str(k)], input=data, capture_output=True, check=True)
        got = np.frombuffer(run.stdout, dtype=np.float32)
        a = STABLE[int(i)]
        xs = x if dtype == "bfloat16" else x.astype(np.float32)
        model, _ = run_program(a.program(on="value", gate_form="sigmoid"), xs,
                               make_model(dtype, fma=fma == "1"))
        if dtype == "bfloat16":
            ok = same_bits(got, model)
        else:   # the float result itself (a float σ, 1/(1 + expf(-|t|)), fails this)
            ok = (got.view(np.uint32) == model.view(np.uint32)) | (np.isnan(got)
                                                                    & np.isnan(model))
        assert got.size == x.size and ok.all(), (name, np.count_nonzero(~ok))


def test_cli_form_maps_to_gate_form():
    stable = cli(["export", "paper-tanh", "--form", "stable"])
    plain = cli(["export", "paper-tanh"])
    assert stable.code == 0 and plain.code == 0
    assert stable.out == export_code(get_published("paper-tanh"), "numpy", "float32",
                                     gate_form="sigmoid")
    assert plain.out == export_code(get_published("paper-tanh"), "numpy", "float32")
    assert "np.tanh" in plain.out and "np.tanh" not in stable.out
    bad = subprocess.run([sys.executable, "-m", "approxfit", "export", "paper-tanh", "--form",
                          "fast"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip() == ("approxfit: error: unknown --form 'fast'; choose one of "
                                  "as-published, stable (see 'python -m approxfit export "
                                  "--help')")
