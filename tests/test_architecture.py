"""The layering written down in docs/architecture.md is the layering of the code.

Every module of the package is parsed; its imports (at the top and inside
functions, ``from pkg import a, b`` with every name, ``importlib.import_module`` and
``__import__`` with a literal name) are resolved to approxfit modules and checked
against :data:`approxfit.core.layers.LAYERS`: no upward import, no cycle between
modules, no private name of another module (neither ``from x import _private`` nor
``alias._private`` through a module alias). The checker works on source text, so the
tests at the end prove on small synthetic snippets that it reports each kind of
violation.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from approxfit.approximants.families import FAMILIES, PARITIES
from approxfit.core import names
from approxfit.core.layers import EXCEPTIONS, LAYERS, layer_of
from approxfit.core.targets import TARGETS
from approxfit.fitting.fit import OBJECTIVES, ONS

PKG = Path(__file__).resolve().parents[1] / "approxfit"
ROOT = "approxfit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}
SOURCES = {m: p.read_text() for m, p in MODULES.items()}


@dataclass(frozen=True)
class Edge:
    """One import of an approxfit module by another."""

    target: str                 # the approxfit module (or package) imported
    written: str                # as written in the source
    names: tuple[str, ...]      # names taken from ``target`` (``from target import …``)
    line: int


def resolve(name: str, modules: Mapping[str, object]) -> str:
    """The approxfit module ``name`` refers to (a module, a package, or a name in one)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attribute look-ups on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_dynamic_import(func: ast.expr) -> bool:
    """``importlib.import_module``, a bare ``import_module`` or ``__import__``."""
    return ((isinstance(func, ast.Attribute) and func.attr == "import_module")
            or (isinstance(func, ast.Name) and func.id in ("import_module", "__import__")))


def scan(module: str, source: str,
         modules: Mapping[str, object]) -> tuple[list[Edge], list[str]]:
    """The approxfit imports of ``module`` (given as source text) and the problems that
    show in its source alone: relative imports, dynamic imports of a name that is not a
    literal, and private attributes reached through a module alias."""
    tree = ast.parse(source)
    edges: list[Edge] = []
    problems: list[str] = []
    aliases: dict[str, str] = {}            # local name -> approxfit module it is bound to

    def ours(name: str) -> bool:
        return name.split(".")[0] == ROOT

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                problems.append(f"{module}:{node.lineno}: relative import; "
                                "write approxfit.… in full")
                continue
            if not node.module or not ours(node.module):
                continue
            taken = []
            for a in node.names:            # every name: a submodule is an edge of its own
                sub = f"{node.module}.{a.name}"
                if sub in modules:
                    edges.append(Edge(sub, sub, (), node.lineno))
                    aliases[a.asname or a.name] = sub
                else:
                    taken.append(a.name)
            if taken:
                edges.append(Edge(resolve(node.module, modules), node.module, tuple(taken),
                                  node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if not ours(a.name):
                    continue
                edges.append(Edge(resolve(a.name, modules), a.name, (), node.lineno))
                if a.asname:
                    aliases[a.asname] = resolve(a.name, modules)
                else:                       # `import approxfit.x.y` binds `approxfit`
                    aliases[ROOT] = ROOT
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if ours(arg.value):
                    edges.append(Edge(resolve(arg.value, modules), arg.value, (),
                                      node.lineno))
                elif arg.value.startswith("."):
                    problems.append(f"{module}:{node.lineno}: relative dynamic import "
                                    f"{arg.value!r}")
            elif module != ROOT:
                problems.append(f"{module}:{node.lineno}: dynamic import of a name that is "
                                "not a literal; the layering cannot be checked")
        elif module == ROOT and isinstance(node, ast.Dict):
            for v in node.values:           # the package's lazy name -> module table
                if (isinstance(v, ast.Constant) and isinstance(v.value, str)
                        and ours(v.value)):
                    edges.append(Edge(resolve(v.value, modules), v.value, (),
                                      getattr(v, "lineno", 0)))

    def module_of(node: ast.expr) -> str | None:
        """The approxfit module an expression names through an alias, else None."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head not in aliases:
            return None
        full = aliases[head] + (f".{rest}" if rest else "")
        return full if full in modules else None

    for node in ast.walk(tree):
        target, attr = None, None
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            target, attr = module_of(node.value), node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _is_private(node.args[1].value)):
            target, attr = module_of(node.args[0]), node.args[1].value
        if target is not None and target != module:
            problems.append(f"{module}:{node.lineno}: uses private {attr} of {target}")
    return edges, problems


def module_violations(module: str, source: str,
                      modules: Mapping[str, object]) -> list[str]:
    """Every violation in one module: upward imports, private names of other modules,
    and the problems :func:`scan` finds."""
    edges, problems = scan(module, source, modules)
    here = layer_of(module)
    for e in edges:
        if (module, e.target) not in EXCEPTIONS and layer_of(e.target) > here:
            problems.append(
                f"{module}:{e.line}: (layer {LAYERS[here][0]}) imports {e.written} "
                f"(layer {LAYERS[layer_of(e.target)][0]}), which is higher")
        private = [n for n in e.names if _is_private(n)]
        if private and e.target != module:
            problems.append(f"{module}:{e.line}: imports private {', '.join(private)} "
                            f"from {e.written}")
    return problems


def import_cycle(sources: Mapping[str, str]) -> list[str] | None:
    """One import cycle among the modules (as a path that returns to its start), or None.

    The package ``approxfit`` itself is left out: it re-exports every layer lazily.
    """
    graph = {m: {e.target for e in scan(m, src, sources)[0]
                 if e.target not in (m, ROOT)}
             for m, src in sources.items() if m != ROOT}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> list[str] | None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                return [*path[path.index(t):], t]
            if t not in state and (found := visit(t, [*path, t])):
                return found
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m, [m])):
            return found
    return None


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)                     # raises for a module in no layer
    assert {pkg for pkg, _ in LAYERS} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_keeps_to_its_layer(module):
    """No upward import, no private name of another module, no unchecked import."""
    assert module_violations(module, SOURCES[module], MODULES) == []


def test_no_import_cycle():
    cycle = import_cycle(SOURCES)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_package_table_is_read():
    """The lazy table of ``approxfit/__init__.py`` gives the package its edges."""
    targets = {e.target for e in scan(ROOT, SOURCES[ROOT], MODULES)[0]}
    assert {"approxfit.fitting.fit", "approxfit.studies.pareto",
            "approxfit.present.plotting"} <= targets


def test_sympy_and_matplotlib_stay_in_their_layers():
    for module in MODULES:
        for node in ast.walk(ast.parse(SOURCES[module])):
            mods = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for m in mods:
                top = m.split(".")[0]
                if top == "sympy":
                    assert module.startswith(("approxfit.symbolic", "approxfit.core.expr")), \
                        f"{module} imports sympy"
                if top == "matplotlib":
                    assert module.startswith("approxfit.present"), \
                        f"{module} imports matplotlib"


def test_light_names_match_registries():
    assert names.TARGET_NAMES == tuple(TARGETS)
    assert names.FAMILY_NAMES == (*FAMILIES, "rational")   # rational: its own kind
    assert names.PARITIES == PARITIES
    assert names.OBJECTIVES == OBJECTIVES
    assert names.ONS == ONS


# --- the checker on synthetic sources: each kind of violation is reported -----------------

def _check(module: str, source: str) -> list[str]:
    """Violations of ``source`` placed at ``module`` in the real package."""
    return module_violations(module, source, {**MODULES, module: None})


@pytest.mark.parametrize(("module", "source", "expected"), [
    # every submodule of `from pkg import a, b` is an edge, not only the first
    ("approxfit.core.grids",
     "from approxfit.core import names, exceptions\n"
     "from approxfit.fitting import result, fit\n",
     ["imports approxfit.fitting.result", "imports approxfit.fitting.fit"]),
    ("approxfit.core.grids",
     "from approxfit.core import names, io\nfrom approxfit.core import exceptions, targets\n"
     "def f():\n    from approxfit.measure import metrics, report\n",
     ["imports approxfit.measure.metrics", "imports approxfit.measure.report"]),
    # a private name after the first submodule
    ("approxfit.measure.report", "from approxfit.measure import metrics, _hidden\n",
     ["imports private _hidden from approxfit.measure"]),
    ("approxfit.measure.report", "from approxfit.measure.metrics import rms, _helper\n",
     ["imports private _helper from approxfit.measure.metrics"]),
    # private names through a module alias
    ("approxfit.studies.pareto",
     "def f():\n    import approxfit.fitting.fit as f\n    f._check_fix(None)\n",
     ["uses private _check_fix of approxfit.fitting.fit"]),
    ("approxfit.studies.pareto",
     "def f():\n    from approxfit.fitting import fit as m\n    return m._x\n",
     ["uses private _x of approxfit.fitting.fit"]),
    ("approxfit.studies.pareto",
     "import approxfit.fitting.fit\nY = approxfit.fitting.fit._x\n",
     ["uses private _x of approxfit.fitting.fit"]),
    ("approxfit.studies.pareto",
     "from approxfit import fitting\nY = fitting.fit._x\n",
     ["uses private _x of approxfit.fitting.fit"]),
    ("approxfit.studies.pareto",
     "from approxfit.fitting import fit\nY = getattr(fit, '_x')\n",
     ["uses private _x of approxfit.fitting.fit"]),
    # string imports: a literal is an edge, anything else cannot be checked
    ("approxfit.core.grids",
     "def f():\n    import importlib\n    importlib.import_module('approxfit.studies.pareto')\n",
     ["imports approxfit.studies.pareto"]),
    ("approxfit.core.grids",
     "from importlib import import_module\nM = import_module('approxfit.cli.main')\n",
     ["imports approxfit.cli.main"]),
    ("approxfit.core.io", "def f():\n    __import__('approxfit.cli.main')\n",
     ["imports approxfit.cli.main"]),
    ("approxfit.core.io", "import importlib\nNAME = 'x'\nM = importlib.import_module(NAME)\n",
     ["dynamic import of a name that is not a literal"]),
    ("approxfit.core.io", "M = __import__('approxfit.' + 'cli')\n",
     ["dynamic import of a name that is not a literal"]),
    ("approxfit.core.io", "from approxfit.core import names\nfrom . import grids\n",
     ["relative import"]),
])
def test_checker_reports(module, source, expected):
    found = _check(module, source)
    assert len(found) == len(expected), found
    for want in expected:
        assert any(want in f for f in found), (want, found)


@pytest.mark.parametrize(("module", "source"), [
    ("approxfit.core.grids", "from approxfit.core import names, exceptions\n"
                             "import importlib\nimportlib.import_module('numpy')\n"),
    ("approxfit.measure.report", "from approxfit.measure import metrics\nY = metrics.rms\n"
                                 "Z = metrics.__name__\n"),
    ("approxfit.measure.report", "from approxfit.approximants import approximant as a\n"
                                 "Y = a.Approximant._kernel\n"),
    ("approxfit.cli.main", "from approxfit.cli import derive, listing, measure, studies\n"),
])
def test_checker_accepts(module, source):
    assert _check(module, source) == []


def test_checker_sees_every_edge_of_a_multi_name_import():
    edges, _ = scan("approxfit.cli.main",
                    "from approxfit.cli import derive, listing, measure, studies\n", MODULES)
    assert {e.target for e in edges} == {f"approxfit.cli.{m}" for m in
                                         ("derive", "listing", "measure", "studies")}


def test_checker_finds_a_cycle_through_a_later_name():
    """``from approxfit.cli import common, main`` in cli/listing closes listing -> main
    -> listing; the old checker stopped at ``common``."""
    sources = dict(SOURCES)
    sources["approxfit.cli.listing"] += (
        "\n\ndef _probe():\n    from approxfit.cli import common, main\n")
    cycle = import_cycle(sources)
    assert cycle is not None and "approxfit.cli.main" in cycle \
        and "approxfit.cli.listing" in cycle, cycle
    assert cycle[0] == cycle[-1]


def test_checker_finds_a_cycle_through_a_string_import():
    a, b = "approxfit.core.a", "approxfit.core.b"
    sources = {a: f"import importlib\nimportlib.import_module('{b}')\n",
               b: "from approxfit.core import a\n"}
    assert import_cycle(sources) == [a, b, a]
