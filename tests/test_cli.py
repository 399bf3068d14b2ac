"""The command line: JSON contract, exit codes, one-line errors, fast start-up."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from approxfit.core import names

SQRT_2_PI = math.sqrt(2 / math.pi)


def test_taylor_json_contract(cli):
    r = cli("taylor", "gelu", "tanh", "--degree", "3", "--fix", "c1=sqrt(2/pi)", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert set(d) >= {"coefficients", "scaled", "exact"}
    # (4 - pi)/(6 pi), Q&A answer 2
    assert d["scaled"]["a3"] == pytest.approx((4 - math.pi) / (6 * math.pi), rel=1e-15)
    assert d["exact"]["a3"] == "(4 - pi)/(6*pi)"
    assert set(d["exact"]) == {"c1", "c3", "a3"}
    assert d["coefficients"]["c1"] == pytest.approx(SQRT_2_PI, rel=1e-15)


def test_taylor_human_output(cli):
    r = cli("taylor", "gelu", "sigmoid", "--degree", "1")
    assert r.code == 0
    assert "2*sqrt(2)/sqrt(pi)" in r.out


def test_fit_json_contract_l2(cli):
    r = cli("fit", "gelu", "tanh", "--degree", "3", "--fix", "c1=sqrt(2/pi)", "--step", "0.01",
            "--json")
    assert r.code == 0, r.err
    d = r.json()
    for key in ("coefficients", "scaled", "fixed", "objective", "on", "range", "samples",
                "metrics", "converged", "iterations", "seconds"):
        assert key in d
    assert d["fixed"] == ["c1"] and d["samples"] == 2000 and d["on"] == "gate"
    for on in ("value", "gate"):
        assert set(d["metrics"][on]) >= {"mse", "rmse", "max_abs_error", "argmax_abs_error",
                                         "max_rel_error"}
    # The fitting issue's reference value on the seed grid.
    assert d["scaled"]["a3"] == pytest.approx(0.0448465, abs=5e-8)


def test_fit_minimax_json_has_certificate(cli, tmp_path):
    out = tmp_path / "fit.json"
    r = cli("fit", "gelu", "tanh", "--degree", "3", "--objective", "minimax", "--json",
            "--save", str(out))
    assert r.code == 0, r.err
    d = r.json()
    cert = d["certificate"]
    assert set(cert) >= {"points", "errors", "levelled_ratio"}
    assert cert["levelled_ratio"] >= 0.999
    saved = json.loads(out.read_text())
    assert saved["coefficients"] == d["coefficients"]
    assert "seconds" not in saved          # saved fits are byte-for-byte reproducible


def test_fit_json_is_reproducible(cli):
    args = ("fit", "gelu", "sigmoid", "--degree", "3", "--objective", "minimax", "--json")
    a, b = cli(*args).json(), cli(*args).json()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


@pytest.mark.parametrize("args, needle", [
    (("fit", "gelx", "tanh"), "did you mean 'gelu'"),
    (("fit", "gelu", "tanhh"), "did you mean 'tanh'"),
    (("fit", "gelu", "tanh", "--objective", "minmax"), "did you mean 'minimax'"),
    (("fit", "gelu", "tanh", "--grid", "chebychev"), "did you mean 'chebyshev'"),
    (("fit", "gelu", "tanh", "--degree", "4"), "parity 'odd' needs an odd degree"),
    (("fit", "gelu", "tanh", "--degree", "41"), "between 0 and 40"),
    (("fit", "gelu", "tanh", "--degree", "-1"), "between 0 and 40"),
    (("fit", "gelu", "tanh", "--fix", "c2=1"),
     "--fix names c2, which tanh of degree 3 (odd) does not have; it has c1, c3"),
    (("fit", "erf", "rational", "--fix", "c1=nan"), "--fix c1"),
    (("fit", "gelu", "tanh", "--clamp", "5"), "--clamp must be at least the range's larger end"),
    (("fit", "gelu", "poly", "--clamp", "range"), "--clamp (a tail guard) applies"),
    (("fit", "gelu", "tanh", "--on", "gates"), "unknown --on 'gates'"),
    (("fit", "gelu", "tanh", "--fix", "c1=1", "--fix", "c3=0.1"), "fixes every coefficient"),
    (("fit", "gelu", "tanh", "--fix", "c1"), "NAME=EXPR"),
    (("fit", "gelu", "tanh", "--fix", "c1=__import__('os').system('true')"),
     "not an allowed function"),
    (("fit", "gelu", "tanh", "--range", "2", "1"), "LO < HI"),
    (("fit", "gelu", "tanh", "--range", "0", "nan"), "finite"),
    (("fit", "gelu", "tanh", "--step", "0"), "positive"),
    (("fit", "gelu", "tanh", "--samples", "3", "--degree", "7"), "at least"),
    (("fit", "softplus", "tanh"), "has no gate"),
    (("fit", "gelu", "tanh", "--save", "/dev/null/dir/x.json"), "is not a folder"),
    (("taylor", "gelu", "tanh", "--fix", "c1=x"), "x is not allowed"),
    (("taylor", "gelu", "tanh", "--parity", "od"), "did you mean 'odd'"),
    (("fit", "gelu", "tanh", "--bogus"), "No such option"),
    (("fit", "gelu", "tanh", "--degree", "three"), "--degree"),
])
def test_bad_input_exits_2_with_one_line(cli, args, needle):
    r = cli(*args)
    assert r.code == 2, (r.code, r.err)
    assert needle in r.err
    assert "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_lists(cli):
    r = cli("targets", "--json")
    assert r.code == 0
    assert [t["name"] for t in r.json()["targets"]] == list(names.TARGET_NAMES)
    r = cli("families", "--json")
    assert [f["name"] for f in r.json()["families"]] == list(names.FAMILY_NAMES)


@pytest.mark.parametrize("args", [("--help",), ("targets",), ("families",)])
def test_startup_stays_light(args):
    # Heavy modules load only where they are used; --help must not pay for them.
    code = ("import sys; from approxfit.cli.main import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sympy', 'scipy.optimize', 'matplotlib') if m in sys.modules]\n"
            "print('HEAVY=' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == "HEAVY="


def test_help_does_not_import_numpy():
    code = ("import sys; from approxfit.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == "False"


def test_fit_that_does_not_converge_exits_1(cli):
    r = cli("fit", "gelu", "tanh", "--degree", "7", "--objective", "minimax", "--max-iter", "2",
            "--json")
    assert r.code == 1
    d = r.json()
    assert d["converged"] is False
    assert "stopped after 2 iterations" in r.err
    assert "Traceback" not in r.err


def test_published_listing_names_sources(cli):
    r = cli("published", "--json")
    assert r.code == 0
    rows = {p["name"]: p for p in r.json()["published"]}
    assert {"paper-tanh", "paper-sigmoid", "taylor-tanh", "seed-alt-tanh", "seed-alt-sigmoid",
            "seed-free-tanh", "bowling-2009", "ibert", "as-7.1.26"} <= set(rows)
    assert all(p["source"] for p in rows.values())


def test_report_on_the_seed_grid(cli, tmp_path):
    # Issue figures: paper-tanh MSE 2.4329e-08, max abs error 4.7323e-04 on
    # numpy.arange(-10, 10, 0.01); paper-sigmoid MSE 5.6479e-05.
    r = cli("report", "paper-tanh", "paper-sigmoid", "--target", "gelu", "--range", "-10", "10",
            "--step", "0.01", "--csv", str(tmp_path / "t.csv"), "--plot", str(tmp_path))
    assert r.code == 0, r.err
    assert "2.4329e-08" in r.out and "4.7323e-04" in r.out and "5.6479e-05" in r.out
    assert (tmp_path / "overlay.png").is_file() and (tmp_path / "abs-error.png").is_file()
    assert (tmp_path / "t.csv").read_text().startswith("name,")
    j = cli("report", "paper-tanh", "--step", "0.01", "--json").json()
    assert j["rows"][0]["metrics"]["value"]["mse"] == pytest.approx(2.4329e-08, rel=5e-5)


def test_identify_command(cli):
    r = cli("identify", "0.0455399241225", "--json")
    assert r.code == 0, r.err
    form = r.json()["identifications"][0]["form"]
    import sympy as sp

    # Q&A answer 2: a = (4 − π)/(6π)
    assert sp.simplify(sp.sympify(form) - (4 - sp.pi) / (6 * sp.pi)) == 0
    r = cli("identify", "0.044715")
    assert r.code == 0 and "no closed form" in r.out
    r = cli("identify", "__import__('os')")
    assert r.code == 2 and "Traceback" not in r.err


def test_provenance_command(cli):
    r = cli("provenance", "paper-tanh", "--json")
    assert r.code == 0, r.err
    d = r.json()
    kinds = {(p["objective"], p["on"]) for p in d["reproducing"]}
    assert kinds == {("minimax", "gate")}
    r = cli("provenance", "ibert")
    assert r.code == 2 and "closed form" in r.err


@pytest.mark.slow  # a few seconds: in the full selection (--all)
def test_fit_identify_flag(cli):
    r = cli("taylor", "gelu", "tanh", "--degree", "3", "--identify", "--json")
    assert r.code == 0, r.err
    assert r.json()["identified"]["c1"]["form"] == "sqrt(2)/sqrt(pi)"


def test_report_dtype_and_fit_dtype(cli):
    r = cli("report", "paper-tanh", "--dtype", "bfloat16", "--json")
    assert r.code == 0, r.err
    row = r.json()["rows"][0]
    # bfloat16 has 8 significant bits: GELU rounded to it is off by up to half an ulp,
    # 2^-8·|x| ≈ 7.8e-3 near x = 2; the paper's formula adds little to that.
    assert 7e-3 < row["max_abs_error"] < 1e-2
    assert row["floor_ulp_error"] == pytest.approx(0.5, abs=0.01)
    f = cli("fit", "gelu", "tanh", "--degree", "3", "--objective", "minimax", "--dtype",
            "bfloat16", "--reoptimise", "--json")
    assert f.code == 0, f.err
    rnd = f.json()["rounding"]
    assert rnd["error_reoptimised"] <= rnd["error_rounded"]
    bad = cli("fit", "gelu", "tanh", "--dtype", "float8")
    assert bad.code == 2 and "--dtype" in bad.err


def test_export_c_compiles_and_matches(cli, tmp_path):
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    src = tmp_path / "g.c"
    r = cli("export", "paper-tanh", "--to", "c", "--dtype", "float64", "--name", "g",
            "--out", str(src))
    assert r.code == 0, r.err
    main = tmp_path / "main.c"
    main.write_text('#include <stdio.h>\ndouble g(double);\nint main(void){\n'
                    'for (int i = -40; i <= 40; ++i) printf("%.17g\\n", g(i / 4.0));\n'
                    'return 0;}\n')
    exe = tmp_path / "a.out"
    subprocess.run([cc, "-O0", "-ffp-contract=off", str(src), str(main), "-lm", "-o", str(exe)],
                   check=True)
    got = np.array([float(v) for v in subprocess.run([str(exe)], capture_output=True,
                                                     text=True, check=True).stdout.split()])
    x = np.arange(-40, 41) / 4.0
    ref = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    # Double precision, a handful of roundings: a few ulp — except where x < 0 makes
    # 1 + tanh(p) cancel, so the absolute tolerance is a few ulp of the terms (1e-15).
    np.testing.assert_allclose(got, ref, rtol=1e-14, atol=1e-15)


def test_parity_command(cli):
    pytest.importorskip("torch")
    r = cli("parity", "--dtype", "float32", "--points", "20001", "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["comparisons"]
