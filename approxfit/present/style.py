"""The one figure style of approxfit: size, fonts, colours, legends, error axes, labels.

Every plotting function of :mod:`approxfit.present` draws through this module:

* :func:`styled` runs a plotting function inside ``matplotlib.rc_context(RC)`` (fonts,
  grid, line widths, the colour cycle), so every figure looks the same whether it is
  drawn on a new figure or on an Axes the caller gave;
* :data:`PALETTE` is the Okabe–Ito palette (colour-blind safe, yellow left out: it
  does not read on white); :func:`series_style` pairs a colour with a line style, so
  that more than eight series stay apart;
* :func:`place_legend` puts a legend at ``loc="best"`` when it is short and outside
  the axes (below) when it is crowded;
* :func:`floored` and :func:`log_limits` make log error axes that never take log(0)
  and do not stretch to fit rounding noise; :func:`float64_resolution` is the level
  below which a float64 error measure is rounding noise;
* :func:`place_labels` puts point labels where they overlap no other label, marker
  or the legend (a greedy search over offsets, with a leader line when far).

matplotlib is imported inside the functions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = ["DPI", "FIGSIZE", "FLOAT64_RESOLUTION_ULPS", "LINESTYLES", "PALETTE", "RC",
           "float64_resolution", "floored", "log_limits", "place_labels", "place_legend",
           "series_style", "styled"]

F = TypeVar("F", bound=Callable[..., Any])

DPI = 120
FIGSIZE = (7.5, 4.6)
#: Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion,
#: reddish purple, sky blue and black (yellow #F0E442 is left out: too pale on white).  Grey
#: is kept for references (a target, a floor), never for a series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
LINESTYLES = ("-", "--", "-.", ":")
#: A float64 error below this many ulp of the exact value is rounding noise.
FLOAT64_RESOLUTION_ULPS = 4
#: Legends with more entries than this go outside the axes.
CROWDED = 6

RC: dict[str, Any] = {
    "font.size": 10.0,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "legend.fontsize": "small",
    "xtick.labelsize": "small",
    "ytick.labelsize": "small",
    "axes.grid": False,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.4,
    "legend.framealpha": 0.9,
    "axes.formatter.use_mathtext": True,
}


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {**RC, "axes.prop_cycle": cycler(color=list(PALETTE))}


def load_matplotlib() -> Any:
    """``matplotlib``, with the Agg canvas and the figure module, imported inside a
    critical section (:func:`approxfit.core.interrupts.critical`): an interrupt that
    lands while a C extension initialises (matplotlib's ``ft2font``) made Python abort
    with "initialization failed" instead of ending the command cleanly; blocked, it is
    raised once the import is done."""
    from approxfit.core.interrupts import critical

    with critical():
        import matplotlib
        import matplotlib.backends.backend_agg
        import matplotlib.figure
    return matplotlib


def styled(fn: F) -> F:
    """Run ``fn`` inside ``matplotlib.rc_context`` of the project style."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        matplotlib = load_matplotlib()

        with matplotlib.rc_context(_rc()):
            return fn(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def series_style(i: int) -> dict[str, Any]:
    """The colour and line style of the ``i``-th series (the colour cycles fastest; the
    style changes with each colour and again after every round of colours)."""
    return {"color": PALETTE[i % len(PALETTE)],
            "linestyle": LINESTYLES[(i + 2 * (i // len(PALETTE))) % len(LINESTYLES)]}


def place_legend(ax: Any, *, crowded: int = CROWDED, **kwargs: Any) -> Any:
    """A legend of the labelled artists of ``ax``: ``loc="best"`` with at most
    ``crowded`` entries, else below the axes in columns.  None when nothing is labelled."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if len(handles) <= crowded:
        return ax.legend(handles, labels, loc="best", **kwargs)
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                     ncols=min(3, len(handles)), **kwargs)


def float64_resolution(values: Any, ulps: float = FLOAT64_RESOLUTION_ULPS) -> np.ndarray:
    """``ulps`` float64 ulp of each value: the smallest error a float64 measure resolves.

    >>> float(float64_resolution(1.0, 4)) == 4 * 2.0**-52
    True
    """
    v = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(all="ignore"):
        return ulps * np.spacing(np.where(np.isfinite(v), v, 0.0))


def floored(values: Any, floor: float) -> np.ndarray:
    """``values`` with NaN as +inf and everything below ``floor`` (zeros too) at ``floor``:
    safe for a log axis."""
    v = np.asarray(values, dtype=np.float64)
    return np.maximum(np.nan_to_num(v, nan=np.inf, posinf=np.inf), floor)


def log_limits(values: Any, floor: float) -> tuple[float, float]:
    """Log-axis limits that hold the finite values ``>= floor`` (and the floor when a
    value sits on it), with a margin; a decade around the floor for no such values."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    v = np.maximum(v, floor)
    if v.size == 0:
        return floor / 3.0, floor * 30.0
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo * 1.0000001:
        return lo / 10.0, hi * 10.0
    span = math.log10(hi) - math.log10(lo)
    pad = 10.0 ** max(0.08 * span, 0.15)
    return lo / pad, hi * pad


def place_labels(ax: Any, items: Sequence[tuple[str, tuple[float, float], dict[str, Any]]],
                 *, avoid: Sequence[tuple[float, float]] = (), marker_px: float = 9.0
                 ) -> list[Any]:
    """Annotate each ``(text, (x, y), text_kwargs)`` where its box overlaps no earlier
    label, no point of ``avoid`` (data coordinates; the labelled points are avoided too),
    no legend inside the axes, and stays inside the axes.

    Offsets are tried nearest first; a label more than 16 points from its point gets a
    leader line.  The figure's layout is settled first (the labels are kept out of it), so
    the positions hold in the saved file.
    """
    fig = ax.figure
    fig.canvas.draw()                          # settle the layout and the limits
    engine = fig.get_layout_engine()
    renderer = fig.canvas.get_renderer()
    if engine is not None:
        # Freeze the settled layout: the labels must not move the axes after placement.
        fig.set_layout_engine("none")
    box = ax.get_window_extent(renderer)
    px = fig.dpi / 72.0
    to_disp = ax.transData.transform
    blocked = []
    for x, y in [*avoid, *(xy for _, xy, _ in items)]:
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        cx, cy = to_disp((x, y))
        r = marker_px * px / 2
        blocked.append((cx - r, cy - r, cx + r, cy + r))
    legend = ax.get_legend()
    if legend is not None:
        lb = legend.get_window_extent(renderer)
        blocked.append((lb.x0, lb.y0, lb.x1, lb.y1))
    offsets = [(8, -4), (-8, -4), (6, 6), (6, -14), (-6, 6), (-6, -14), (0, 10), (0, -16)]
    for radius in (18, 30, 44, 60, 80, 104):
        for k in range(16):
            t = 2 * math.pi * k / 16
            offsets.append((round(radius * math.cos(t)), round(radius * math.sin(t))))
    out = []
    for text, (x, y), kwargs in items:
        best = None
        for dx, dy in offsets:
            ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                              ha=ha, va="center", annotation_clip=False, **kwargs)
            bb = ann.get_window_extent(renderer)
            rect = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            inside = (bb.x0 >= box.x0 and bb.x1 <= box.x1 and bb.y0 >= box.y0
                      and bb.y1 <= box.y1)
            if inside and not any(_overlap(rect, b) for b in blocked):
                best = (ann, rect, math.hypot(dx, dy))
                break
            ann.remove()
        if best is None:                        # nowhere free: the first place, overlapping
            ann = ax.annotate(text, (x, y), xytext=offsets[0], textcoords="offset points",
                              ha="left", va="center", **kwargs)
            bb = ann.get_window_extent(renderer)
            best = (ann, (bb.x0, bb.y0, bb.x1, bb.y1), 0.0)
        ann, rect, dist = best
        if dist > 16:
            ann.arrow_patch = None
            ann.remove()
            ann = ax.annotate(text, (x, y), xytext=ann.xyann, textcoords="offset points",
                              ha=ann.get_ha(), va="center", annotation_clip=False,
                              arrowprops={"arrowstyle": "-", "lw": 0.5,
                                          "color": kwargs.get("color", "0.3"),
                                          "shrinkA": 0, "shrinkB": 4}, **kwargs)
        ann.set_in_layout(False)
        blocked.append(rect)
        out.append(ann)
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
             ) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
