"""What ``approxfit reproduce`` writes beside the claims: figures, precision tables and
the Pareto sweep, each computed here and returned as data (figures or file bytes).

:func:`make_figures` draws the five figures of REPORT.md (:data:`FIGURES`) from
:func:`sweep_coefficients`' data and the published approximants;
:func:`precision_tables` and :func:`pareto_files` give the bytes of the other files
(:data:`EXTRA_FILES`).  Nothing here writes a file.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from approxfit.approximants.published import get_published
from approxfit.core.grids import make_grid
from approxfit.core.targets import get_target
from approxfit.fitting.fit import fit
from approxfit.studies.reproduce.claims import (
    PAPER_A3,
    PAPER_K,
    SQRT_2_PI,
    quietly,
    seed_grid,
)

__all__ = ["EXTRA_FILES", "FIGURES", "PRECISION_FORMATS", "make_figures", "pareto_files",
           "precision_tables", "sweep_coefficients"]

FIGURES = ("gelu-overlay.png", "abs-error.png", "erf-tanh-sigmoid.png",
           "minimax-certificate.png", "coefficient-vs-range.png")
EXTRA_FILES = ("precision.md", "precision.json", "ulp-histogram-bfloat16.png",
               "pareto-gelu.json", "pareto-gelu.csv", "pareto-gelu.png")
PRECISION_FORMATS = ("float32", "float16", "bfloat16")


def sweep_coefficients(half_widths: tuple[float, ...] | None = None,
                       samples: int = 2001) -> list[dict[str, Any]]:
    """a3 of the tanh form and k of the sigmoid form as the fit range [−R, R] grows."""
    rs = half_widths or tuple(float(r) for r in np.round(np.linspace(0.5, 10, 20), 3))
    rows = []
    for family, key, fix, deg in (("tanh", "a3", {"c1": SQRT_2_PI}, 3),
                                  ("sigmoid", "c1", None, 1)):
        for objective in ("l2", "minimax"):
            for on in ("gate", "value"):
                for R in rs:
                    r = quietly(fit, "gelu", family, make_grid(-R, R, samples=samples),
                               degree=deg, fix=fix, objective=objective, on=on)
                    v = r.scaled["a3"] if key == "a3" else r.coefficients["c1"]
                    rows.append({"family": family, "coefficient": key, "R": R,
                                 "objective": objective, "on": on, "value": v})
    return rows


def make_figures(sweep: list[dict[str, Any]]) -> dict[str, Any]:
    """The five figures, as matplotlib Figures keyed by file name."""
    from approxfit.approximants.published import published_for
    from approxfit.present import plotting

    grid = seed_grid()
    gelu = get_target("gelu")
    pubs = [p.build() for p in published_for("gelu")]
    figs: dict[str, Any] = {}
    fig, axes = plotting.subplots(1, 2, figsize=(12, 4.5))
    plotting.plot_overlay(gelu, pubs[:3], np.linspace(-5, 5, 1001), ax=axes[0], on="value")
    plotting.plot_overlay(gelu, pubs[:3], np.linspace(-5, 5, 1001), ax=axes[1], on="gate")
    figs["gelu-overlay.png"] = fig
    shown = ("paper-tanh", "paper-sigmoid", "taylor-tanh", "bowling-2009", "ibert",
             "as-7.1.26")
    ax = plotting.plot_abs_error(gelu, [get_published(n) for n in shown], grid.x, on="value")
    figs["abs-error.png"] = ax.figure
    ax = plotting.plot_erf_tanh_sigmoid(np.linspace(-4, 4, 801), k=PAPER_K)
    figs["erf-tanh-sigmoid.png"] = ax.figure
    res = quietly(fit, "gelu", "tanh", make_grid(-10, 10, samples=20001), degree=3,
                 fix={"c1": SQRT_2_PI}, objective="minimax", on="gate")
    ax = plotting.plot_minimax_certificate(res)
    figs["minimax-certificate.png"] = ax.figure
    fig, axes = plotting.subplots(1, 2, figsize=(12, 4.5))
    taylor_a3 = (4 - math.pi) / (6 * math.pi)
    plotting.plot_coefficient_vs_range(
        [r for r in sweep if r["family"] == "tanh"], ax=axes[0], coefficient="a3",
        references={"Taylor (4 − π)/(6π)": taylor_a3, "paper": PAPER_A3})
    plotting.plot_coefficient_vs_range(
        [r for r in sweep if r["family"] == "sigmoid"], ax=axes[1],
        coefficient="k (sigmoid σ(kx))",
        references={"Taylor 2√(2/π)": 2 * SQRT_2_PI, "paper": PAPER_K})
    axes[1].set_ylim(1.55, 1.85)
    figs["coefficient-vs-range.png"] = fig
    return figs


def precision_tables() -> dict[str, bytes]:
    """Every published GELU approximant in float32, float16 and bfloat16 on the seed grid.

    Returns ``precision.md``, ``precision.json`` and a ULP histogram of bfloat16.
    """
    from approxfit.approximants.published import published_for
    from approxfit.core.io import dumps
    from approxfit.lowprec.tables import precision_markdown, precision_rows
    from approxfit.present import plotting
    from approxfit.present.precision_plot import plot_ulp_histogram

    approximants = [p.build() for p in published_for("gelu")]
    x = seed_grid().x
    tables = {d: precision_rows(approximants, x, d) for d in PRECISION_FORMATS}
    text = ["# Published GELU approximants in low precision", "",
            "Generated by `approxfit reproduce` (the same numbers as `approxfit report "
            "--dtype FORMAT`). Inputs: the seed grid numpy.arange(-10, 10, 0.01) rounded to "
            "the format; every operation rounded to the format (tanh, exp and σ computed "
            "in float32 and rounded, as PyTorch's half kernels do); errors against the exact "
            "GELU at the rounded input. The floor is the error of the exact GELU rounded to "
            "the format; 'dominant' says whether the formula or the format sets the error.",
            ""]
    for d in PRECISION_FORMATS:
        text += [f"## {d}", "", precision_markdown(tables[d]), ""]
    ax = plot_ulp_histogram(tables["bfloat16"], inputs="the seed grid numpy.arange(-10, 10, "
                            f"0.01) rounded to bfloat16 ({tables['bfloat16'][0]['n']:,} "
                            "distinct values)", note=zero_output_note(approximants, x))
    return {"precision.md": "\n".join(text).encode(),
            "precision.json": dumps(tables).encode(),
            "ulp-histogram-bfloat16.png": plotting.figure_bytes(ax.figure,
                                                                "ulp-histogram.png")}


def zero_output_note(approximants: list[Any], x: Any, dtype: str = "bfloat16") -> str:
    """The sentence under the ULP figure on the inputs where an approximant gives 0 (or
    −0) in ``dtype`` while the exact GELU is not 0: its error there is the whole value,
    ``|f| / ulp(f)`` = 2^(p−1) · m ulp with m ∈ [1, 2), i.e. 128 to 256 ulp in bfloat16
    (p = 8): the jump of the curves below 256 ulp, and the 255 ulp of precision.md."""
    from approxfit.lowprec.emulate import evaluate_in_format
    from approxfit.lowprec.formats import get_format, round_to_format, ulp

    fmt = get_format(dtype)
    xs = np.unique(round_to_format(np.asarray(x, dtype=np.float64), fmt))
    xs = xs[np.isfinite(xs)]
    exact = get_target("gelu").evaluate(xs)
    parts = []
    for a in approximants:
        with np.errstate(all="ignore"):
            y = evaluate_in_format(a, xs, fmt, on="value")
            zero = (y == 0) & (exact != 0)
            if zero.any():
                u = np.abs(exact[zero]) / ulp(exact[zero], fmt)
                parts.append((a.name, int(zero.sum()), float(xs[zero].max()), float(u.min()),
                              float(u.max())))
    if not parts:
        return ""
    lo = min(p[3] for p in parts)
    hi = max(p[4] for p in parts)
    groups: dict[tuple[int, float], list[str]] = {}
    for n, k, w, _, _ in parts:
        groups.setdefault((k, w), []).append(n)
    names = "; ".join(f"{', '.join(ns)}: {k} inputs{' each' if len(ns) > 1 else ''}, the "
                      f"largest x = {w:g}" for (k, w), ns in groups.items())
    return (f"The jump just below 256 ulp: inputs where a formula returns 0 in {dtype} "
            f"while GELU is a tiny negative number ({names}); the error is then the whole "
            f"value, |f|/ulp(f) = 2^{fmt.precision - 1}·m with 1 ≤ m < 2: here {lo:.0f} to "
            f"{hi:.1f} ulp.")


def pareto_files() -> dict[str, bytes]:
    """The cost / whole-line error sweep of GELU (``approxfit pareto gelu``)."""
    from approxfit.studies import pareto as sweep

    res = sweep.pareto("gelu", families=sweep.DEFAULT_FAMILIES, max_degree=9,
                       executor="local")
    return sweep.pareto_files(res)
