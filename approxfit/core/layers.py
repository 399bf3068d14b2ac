"""The architecture's layers, as one table: a module imports only from its own layer
or lower ones.

``docs/architecture.md`` explains each layer; ``tests/test_architecture.py`` derives
every module's imports (those inside functions included) and fails on an upward
import, a cycle between modules, or a ``from x import _private`` across modules.
"""

from __future__ import annotations

__all__ = ["EXCEPTIONS", "LAYERS", "layer_of"]

LAYERS: tuple[tuple[str, str], ...] = (
    ("approxfit.core", "values every layer shares: exceptions, names and choices, safe "
                       "expressions, atomic output, targets, sampling grids"),
    ("approxfit.approximants", "family kernels, the approximant kinds and their evaluation "
                               "programs, published approximants, spec parsing"),
    ("approxfit.lowprec", "number formats and ULPs, the format emulator, precision tables, "
                          "coefficient rounding, code export, framework parity"),
    ("approxfit.measure", "error metrics on a range and on the whole line, report rows"),
    ("approxfit.symbolic", "sympy: Taylor and Padé matching, closed forms of constants"),
    ("approxfit.fitting", "least-squares and minimax engines, the fitting core, FitResult"),
    ("approxfit.present", "figures and text rendering of results"),
    ("approxfit.studies", "reproduce, provenance and Pareto sweeps"),
    ("approxfit.cli", "the typer command line"),
    ("approxfit", "the public API: lazy re-exports of the layers' entry points"),
)
"""``(package, what it holds)``, lowest layer first."""

EXCEPTIONS: dict[tuple[str, str], str] = {}
"""``(importer, imported): reason`` for every deliberate upward import (none today)."""


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the package that holds ``module``.

    ``approxfit.__main__`` belongs to the command line; the package ``approxfit``
    itself (its ``__init__``) is the top layer.
    """
    if module == "approxfit.__main__":
        module = "approxfit.cli"
    best = -1
    for i, (pkg, _) in enumerate(LAYERS):
        if (module == pkg or module.startswith(pkg + ".")) and (
                best < 0 or len(pkg) > len(LAYERS[best][0])):
            best = i
    if best < 0:
        raise KeyError(f"module {module!r} is in no layer of approxfit.core.layers.LAYERS")
    return best
