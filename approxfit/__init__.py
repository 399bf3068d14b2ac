"""approxfit: derive, fit, verify and deploy cheap approximations of activation-like
functions (GELU, SiLU, erf, tanh, …).

The public API, loaded lazily (``import approxfit`` imports no numpy, scipy, sympy or
matplotlib; each name loads its module on first use)::

    import approxfit as af

    res = af.fit("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"},
                 objective="minimax", range=(-10, 10))
    print(res.summary())          # exactly what `approxfit fit ...` prints
    res.approximant(0.5)          # approximants are callable

=====================  ==============================================================
name                   what it is
=====================  ==============================================================
``fit``                fit a family by least squares or minimax → :class:`FitResult`
``taylor``             Taylor (Padé for rational) matching in closed form
``make_grid``          sampling grids (uniform, Chebyshev, exact ``arange``)
``get_target``         a built-in target (``gelu``, ``gelu:mu=M,sigma=S``, …)
``resolve_target``     a built-in target, or a custom one from ``expr="x*erf(x)"``
``get_published``      a published approximant (``paper-tanh``, ``ibert``, …)
``parse_spec``         an approximant from a spec string or a saved fit file
``report``             the rows ``approxfit report`` prints
``export_code``        numpy, torch or C source of an approximant
``identify``           closed forms of a constant
``provenance``         which fitting procedure reproduces a published constant
``pareto``             sweep families × degrees: cost against whole-line error
``plot_*``             figures (``plot_overlay``, ``plot_abs_error``,
                       ``plot_minimax_certificate``, ``plot_pareto``): each takes
                       results and an optional matplotlib ``Axes`` and returns the Axes
``FitResult``          the frozen result of every fit
``Approximant``        family approximants (tanh∘p, σ∘p, p); see also
                       ``RationalApproximant`` and ``ClosedFormApproximant``
exceptions             ``ApproxfitError`` (base), ``InputError`` (bad input, a
                       ``ValueError``), ``ComputationError``, ``ConvergenceWarning``
=====================  ==============================================================

The command line (``approxfit --help``) is a thin door over the same functions: the
same inputs give the same numbers from Python and from the shell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from approxfit.core.version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from approxfit.approximants.approximant import Approximant
    from approxfit.approximants.published import ClosedFormApproximant, get_published
    from approxfit.approximants.rational import RationalApproximant
    from approxfit.approximants.spec import parse_spec
    from approxfit.core.exceptions import (
        ApproxfitError,
        ComputationError,
        ConvergenceWarning,
        InputError,
    )
    from approxfit.core.grids import make_grid
    from approxfit.core.targets import get_target, resolve_target
    from approxfit.fitting.fit import fit
    from approxfit.fitting.result import Certificate, FitResult
    from approxfit.lowprec.export import export_code
    from approxfit.measure.report import report
    from approxfit.present.plotting import (
        plot_abs_error,
        plot_minimax_certificate,
        plot_overlay,
        plot_pareto,
    )
    from approxfit.studies.pareto import pareto
    from approxfit.studies.provenance import provenance
    from approxfit.symbolic.identify import identify
    from approxfit.symbolic.taylor import taylor

_LAZY: dict[str, str] = {
    "fit": "approxfit.fitting.fit",
    "taylor": "approxfit.symbolic.taylor",
    "make_grid": "approxfit.core.grids",
    "get_target": "approxfit.core.targets",
    "resolve_target": "approxfit.core.targets",
    "get_published": "approxfit.approximants.published",
    "parse_spec": "approxfit.approximants.spec",
    "report": "approxfit.measure.report",
    "export_code": "approxfit.lowprec.export",
    "identify": "approxfit.symbolic.identify",
    "provenance": "approxfit.studies.provenance",
    "pareto": "approxfit.studies.pareto",
    "plot_overlay": "approxfit.present.plotting",
    "plot_abs_error": "approxfit.present.plotting",
    "plot_minimax_certificate": "approxfit.present.plotting",
    "plot_pareto": "approxfit.present.plotting",
    "FitResult": "approxfit.fitting.result",
    "Certificate": "approxfit.fitting.result",
    "Approximant": "approxfit.approximants.approximant",
    "RationalApproximant": "approxfit.approximants.rational",
    "ClosedFormApproximant": "approxfit.approximants.published",
    "ApproxfitError": "approxfit.core.exceptions",
    "InputError": "approxfit.core.exceptions",
    "ComputationError": "approxfit.core.exceptions",
    "ConvergenceWarning": "approxfit.core.exceptions",
}
"""Public name → the module that defines it (imported on first access)."""

__all__ = [
    "ApproxfitError",
    "Approximant",
    "Certificate",
    "ClosedFormApproximant",
    "ComputationError",
    "ConvergenceWarning",
    "FitResult",
    "InputError",
    "RationalApproximant",
    "__version__",
    "export_code",
    "fit",
    "get_published",
    "get_target",
    "identify",
    "make_grid",
    "pareto",
    "parse_spec",
    "plot_abs_error",
    "plot_minimax_certificate",
    "plot_overlay",
    "plot_pareto",
    "provenance",
    "report",
    "resolve_target",
    "taylor",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'approxfit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value                  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
