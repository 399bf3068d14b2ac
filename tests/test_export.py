"""Code export: the printed numpy, torch and C functions run and agree with approxfit.

Each exported function is executed (numpy, torch) or compiled with the system C
compiler and run, and compared with approxfit's own evaluation in the format
(:func:`approxfit.lowprec.emulate.evaluate_in_format`; for float16/bfloat16 the
fused ``opmath="float32"`` evaluation, which is what the export computes).

Tolerance, "to the format's precision": the exported code runs the same
operations in the same order, but its ``tanh``/``exp`` come from numpy, PyTorch
(SLEEF) or the C library instead of approxfit's correctly rounded ones, so a
result may differ by a few ulps of the format.  Where ``tanh(p) → −1`` the sum
``1 + tanh(p)`` cancels: a difference of up to 2 ulps of tanh near −1 (2·2⁻²⁴
in float32) in each of the two implementations becomes an absolute difference
of ``½|x| · 4·2⁻²⁴ = |x|·2⁻²³`` in the value.  Where a gate is
subnormal (σ(p) < 2⁻¹²⁶ in float32 far in the negative tail) it has only an
absolute accuracy of half the subnormal step 2⁻¹⁴⁹ in each implementation, which
``x·g`` multiplies by |x|.  So the bound is ``4·ulp(result) + |x|·2·2⁻¹⁴⁹``
(float64: ``2⁻¹⁰⁷⁴``), plus ``|x|·2⁻²³`` (float64: ``2⁻⁵²``) for the tanh form.
"""

from __future__ import annotations

import ast
import math
import shutil
import subprocess

import numpy as np
import pytest

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.published import PUBLISHED, get_published
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_in_format
from approxfit.lowprec.export import export_code, function_name
from approxfit.lowprec.formats import format_grid, round_to_format, ulp

# The README's degree-5 minimax fit with a tail guard at 10, and a poly of the value.
GUARDED = Approximant("tanh", (1, 3, 5), (0.797717834, 0.03679825598, -0.0003158070595),
                      "gelu", clamp=10.0, name="tanh5-guard")
POLY = Approximant("poly", (0, 1, 2), (0.1, 0.5, 0.2), "gelu", base="value", name="quad")


def approximants():
    # the GELU forms printed in papers (shipped kernels: tests/test_shipped_constants.py)
    return [get_published(n) for n, e in PUBLISHED.items() if not e.shipped] + [GUARDED,
                                                                               POLY]


CASES = [(a, gf) for a in approximants() for gf in ("tanh", "sigmoid")
         if gf == "tanh" or getattr(a, "family", "") == "tanh"]
IDS = [f"{a.name}-{gf}" for a, gf in CASES]
DTYPES = ("float32", "float64", "float16", "bfloat16")


def grid(dtype: str) -> np.ndarray:
    return format_grid(dtype, -10, 10, max_points=20_001)


def reference(a, x, dtype, gate_form="tanh"):
    opmath = "float32" if dtype in ("float16", "bfloat16") else "format"
    return evaluate_in_format(a, x, dtype, opmath=opmath, gate_form=gate_form)


def cancels(a, gate_form: str) -> bool:
    """Whether the formula computes 1 + tanh(p) (the only cancellation)."""
    return getattr(a, "family", "") == "tanh" and gate_form == "tanh"


def assert_format_close(x, got, ref, dtype, what="", *, cancellation=False):
    unit = 2.0**-52 if dtype == "float64" else 2.0**-23  # see the module docstring
    tiny = 2.0**-1074 if dtype == "float64" else 2.0**-149  # compute format's subnormal step
    tol = 4 * ulp(np.maximum(np.abs(got), np.abs(ref)), dtype) + np.abs(x) * 2 * tiny
    if cancellation:
        tol = tol + np.abs(x) * unit
    bad = np.flatnonzero(~(np.abs(got - ref) <= tol))
    assert bad.size == 0, (f"{what}: {bad.size} points differ beyond the bound, first "
                           f"x = {x[bad[0]]!r}: {got[bad[0]]!r} vs {ref[bad[0]]!r}")


def load(source: str, a) -> object:
    namespace: dict = {}
    exec(compile(source, "<export>", "exec"), namespace)
    return namespace[function_name(a)]


# -- numpy -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("a", "gate_form"), CASES, ids=IDS)
def test_numpy_export_agrees_with_approxfit(a, gate_form, dtype):
    src = export_code(a, "numpy", dtype, gate_form=gate_form, max_error=0.0)
    fn = load(src, a)
    x = grid(dtype)
    got = np.asarray(fn(x), dtype=np.float64)
    want = reference(a, x, dtype, gate_form)
    if dtype != "bfloat16":  # bfloat16 comes back as float32 numbers rounded to bfloat16
        assert np.asarray(fn(x)).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, round_to_format(got, dtype))
    assert_format_close(x, got, want, dtype, f"{a.name} numpy {dtype}",
                        cancellation=cancels(a, gate_form))


def test_numpy_export_of_exact_operations_is_bit_exact():
    # ibert has no transcendental function: the same operations give the same bits.
    a = get_published("ibert")
    for dtype in DTYPES:
        x = grid(dtype)
        got = np.asarray(load(export_code(a, "numpy", dtype, max_error=0.0), a)(x), float)
        np.testing.assert_array_equal(got, reference(a, x, dtype))


# -- torch -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("a", "gate_form"), CASES, ids=IDS)
def test_torch_export_agrees_with_approxfit(a, gate_form, dtype):
    torch = pytest.importorskip("torch")
    src = export_code(a, "torch", dtype, gate_form=gate_form, max_error=0.0)
    fn = load(src, a)
    x = grid(dtype)
    inp = torch.from_numpy(x.astype(np.float64 if dtype == "float64" else np.float32))
    out = fn(inp)
    assert out.dtype == inp.dtype  # the caller's dtype, holding the format's values
    got = out.to(torch.float64).numpy()
    assert_format_close(x, got, reference(a, x, dtype, gate_form), dtype,
                        f"{a.name} torch {dtype}", cancellation=cancels(a, gate_form))


# -- C -----------------------------------------------------------------------------------

C_CASES = [(a, gf) for a, gf in CASES]


@pytest.fixture(scope="module")
def c_results(tmp_path_factory):
    """Compile every exported C function once; run them on each format's grid."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    tmp = tmp_path_factory.mktemp("export_c")
    units, calls = [], []
    for dtype in DTYPES:
        for i, (a, gf) in enumerate(C_CASES):
            name = f"f_{dtype}_{i}"
            units.append(export_code(a, "c", dtype, gate_form=gf, name=name, max_error=0.0))
            cast = "double" if dtype == "float64" else "float"
            calls.append((dtype, i, f"(double){name}(({cast})v)"))
    main = ["#include <stdio.h>", "#include <string.h>", "",
            "int main(int argc, char **argv)", "{", "    double v;",
            "    while (scanf(\"%la\", &v) == 1) {"]
    for dtype in DTYPES:
        body = " ".join(f"printf(\"%a \", {c});" for d, _, c in calls if d == dtype)
        main.append(f"        if (strcmp(argv[1], \"{dtype}\") == 0) {{ {body} }}")
    main += ["        printf(\"\\n\");", "    }", "    return argc > 1 ? 0 : 1;", "}"]
    src = tmp / "export.c"
    src.write_text("\n".join(units) + "\n" + "\n".join(main) + "\n")
    exe = tmp / "export"
    subprocess.run([cc, "-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Werror",
                    "-Wno-unused-variable", str(src), "-o", str(exe), "-lm"],
                   check=True, capture_output=True, text=True)
    results = {}
    for dtype in DTYPES:
        x = grid(dtype)
        x = x[:: max(1, x.size // 4001)]
        run = subprocess.run([str(exe), dtype], input="\n".join(v.hex() for v in x),
                             capture_output=True, text=True, check=True)
        rows = [[float.fromhex(t) for t in line.split()]
                for line in run.stdout.splitlines()]
        results[dtype] = (x, np.array(rows))
    return results


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", range(len(C_CASES)), ids=IDS)
def test_c_export_compiles_and_agrees_with_approxfit(c_results, i, dtype):
    a, gf = C_CASES[i]
    x, table = c_results[dtype]
    got = table[:, i]
    if dtype in ("float16", "bfloat16"):  # C computes in float; the caller rounds
        got = round_to_format(got, dtype)
    assert_format_close(x, got, reference(a, x, dtype, gf), dtype, f"{a.name} C {dtype}",
                        cancellation=cancels(a, gf))


# -- tails, comments, imports, errors -------------------------------------------------------

@pytest.mark.parametrize("a", approximants()[:-1], ids=lambda a: a.name)
def test_no_overflow_in_the_tails(a):
    # |x| up to 1e4: finite, no floating-point exception, GELU's limits (x and 0).
    x = np.array([-1e4, -1e3, -50.0, 50.0, 1e3, 1e4])
    for dtype in ("float32", "float64"):
        fn = load(export_code(a, "numpy", dtype, max_error=0.0), a)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = np.asarray(fn(x), dtype=np.float64)
        expect = np.where(x > 0, x, 0.0)
        if a.name == "ibert":  # L is clipped at −b: exact limits
            np.testing.assert_array_equal(y, expect)
        else:
            np.testing.assert_allclose(y, expect, rtol=1e-6, atol=1e-30)


def test_comment_says_what_where_and_how_well():
    src = export_code(get_published("paper-tanh"), "numpy", "float32")
    head = [line for line in src.splitlines() if line.startswith("#")]
    text = "\n".join(head)
    assert "approximates gelu's value" in text
    assert "0.044715" in text and "Hendrycks" in text
    assert "range [-10, 10]" in text
    # measured here: the formula's max error on [−10, 10] is paper-tanh's 4.732e-4
    assert "max |error| 0.0004732 in exact arithmetic" in text
    given = export_code(GUARDED, "c", "bfloat16", range=(-3, 3), max_error=1.25e-4)
    assert "range [-3, 3]: max |error| 0.000125 (as given)" in given
    assert "tail guard: the gate is 1 for x > 10 and 0 for x < -10" in given
    assert "round it to bfloat16" in given


@pytest.mark.parametrize("to", ["numpy", "torch"])
def test_python_exports_import_only_their_library(to):
    for a in approximants():
        for dtype in DTYPES:
            tree = ast.parse(export_code(a, to, dtype, max_error=0.0))
            mods = {n.names[0].name for n in ast.walk(tree) if isinstance(n, ast.Import)}
            assert mods == {to}
            assert not any(isinstance(n, ast.ImportFrom) for n in ast.walk(tree))


def test_c_export_includes_only_math_and_uses_exact_literals():
    src = export_code(get_published("paper-sigmoid"), "c", "float32", max_error=0.0)
    assert [line for line in src.splitlines() if line.startswith("#")] == [
        "#include <math.h>"]
    assert "float gelu_paper_sigmoid(float x)" in src
    assert "0x1.b3b646p+0f" in src  # 1.702 rounded to float32, exactly
    assert float.fromhex("0x1.b3b646p+0") == float(np.float32(1.702))
    src64 = export_code(get_published("paper-sigmoid"), "c", "float64", max_error=0.0)
    assert "double gelu_paper_sigmoid(double x)" in src64 and "expf" not in src64


def test_export_rejects_bad_input():
    a = get_published("paper-tanh")
    with pytest.raises(InputError, match="unknown `to` 'rust'; choose one of numpy, torch, c"):
        export_code(a, "rust")
    with pytest.raises(InputError, match="unknown dtype"):
        export_code(a, "c", "float8")
    with pytest.raises(InputError, match="must be an identifier"):
        export_code(a, "c", name="1bad")
    with pytest.raises(InputError, match="`range` must satisfy LO < HI"):
        export_code(a, "numpy", range=(1.0, -1.0))
    with pytest.raises(InputError, match="`gate_form` must be one of tanh, sigmoid, got 'erf'"):
        export_code(a, "numpy", gate_form="erf")
    assert math.isfinite(float(load(export_code(a, "numpy", max_error=0.0), a)(1.0)))


@pytest.mark.parametrize(("spec", "gate_form", "note"), [
    ("paper-tanh", "tanh", "gate: 1/2*(1 + tanh(p)); tanh saturates, no overflow"),
    ("paper-tanh", "sigmoid", "gate: sigmoid(2p) = 1/2*(1 + tanh(p)), as 1/(1+e) or e/(1+e) "
                              "with e = exp(-|2p|): no overflow"),
    ("paper-sigmoid", "tanh", "gate: sigmoid(p) as 1/(1+e) or e/(1+e) with e = exp(-|p|): "
                              "no overflow"),
    ("paper-sigmoid", "sigmoid", "gate: sigmoid(p) as 1/(1+e) or e/(1+e) with "
                                 "e = exp(-|p|): no overflow"),
    ("ibert", "tanh", None),
    ("as-7.1.26", "sigmoid", None),           # exp(−z²) is no gate function
    ("rational", "tanh", None),
])
def test_the_gate_note_is_read_from_the_program(spec, gate_form, note):
    """The header's gate line follows the operations the code performs, for every kind."""
    from approxfit.approximants.rational import RationalApproximant

    a = (RationalApproximant((0, 1), (0.5, 0.4), (2,), (0.3,), "gelu", base="gate",
                             name="ratg") if spec == "rational" else get_published(spec))
    lines = export_code(a, "numpy", "float32", max_error=1e-3,
                        gate_form=gate_form).splitlines()
    gate_lines = [ln.removeprefix("# ") for ln in lines if ln.startswith("# gate: ")]
    assert gate_lines == ([] if note is None else [note])
