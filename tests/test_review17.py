"""Findings of an independent review of issue 17's commands, each fixed and kept fixed."""

from __future__ import annotations

import json
import math

import mpmath
import pytest

from tests.helpers import run_inprocess


@pytest.mark.parametrize("args", [
    ["exp2", "poly", "--degree", "3", "--range", "0", "1e-30", "--coefficients", "float32"],
    ["exp2", "poly", "--degree", "3", "--range", "-100", "100", "--coefficients", "float16"],
])
def test_coefficients_on_a_degenerate_or_overflowing_range_fail_in_one_line(args) -> None:
    code, _, err = run_inprocess(["fit", *args, "--objective", "minimax"])
    assert code == 1
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("approxfit: error:")]
    assert len(lines) == 1 and "failed on" in lines[0]


def test_coefficients_fit_the_expr_target() -> None:
    """--expr used to be ignored with --coefficients (GELU was fitted instead).  The
    fitted polynomial must approximate x·erf(x): checked with mpmath at 201 points
    against the reported max error."""
    code, out, _ = run_inprocess(["fit", "myf", "poly", "--degree", "4", "--range", "-3",
                                  "3", "--coefficients", "float16", "--expr", "x*erf(x)",
                                  "--objective", "minimax", "--json"])
    assert code == 0
    doc = json.loads(out)
    c = doc["coefficients"]
    worst = 0.0
    for i in range(201):
        x = -3 + 6 * i / 200
        p = sum(float(v) * x ** int(k[1:]) for k, v in c.items())
        worst = max(worst, abs(p - float(x * mpmath.erf(x))))
    assert worst <= doc["max_error"] * (1 + 1e-9)
    assert worst >= 0.9 * doc["max_error"]    # 201 points see most of the peak


@pytest.mark.parametrize("opt", [["--coefficients", "bfloat16"], ["--dtype", "bfloat16"],
                                 ["--fix", "c1=0.5"], ["--clamp", "range"]])
def test_piecewise_refuses_options_it_would_ignore(opt) -> None:
    code, _, err = run_inprocess(["fit", "gelu", "piecewise", "--objective", "minimax",
                                  "--pieces", "2", "--degrees", "3,6",
                                  "--breakpoints=-1.95", *opt])
    assert code == 2
    assert f"{opt[0]} does not apply to a piecewise fit" in err


def test_piecewise_auto_tail_error_is_measured_at_its_threshold() -> None:
    """The high tail x holds above its threshold T; its error T − GELU(T) = T·Φ(−T)
    (mpmath) is the largest of the tail and must be in the reported max error."""
    code, out, _ = run_inprocess(["fit", "gelu", "piecewise", "--objective", "minimax",
                                  "--pieces", "2", "--degrees", "3,6", "--low-tail", "zero",
                                  "--high-tail", "x", "--json"])
    assert code == 0
    doc = json.loads(out)
    t = doc["tails"]["high"]["threshold"]
    at = float(t * mpmath.ncdf(-t))
    assert doc["max_error"] >= at * (1 - 1e-9)
    assert doc["tails"]["high"]["error"] >= at * (1 - 1e-9)


def test_piecewise_one_degree_for_every_piece_and_threshold_message() -> None:
    code, out, _ = run_inprocess(["fit", "gelu", "piecewise", "--objective", "minimax",
                                  "--pieces", "2", "--degrees", "3", "--breakpoints=0",
                                  "--json"])
    assert code == 0
    a = json.loads(out)["approximant"]
    assert a["powers"] == [1, 2, 3] or len(a["powers"]) == 3
    code, _, err = run_inprocess(["fit", "gelu", "piecewise", "--objective", "minimax",
                                  "--pieces", "2", "--degrees", "3", "--low-tail", "zero",
                                  "--low=abc"])
    assert code == 2 and "--low must be a number or auto" in err


def test_a_clamp_without_a_guard_costs_two_compares() -> None:
    """XNNPACK's GELU clamps x (a min and a max) and has no tail guard: hand count 2."""
    from approxfit.approximants.costmodels import kernel_cost
    from approxfit.approximants.published import get_published

    a = get_published("xnnpack-gelu")
    assert kernel_cost(a.program()).to_dict()["compares"] == 2
    assert a.cost().compares == 2
    assert math.isfinite(a.cost().total)


def test_an_exact_piecewise_fit_converges() -> None:
    """tanh by tanh pieces is exact (breakpoint searched): the fit used to exit 1 'not
    converged' (errors at rounding level cannot be levelled).  Its error, measured with
    numpy on 100 001 points, is ~1e-15."""
    import numpy as np

    code, out, _ = run_inprocess(["fit", "tanh", "piecewise", "--objective", "minimax",
                                  "--pieces", "2", "--degrees", "1", "--families", "tanh",
                                  "--range", "-4", "4", "--json"])
    assert code == 0
    doc = json.loads(out)
    assert doc["converged"] is True and doc["max_error"] < 1e-13
    from approxfit.approximants.spec import approximant_from_dict

    a = approximant_from_dict(doc["approximant"])
    x = np.linspace(-4, 4, 100001)
    assert float(np.max(np.abs(a.evaluate(x) - np.tanh(x)))) < 1e-13


def test_coefficients_search_reports_progress() -> None:
    """fit_in_format calls progress(done, total) over its exponent choices, done < total,
    and refuses a non-callable."""
    from approxfit.core.exceptions import InputError
    from approxfit.fitting.fpcoeff import fit_in_format

    seen: list[tuple[int, int]] = []
    fit_in_format("exp2", "poly", 3, formats="float32", range_=(0.0, 1.0),
                  error="relative", fixed={"c0": 1.0},
                  progress=lambda d, t: seen.append((d, t)))
    assert seen and all(0 <= d < t for d, t in seen)
    with pytest.raises(InputError, match="progress"):
        fit_in_format("exp2", "poly", 3, formats="float32", range_=(0.0, 1.0),
                      progress=3)


def test_an_interrupt_during_matplotlibs_import_waits_for_the_import() -> None:
    """CI caught Ctrl-C landing while matplotlib's C extension initialised (pareto
    writing its figure): Python aborted ('initialization failed', status −6) instead of
    exiting 130.  The import now runs in a critical section: the signal, sent here at
    the moment matplotlib is imported, is raised only after the import completes."""
    import subprocess
    import sys

    code = """
import builtins, os, signal, sys
from approxfit.core import interrupts
interrupts.install()
real = builtins.__import__
sent = []
def imp(name, *a, **k):
    if name == "matplotlib" and not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *a, **k)
builtins.__import__ = imp
from approxfit.present.style import load_matplotlib
try:
    load_matplotlib()
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted after import:", "matplotlib.figure" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "interrupted after import: True", out.stderr
