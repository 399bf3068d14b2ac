"""The figure of ``approxfit verify --plot``: ULP error against x, and the share of
inputs within k ulp.

A presenting module: it takes results that are already computed
(:class:`~approxfit.lowprec.verify.VerifyResult` and
:class:`~approxfit.lowprec.kernels.UlpProfile`), draws on a new Agg figure and
returns it; matplotlib is imported inside.  Save it with
:func:`approxfit.present.plotting.save_figure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError
from approxfit.present.style import PALETTE, styled

__all__ = ["cumulative_share", "plot_verify", "plot_verify_blocks", "share_panel"]


def cumulative_share(histogram: dict[Any, int]) -> tuple[np.ndarray, np.ndarray]:
    """``(k, share)``: the share of inputs whose error is at most k ulp, at every k of the
    histogram (a NaN key, ``"nan"``, counts in the total and never within k).

    Parameters
    ----------
    histogram : dict
        distance (a number or its string) → count, as ``VerifyResult.histogram`` or its
        JSON; ``inf`` (or ``"inf"``) counts in the total and never within k, like NaN.
    """
    if not isinstance(histogram, dict) or not histogram:
        raise InputError("`histogram` must be a non-empty dict {ulp: count}")
    total = sum(int(v) for v in histogram.values())
    items = sorted((_distance(k), int(v)) for k, v in histogram.items()
                   if str(k) not in ("nan", "inf"))
    ks = np.array([k for k, _ in items], dtype=np.float64)
    share = np.cumsum([v for _, v in items]) / total if items else np.zeros(0)
    return ks, np.asarray(share, dtype=np.float64)


def _distance(k: Any) -> int | float:
    """A histogram key as a number: an int stays an int (its string too), else a float."""
    f = float(k)
    return int(f) if f.is_integer() else f


@styled
def plot_verify(results: Sequence[Any], profiles: Sequence[Any]) -> Any:
    """A figure of two panels: left, the ULP error at every input (symlog y; inputs
    with error 0 on the axis), one colour per kernel; right, the share of inputs within
    k ulp (from the exact histograms; symlog x).

    Parameters
    ----------
    results : sequence of VerifyResult
    profiles : sequence of UlpProfile
        The same kernels, in the same order.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from approxfit.present.plotting import plain_text, subplots

    if isinstance(results, str | bytes) or not isinstance(results, Iterable):
        raise InputError("`results` must be a sequence of VerifyResult")
    results, profiles = list(results), list(profiles)
    if not results or len(results) != len(profiles):
        raise InputError("`results` and `profiles` must be non-empty and of equal length")
    for i, (r, p) in enumerate(zip(results, profiles, strict=True)):
        if not (hasattr(r, "histogram") and hasattr(r, "model")):
            raise InputError(f"`results`[{i}] must be a VerifyResult")
        if not (hasattr(p, "x") and hasattr(p, "ulp") and hasattr(p, "stride")):
            raise InputError(f"`profiles`[{i}] must be an UlpProfile")
    fig, (left, right) = subplots(1, 2, figsize=(12.0, 4.5))
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(results))]
    for r, p, c in zip(results, profiles, colors, strict=True):
        label = plain_text(r.name)
        ulp = np.where(np.isnan(p.ulp), np.nan, p.ulp)
        left.scatter(p.x, ulp, s=2, color=c, label=label, rasterized=True, linewidths=0)
        nan = np.isnan(p.ulp)
        if nan.any():
            top = np.nanmax(np.where(nan, np.nan, p.ulp)) if (~nan).any() else 1.0
            left.scatter(p.x[nan], np.full(nan.sum(), max(top, 1.0) * 2), marker="x", s=8,
                         color=c)
    left.set_xscale("symlog", linthresh=1.0)
    left.set_xticks(_symlog_ticks([p.x for p in profiles]))
    left.set_yscale("symlog", linthresh=1.0)
    peak = max((float(np.nanmax(p.ulp)) for p in profiles if np.isfinite(p.ulp).any()),
               default=1.0)
    left.set_ylim(-0.1, max(peak, 1.0) * 3)
    r0, p0 = results[0], profiles[0]
    which = "every input" if all(p.stride == 1 for p in profiles) else \
        f"every {p0.stride:,}-th input"
    left.set_title(f"ULP error in {r0.model.format} ({which}; × = NaN)")
    left.set_xlabel("x (symlog)")
    left.set_ylabel("ulp (symlog)")
    left.grid(True, alpha=0.3)
    left.legend(loc="upper left", markerscale=4)
    share_panel(right, [(plain_text(r.name), r.histogram, c)
                        for r, c in zip(results, colors, strict=True)],
                f"share of the {r0.inputs:,} inputs within k ulp (target {r0.target})",
                "{:.2%} exact")
    return fig


def _symlog_ticks(xs: Sequence[np.ndarray]) -> list[float]:
    """At most about 9 ticks ±10^k (and 0) across the data's range, for a symlog axis."""
    import math

    top = max((float(np.max(np.abs(x))) for x in xs if x.size), default=1.0)
    decades = max(1, math.ceil(math.log10(max(top, 1.0))))
    step = max(1, math.ceil(decades / 4))
    ks = list(range(step, decades + 1, step))
    lo = min((float(np.min(x)) for x in xs if x.size), default=-1.0)
    hi = max((float(np.max(x)) for x in xs if x.size), default=1.0)
    ticks = [0.0] if lo <= 0.0 <= hi else []
    ticks += [10.0**k for k in ks if lo <= 10.0**k <= hi * 1.0001]
    ticks += [-(10.0**k) for k in ks if lo * 1.0001 <= -(10.0**k) <= hi]
    return sorted(set(ticks))


@styled
def plot_verify_blocks(doc: dict[str, Any]) -> Any:
    """The figure of a run too large to plot input by input (every float32): left, the
    largest ULP error in each block of inputs against x (each block a horizontal segment
    over the inputs it holds; symlog on both axes); right, the share of all inputs within
    k ulp.

    Parameters
    ----------
    doc : dict
        A ``verify`` document with its blocks (``VerifyResult.to_dict(blocks=True)``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import math

    from approxfit.present.plotting import plain_text, subplots

    if not isinstance(doc, dict) or not doc.get("blocks") or "histogram" not in doc:
        raise InputError("`doc` must be a verify document with its blocks "
                         "(VerifyResult.to_dict(blocks=True))")
    blocks = doc["blocks"]
    first = np.array([float(b["first"]) for b in blocks])
    last = np.array([float(b["last"]) for b in blocks])
    peak = np.array([math.nan if b["max_ulp"] == "nan" else float(b["max_ulp"])
                     for b in blocks])
    bad = np.array([int(b["incorrectly_rounded"]) for b in blocks])
    fig, (left, right) = subplots(1, 2, figsize=(12.0, 4.5))
    name = plain_text(str(doc.get("name", "kernel")))
    ok = bad == 0
    left.hlines(np.where(ok, 0.0, peak)[ok], first[ok], last[ok], color="0.55", lw=2,
                label="every input correctly rounded")
    mid = np.where(np.abs(first) < np.abs(last), first, last)   # the block's small end
    left.scatter(mid[~ok], peak[~ok], s=10, color=PALETTE[0], zorder=3,
                 label="largest error in a block (at its end nearer 0)")
    tiny = float(np.min(np.abs(np.concatenate([first, last])[np.concatenate([first, last])
                                                            != 0])))
    left.set_xscale("symlog", linthresh=max(tiny, 1e-45))
    top = float(np.nanmax(peak)) if np.isfinite(peak).any() else 1.0
    left.set_yscale("symlog", linthresh=1.0)
    left.set_ylim(-0.1, max(top, 1.0) * 3)
    lo_x, hi_x = float(first.min()), float(last.max())
    top_dec = math.floor(math.log10(max(abs(lo_x), abs(hi_x))))
    low_dec = math.ceil(math.log10(max(tiny, 1e-45)))
    ks = [k for k in range(-40, 41, 10) if low_dec + 5 <= k <= top_dec] or \
        list(range(low_dec, top_dec + 1))
    ticks = [0.0] + [10.0**k for k in ks if 10.0**k <= hi_x] + \
        [-(10.0**k) for k in ks if -(10.0**k) >= lo_x]
    left.set_xticks(sorted(ticks))
    left.tick_params(axis="x", labelsize="x-small", labelrotation=45)
    left.set_title(f"{name} in {doc.get('format', '')}: largest ULP error per block "
                   f"of {int(blocks[0]['inputs']):,} inputs", fontsize="medium")
    left.set_xlabel("x (symlog: each decade of |x| is as wide as the next)")
    left.set_ylabel("max ulp in the block (symlog)")
    left.grid(True, alpha=0.3)
    left.legend(loc="upper right")
    share_panel(right, [(name, doc["histogram"], PALETTE[0])],
                f"share of all {int(doc['inputs']):,} inputs within k ulp "
                f"(target {plain_text(str(doc.get('target', '')))})",
                "{:.4%} correctly rounded", decimals=2)
    return fig


@styled
def share_panel(ax: Any, series: Sequence[tuple[str, dict[Any, int], Any]], title: str,
                exact_text: str, *, decimals: int | None = None, label_at: float = 0.0,
                marker: str | None = None, right: float | None = None) -> None:
    """Draw, on ``ax``, the share of inputs within k ulp: one step curve per
    ``(label, histogram, style)`` (``style`` a colour or a dict of line properties),
    labelled with its share at k = ``label_at`` (``exact_text``, a format such as
    ``"{:.2%} exact"``); symlog k, percent y zoomed on the lowest curve.  ``marker``
    marks the k where the share is known (the bin edges of a binned histogram);
    ``right`` is where every curve ends (default: twice the largest k)."""
    from matplotlib.ticker import PercentFormatter

    lows = []
    curves = [(label, *cumulative_share(histogram), style)
              for label, histogram, style in series]
    top = max((float(ks.max()) for _, ks, _, _ in curves if ks.size), default=0.0)
    end = right if right is not None else max(top, 1.0) * 2
    for label, ks, share, style in curves:
        within = share[ks <= label_at]
        exact = float(within[-1]) if within.size else 0.0
        props = style if isinstance(style, dict) else {"color": style}
        ax.step(np.concatenate([ks, [end]]),
                np.concatenate([share, share[-1:] if share.size else [0.0]]),
                where="post", label=f"{label}: {exact_text.format(exact)}", **props)
        if marker is not None and ks.size:
            ax.plot(ks, share, linestyle="none", marker=marker, markersize=3.5,
                    color=props.get("color"))
        if share.size:
            lows.append(float(share[0]))
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=0.0)
    low = min(lows or [0.0])
    ax.set_ylim(max(0.0, low - 0.25 * (1.0 - low) - 1e-4), 1.0 + 0.02 * (1.0 - low) + 1e-5)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))
    ax.set_title(title)
    ax.set_xlabel("k (ulp, symlog)")
    ax.set_ylabel("share of inputs (k = 0: correctly rounded)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
