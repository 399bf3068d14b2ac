"""The ULP errors of :func:`approxfit.lowprec.tables.precision_rows` as a cumulative
curve: the share of inputs within k ulp.

A presenting module: it takes rows that are already computed, draws on the
given Axes (or a new Agg figure from :func:`approxfit.present.plotting.new_axes`) and
returns the Axes; matplotlib is imported inside.  Save the figure with
:func:`approxfit.present.plotting.save_figure` (``ax.figure``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from approxfit.core.exceptions import InputError
from approxfit.present.style import series_style, styled

__all__ = ["bin_labels", "edge_counts", "plot_ulp_histogram"]

_ROW_KEYS = ("name", "dtype", "target", "on", "histogram")


def bin_labels(edges: Sequence[float]) -> list[str]:
    """``≤ 0.5``, ``≤ 1``, …, ``> 65536`` for right-closed bins with these edges."""
    labels = []
    for lo, hi in itertools.pairwise(edges):
        if math.isinf(hi):
            labels.append(f"> {lo:g}")
        else:
            labels.append(f"≤ {hi:g}")
    return labels


@styled
def plot_ulp_histogram(rows: Sequence[Mapping[str, Any]], ax: Any = None, *,
                       floor: bool = True, inputs: str | None = None,
                       note: str | None = None) -> Any:
    """The share of inputs within k ulp, one curve per row, from the rows' ULP histograms.

    A cumulative curve, not bars: the share of the inputs whose error is at most k ulp
    of the format at the exact value.  The rows hold right-closed bins
    (:data:`~approxfit.lowprec.tables.ULP_BIN_EDGES`), so the share is known exactly at
    the bin edges (marked) and the curve between two edges is the share at the lower
    one (a lower bound); errors above the last finite edge never count as within.
    Rows with identical histograms are drawn once, their names joined by ``" = "``.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`~approxfit.lowprec.tables.precision_rows` (any formats; the
        legend names the format when the rows mix them).
    ax : matplotlib Axes, optional
    floor : bool
        Also draw the floor (the exact function rounded to the format; ≤ ½ ulp by
        construction) of the first row, dotted grey.
    inputs : str, optional
        How the inputs were chosen (``"numpy.arange(-10, 10, 0.01) rounded to
        bfloat16"``), for the note under the axes; default: their count.
    note : str, optional
        A sentence added to the note (e.g. what a step of the curves is).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from approxfit.present.plotting import new_axes, plain_text
    from approxfit.present.verify_plot import share_panel

    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InputError(f"`rows` must be a sequence of precision rows, got "
                         f"{type(rows).__name__}")
    if not isinstance(floor, bool):
        raise InputError(f"`floor` must be True or False, got {type(floor).__name__}")
    for name, value in (("inputs", inputs), ("note", note)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"`{name}` must be a string or None, got {type(value).__name__}")
    if ax is not None and not hasattr(ax, "bar"):
        raise InputError(f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}")
    rows = list(rows)
    if not rows:
        raise InputError("no rows to plot")
    for i, r in enumerate(rows):
        if not (isinstance(r, Mapping) and all(k in r for k in _ROW_KEYS)
                and isinstance(r["histogram"], Mapping)
                and all(k in r["histogram"] for k in ("edges", "counts"))):
            raise InputError(f"`rows`[{i}] must be a row of precision_rows (with "
                             f"{', '.join(_ROW_KEYS)} and a histogram's edges and counts)")
    edges = rows[0]["histogram"]["edges"]
    if any(r["histogram"]["edges"] != edges for r in rows):
        raise InputError("rows have different histogram bins")
    ax = new_axes(ax, figsize=(10.5, 6.2))
    mixed = len({str(q["dtype"]) for q in rows}) > 1
    merged: dict[tuple[Any, ...], list[str]] = {}
    for r in rows:
        name = f"{r['name']} ({r['dtype']})" if mixed else str(r["name"])
        key = (tuple(int(c) for c in r["histogram"]["counts"]),
               int(r["histogram"].get("nan", 0)))
        merged.setdefault(key, []).append(plain_text(name, 60))
    series = [(" = ".join(names), edge_counts(edges, counts, nan), series_style(i))
              for i, ((counts, nan), names) in enumerate(merged.items())]
    if floor and "floor_histogram" in rows[0]:
        fh = rows[0]["floor_histogram"]
        series.append((f"floor: exact rounded to {plain_text(rows[0]['dtype'])}",
                       edge_counts(edges, fh["counts"], int(fh.get("nan", 0))),
                       {"color": "0.55", "linestyle": ":", "linewidth": 2.2}))
    finite = [e for e in edges[1:] if math.isfinite(e)]
    dtypes = sorted({str(r["dtype"]) for r in rows})
    n = rows[0].get("n")
    title = (f"share of inputs within k ulp: {plain_text(rows[0]['target'])}'s "
             f"{plain_text(rows[0]['on'])} in {plain_text(', '.join(dtypes))}")
    share_panel(ax, series, title, "{:.1%} within ½ ulp", decimals=0, label_at=0.5,
                marker="o", right=2 * max(finite))
    ax.set_xlabel("k: error in ulp of the format at the exact value (symlog; "
                  "● bin edges, where the share is exact)")
    ax.set_ylabel("share of inputs within k ulp")
    said = inputs or (f"{int(n):,} distinct inputs" if isinstance(n, int) else "the inputs")
    opmath = str(rows[0].get("opmath", ""))
    fmts = plain_text(", ".join(dtypes))
    if opmath == "float32":
        arith = f"the whole formula in float32, the result rounded to {fmts}"
    elif all(d in ("float32", "float64") for d in dtypes):
        arith = f"{fmts} arithmetic"
    else:
        arith = (f"every operation rounded to {fmts} (each computed in float32, tanh, exp "
                 "and σ too, then rounded)")
    text = f"Inputs: {plain_text(said)}; {arith}; error against the exact value " \
           f"(float64) at each input. Errors above {max(finite):g} ulp never count as within."
    if note:
        text += " " + plain_text(note, None)
    import textwrap

    ax.text(0.0, -0.16, "\n".join(textwrap.wrap(text, 120)), transform=ax.transAxes,
            ha="left", va="top", fontsize="small")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def edge_counts(edges: Sequence[float], counts: Sequence[int], nan: int = 0
                ) -> dict[Any, int]:
    """A binned ULP histogram as ``{right edge: count}`` (the last, unbounded bin as
    ``"inf"``, NaN as ``"nan"``), which
    :func:`~approxfit.present.verify_plot.cumulative_share` reads.

    >>> edge_counts([0.0, 0.5, 1.0, math.inf], [3, 1, 2])
    {0.5: 3, 1.0: 1, 'inf': 2, 'nan': 0}
    """
    out: dict[Any, int] = {}
    for hi, c in zip(edges[1:], counts, strict=True):
        key: Any = float(hi) if math.isfinite(hi) else "inf"
        out[key] = out.get(key, 0) + int(c)
    out["nan"] = int(nan)
    return out
