"""Issue 16 leftovers: report tables that fit the terminal, and formulas whose signs are
written once (``- 0.000351``, not ``+ -0.000351``)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import numpy as np
import pytest
from rich.cells import cell_len

from approxfit.approximants.approximant import Approximant, chebyshev_variable, signed_text
from approxfit.approximants.published import PUBLISHED, get_published
from approxfit.approximants.rational import RationalApproximant
from approxfit.core.exceptions import InputError
from approxfit.present.tables import (
    COLUMNS,
    format_number,
    output_width,
    to_terminal_tables,
)
from tests.helpers import run_inprocess

BOX = "│┃"           # the vertical rules of rich's default table box


def _cells(text: str) -> list[str]:
    """Every cell's text in printed rich tables (header and body lines)."""
    out = []
    for line in text.splitlines():
        if line and line[0] in BOX:
            out += [c.strip() for c in re.split(f"[{BOX}]", line)[1:-1]]
    return out


def _expected_numbers(rows: list[dict]) -> Counter:
    """The number cells the table must show, formatted from the JSON rows."""
    want: Counter = Counter()
    for row in rows:
        for _, _, on, key, kind in COLUMNS:
            if kind != "text":
                m = row["metrics"].get(on)
                want[format_number(None if m is None else m.get(key), kind)] += 1
    return want


def _shown_numbers(text: str) -> Counter:
    number = re.compile(r"-?(\d+(\.\d+)?(e[+-]\d+)?|nan|inf)")
    return Counter(c for c in _cells(text) if number.fullmatch(c))


# -- 1. tables fit the width --------------------------------------------------------------

@pytest.mark.parametrize("width", [60, 80, 120, 200])
@pytest.mark.parametrize("specs", [[], ["paper-tanh", "paper-sigmoid"]])
def test_cli_report_table_fits_the_width_with_every_number_whole(monkeypatch, width, specs):
    # The reference is the JSON of the same command: each of its numbers, formatted as
    # the table formats it, is printed exactly once as a whole cell (no "2.43…").
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = run_inprocess(["report", *specs])
    assert code == 0, err
    code, js, err = run_inprocess(["report", *specs, "--json"])
    assert code == 0, err
    rows = json.loads(js)["rows"]
    assert len(rows) == (9 if not specs else 2)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width, out
    assert "…" not in out
    assert _shown_numbers(out) == _expected_numbers(rows)
    for row in rows:                          # every name whole too (they are short)
        assert row["name"] in _cells(out)


def test_layouts_chosen():
    # 200 columns: the whole table on one line per row, as before (162 columns wide);
    # 80 columns, nine approximants: two tables, the name column repeated;
    # 60 columns, two approximants: transposed, one row per metric.
    from approxfit.measure.report import report

    rep = report(None, target="gelu")
    tables = to_terminal_tables(rep.rows, width=200)
    assert len(tables) == 1 and len(tables[0].columns) == len(COLUMNS)
    tables = to_terminal_tables(rep.rows, width=80, title="t")
    assert len(tables) == 2 and all(t.columns[0].header.plain == "name" for t in tables)
    assert [t.title.plain for t in tables] == ["t (1/2)", "t (2/2)"]
    assert sum(len(t.columns) - 1 for t in tables) == len(COLUMNS) - 1
    two = report(["paper-tanh", "paper-sigmoid"], target="gelu")
    (table,) = to_terminal_tables(two.rows, width=60)
    assert [c.header.plain for c in table.columns] == ["metric", "paper-tanh", "paper-sigmoid"]
    assert table.row_count == len(COLUMNS) - 1


@pytest.mark.parametrize("width", [40, 60, 80])
def test_a_long_name_is_folded_not_the_numbers(width):
    name = "a-saved-fit-with-a-very-long-name-" * 3
    rows = [{"name": name, "metrics": {"value": {"mse": 2.4329173471281506e-08,
                                                 "max_abs_error": -4.7323e-04,
                                                 "argmax_abs_error": 2.6989419097413325}}}]
    buf = io.StringIO()
    from rich.console import Console

    console = Console(file=buf, width=width, color_system=None)
    console.print(*to_terminal_tables(rows, width=width))
    text = buf.getvalue()
    assert max(cell_len(line) for line in text.splitlines()) <= width, text
    assert _shown_numbers(text) == _expected_numbers(rows)
    columns: dict[int, str] = {}              # each column's text, read down the lines
    for line in text.splitlines():
        if line and line[0] in BOX:
            for i, c in enumerate(re.split(f"[{BOX}]", line)[1:-1]):
                columns[i] = columns.get(i, "") + c.strip()
    assert any(name in v for v in columns.values())          # folded, but whole


def test_width_is_checked():
    for bad in (39, True, 80.0, "80"):
        with pytest.raises(InputError, match="`width`"):
            to_terminal_tables([], width=bad)


def test_output_width(monkeypatch):
    class Pipe(io.StringIO):
        def isatty(self) -> bool:
            return False

    monkeypatch.delenv("COLUMNS", raising=False)
    assert output_width(Pipe()) == 80
    monkeypatch.setenv("COLUMNS", "132")
    assert output_width(Pipe()) == 132
    for junk in ("", "0", "-5", "wide"):
        monkeypatch.setenv("COLUMNS", junk)
        assert output_width(Pipe()) == 80


# -- 2. signs written once ----------------------------------------------------------------

XS = np.linspace(-2.9, 0.9, 9)


def _eval_text(text: str, x: float) -> float:
    """Evaluate a describe() sum with Python (T_k by numpy's Chebyshev module)."""
    from numpy.polynomial import chebyshev

    py = (text.replace("·", "*").replace("^", "**").replace("−", "-")
          .replace("2x", "2*x"))
    env = {"x": x, "T": lambda k, u: chebyshev.chebval(u, [0] * k + [1])}
    py = re.sub(r"T(\d+)\(u\)", r"T(\1, u)", py)
    if ", u = " in py:
        py, u = py.split(", u = ")
        env["u"] = eval(u, {}, env)           # our own formula text
    return float(eval(py, {}, env))


def test_signed_text():
    assert signed_text("1 + -0.5·x^2 + 2·x^3") == "1 - 0.5·x^2 + 2·x^3"
    assert signed_text("a + -inf") == "a - inf" and signed_text("p + -x") == "p + -x"
    assert chebyshev_variable(-3.0, 1.0) == "(2x + 2)/4"      # u = (2x − a − b)/(b − a)
    assert chebyshev_variable(1.0, 3.0) == "(2x − 4)/2"
    assert chebyshev_variable(-4.0, 4.0) == "x/4"
    from approxfit.lowprec import export

    assert export.signed_text is signed_text                   # one helper, not two


def test_approximant_describe_has_each_sign_once_and_means_the_same():
    a = Approximant("tanh", (1, 3, 5), (0.7977042939, 0.03681942848, -0.0003206066756),
                    "gelu")
    text = a.describe()
    assert "+ -" not in text and "- 0.000320606676·x^5" in text
    p = text.split("p(x) = ")[1]
    for x in XS:
        assert 0.5 * (1 + np.tanh(_eval_text(p, x))) == pytest.approx(
            float(a.gate(np.array([x]))[0]), rel=1e-8, abs=1e-12)
    c = Approximant("poly", (0, 1, 2), (0.25, -0.5, -0.125), "gelu", base="value",
                    basis="chebyshev", domain=(-3.0, 1.0))
    text = c.describe()
    assert "+ -" not in text and "− -" not in text and "u = (2x + 2)/4" in text
    p = text.split("p(x) = ")[1]
    for x in XS:
        assert _eval_text(p, x) == pytest.approx(
            float(c.evaluate(np.array([x]), on="value")[0]), rel=1e-8, abs=1e-12)


def test_rational_describe_has_each_sign_once_and_means_the_same():
    r = RationalApproximant((0, 1, 2), (0.05, 0.5, -0.3), (2,), (-0.01,), "gelu")
    text = r.describe()
    assert "+ -" not in text and text.endswith("over 1 - 0.01·x^2")
    c = RationalApproximant.from_chebyshev((1, 2), (1.0, -0.25), (2,), (-0.125,),
                                           (-3.0, 1.0), "gelu")
    text = c.describe()
    assert "+ -" not in text and "− -" not in text and " - 0.125·T2(u)" in text
    for form, a in ((r.describe(), r), (text, c)):
        body, u = [*form.split(", u = "), ""][:2]
        num, den = body.split(" over ")
        tail = f", u = {u}" if u else ""
        for x in XS:
            want = float(a.evaluate(np.array([x]), on="value")[0])
            den_text = den.replace("T0(u)", "1")
            got = _eval_text(num + tail, x) / _eval_text(den_text + tail, x)
            assert got == pytest.approx(want, rel=1e-8, abs=1e-12)


def test_no_doubled_sign_in_published_or_cli_text():
    for name in PUBLISHED:
        assert "+ -" not in get_published(name).describe(), name
    code, out, err = run_inprocess(["fit", "gelu", "tanh", "--degree", "5", "--samples",
                                    "2001"])
    assert code == 0, err
    assert "c5   = -0.000" in out and "+ -" not in out        # c5 < 0 (issue 16's fit)
    code, js, err = run_inprocess(["report", "tanh:c1=0.7977,c3=0.0368,c5=-0.000321",
                                   "--json"])
    assert code == 0, err
    assert json.loads(js)["rows"][0]["formula"].endswith("0.0368·x^3 - 0.000321·x^5")
