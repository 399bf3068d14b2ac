"""Figures from approximants and results; matplotlib is imported inside each function.

Every plotting function takes data that is already computed (approximants, a
:class:`~approxfit.fitting.result.FitResult`, rows of coefficients), draws on the given
``ax`` or on a new figure, and returns the :class:`~matplotlib.axes.Axes`.  None
of them fits anything.  New figures are bare :class:`matplotlib.figure.Figure`
objects with an Agg canvas: no pyplot, no global backend switch, nothing kept in
pyplot's figure registry.  :func:`save_figure` writes PNG or SVG bytes that do
not change between runs (no timestamps or version strings, fixed SVG ids) through
:func:`approxfit.core.io.write_atomic`.

=============================  ===================================================
function                       draws
=============================  ===================================================
plot_overlay                   the target and the approximants (value or gate)
plot_abs_error                 |approximant − target| on a log scale
plot_erf_tanh_sigmoid          erf(x/√2), tanh(√(2/π)x) and 2σ(kx) − 1
plot_minimax_certificate       a minimax fit's error, alternation points and ±E
plot_coefficient_vs_range      a fitted coefficient against the half-width R
=============================  ===================================================

:func:`subplots` makes a multi-panel figure the same way, and
:func:`figure_bytes` gives the bytes :func:`save_figure` writes.

Text that comes from a user — an approximant's name (a saved fit's, or its file
name), a custom target's name and formula, a Pareto sweep's names — goes through
:func:`plain_text` before it reaches matplotlib: every ``$`` becomes ``\\$``, so
that mathtext never parses it (``$\\frac$`` is printed, not a crash at drawing
time), and a leading ``_`` (which hides a legend entry) gets a space before it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target, get_target
from approxfit.present.style import (
    DPI,
    FIGSIZE,
    PALETTE,
    float64_resolution,
    floored,
    log_limits,
    place_labels,
    place_legend,
    series_style,
    styled,
)

__all__ = ["ERROR_FLOOR", "MAX_LABEL", "figure_bytes", "new_axes", "pareto_resolution",
           "plain_text", "plot_abs_error", "plot_coefficient_vs_range",
           "plot_erf_tanh_sigmoid", "plot_minimax_certificate", "plot_overlay", "plot_pareto",
           "save_figure", "subplots"]

Array = np.ndarray
ERROR_FLOOR = 1e-18
TARGET_STYLE = {"color": "black", "linewidth": 2.6, "alpha": 0.35}
MAX_LABEL = 300
"""The longest user text drawn; longer text ends in "…"."""


def plain_text(text: Any, limit: int | None = MAX_LABEL) -> str:
    """``text`` as matplotlib draws it literally: ``$`` escaped (no mathtext), a
    leading ``_`` (which a legend would skip) preceded by a space, at most
    ``limit`` characters.

    Examples
    --------
    >>> plain_text(r"$\\frac$ costs $5")
    '\\\\$\\\\frac\\\\$ costs \\\\$5'
    """
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit - 1] + "…"
    s = s.replace("$", r"\$")
    return " " + s if s.startswith("_") else s


def _is_real(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _check_ax(ax: Any) -> None:
    if ax is not None and not hasattr(ax, "plot"):
        raise InputError(f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}")


def _approximants(approximants: Any) -> list[Any]:
    if isinstance(approximants, str | bytes) or not isinstance(approximants, Iterable):
        raise InputError("`approximants` must be an iterable of approximants, got "
                         f"{type(approximants).__name__}")
    out = list(approximants)
    if not out:
        raise InputError("`approximants` is empty; give at least one approximant")
    for i, a in enumerate(out):
        if not callable(getattr(a, "evaluate", None)):
            raise InputError(f"`approximants`[{i}] must have an evaluate method (an "
                             f"approximant), got {type(a).__name__}")
    return out


def _figure(figsize: tuple[float, float]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@styled
def new_axes(ax: Any = None, *, figsize: tuple[float, float] = FIGSIZE) -> Any:
    """``ax`` itself, or the Axes of a new Figure with an Agg canvas."""
    if ax is not None:
        return ax
    return _figure(figsize).add_subplot()


@styled
def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None
             ) -> tuple[Any, Any]:
    """A new Figure (Agg canvas, no pyplot) and its Axes, as ``Figure.subplots`` gives them.

    Returns
    -------
    (matplotlib.figure.Figure, Axes or numpy.ndarray of Axes)
    """
    if figsize is None:
        figsize = (FIGSIZE[0] * ncols, FIGSIZE[1] * nrows)
    fig = _figure(figsize)
    return fig, fig.subplots(nrows, ncols, squeeze=True)


def _target(target: str | Target) -> Target:
    if isinstance(target, Target):
        return target
    if not isinstance(target, str):
        raise InputError(f"`target` must be a target name or a Target, got "
                         f"{type(target).__name__}")
    return get_target(target)


def _check_on(on: str) -> str:
    if not isinstance(on, str) or on not in ("value", "gate"):
        raise InputError(f"`on` must be 'value' or 'gate', got {plain_text(repr(on), 60)}")
    return on


def _label(a: Any) -> str:
    return plain_text(a.name or a.describe(), None if not a.name else MAX_LABEL)


def _quantity_label(target: Target, on: str) -> str:
    name = plain_text(target.name)
    return f"{name} {on}" if on == "gate" else name


def _x(x: Any) -> Array:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf" or arr.dtype.kind == "b":
        raise InputError(f"`x` must be an array of real numbers, got {arr.dtype} values")
    x = arr.astype(float)
    if x.ndim != 1 or x.size < 2:
        raise InputError("`x` must be a one-dimensional array of at least 2 points")
    if not np.all(np.isfinite(x)):
        raise InputError("`x` must be finite")
    return x


@styled
def plot_overlay(target: str | Target, approximants: Iterable[Any], x: Any, ax: Any = None,
                 on: str = "value", zoom: tuple[float, float] | None = (-3.0, 0.0)) -> Any:
    """The target with the approximants drawn over it.

    Parameters
    ----------
    target : str or Target
        What is approximated (drawn as a thick grey line).
    approximants : iterable
        Objects with ``evaluate(x, on=...)`` and a ``name``.
    x : array_like
        Where to draw.
    ax : matplotlib.axes.Axes, optional
        Draw here; default: a new figure.
    on : {"value", "gate"}
        The target's value (GELU) or its gate (Φ).
    zoom : (float, float) or None
        An x interval drawn again, enlarged, in an inset (where the curves differ
        most for GELU: its dip below zero); None for no inset.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tgt, x, on = _target(target), _x(x), _check_on(on)
    _check_ax(ax)
    approximants = _approximants(approximants)
    if zoom is not None and (isinstance(zoom, str | bytes) or not isinstance(zoom, Sequence)
                             or len(zoom) != 2 or not all(_is_real(v) for v in zoom)):
        raise InputError(f"`zoom` must be a pair of numbers (LO, HI) or None, got "
                         f"{plain_text(repr(zoom), 60)}")
    ax = new_axes(ax)
    curves = [(f"{_quantity_label(tgt, on)} (exact)", tgt.evaluate(x, on=on), TARGET_STYLE)]
    for i, a in enumerate(approximants):
        with np.errstate(all="ignore"):
            y = a.evaluate(x, on=on)
        curves.append((_label(a), y, {**series_style(i), "linewidth": 1.3}))
    for label, y, style in curves:
        ax.plot(x, y, label=label, **style)
    second = (f"{plain_text(tgt.name)}(x) = {plain_text(tgt.formula)}" if on == "value"
              else f"the gate g of {plain_text(tgt.name)}: {tgt.relation.formula}")
    ax.set_title(f"{_quantity_label(tgt, on)} and its approximants\n{second}",
                 fontsize="medium")
    ax.set_xlabel("x")
    ax.set_ylabel("value f(x)" if on == "value" else "gate g(x)")
    ax.grid(True, alpha=0.3)
    ax.set_xlim(float(x[0]), float(x[-1]))
    if zoom is None:
        place_legend(ax)
    else:
        # Rising curves leave the upper left and the lower right empty: inset and legend.
        ax.legend(loc="lower right")
    if zoom is not None:
        lo, hi = (float(v) for v in zoom)
        inside = (x >= lo) & (x <= hi)
        if lo < hi and inside.sum() >= 2:
            inset = ax.inset_axes((0.1, 0.5, 0.36, 0.38))
            for _, y, style in curves:
                inset.plot(x[inside], np.asarray(y)[inside], **style)
            inset.set_title(f"zoom: x ∈ [{lo:g}, {hi:g}]", fontsize="x-small")
            inset.tick_params(labelsize="x-small")
            inset.grid(True, alpha=0.3)
    return ax


@styled
def plot_abs_error(target: str | Target, approximants: Iterable[Any], x: Any, ax: Any = None,
                   on: str = "value", floor: float = ERROR_FLOOR) -> Any:
    """``|approximant − target|`` against x, log scale, one curve per approximant.

    The title gives the range and the grid; each legend entry the curve's largest
    error.  Two levels keep the log axis honest:

    * the float64 resolution, :data:`~approxfit.present.style.FLOAT64_RESOLUTION_ULPS`
      ulp of the exact value at each x (shaded): an error at or below it is rounding in
      float64, not a property of the approximant, and the curve is not drawn there (a
      gap, not a line of noise);
    * ``floor``: the bottom of the axis; a resolved error below it (and an exact 0 where
      the value itself is 0) is drawn on it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tgt, x, on = _target(target), _x(x), _check_on(on)
    _check_ax(ax)
    approximants = _approximants(approximants)
    if not (_is_real(floor) and floor > 0 and math.isfinite(floor)):
        raise InputError(f"`floor` must be a positive number, got {plain_text(repr(floor), 60)}")
    floor = float(floor)
    ax = new_axes(ax)
    with np.errstate(all="ignore"):
        exact = np.asarray(tgt.evaluate(x, on=on), dtype=np.float64)
    resolution = float64_resolution(exact)
    drawn = []
    for i, a in enumerate(approximants):
        with np.errstate(all="ignore"):
            err = np.abs(np.asarray(a.evaluate(x, on=on), dtype=np.float64) - exact)
        worst = float(np.nanmax(np.nan_to_num(err, nan=np.inf))) if err.size else 0.0
        y = floored(err, floor)
        noise = (err <= resolution) & (resolution > floor) & np.isfinite(err)
        y = np.where(noise, np.nan, y)
        ax.plot(x, y, linewidth=1.2, label=f"{_label(a)}: max {worst:.2e}", **series_style(i))
        drawn.append(y)
    band = np.clip(resolution, floor, None)
    ax.fill_between(x, floor, band, color="0.85", linewidth=0, zorder=0,
                    label=f"float64 resolution ({_resolution_ulps()} ulp of the exact value)")
    ax.axhline(floor, color="0.4", linewidth=0.8, linestyle=":",
               label=f"axis floor {floor:.0e}: smaller errors drawn here")
    ax.set_yscale("log")
    values = np.concatenate([np.ravel(y) for y in drawn]) if drawn else np.zeros(0)
    _, yhi = log_limits(values[np.isfinite(values)], floor)
    ax.set_ylim(floor / 2.0, max(yhi, floor * 10))
    ax.set_title(f"absolute error on the {_quantity_label(tgt, on)}, x ∈ "
                 f"[{x[0]:g}, {x[-1]:g}], {_grid_text(x)}")
    ax.set_xlabel("x")
    ax.set_ylabel("|approximant − exact| (float64)")
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def _resolution_ulps() -> int:
    from approxfit.present.style import FLOAT64_RESOLUTION_ULPS

    return FLOAT64_RESOLUTION_ULPS


def _grid_text(x: Array) -> str:
    """``"2001 points, step 0.01"`` for a uniform grid, ``"N points"`` otherwise."""
    n = x.size
    steps = np.diff(x)
    if n >= 2 and np.allclose(steps, steps[0], rtol=1e-6, atol=0.0):
        return f"{n:,} points, step {float(steps[0]):.3g}"
    return f"{n:,} points"


@styled
def plot_erf_tanh_sigmoid(x: Any, k: float = 1.702, ax: Any = None, *,
                          error_ax: Any = None) -> Any:
    """erf(x/√2) beside tanh(√(2/π)·x) and 2σ(kx) − 1, as in the Stack Exchange answer,
    and below them their differences from erf(x/√2), where the three curves that overlap
    on the first panel come apart.

    With ``ax=None`` a new figure of two panels (curves above, differences below, the
    same x axis) is made; with an ``ax`` the differences are drawn on ``error_ax`` when
    one is given.

    The tanh shares erf(x/√2)'s slope √(2/π) at 0; the sigmoid's slope there is
    k/2 (equal for ``k = 2√(2/π) ≈ 1.596``), and k = 1.702 trades it for a
    closer fit further out.

    Returns
    -------
    matplotlib.axes.Axes
        The panel of the curves.
    """
    from scipy.special import erf, expit

    x = _x(x)
    if not (_is_real(k) and math.isfinite(k)):
        raise InputError(f"`k` must be a finite number, got {plain_text(repr(k), 60)}")
    k = float(k)
    _check_ax(ax)
    _check_ax(error_ax)
    if ax is None and error_ax is None:
        fig = _figure((FIGSIZE[0], FIGSIZE[1] * 1.45))
        ax, error_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    ax = new_axes(ax)
    ref = erf(x / math.sqrt(2.0))
    tanh_y = np.tanh(math.sqrt(2.0 / math.pi) * x)
    sig_y = 2.0 * expit(k * x) - 1.0
    tanh_label, sig_label = r"tanh$(\sqrt{2/\pi}\,x)$", rf"$2\sigma({k:g}\,x) - 1$"
    ax.plot(x, ref, label=r"erf$(x/\sqrt{2})$", **TARGET_STYLE)
    ax.plot(x, tanh_y, linewidth=1.4, label=tanh_label, **series_style(0))
    ax.plot(x, sig_y, linewidth=1.4, label=sig_label, **series_style(1))
    ax.axhline(0.0, color="grey", linewidth=0.6)
    ax.axvline(0.0, color="grey", linewidth=0.6)
    ax.set_title(f"erf, tanh and the logistic sigmoid, x ∈ [{x[0]:g}, {x[-1]:g}]")
    if error_ax is None:
        ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.grid(True, alpha=0.3)
    place_legend(ax)
    if error_ax is not None:
        for i, (label, y) in enumerate(((tanh_label, tanh_y), (sig_label, sig_y))):
            d = y - ref
            worst = float(np.max(np.abs(d)))
            error_ax.plot(x, d, linewidth=1.4, label=f"{label} − erf: max |·| {worst:.2e}",
                          **series_style(i))
        error_ax.axhline(0.0, color="grey", linewidth=0.6)
        error_ax.set_xlabel("x")
        error_ax.set_ylabel(r"difference from erf$(x/\sqrt{2})$")
        error_ax.set_xlim(float(x[0]), float(x[-1]))
        error_ax.grid(True, alpha=0.3)
        place_legend(error_ax)
    return ax


@styled
def plot_minimax_certificate(result: Any, ax: Any = None, *, samples: int = 4001) -> Any:
    """The error of a minimax fit on its range, with its alternation points and ±E.

    Parameters
    ----------
    result : FitResult
        A minimax fit (``result.certificate`` is not None).
    ax : matplotlib.axes.Axes, optional
    samples : int
        Points of the uniform grid on ``result.range`` where the error is drawn;
        the certificate's own points are added to it.

    Notes
    -----
    For a symmetric problem the certificate lists the points in ``x > 0``; their
    mirror images ``−x`` are marked too, with the error's sign flipped when the
    error is odd and kept when it is even.  ±E is the largest ``|error|`` on the
    certificate's points (the level the minimax fit attains).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not hasattr(result, "certificate") or not hasattr(result, "approximant"):
        raise InputError(f"`result` must be a FitResult, got {type(result).__name__}")
    if not (isinstance(samples, int) and not isinstance(samples, bool) and
            2 <= samples <= 1_000_000):
        raise InputError(f"`samples` must be an integer between 2 and 1000000, got "
                         f"{plain_text(repr(samples), 60)}")
    _check_ax(ax)
    cert = result.certificate
    if cert is None:
        raise InputError("plot_minimax_certificate needs a minimax fit result (it has no "
                         "certificate); fit with objective='minimax'")
    a = result.approximant
    tgt = a.target_obj
    on = result.on
    lo, hi = (float(v) for v in result.range)
    pts = np.asarray(cert.points, dtype=float)
    errs = np.asarray(cert.errors, dtype=float)
    if cert.symmetry in ("odd", "even"):
        sign = -1.0 if cert.symmetry == "odd" else 1.0
        mirror = pts > 0
        pts = np.concatenate([-pts[mirror][::-1], pts])
        errs = np.concatenate([sign * errs[mirror][::-1], errs])
    x = np.union1d(np.linspace(lo, hi, int(samples)), pts[(pts >= lo) & (pts <= hi)])
    with np.errstate(all="ignore"):
        e = a.evaluate(x, on=on) - tgt.evaluate(x, on=on)
    level = float(np.max(np.abs(cert.errors))) if len(cert.errors) else float("nan")
    ax = new_axes(ax)
    ax.plot(x, e, color=PALETTE[0], linewidth=1.3, label="error")
    ax.axhline(level, color=PALETTE[3], linestyle="--", linewidth=1.0,
               label=f"±E, E = {level:.4e}")
    ax.axhline(-level, color=PALETTE[3], linestyle="--", linewidth=1.0)
    ax.axhline(0.0, color="grey", linewidth=0.6)
    n_cert = len(cert.points)
    mirrored = len(pts) - n_cert
    where = " in x > 0" if cert.symmetry else ""
    mark = f"alternation points: {n_cert}{where}"
    if mirrored:
        mark += f" + {mirrored} mirrored at −x"
    ax.plot(pts, errs, linestyle="none", marker="o", markersize=5, markerfacecolor="none",
            markeredgecolor=PALETTE[3], markeredgewidth=1.3, label=mark)
    ax.set_title(f"minimax error of {_label(a)} on the {_quantity_label(tgt, on)}, "
                 f"x ∈ [{lo:g}, {hi:g}]\n"
                 + ("an exact fit, " if cert.levelled_ratio is None else
                    f"levelled ratio {cert.levelled_ratio:.4f}, ")
                 + f"{n_cert} of {cert.required} required alternation points{where}"
                 + (f" (error {cert.symmetry}: drawn mirrored too)" if mirrored else ""))
    ax.set_xlabel("x")
    ax.set_ylabel("approximant − exact")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    if math.isfinite(level) and level > 0:
        ax.set_ylim(-1.35 * level, 1.35 * level)
    ax.set_xlim(lo, hi)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper center", ncols=3)
    return ax


@styled
def plot_coefficient_vs_range(rows: Sequence[Mapping[str, Any]], ax: Any = None, *,
                              coefficient: str = "a3",
                              references: Mapping[str, float] | None = None,
                              logx: bool = False) -> Any:
    """A fitted coefficient against the half-width R of the fit range ``[−R, R]``.

    Parameters
    ----------
    rows : sequence of mapping
        Precomputed points, each with ``R``, ``objective``, ``on`` and ``value``
        (the coefficient fitted on ``[−R, R]``).  One line is drawn per
        ``(objective, on)`` pair.
    ax : matplotlib.axes.Axes, optional
    coefficient : str
        The coefficient's name, for the labels (``"a3"``).
    references : mapping, optional
        Horizontal reference lines, label -> value, e.g.
        ``{"Taylor (4 − π)/(6π)": 0.04554, "paper 0.044715": 0.044715}``.
    logx : bool
        Draw R on a log scale.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InputError(f"`rows` must be a sequence of mappings, got {type(rows).__name__}")
    rows = list(rows)
    if not rows:
        raise InputError("`rows` is empty; give at least one row (R, objective, on, value)")
    if not isinstance(coefficient, str):
        raise InputError(f"`coefficient` must be a string, got {type(coefficient).__name__}")
    if references is not None and not (isinstance(references, Mapping) and all(
            _is_real(v) for v in references.values())):
        raise InputError("`references` must be a mapping of label: number or None")
    _check_ax(ax)
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(f"`rows`[{i}] must be a mapping, got {type(row).__name__}")
        try:
            key = (plain_text(row["objective"]), plain_text(row["on"]))
            if not (_is_real(row["R"]) and _is_real(row["value"])):
                raise TypeError
            point = (float(row["R"]), float(row["value"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"rows[{i}] needs R, objective, on and value (R and value "
                             f"numbers); got {plain_text(sorted(map(str, row)), 60)}") from None
        groups.setdefault(key, []).append(point)
    ax = new_axes(ax)
    markers = ["o", "s", "^", "D", "v"]
    for i, key in enumerate(sorted(groups)):
        pts = sorted(groups[key])
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=markers[i % len(markers)],
                markersize=4, linewidth=1.3, color=PALETTE[i % len(PALETTE)],
                label=f"{key[0]} on the {key[1]}")
    styles = ["--", ":", "-."]
    for i, (label, value) in enumerate((references or {}).items()):
        ax.axhline(float(value), color=PALETTE[(i + len(groups)) % len(PALETTE)],
                   linestyle=styles[i % len(styles)], linewidth=1.1,
                   label=f"{plain_text(label)} = {float(value):.8g}")
    ax.margins(y=0.08)
    if logx:
        ax.set_xscale("log")
    coefficient = plain_text(coefficient)
    ax.set_title(f"fitted {coefficient} against the half-width R of [−R, R]")
    ax.set_xlabel("R")
    ax.set_ylabel(f"fitted {coefficient}")
    ax.ticklabel_format(axis="y", useOffset=False)
    ax.grid(True, alpha=0.3)
    place_legend(ax)
    return ax


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as PNG or SVG (by the suffix), the same bytes on every run.

    PNG is written without its ``Software`` entry; SVG without its date and
    with ``svg.hashsalt`` fixed, so that its element ids do not change.  The bytes
    go through :func:`approxfit.core.io.write_atomic` (temporary file +
    :func:`os.replace`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (``ax.figure`` for an Axes a plot function returned).
    path : str or Path
        Ends in ``.png`` or ``.svg``; its folder must exist.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        For another suffix or a folder that is missing or not writable.
    """
    from approxfit.core.io import check_writable, write_atomic

    if not isinstance(path, str | Path):
        raise InputError(f"`path` must be a str or Path, got {type(path).__name__}")
    if not hasattr(fig, "savefig"):
        raise InputError(f"`fig` must be a matplotlib Figure, got {type(fig).__name__}")
    p = Path(path)
    fmt = _format(p)
    check_writable(p, what="figure")
    return write_atomic(p, figure_bytes(fig, fmt))


def _format(name: str | Path) -> str:
    if not isinstance(name, str | Path):
        raise InputError(f"the figure's `name` must be a str or Path, got {type(name).__name__}")
    text = str(name).lower()
    fmt = text if text in ("png", "svg") else Path(text).suffix.lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(f"figure path {plain_text(repr(str(name)), 60)} must end in .png or "
                         ".svg")
    return fmt


def figure_bytes(fig: Any, name: str | Path = "png") -> bytes:
    """The bytes :func:`save_figure` would write, for a format or a file name.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str or Path
        ``"png"``, ``"svg"``, or a file name ending in ``.png`` or ``.svg``.

    Returns
    -------
    bytes
        PNG without its ``Software`` entry, or SVG without its date and with
        ``svg.hashsalt = "approxfit"`` (set only for this call), so equal figures
        give equal bytes.
    """
    import io

    import matplotlib

    fmt = _format(name)
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    with matplotlib.rc_context({"svg.hashsalt": "approxfit"}):
        fig.savefig(buf, format=fmt, metadata=metadata, dpi="figure")
    return buf.getvalue()


@styled
def plot_pareto(result: Any, ax: Any = None) -> Any:
    """Whole-line max error against cost: the fitted family × degree grid and the
    published approximants, with the Pareto frontier and the recommended form.

    What cannot be drawn is said, not hidden: errors at or below the float64
    resolution of the measure (:func:`pareto_resolution`; an error of 0 included) sit
    on a floor line labelled as such; families whose points coincide (tanh and
    sigmoid: σ(2u) = (1 + tanh u)/2) are drawn once under both names; published
    approximants at one point get one label (``"paper-tanh = seed-free-tanh"``);
    families left out (whole-line error ≥ 1, or every fit failed) are named in the
    title with the reason.  Labels are placed where they overlap nothing
    (:func:`approxfit.present.style.place_labels`), the legend below the axes.

    Parameters
    ----------
    result : approxfit.studies.pareto.ParetoResult or its ``to_dict()``
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(result, Mapping) and not callable(getattr(result, "to_dict", None)):
        raise InputError(f"`result` must be a ParetoResult or its to_dict(), got "
                         f"{type(result).__name__}")
    _check_ax(ax)
    d = result if isinstance(result, Mapping) else result.to_dict()
    ax = new_axes(ax, figsize=(9.0, 6.0))
    lo, hi = (float(v) for v in d["range"])
    floor = pareto_resolution(lo, hi)
    ok_rows = [r for r in d["rows"] if "error" not in r]
    rows = [r for r in ok_rows if r["max_error_whole_line"] < 1.0]
    left_out = _left_out(d["rows"], rows)

    def err(r: Mapping[str, Any]) -> float:
        return max(float(r["max_error_whole_line"]), floor)

    def key(r: Mapping[str, Any]) -> tuple[int, float]:
        return (r["cost"]["total"], float(f"{r['max_error_whole_line']:.6e}"))

    families: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        families.setdefault(r["family"], []).append(r)
    groups: list[list[str]] = []             # families whose points all coincide
    for fam in sorted(families):
        pts = sorted((r["degree"], *key(r)) for r in families[fam])
        for g in groups:
            if sorted((r["degree"], *key(r)) for r in families[g[0]]) == pts:
                g.append(fam)
                break
        else:
            groups.append([fam])
    markers = ["o", "s", "^", "D", "v", "P"]
    labels: list[tuple[str, tuple[float, float], dict[str, Any]]] = []
    points: list[tuple[float, float]] = []
    for i, g in enumerate(groups):
        pts = sorted(families[g[0]], key=lambda r: r["degree"])
        xs = [r["cost"]["total"] for r in pts]
        ys = [err(r) for r in pts]
        degrees = [r["degree"] for r in pts]
        name = " = ".join(f"{plain_text(f)}" for f in g)
        same = " (the same points)" if len(g) > 1 else ""
        ax.scatter(xs, ys, marker=markers[i % len(markers)], s=50, color=PALETTE[i],
                   label=f"{name} family{same}, degree {_degree_span(degrees)}", zorder=3)
        points += list(zip(xs, ys, strict=True))
        for x, y, deg in zip(xs, ys, degrees, strict=True):
            labels.append((f"{deg}", (x, y), {"fontsize": 8, "color": PALETTE[i]}))
    front = sorted((r for r in rows if r["name"] in d["frontier"]),
                   key=lambda r: (r["cost"]["total"], r["max_error_whole_line"]))
    if front:
        right = max([r["cost"]["total"] for r in rows]
                    + [p["cost"]["total"] for p in d["published"]])
        fx = [r["cost"]["total"] for r in front] + [right]
        fy = [err(r) for r in front] + [err(front[-1])]
        if right > fx[0] or len(front) > 1:
            ax.step(fx, fy, where="post", color="0.45", linestyle="--", linewidth=1,
                    label="Pareto frontier (nothing fitted is cheaper and better)", zorder=2)
    pubs = [p for p in d["published"] if math.isfinite(p["max_error_whole_line"])]
    merged: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for p in pubs:   # one label per point: errors equal to the two digits printed
        merged.setdefault((p["cost"]["total"], f"{err(p):.1e}"), []).append(p)
    for (cost, text), group in merged.items():
        xy = (float(cost), err(group[0]))
        ax.scatter([xy[0]], [xy[1]], marker="*", s=130, color=PUBLISHED_COLOUR, zorder=4)
        names = " = ".join(plain_text(p["name"]) for p in group)
        labels.append((f"{names} ({text})", xy, {"fontsize": 8, "color": PUBLISHED_COLOUR}))
        points.append(xy)
    if pubs:
        ax.scatter([], [], marker="*", s=130, color=PUBLISHED_COLOUR,
                   label=f"published ({len(pubs)}; equal points share a label)")
    rec = d.get("recommended")
    if rec is not None:
        x, y = rec["cost"]["total"], err(rec)
        ax.scatter([x], [y], s=300, facecolors="none", edgecolors="k", linewidths=1.4,
                   zorder=5, label=f"recommended: {plain_text(rec['name'])}, "
                   f"{rec['max_error_whole_line']:.2e}")
    ys = [y for _, y in points]
    on_floor = any(y <= floor for y in ys)
    if on_floor:
        ax.axhline(floor, color="0.3", linestyle=":", linewidth=1.0, zorder=1,
                   label=f"float64 resolution {floor:.0e}: an error here is rounding "
                         "(0 included)")
    ax.set_yscale("log")
    if ys:
        ax.set_ylim(*log_limits(ys, floor))
    xs_all = [x for x, _ in points]
    if xs_all:
        span = max(max(xs_all) - min(xs_all), 4.0)
        ax.set_xlim(min(xs_all) - 0.08 * span, max(xs_all) + 0.08 * span)
    ax.set_xlabel("cost: multiplies + adds + compares + 10 × transcendental calls")
    ax.set_ylabel("max |error| of the value on the whole real line")
    title = (f"{plain_text(d['target'])}: error on the whole line against cost "
             f"({plain_text(d['objective'])} fits on [{lo:g}, {hi:g}])")
    if left_out:
        title += "\n" + left_out
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2)
    place_labels(ax, labels, avoid=points)
    return ax


PUBLISHED_COLOUR = PALETTE[3]


def pareto_resolution(lo: float, hi: float) -> float:
    """The smallest whole-line error a float64 sweep on ``[lo, hi]`` resolves, as a power
    of ten: 2⁸ ulp of float64 at the largest ``|x|`` of the range (at least 1) — below it
    an error is rounding in the fit and the measure, not approximation.

    >>> pareto_resolution(-10.0, 10.0)
    1e-12
    """
    scale = max(abs(lo), abs(hi), 1.0)
    return 10.0 ** math.ceil(math.log10(256 * 2.0**-52 * scale))


def _degree_span(degrees: Sequence[int]) -> str:
    if len(degrees) == 1:
        return f"{degrees[0]}"
    return f"{min(degrees)}–{max(degrees)}"


def _left_out(all_rows: Sequence[Mapping[str, Any]],
              shown: Sequence[Mapping[str, Any]]) -> str:
    """The sentences on the rows not drawn, one line per family: why each is left out."""
    shown_names = {r["name"] for r in shown}
    parts = []
    by_family: dict[str, list[Mapping[str, Any]]] = {}
    for r in all_rows:
        if r.get("name") not in shown_names:
            by_family.setdefault(str(r.get("family", "?")), []).append(r)
    for fam, rs in sorted(by_family.items()):
        failed = [r for r in rs if "error" in r]
        big = [r for r in rs if "error" not in r]
        why = []
        if big:
            worst = min(float(r["max_error_whole_line"]) for r in big)
            reason = ("a polynomial grows without bound" if fam == "poly"
                      else "1 or more is off the scale")
            why.append(f"degree {_degree_span(sorted(r['degree'] for r in big))} has "
                       f"whole-line error ≥ {worst:.1e} ({reason})")
        if failed:
            why.append(f"degree {_degree_span(sorted(r['degree'] for r in failed))} failed "
                       "to fit")
        parts.append(f"{plain_text(fam)} not shown: " + "; ".join(why))
    return "\n".join(parts)
