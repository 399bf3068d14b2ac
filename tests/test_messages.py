"""Library messages name the Python parameter; the command line names its flag.

Each row is one bad call made through both doors: the library's exception must name
the parameter in backticks (```fix```), and ``approxfit …`` must print the same
sentence with the flag (``--fix``) or argument in its place, on one line, with no
backtick left.  The fixed-coefficient rule is one function, shared by :func:`fit` and
:func:`taylor`; the last tests hold both to it.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

import approxfit as af
from approxfit.approximants.coefficients import check_fixed, fixed_expressions
from approxfit.core.exceptions import InputError
from tests.helpers import run_inprocess as run_cli

FIX_C2 = "names c2, which tanh of degree 3 (odd) does not have; it has c1, c3"
FIX_ALL = "fixes every coefficient (c1, c3); leave at least one free to"




# (id, library call, command line or None, message as the library writes it)
CASES = [
    ("fit-fix-name", lambda: af.fit("gelu", "tanh", fix={"c2": 1}),
     ["fit", "gelu", "tanh", "--fix", "c2=1"], f"`fix` {FIX_C2}"),
    ("fit-fix-all", lambda: af.fit("gelu", "tanh", fix={"c1": 1, "c3": 0}),
     ["fit", "gelu", "tanh", "--fix", "c1=1", "--fix", "c3=0"], f"`fix` {FIX_ALL} fit"),
    ("fit-degree-parity", lambda: af.fit("gelu", "tanh", degree=0),
     ["fit", "gelu", "tanh", "--degree", "0"],
     "`degree` 0 is even; `parity` 'odd' needs an odd degree (1, 3, 5, …) — or choose "
     "`parity` none"),
    ("fit-degree-range", lambda: af.fit("gelu", "poly", degree=41),
     ["fit", "gelu", "poly", "--degree", "41"], "`degree` must be between 0 and 40, got 41"),
    ("fit-expr-no-x", lambda: af.fit("myf", "poly", expr="1"),
     ["fit", "myf", "poly", "--expr", "1"], "`expr` '1' does not use x"),
    ("fit-expr-builtin", lambda: af.fit("gelu", "poly", expr="x*x"),
     ["fit", "gelu", "poly", "--expr", "x*x"], "give the `expr` target a new name"),
    ("fit-range", lambda: af.fit("gelu", "tanh", range=(1, -1)),
     ["fit", "gelu", "tanh", "--range", "1", "-1"], "`range` must satisfy LO < HI"),
    ("fit-samples-step", lambda: af.fit("gelu", "tanh", samples=50, step=0.1),
     ["fit", "gelu", "tanh", "--samples", "50", "--step", "0.1"],
     "give either `samples` or `step`, not both"),
    ("taylor-fix-name", lambda: af.taylor("gelu", "tanh", fix={"c2": 1}),
     ["taylor", "gelu", "tanh", "--fix", "c2=1"], f"`fix` {FIX_C2}"),
    ("taylor-fix-all", lambda: af.taylor("gelu", "tanh", fix={"c1": 1, "c3": 0}),
     ["taylor", "gelu", "tanh", "--fix", "c1=1", "--fix", "c3=0"], f"`fix` {FIX_ALL} match"),
    ("taylor-fix-text", lambda: af.taylor("gelu", "tanh", fix={"c1": "foo"}),
     ["taylor", "gelu", "tanh", "--fix", "c1=foo"], "`fix` c1 'foo': unknown name 'foo'"),
    ("taylor-fix-rational", lambda: af.taylor("tanh", "rational", fix={"c1": 1}),
     ["taylor", "tanh", "rational", "--fix", "c1=1"],
     "`fix` does not apply to the Padé approximant"),
    ("taylor-on", lambda: af.taylor("gelu", "tanh", on="both"),
     ["taylor", "gelu", "tanh", "--on", "both"], "unknown `on` 'both'; choose one of"),
    ("taylor-no-gate", lambda: af.taylor("softplus", "tanh"),
     ["taylor", "softplus", "tanh"],
     "target 'softplus' has no gate; use the poly family with `on` value"),
    ("taylor-den-degree", lambda: af.taylor("tanh", "rational", den_degree=0),
     ["taylor", "tanh", "rational", "--den-degree", "0"],
     "`den_degree` must be between 1 and 40, got 0"),
    ("taylor-den-degree-high", lambda: af.taylor("tanh", "rational", den_degree=41),
     ["taylor", "tanh", "rational", "--den-degree", "41"],
     "`den_degree` must be between 1 and 40, got 41"),
    ("taylor-den-parity", lambda: af.taylor("tanh", "rational", den_degree=3),
     ["taylor", "tanh", "rational", "--den-degree", "3"],
     "`den_degree` 3 is odd; `den_parity` 'even' needs an even degree"),
    ("report-samples-step", lambda: af.report(["paper-tanh"], samples=5, step=0.1),
     ["report", "paper-tanh", "--samples", "5", "--step", "0.1"],
     "give either `samples` or `step`, not both"),
    ("report-step", lambda: af.report(["paper-tanh"], step=-1),
     ["report", "paper-tanh", "--step", "-1"], "`step` must be a positive number, got -1"),
    ("report-samples", lambda: af.report(["paper-tanh"], samples=1),
     ["report", "paper-tanh", "--samples", "1"], "`samples` must be between 2 and"),
    ("report-range", lambda: af.report(["paper-tanh"], range=(1, -1)),
     ["report", "paper-tanh", "--range", "1", "-1"], "`range` must satisfy LO < HI"),
    ("report-opmath", lambda: af.report(["paper-tanh"], opmath="bad"),
     ["report", "paper-tanh", "--opmath", "bad"], "unknown `opmath` 'bad'"),
    ("make-grid", lambda: af.make_grid(0, 1, samples=5, step=0.1), None,
     "give either `samples` or `step`, not both"),
    ("make-grid-samples", lambda: af.make_grid(0, 1, samples=1), None,
     "`samples` must be between 2 and"),
    ("parse-spec-gate", lambda: af.parse_spec("poly:c0=1", target="softplus").gate([1.0]),
     None, "target 'softplus' has no gate; use `on` value"),
    ("identify-digits", lambda: af.identify("0.5", digits=0),
     ["identify", "0.5", "--digits", "0"], "`digits` must be a whole number from 1 to 40"),
    ("identify-max-results", lambda: af.identify("0.5", max_results=0),
     ["identify", "0.5", "--max-results", "0"], "`max_results` must be a positive whole"),
    ("provenance-samples", lambda: af.provenance("paper-tanh", samples=3),
     ["provenance", "paper-tanh", "--samples", "3"],
     "`samples` must be at least the number of coefficients + 2 (4), got 3"),
    ("export-to", lambda: af.export_code(af.get_published("paper-tanh"), "rust"),
     ["export", "paper-tanh", "--to", "rust"], "unknown `to` 'rust'; choose one of"),
    ("export-range", lambda: af.export_code(af.get_published("paper-tanh"), range=(1, -1)),
     ["export", "paper-tanh", "--range", "1", "-1"], "`range` must satisfy LO < HI"),
    ("export-gate-form",
     lambda: af.export_code(af.get_published("paper-tanh"), gate_form="erf"), None,
     "`gate_form` must be one of"),
    ("fit-rational-den-parity", lambda: af.fit("erf", "rational", den_degree=3),
     ["fit", "erf", "rational", "--den-degree", "3"],
     "`den_degree` 3 is odd; `den_parity` 'even' needs an even degree"),
    ("provenance-ons", lambda: af.provenance("paper-tanh", ons=("both",)), None,
     "`ons`: unknown on 'both'; choose from gate, value"),
]


def _flags(message: str) -> str:
    """What the command line should print: each backticked parameter as its flag."""
    out = message
    for name in ("fix", "degree", "parity", "expr", "range", "samples", "step", "on",
                 "den_degree", "den_parity", "opmath", "digits", "max_results", "ons", "to",
                 "gate_form"):
        out = out.replace(f"`{name}`", "--" + name.replace("_", "-"))
    return out


@pytest.mark.parametrize(("call", "argv", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_library_names_the_parameter_and_the_cli_its_flag(call, argv, message):
    assert "`" in message and "--" not in message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError) as info:
            call()
    assert message in str(info.value)
    assert "--" not in str(info.value)
    if argv is None:
        return
    code, out, err = run_cli(argv)
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("approxfit: error: ")
    assert _flags(message) in err, err
    assert "`" not in err


# -- one fixed-coefficient rule for fit and taylor ------------------------------------

BAD_FIX = [
    ({"c2": 1}, InputError, f"`fix` {FIX_C2}"),
    ({"c1": math.nan}, InputError, "`fix` c1 must be finite, got nan"),
    ({"c1": math.inf}, InputError, "`fix` c1 must be finite, got inf"),
    ({"c1": True}, TypeError, "`fix` c1 must be a number or an expression string, got bool"),
    ({"c1": [1.0]}, TypeError, "`fix` c1 must be a number or an expression string, got list"),
    ([1], TypeError, "`fix` must be a mapping of coefficient names to values, got list"),
    ({"c1": "x"}, InputError, "`fix` c1 'x': unknown name 'x' (x is not allowed here)"),
    ({"c1": "log(0)"}, InputError, "`fix` c1 'log(0)'"),
    ({"c1": "sqrt(-1)"}, InputError, "`fix` c1 'sqrt(-1)': sqrt() of that constant"),
]


@pytest.mark.parametrize(("fix", "error", "message"), BAD_FIX)
@pytest.mark.parametrize("door", ["fit", "taylor"])
def test_fit_and_taylor_share_one_fix_rule(door, fix, error, message):
    call = af.fit if door == "fit" else af.taylor
    with pytest.raises(error) as info:
        call("gelu", "tanh", degree=3, fix=fix)
    assert message in str(info.value)
    with pytest.raises(error) as direct:
        check_fixed(fix, ["c1", "c3"], "tanh of degree 3 (odd)")
    assert str(direct.value) == str(info.value)


def test_check_fixed_returns_the_values_as_floats():
    got = check_fixed({"c3": 0.25, "c1": "sqrt(2/pi)"}, ["c1", "c3", "c5"], "tanh of degree 5")
    assert list(got) == ["c3", "c1"]
    assert got["c1"] == math.sqrt(2 / math.pi) and got["c3"] == 0.25
    assert check_fixed(None, ["c1"], "x") == {} and check_fixed({}, ["c1"], "x") == {}


def test_fixed_expressions_keep_exact_forms_for_taylor():
    import sympy as sp

    got = fixed_expressions({"c1": "sqrt(2/pi)", "c3": 0.1}, ["c1", "c3", "c5"], "t")
    assert sp.simplify(got["c1"].to_sympy() - sp.sqrt(2 / sp.pi)) == 0
    assert got["c3"].to_sympy() == sp.Rational(1, 10)


@pytest.mark.parametrize(("fix", "exact_c1"), [
    ({"c1": "sqrt(2/pi)"}, "sqrt(2)/sqrt(pi)"),
    ({"c1": "sqrt(2)/sqrt(pi)"}, "sqrt(2)/sqrt(pi)"),
    ({"c1": "(2/pi)**(1/2)"}, "sqrt(2)/sqrt(pi)"),
])
def test_taylor_still_matches_exact_fixed_values(fix, exact_c1):
    r = af.taylor("gelu", "tanh", degree=3, fix=fix)
    assert r.exact["c1"] == exact_c1
    assert r.exact["a3"] == "(4 - pi)/(6*pi)"          # a3 = (4 − π)/(6π), exactly
    assert r.scaled["a3"] == pytest.approx((4 - math.pi) / (6 * math.pi), rel=1e-15)


def test_taylor_reads_a_number_as_its_shortest_decimal():
    # Gate Φ(x) = ½ + x/√(2π) − x³/(6√(2π)) + …; ½(1 + tanh p), p = c1·x + c3·x³, has
    # x³ coefficient (c3 − c1³/3)/2, so c3 = c1³/3 − 1/(3√(2π)); c1 = 0.5 is 1/2 exactly.
    r = af.taylor("gelu", "tanh", degree=3, fix={"c1": 0.5})
    assert r.exact["c1"] == "1/2"
    assert r.coefficients["c3"] == pytest.approx(1 / 24 - 1 / (3 * math.sqrt(2 * math.pi)),
                                                 rel=1e-15, abs=0)


def test_library_messages_write_no_flags():
    """Library code outside the command line says `param`, never ``--param``, in the
    messages it raises or warns with."""
    import ast

    root = Path(af.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise | ast.Call) and _is_message_site(node):
                for const in ast.walk(node):
                    if (isinstance(const, ast.Constant) and isinstance(const.value, str)
                            and _flag_like(const.value)):
                        offenders.append(f"{path.relative_to(root)}:{const.lineno}")
    assert not offenders, offenders


def _is_message_site(node) -> bool:
    import ast

    if isinstance(node, ast.Raise):
        return True
    f = node.func
    return isinstance(f, ast.Attribute) and f.attr == "warn"


def _flag_like(text: str) -> bool:
    import re

    # ``--name`` outside a quoted command line (`approxfit fit ... --save FILE.json`)
    stripped = re.sub(r"`approxfit [^`]*`", "", text)
    return re.search(r"(?<![\w-])--[a-z]", stripped) is not None
