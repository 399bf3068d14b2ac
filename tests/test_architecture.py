"""The layering written down in the README is the layering of the code."""

from __future__ import annotations

import ast
from pathlib import Path

from approxfit import names
from approxfit.families import FAMILIES, PARITIES
from approxfit.fit import OBJECTIVES, ONS
from approxfit.targets import TARGETS

PKG = Path(__file__).resolve().parents[1] / "approxfit"

# module -> approxfit modules it must not import (directly, anywhere in the file)
FORBIDDEN = {
    "targets": {"families", "fit", "symbolic", "cli", "report", "plotting", "reproduce"},
    "families": {"fit", "symbolic", "cli", "report", "plotting", "reproduce"},
    "metrics": {"fit", "symbolic", "cli", "report", "plotting", "reproduce"},
    "fit": {"symbolic", "cli", "report", "plotting", "reproduce"},
    "expr": {"targets", "families", "fit", "symbolic", "cli"},
    "rational": {"symbolic", "cli", "report", "plotting", "reproduce"},
    "precision": {"fit", "symbolic", "cli", "reproduce", "pareto"},
    "export": {"fit", "symbolic", "cli", "reproduce", "pareto"},
    "pareto": {"symbolic", "cli", "reproduce"},
    "provenance": {"symbolic", "cli", "reproduce"},
    "plotting": {"fit", "symbolic", "cli", "reproduce"},
    "report": {"fit", "symbolic", "cli", "reproduce", "plotting"},
}
NO_SYMPY = ["targets", "families", "grids", "metrics", "fit", "approximant", "result", "io",
            "rational", "precision", "export", "pareto", "provenance", "published", "report",
            "plotting"]


def imports_of(module: str) -> set[str]:
    tree = ast.parse((PKG / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_import_direction():
    for module, banned in FORBIDDEN.items():
        used = {m.split(".")[1] for m in imports_of(module) if m.startswith("approxfit.")}
        assert not used & banned, (module, used & banned)


def test_numeric_path_never_imports_sympy():
    for module in NO_SYMPY:
        assert not any(m.split(".")[0] == "sympy" for m in imports_of(module)), module


def test_light_names_match_registries():
    assert names.TARGET_NAMES == tuple(TARGETS)
    assert names.FAMILY_NAMES == (*FAMILIES, "rational")   # rational: approxfit.rational
    assert names.PARITIES == PARITIES
    assert names.OBJECTIVES == OBJECTIVES
    assert names.ONS == ONS
