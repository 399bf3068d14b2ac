"""The layering written down in docs/architecture.md is the layering of the code.

Every module of the package is parsed; its imports (at the top and inside
functions) are resolved to approxfit modules and checked against
:data:`approxfit.core.layers.LAYERS`: no upward import, no cycle between
modules, no ``from x import _private`` across modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from approxfit.approximants.families import FAMILIES, PARITIES
from approxfit.core import names
from approxfit.core.layers import EXCEPTIONS, LAYERS, layer_of
from approxfit.core.targets import TARGETS
from approxfit.fitting.fit import OBJECTIVES, ONS

PKG = Path(__file__).resolve().parents[1] / "approxfit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def resolve(name: str) -> str:
    """The approxfit module ``name`` refers to (a module, a package, or a name in one)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def edges(module: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(imported module, as written, names imported)`` for every approxfit import."""
    tree = ast.parse(MODULES[module].read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "approxfit":
                continue
            names_ = tuple(a.name for a in node.names)
            for n in names_:                 # `from approxfit.core import names`
                sub = f"{node.module}.{n}"
                if sub in MODULES:
                    found.append((sub, sub, ()))
                    break
            else:
                found.append((resolve(node.module), node.module, names_))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "approxfit":
                    found.append((resolve(a.name), a.name, ()))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}: relative import; write approxfit.… in full")
    return found


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)                     # raises for a module in no layer
    assert {pkg for pkg, _ in LAYERS} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_upward_import(module):
    here = layer_of(module)
    for target, written, _ in edges(module):
        if (module, target) in EXCEPTIONS:
            continue
        assert layer_of(target) <= here, (
            f"{module} (layer {LAYERS[here][0]}) imports {written} "
            f"(layer {LAYERS[layer_of(target)][0]}), which is higher")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_import_across_modules(module):
    for target, written, imported in edges(module):
        private = [n for n in imported if n.startswith("_") and n != "__version__"]
        assert not private or target == module, (
            f"{module} imports private {', '.join(private)} from {written}")


def test_no_import_cycle():
    graph = {m: {t for t, _, _ in edges(m) if t != m and t != "approxfit"} for m in MODULES}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = [*path[path.index(t):], t] if t in path else [m, t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_sympy_and_matplotlib_stay_in_their_layers():
    for module in MODULES:
        for node in ast.walk(ast.parse(MODULES[module].read_text())):
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
