"""Issue 13, items 1 and 5: no code from user text in exports; saved fits checked; markup.

- ``export``: hostile names (an approximant's, a closed form's formula, source and
  constant names, a custom target's ``--expr``) for every target (numpy, torch, C).
  The generated Python must parse to exactly one import and one function, hold no
  string literal, create no file when imported (also by a real interpreter reading
  the file's bytes, which honours a PEP 263 coding line) and compute the
  approximant; the generated C must compile (``-std=c99 -trigraphs``) to an object
  that defines only the function and calls nothing but ``<math.h>``.
- saved fits: every hostile document exits 2 with one line naming the file and the
  field (size, depth, types, counts, float64 range, names).
- rich and matplotlib: ``[/x]`` and ``$\\frac$`` are printed literally, also when the
  name is a file's.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import approxfit as af
from approxfit.approximants.approximant import Approximant
from approxfit.approximants.published import get_published
from approxfit.approximants.spec import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    approximant_from_dict,
    load_approximant_file,
    parse_spec,
)
from approxfit.core.exceptions import InputError
from approxfit.lowprec.export import (
    MAX_IDENTIFIER,
    comment_text,
    export_code,
    function_name,
)
from approxfit.lowprec.tables import precision_rows
from tests.helpers import run_inprocess

HOSTILE = {
    "newline-import": 'x\nimport os; os.system("touch PWNED")\n#',
    "c-comment-end": '*/ system("touch PWNED"); /*',
    "backslash-end": 'x \\',
    "backslash-newline": 'x \\\nsystem("touch PWNED");',
    "crlf": 'x\r\nimport os; os.system("touch PWNED")',
    "cr": 'x\rimport os; os.system("touch PWNED")',
    "u2028": 'x\u2028import os; os.system("touch PWNED")\u2029',
    "nul": 'x\x00import os',
    "formfeed-vt": 'x\x0c\x0bimport os',
    "triple-double": '"""; import os; os.system("touch PWNED"); """',
    "triple-single": "'''; import os; os.system(\"touch PWNED\"); '''",
    "trigraph": 'x ??/\nsystem("touch PWNED");',
    "bidi": 'x\u202e; os.system("touch PWNED")\u202c',
    "utf7-cookie": 'coding: utf-7 +AAo-import os; os.system("touch PWNED")+AAo-#',
    "long": "n" * 100_000 + '\nimport os; os.system("touch PWNED")',
}

C_MATH = {"tanhf", "expf", "fabsf", "fminf", "fmaxf", "tanh", "exp", "fabs", "fmin", "fmax"}


def _paper_tanh(**changes):
    return dataclasses.replace(get_published("paper-tanh"), **changes)


def _hostile_approximants():
    """(id, approximant) pairs: the hostile text in the name, and in a closed form's
    source and formula (set from Python: the file loader refuses control characters)."""
    ibert = get_published("ibert")
    for key, text in HOSTILE.items():
        yield f"name-{key}", _paper_tanh(name=text)
        yield f"meta-{key}", dataclasses.replace(ibert, name=text[:50],
                                                 meta={"source": text, "formula": text})


def _check_python(src: str, to: str, fname: str) -> None:
    tree = ast.parse(src)
    kinds = [type(n).__name__ for n in tree.body]
    assert kinds == ["Import", "FunctionDef"], kinds
    assert [a.name for a in tree.body[0].names] == [to]
    assert tree.body[1].name == fname
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str | bytes)], "no string literal in the code"
    assert not [n for n in ast.walk(tree.body[1]) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert src.startswith("# -*- coding: utf-8 -*-\n")
    for line in src.splitlines():
        assert line.isprintable() or line == "", repr(line[:80])


def _run_python(src: str, fname: str, folder: Path, a) -> None:
    """exec the code in an empty folder: nothing created, the function computes."""
    folder.mkdir()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        ns: dict = {}
        exec(compile(src, "exported.py", "exec"), ns)
        x = np.array([-3.0, -0.5, 0.0, 0.7, 2.5])
        y = np.asarray(ns[fname](x), dtype=float)
    finally:
        os.chdir(cwd)
    assert os.listdir(folder) == []
    np.testing.assert_allclose(y, a.evaluate(x), rtol=1e-12, atol=1e-15)  # float64 code


@pytest.mark.parametrize("to", ["numpy", "torch"])
def test_python_exports_keep_hostile_text_in_comments(to, tmp_path):
    if to == "torch":
        pytest.importorskip("torch")
    for i, (_key, a) in enumerate(_hostile_approximants()):
        src = export_code(a, to, "float64", max_error=1e-3)
        fname = function_name(a)
        assert len(fname) <= MAX_IDENTIFIER
        _check_python(src, to, fname)
        if to == "numpy" or i < 6:                  # torch imports are slow: a few suffice
            _run_python(src, fname, tmp_path / f"run{i}", a)


def test_exports_read_by_a_real_interpreter_run_nothing(tmp_path):
    """Python files on disk go through the tokenizer's PEP 263 coding detection (which
    ``compile`` of a str skips): a UTF-7 cookie in the name must not turn ``+AAo-``
    into a newline."""
    mods = tmp_path / "mods"
    mods.mkdir()
    names = []
    for i, (_, a) in enumerate(_hostile_approximants()):
        (mods / f"k{i}.py").write_text(export_code(a, "numpy", "float64", max_error=0.0),
                                       encoding="utf-8")
        names.append((f"k{i}", function_name(a)))
    script = ("import importlib, sys\nsys.path.insert(0, sys.argv[1])\n"
              "for mod, fn in " + repr(names) + ":\n"
              "    m = importlib.import_module(mod)\n"
              "    assert float(getattr(m, fn)(1.0)) > 0.8, mod\n"
              "print('ok')\n")
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([sys.executable, "-c", script, str(mods)], cwd=work,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout == "ok\n", r.stderr[-2000:]
    assert os.listdir(work) == []
    assert not list(mods.glob("PWNED*"))


def test_utf7_cookie_is_an_attack_without_the_fixed_first_line(tmp_path):
    """The reason for the first line: this file runs code when read without it."""
    body = "# " + HOSTILE["utf7-cookie"] + "\n# +AAo-open('PWNED', 'w')\n"
    (tmp_path / "bad.py").write_text(body)
    (tmp_path / "good.py").write_text("# -*- coding: utf-8 -*-\n" + body)
    subprocess.run([sys.executable, "good.py"], cwd=tmp_path, capture_output=True, timeout=60)
    assert not (tmp_path / "PWNED").exists()
    subprocess.run([sys.executable, "bad.py"], cwd=tmp_path, capture_output=True, timeout=60)
    assert (tmp_path / "PWNED").exists()   # the attack is real: the guard above matters


def _c_symbols(src: str, folder: Path) -> tuple[set[str], set[str]]:
    """Compile ``src`` to an object (warnings about comments are errors): its defined
    and undefined symbols."""
    c = folder / "k.c"
    c.write_text(src, encoding="utf-8")
    r = subprocess.run(["gcc", "-std=c99", "-trigraphs", "-Wall", "-Wcomment",
                        "-Werror=comment", "-Werror=trigraphs", "-c", str(c), "-o",
                        str(folder / "k.o")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]

    def syms(flag: str) -> set[str]:
        out = subprocess.run(["nm", flag, str(folder / "k.o")], capture_output=True,
                             text=True, timeout=60).stdout
        return {line.split()[-1] for line in out.splitlines() if line.strip()}

    return syms("--defined-only"), syms("--undefined-only")


@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("nm") is None,
                    reason="needs gcc and nm")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_c_exports_keep_hostile_text_in_comments(dtype, tmp_path):
    for i, (key, a) in enumerate(_hostile_approximants()):
        src = export_code(a, "c", dtype, max_error=1e-3)
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        defined, undefined = _c_symbols(src, folder)
        assert defined == {function_name(a)}, key
        assert undefined <= C_MATH, (key, undefined)
        head = src[:src.index("*/")]                     # the one comment ends once
        assert src.count("*/") == 1 + src.count("*/", src.index("#include"))
        assert "\\" not in head and "??" not in head and "/*" not in head[2:], key


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_c_export_of_a_hostile_name_runs_and_creates_nothing(tmp_path):
    a = _paper_tanh(name=HOSTILE["c-comment-end"] + "\n" + HOSTILE["backslash-newline"])
    fname = function_name(a)
    src = export_code(a, "c", "float64", max_error=0.0)
    main = f'{src}\n#include <stdio.h>\nint main(void) {{ printf("%.17g\\n", {fname}(1.0)); }}\n'
    (tmp_path / "m.c").write_text(main)
    subprocess.run(["gcc", "-std=c99", "-ffp-contract=off", "m.c", "-o", "m", "-lm"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=60)
    before = set(os.listdir(tmp_path))
    out = subprocess.run(["./m"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert set(os.listdir(tmp_path)) == before
    # float64 code: paper-tanh at 1 as approxfit computes it, to a few ulps
    assert math.isclose(float(out.stdout), float(a.evaluate(np.array([1.0]))[0]),
                        rel_tol=1e-15)


def test_function_names_are_ascii_and_deterministic():
    assert function_name(_paper_tanh(name="gelu:mu=1")) == "gelu_gelu_mu_1"
    assert function_name(_paper_tanh(name="é名\u2028x")) == "gelu_x"
    assert function_name(_paper_tanh(name="9lives")) == "gelu_9lives"
    assert function_name(_paper_tanh(name="∗∗∗")) == "gelu_approx"
    long = function_name(_paper_tanh(name="a" * 10_000))
    assert long == ("gelu_" + "a" * 10_000)[:MAX_IDENTIFIER]
    for bad in ["é", "a b", "x\n", "float", "main", "tanhf", "a" * (MAX_IDENTIFIER + 1)]:
        with pytest.raises(InputError):
            function_name(_paper_tanh(), bad)
    with pytest.raises(InputError, match="`name` must be a string"):
        function_name(_paper_tanh(), 3)


def test_comment_text_removes_every_way_out():
    raw = "a\n\r\x00\x0b\x0c\u2028\u2029\u0085\u202e\ufeff\\ */ /* ?? ??/ ok Φ√π"
    out = comment_text(raw, None)
    assert out.isprintable() and "\\" not in out
    assert "*/" not in out and "/*" not in out and "??" not in out
    assert out.endswith("ok Φ√π")
    assert comment_text("x" * 500) == "x" * 199 + "…"
    assert comment_text(comment_text(raw, None), None) == out      # idempotent


# -- through the command line --------------------------------------------------------------

def _save(path: Path, **changes) -> Path:
    d = get_published("paper-tanh").to_dict()
    d.update(changes)
    path.write_text(json.dumps({"schema_version": 1, "approximant": d}), encoding="utf-8")
    return path


@pytest.mark.parametrize("to", ["numpy", "torch", "c"])
def test_cli_export_of_hostile_saved_names(to, tmp_path):
    """Names the loader lets through (no control characters) still stay in comments."""
    for i, key in enumerate(["c-comment-end", "triple-double", "triple-single", "utf7-cookie",
                             "backslash-end"]):
        fit = _save(tmp_path / f"f{i}.json", name=HOSTILE[key])
        out = tmp_path / f"k{i}.txt"
        code, _, err = run_inprocess(["export", str(fit), "--to", to, "--dtype", "float64",
                                      "--out", str(out)])
        assert code == 0, err
        src = out.read_text(encoding="utf-8")
        a = load_approximant_file(fit)
        if to == "c":
            if shutil.which("gcc"):
                (tmp_path / f"c{i}").mkdir()
                defined, undefined = _c_symbols(src, tmp_path / f"c{i}")
                assert defined == {function_name(a)} and undefined <= C_MATH
        else:
            _check_python(src, to, function_name(a))


def test_cli_export_of_a_hostile_file_stem(tmp_path):
    """A saved fit without a name is named after its file: a newline in the file name."""
    fit = _save(tmp_path / 'x\nimport os; os.system("touch PWNED")\n#.json', name="")
    code, out, err = run_inprocess(["export", str(fit), "--to", "numpy", "--dtype", "float64"])
    assert code == 0, err
    _check_python(out, "numpy", "gelu_x_import_os_os_system_touch_PWNED")


@pytest.mark.parametrize("to", ["numpy", "torch", "c"])
def test_cli_export_with_a_hostile_expr(to, tmp_path):
    """``--expr`` text (comments and newlines are legal inside its parentheses) and a
    custom target's name reach the header only as comment text."""
    expr = '(x #*/ system("touch PWNED"); /* ??/\n+ 0*x)\n'
    argv = ["export", "poly:c1=1", "--target", "myf", "--expr", expr, "--to", to,
            "--dtype", "float64"]
    code, out, err = run_inprocess(argv)
    assert code == 0, err
    if to == "c":
        if shutil.which("gcc"):
            defined, undefined = _c_symbols(out, tmp_path)
            assert defined == {"myf_poly_c1_1"} and undefined <= C_MATH
    else:
        _check_python(out, to, "myf_poly_c1_1")
    assert "(x #* / system" in out


# -- saved fits: checked before use ---------------------------------------------------------

def _doc(**changes):
    d = get_published("paper-tanh").to_dict()
    d.update(changes)
    return {"schema_version": 1, "approximant": d}


DOCS = [
    # (id, file text, what the one line must name)
    ("int-overflow", json.dumps(_doc(coefficients={"c1": 10**400, "c3": 0.04})),
     "'approximant.coefficients.c1' must be a finite number within float64"),
    ("int-5000-digits", json.dumps(_doc(coefficients={"c1": 0.8, "c3": 0.04})).replace(
        "0.04", "9" * 5000), "'approximant.coefficients.c3' must be a finite number"),
    ("float-overflow", json.dumps(_doc()).replace("0.035677408136300125", "1e400"),
     "'approximant.coefficients.c3' must be a finite number"),
    ("nan", json.dumps(_doc(coefficients={"c1": math.nan, "c3": 0.04})),
     "'approximant.coefficients.c1' must be a finite number"),
    ("bool", json.dumps(_doc(coefficients={"c1": True, "c3": 0.04})),
     "'approximant.coefficients.c1' must be a number, got True"),
    ("string-number", json.dumps(_doc(coefficients={"c1": "0.8", "c3": 0.04})),
     "'approximant.coefficients.c1' must be a number"),
    ("too-many", json.dumps(_doc(coefficients={f"c{k}": 1.0 for k in range(60)})),
     "'approximant.coefficients' has 60 coefficients; at most 41"),
    ("powers-type", json.dumps(_doc(powers="13")), "'approximant.powers' must be a list"),
    ("powers-huge", json.dumps(_doc(powers=[1, 10**30])), "'approximant.powers' must be"),
    ("clamp", json.dumps(_doc(clamp="10")), "'approximant.clamp' must be a number"),
    ("clamp-inf", json.dumps(_doc()).replace('"clamp": null', '"clamp": Infinity'),
     "'approximant.clamp' must be a finite number"),
    ("target-type", json.dumps(_doc(target=["gelu"])), "'approximant.target' must be a string"),
    ("target-missing", json.dumps({"schema_version": 1, "approximant": {"family": "tanh"}}),
     "'approximant.target' is missing"),
    ("name-type", json.dumps(_doc(name={"a": 1})), "'approximant.name' must be a string"),
    ("name-newline", json.dumps(_doc(name="a\nb")), "'approximant.name' contains the "
     "character U+000A"),
    ("name-bidi", json.dumps(_doc(name="a\u202eb")), "U+202E"),
    ("name-u2028", json.dumps(_doc(name="a\u2028b")), "U+2028"),
    ("name-long", json.dumps(_doc(name="n" * (MAX_NAME_LENGTH + 1))),
     f"'approximant.name' is {MAX_NAME_LENGTH + 1} characters long"),
    ("source-long", json.dumps({"schema_version": 1, "approximant": dict(
        get_published("ibert").to_dict(), source="s" * 5000)}),
     "'approximant.source' is 5000 characters long"),
    ("closed-form-too-many", json.dumps({"schema_version": 1, "approximant": dict(
        get_published("ibert").to_dict(), coefficients={f"k{i}": 1.0 for i in range(9)})}),
     "'approximant.coefficients' has 9 coefficients; at most 2"),
    ("chebyshev-domain", json.dumps(_doc(basis="chebyshev", chebyshev={
        "domain": [-1, 1e999], "coefficients": {"T1": 1.0}})),
     "'approximant.chebyshev.domain[1]' must be a finite number"),
    ("approximant-list", json.dumps({"schema_version": 1, "approximant": [1]}),
     "'approximant' must be a JSON object"),
    ("schema-bool", json.dumps(dict(_doc(), schema_version=True)), "schema_version True"),
    ("nested-5000", "[" * 5000 + "]" * 5000, f"is nested deeper than {MAX_DEPTH} levels"),
    ("nested-in-field", json.dumps(_doc()).replace('"clamp": null',
                                                   '"clamp": ' + "[" * 100 + "]" * 100),
     f"is nested deeper than {MAX_DEPTH} levels"),
    ("nested-objects", '{"a":' * 3000 + "1" + "}" * 3000, "is nested deeper"),
]


def _one_line(code: int, out: str, err: str, needle: str, file: Path) -> None:
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("approxfit: error: "), err
    assert needle in lines[0], lines[0]
    assert file.name in lines[0]
    assert "Traceback" not in err and len(lines[0]) < 400


@pytest.mark.parametrize("case, text, needle", DOCS, ids=[d[0] for d in DOCS])
def test_hostile_saved_fits_exit_2_naming_file_and_field(case, text, needle, tmp_path):
    file = tmp_path / "fit.json"
    file.write_text(text, encoding="utf-8")
    for argv in (["report", str(file), "--samples", "101"],
                 ["export", str(file), "--to", "numpy"]):
        _one_line(*run_inprocess(argv), needle, file)
    with pytest.raises(InputError, match="spec file"):
        load_approximant_file(file)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    file = tmp_path / "big.json"
    with file.open("wb") as f:
        f.truncate(300 * 2**20)                       # 300 MB, sparse: nothing is written
    _one_line(*run_inprocess(["report", str(file)]), "is larger than 10 MiB", file)
    assert MAX_FILE_BYTES == 10 * 2**20


def test_other_bad_files(tmp_path):
    bad = tmp_path / "latin.json"
    bad.write_bytes(b'{"name": "\xe9"}')
    _one_line(*run_inprocess(["report", str(bad)]), "is not UTF-8 text", bad)
    folder = tmp_path / "dir.json"
    folder.mkdir()
    _one_line(*run_inprocess(["report", str(folder)]), "is not a regular file", folder)


@pytest.mark.filterwarnings("ignore:outside the range:RuntimeWarning")
def test_valid_saved_fits_still_load(tmp_path):
    """Every kind, monomial and Chebyshev, round-trips through the checks."""
    kinds = [get_published(n) for n in ("paper-tanh", "paper-sigmoid", "ibert", "as-7.1.26")]
    kinds.append(Approximant.from_chebyshev("tanh", (1, 3), (0.8, 0.01), (-4.0, 4.0), "gelu",
                                            base="gate", name="cheb"))
    kinds.append(af.fit("gelu", "rational", degree=3, den_degree=2, range=(-4, 4),
                        samples=401).approximant)
    kinds.append(af.fit("myf", "poly", expr="x*tanh(x)", degree=4, range=(-2, 2),
                        samples=201).approximant)
    for i, a in enumerate(kinds):
        path = tmp_path / f"k{i}.json"
        path.write_text(json.dumps({"schema_version": 1, "approximant": a.to_dict()}))
        b = load_approximant_file(path)
        x = np.linspace(-4, 4, 9)
        np.testing.assert_array_equal(b.evaluate(x), a.evaluate(x))
        assert b.name == (a.name or f"k{i}")


def test_python_callers_get_input_errors():
    with pytest.raises(InputError, match=r"coefficients\.c1' must be a finite number"):
        approximant_from_dict(_doc(coefficients={"c1": 10**400, "c3": 0.0})["approximant"])
    with pytest.raises(InputError, match="`path` must be a str or Path"):
        load_approximant_file(None)
    with pytest.raises(InputError, match="`text` must be a str"):
        parse_spec(None)
    with pytest.raises(InputError, match="`target` must be"):
        parse_spec("paper-tanh", target=3)
    a = get_published("paper-tanh")
    for kwargs, needle in [
        ({"approximant": None}, "`approximant` must be an approximant"),
        ({"to": 3}, "unknown `to`"),
        ({"dtype": None}, "`dtype` must be a string"),
        ({"range": "ab"}, "`range` must be a pair of numbers"),
        ({"range": ("1", "2")}, "`range` must be a pair of numbers"),
        ({"range": (True, 2)}, "`range` must be a pair of numbers"),
        ({"max_error": "1"}, "`max_error` must be a finite number"),
        ({"max_error": -1.0}, "`max_error` must be a finite number"),
        ({"name": 3}, "`name` must be a string"),
        ({"on": None}, "`on` must be 'value' or 'gate'"),
        ({"gate_form": []}, "`gate_form` must be one of"),
    ]:
        args = {"approximant": a, **kwargs}
        with pytest.raises(InputError, match=needle):
            export_code(**args)


# -- rich and matplotlib ---------------------------------------------------------------

MARKUP = ["[/x]", "[bold]b[/bold]", "[link=file:///etc/passwd]l[/link]", "[/]"]
MATH = [r"$\frac$", "$", "a_b^c", r"$x$", "_hidden", r"\$", "$$", r"$\sqrt{$"]


def test_rich_table_prints_names_literally():
    import io

    from rich.console import Console

    from approxfit.present.tables import to_terminal_table

    rows = [{"name": n, "metrics": {"value": {"mse": 1.0}}} for n in MARKUP]
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(
        to_terminal_table(rows, title="[/title] on [-1, 1]"))
    text = buf.getvalue()
    for n in [*MARKUP, "[/title] on [-1, 1]"]:
        assert n in text


def test_cli_report_table_with_markup_names(tmp_path):
    for i, name in enumerate(MARKUP):
        fit = _save(tmp_path / f"m{i}.json", name=name)
        code, out, err = run_inprocess(["report", str(fit), "--samples", "101"])
        assert code == 0, err
        assert name in out


def test_plots_draw_user_text_literally(tmp_path):
    from approxfit.present import plotting
    from approxfit.present.precision_plot import plot_ulp_histogram

    x = np.linspace(-3, 3, 61)
    names = [_paper_tanh(name=n) for n in MATH]
    for fn, extra in ((plotting.plot_overlay, 1), (plotting.plot_abs_error, 2)):
        ax = fn("gelu", names, x)
        plotting.figure_bytes(ax.figure, "png")           # mathtext would raise here
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        # every name, and the target (overlay) or the resolution band and floor (error)
        assert len(labels) == len(MATH) + extra
    rows = precision_rows(names, np.linspace(-2, 2, 101), "float32")
    plotting.figure_bytes(plot_ulp_histogram(rows).figure, "png")
    ax = plotting.plot_coefficient_vs_range(
        [{"R": 1.0, "objective": "$\\frac$", "on": "_x", "value": 0.1},
         {"R": 2.0, "objective": "$\\frac$", "on": "_x", "value": 0.2}],
        coefficient="$a_3", references={"$\\frac{": 0.15})
    plotting.figure_bytes(ax.figure, "png")


def test_plain_text_escapes_every_dollar():
    from approxfit.present.plotting import plain_text

    for s in MATH:
        t = plain_text(s)
        assert t.count("$") == t.count("\\$")              # no unescaped dollar: no mathtext
    assert plain_text("_x") == " _x"
    assert plain_text("a" * 1000).endswith("…") and len(plain_text("a" * 1000)) == 300


@pytest.mark.parametrize("name, stem", [(r"$\frac$", "fit"), ("", r"$\frac$ and $x^$"),
                                         ("[/x] $a$", "fit")])
def test_cli_report_plot_with_math_names(name, stem, tmp_path):
    fit = _save(tmp_path / f"{stem}.json", name=name)
    folder = tmp_path / "plots"
    folder.mkdir()
    code, _, err = run_inprocess(["report", str(fit), "--samples", "101", "--plot",
                                  str(folder)])
    assert code == 0, err
    assert sorted(p.suffix for p in folder.iterdir()) and all(
        p.stat().st_size > 1000 for p in folder.iterdir())
    code, _, err = run_inprocess(["report", str(fit), "--samples", "101", "--plot",
                                  str(folder), "--dtype", "float32"])
    assert code == 0, err


def test_plot_functions_validate_their_arguments():
    from approxfit.present import plotting
    from approxfit.present.precision_plot import plot_ulp_histogram
    from approxfit.present.tables import to_markdown, to_terminal_table

    a = get_published("paper-tanh")
    x = np.linspace(-1, 1, 11)
    cases = [
        (lambda: plotting.plot_overlay("gelu", [a], ["1", "2"]), "`x` must be an array of real"),
        (lambda: plotting.plot_overlay(3, [a], x), "`target` must be"),
        (lambda: plotting.plot_overlay("gelu", a, x), "`approximants` must be an iterable"),
        (lambda: plotting.plot_overlay("gelu", [None], x), "`approximants`[0] must have"),
        (lambda: plotting.plot_overlay("gelu", [a], x, zoom="ab"), "`zoom` must be a pair"),
        (lambda: plotting.plot_overlay("gelu", [a], x, on=None), "`on` must be"),
        (lambda: plotting.plot_overlay("gelu", [a], x, ax=3), "`ax` must be"),
        (lambda: plotting.plot_abs_error("gelu", [a], x, floor="1"), "`floor` must be"),
        (lambda: plotting.plot_erf_tanh_sigmoid(x, k="1.7"), "`k` must be"),
        (lambda: plotting.plot_minimax_certificate(None), "`result` must be a FitResult"),
        (lambda: plotting.plot_coefficient_vs_range("abc"), "`rows` must be"),
        (lambda: plotting.plot_coefficient_vs_range([{"R": "1", "objective": "l", "on": "v",
                                                      "value": 1.0}]), "rows[0] needs"),
        (lambda: plotting.plot_pareto(None), "`result` must be"),
        (lambda: plotting.save_figure(None, "x.png"), "`fig` must be"),
        (lambda: plot_ulp_histogram("abc"), "`rows` must be"),
        (lambda: plot_ulp_histogram([{"name": 1}]), "`rows`[0] must be a row"),
        (lambda: plot_ulp_histogram([], floor=1), "`floor` must be True or False"),
        (lambda: to_terminal_table("abc"), "`rows` must be"),
        (lambda: to_markdown([{"x": 1}]), "`rows` must be"),
        (lambda: to_markdown([], digits=True), "`digits` must be"),
        (lambda: to_terminal_table([], title=3), "`title` must be"),
    ]
    for call, needle in cases:
        with pytest.raises(InputError) as info:
            call()
        assert needle in str(info.value), (needle, str(info.value))
