"""The ULP-error histogram of :func:`approxfit.lowprec.tables.precision_rows`.

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

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["bin_labels", "plot_ulp_histogram"]

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


def plot_ulp_histogram(rows: Sequence[Mapping[str, Any]], ax: Any = None, *,
                       floor: bool = True) -> Any:
    """Grouped bars: the share of points per ULP-error bin, one colour per row.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`~approxfit.lowprec.tables.precision_rows` (any formats; the
        legend names the format when the rows mix them).
    ax : matplotlib Axes, optional
    floor : bool
        Also draw the floor's histogram (the exact function rounded to the
        format; ≤ ½ ulp by construction) of the first row, in grey.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from approxfit.present.plotting import new_axes, plain_text

    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InputError(f"`rows` must be a sequence of precision rows, got "
                         f"{type(rows).__name__}")
    if not isinstance(floor, bool):
        raise InputError(f"`floor` must be True or False, got {type(floor).__name__}")
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
    ax = new_axes(ax)
    nbins = len(edges) - 1
    series = [(plain_text(f"{r['name']} ({r['dtype']})") if len({q['dtype'] for q in rows}) > 1
               else plain_text(r["name"]), r["histogram"]["counts"], {}) for r in rows]
    if floor:
        series.insert(0, (f"floor: exact rounded to {rows[0]['dtype']}",
                          rows[0]["floor_histogram"]["counts"],
                          {"color": "0.6", "hatch": "//"}))
    width = 0.8 / len(series)
    pos = np.arange(nbins)
    for j, (label, counts, style) in enumerate(series):
        c = np.asarray(counts, dtype=float)
        share = c / c.sum() if c.sum() else c
        ax.bar(pos - 0.4 + width * (j + 0.5), share, width=width, label=label, **style)
    ax.set_xticks(pos)
    ax.set_xticklabels(bin_labels(edges), rotation=30, ha="right")
    ax.set_xlabel("error in ulp of the format at the exact value")
    ax.set_ylabel("share of points")
    ax.set_yscale("log")
    dtypes = sorted({str(r["dtype"]) for r in rows})
    ax.set_title(f"ULP errors of {plain_text(rows[0]['target'])}'s "
                 f"{plain_text(rows[0]['on'])} in {plain_text(', '.join(dtypes))}")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax
