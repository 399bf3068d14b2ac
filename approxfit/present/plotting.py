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

__all__ = ["ERROR_FLOOR", "MAX_LABEL", "figure_bytes", "new_axes", "plain_text",
           "plot_abs_error", "plot_coefficient_vs_range", "plot_erf_tanh_sigmoid",
           "plot_minimax_certificate", "plot_overlay", "plot_pareto", "save_figure",
           "subplots"]

Array = np.ndarray
ERROR_FLOOR = 1e-18
DPI = 120
FIGSIZE = (7.5, 4.6)
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


def new_axes(ax: Any = None, *, figsize: tuple[float, float] = FIGSIZE) -> Any:
    """``ax`` itself, or the Axes of a new Figure with an Agg canvas."""
    if ax is not None:
        return ax
    return _figure(figsize).add_subplot()


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
    styles = ["-", "--", "-.", ":"]
    for i, a in enumerate(approximants):
        with np.errstate(all="ignore"):
            y = a.evaluate(x, on=on)
        curves.append((_label(a), y, {"linestyle": styles[i % len(styles)],
                                      "linewidth": 1.3, "color": f"C{i}"}))
    for label, y, style in curves:
        ax.plot(x, y, label=label, **style)
    second = (f"{plain_text(tgt.name)}(x) = {plain_text(tgt.formula)}" if on == "value"
              else f"the gate g of {plain_text(tgt.name)}: {tgt.relation.formula}")
    ax.set_title(f"{_quantity_label(tgt, on)} and its approximants\n{second}",
                 fontsize="medium")
    ax.set_xlabel("x")
    ax.set_ylabel("value f(x)" if on == "value" else "gate g(x)")
    ax.grid(True, alpha=0.3)
    # Rising curves leave the upper left and the lower right empty: inset and legend.
    ax.legend(loc="lower right", fontsize="small")
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


def plot_abs_error(target: str | Target, approximants: Iterable[Any], x: Any, ax: Any = None,
                   on: str = "value", floor: float = ERROR_FLOOR) -> Any:
    """``|approximant − target|`` against x, log scale, one curve per approximant.

    Exact zeros (and anything below ``floor``) are drawn at ``floor`` so that the
    log scale can show them; the floor is drawn as a thin dotted line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tgt, x, on = _target(target), _x(x), _check_on(on)
    _check_ax(ax)
    approximants = _approximants(approximants)
    if not (_is_real(floor) and floor > 0 and math.isfinite(floor)):
        raise InputError(f"`floor` must be a positive number, got {plain_text(repr(floor), 60)}")
    ax = new_axes(ax)
    exact = tgt.evaluate(x, on=on)
    for a in approximants:
        with np.errstate(all="ignore"):
            err = np.abs(a.evaluate(x, on=on) - exact)
        ax.plot(x, np.maximum(np.nan_to_num(err, nan=np.inf), floor), linewidth=1.2,
                label=_label(a))
    ax.axhline(floor, color="grey", linewidth=0.8, linestyle=":",
               label=f"floor {floor:.0e} (exact or below)")
    ax.set_yscale("log")
    ax.set_title(f"absolute error on the {_quantity_label(tgt, on)}")
    ax.set_xlabel("x")
    ax.set_ylabel("|approximant − exact|")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax


def plot_erf_tanh_sigmoid(x: Any, k: float = 1.702, ax: Any = None) -> Any:
    """erf(x/√2) beside tanh(√(2/π)·x) and 2σ(kx) − 1, as in the Stack Exchange answer.

    The tanh shares erf(x/√2)'s slope √(2/π) at 0; the sigmoid's slope there is
    k/2 (equal for ``k = 2√(2/π) ≈ 1.596``), and k = 1.702 trades it for a
    closer fit further out.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy.special import erf, expit

    x = _x(x)
    if not (_is_real(k) and math.isfinite(k)):
        raise InputError(f"`k` must be a finite number, got {plain_text(repr(k), 60)}")
    k = float(k)
    _check_ax(ax)
    ax = new_axes(ax)
    ax.plot(x, erf(x / math.sqrt(2.0)), label=r"erf$(x/\sqrt{2})$", **TARGET_STYLE)
    ax.plot(x, np.tanh(math.sqrt(2.0 / math.pi) * x), linestyle="--", linewidth=1.4,
            label=r"tanh$(\sqrt{2/\pi}\,x)$")
    ax.plot(x, 2.0 * expit(k * x) - 1.0, linestyle="-.", linewidth=1.4,
            label=rf"$2\sigma({k:g}\,x) - 1$")
    ax.axhline(0.0, color="grey", linewidth=0.6)
    ax.axvline(0.0, color="grey", linewidth=0.6)
    ax.set_title("erf, tanh and the logistic sigmoid")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return ax


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
    ax.plot(x, e, color="tab:blue", linewidth=1.3, label="error")
    ax.axhline(level, color="tab:red", linestyle="--", linewidth=1.0,
               label=f"±E, E = {level:.4e}")
    ax.axhline(-level, color="tab:red", linestyle="--", linewidth=1.0)
    ax.axhline(0.0, color="grey", linewidth=0.6)
    ax.plot(pts, errs, linestyle="none", marker="o", markersize=5, markerfacecolor="none",
            markeredgecolor="tab:red", markeredgewidth=1.3,
            label=f"alternation points ({len(pts)})")
    ax.set_title(f"minimax error of {_label(a)} on the {_quantity_label(tgt, on)}, "
                 f"x ∈ [{lo:g}, {hi:g}]\n"
                 + ("an exact fit, " if cert.levelled_ratio is None else
                    f"levelled ratio {cert.levelled_ratio:.4f}, ")
                 + f"{len(cert.points)} of {cert.required} required points"
                 + (f" (x > 0, error {cert.symmetry})" if cert.symmetry else ""),
                 fontsize="medium")
    ax.set_xlabel("x")
    ax.set_ylabel("approximant − exact")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    if math.isfinite(level) and level > 0:
        ax.set_ylim(-1.35 * level, 1.35 * level)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper center", ncols=3, fontsize="small")
    return ax


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
                markersize=4, linewidth=1.3, label=f"{key[0]} on the {key[1]}")
    styles = ["--", ":", "-."]
    for i, (label, value) in enumerate((references or {}).items()):
        ax.axhline(float(value), color=f"C{(i + len(groups)) % 10}",
                   linestyle=styles[i % len(styles)], linewidth=1.1,
                   label=f"{plain_text(label)} = {float(value):.8g}")
    if logx:
        ax.set_xscale("log")
    coefficient = plain_text(coefficient)
    ax.set_title(f"fitted {coefficient} against the half-width R of [−R, R]")
    ax.set_xlabel("R")
    ax.set_ylabel(f"fitted {coefficient}")
    ax.ticklabel_format(axis="y", useOffset=False)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
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


def plot_pareto(result: Any, ax: Any = None) -> Any:
    """Whole-line max error against cost: the fitted family × degree grid and the
    published approximants, with the Pareto frontier and the recommended form.

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
    ax = new_axes(ax, figsize=(9.0, 5.5))
    rows = [r for r in d["rows"] if "error" not in r and r["max_error_whole_line"] < 1.0]
    markers = {"tanh": ("o", 60, "C0"), "sigmoid": ("s", 110, "C1"), "poly": ("^", 60, "C2")}
    for fam in sorted({r["family"] for r in rows}):
        pts = [r for r in rows if r["family"] == fam]
        m, size, color = markers.get(fam, ("o", 60, "C3"))
        ax.scatter([r["cost"]["total"] for r in pts], [r["max_error_whole_line"] for r in pts],
                   marker=m, s=size, facecolors="none" if fam == "sigmoid" else color,
                   edgecolors=color, label=f"{plain_text(fam)} family, degree "
                   f"{min(r['degree'] for r in pts)}–{max(r['degree'] for r in pts)}",
                   zorder=3)
        for r in pts:
            if fam != "sigmoid":
                ax.annotate(f"{r['degree']}", (r["cost"]["total"], r["max_error_whole_line"]),
                            textcoords="offset points", xytext=(6, -3), fontsize=8)
    front = sorted((r for r in rows if r["name"] in d["frontier"]),
                   key=lambda r: r["cost"]["total"])
    if front:
        ax.step([r["cost"]["total"] for r in front], [r["max_error_whole_line"] for r in front],
                where="post", color="0.5", linestyle="--", linewidth=1, label="Pareto frontier")
    by_cost: dict[int, list[Mapping[str, Any]]] = {}
    for p in d["published"]:
        by_cost.setdefault(p["cost"]["total"], []).append(p)
    for group in by_cost.values():
        # Labels of points at one cost are stacked downwards so that none overlaps.
        group = sorted(group, key=lambda p: -p["max_error_whole_line"])
        for i, p in enumerate(group):
            xy = (p["cost"]["total"], p["max_error_whole_line"])
            ax.scatter([xy[0]], [xy[1]], marker="*", s=140, color="C3", zorder=4)
            ax.annotate(f"{plain_text(p['name'])} ({p['max_error_whole_line']:.1e})", xy,
                        xytext=(-8, 14 - 11 * i), textcoords="offset points", ha="right",
                        fontsize=8, color="C3",
                        arrowprops={"arrowstyle": "-", "color": "C3", "lw": 0.5})
    ax.scatter([], [], marker="*", s=140, color="C3", label="published")
    rec = d.get("recommended")
    if rec is not None:
        x, y = rec["cost"]["total"], rec["max_error_whole_line"]
        ax.scatter([x], [y], s=320, facecolors="none", edgecolors="k", linewidths=1.5,
                   zorder=5, label=f"recommended: {plain_text(rec['name'])}, {y:.2e}")
    ax.set_yscale("log")
    ax.set_xlabel("cost: multiplies + adds + compares + 10 × transcendental calls")
    ax.set_ylabel("max |error| of the value on the whole real line")
    lo, hi = d["range"]
    ax.set_title(f"{plain_text(d['target'])}: error on the whole line against cost "
                 f"({d['objective']} fits on [{lo:g}, {hi:g}])")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")
    return ax
