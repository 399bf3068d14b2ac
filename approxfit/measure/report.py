"""Tables of approximants' errors: pure computation and formatting, no files.

:func:`report_rows` measures each approximant once — the metrics of
:func:`approxfit.measure.metrics.approximant_metrics`, plus the relative error in the
negative tail and the error of the derivative — and returns plain dicts (the
``rows`` of ``approxfit report --json``).  :func:`to_markdown`, :func:`to_csv` and
:func:`to_terminal_table` format those rows with one fixed column order
(:data:`COLUMNS`); the caller writes or prints the result.

Numbers are shown in scientific notation with four digits after the point
(``2.4329e-08``), positions ``x`` with five significant digits.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from approxfit.measure.metrics import TINY, approximant_metrics

__all__ = ["COLUMNS", "TAIL_BELOW", "format_number", "report_rows", "table_cells",
           "to_csv", "to_markdown", "to_terminal_table"]

Array = np.ndarray
TAIL_BELOW = -2.0

# (csv key, human header, quantity, metric key, kind)
COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("name", "name", "", "name", "text"),
    ("mse", "MSE", "value", "mse", "error"),
    ("rmse", "RMSE", "value", "rmse", "error"),
    ("max_abs_error", "max abs error", "value", "max_abs_error", "error"),
    ("argmax_abs_error", "argmax", "value", "argmax_abs_error", "position"),
    ("max_rel_error", "max rel error", "value", "max_rel_error", "error"),
    ("max_rel_error_tail", f"tail rel error (x ≤ {TAIL_BELOW:g})", "value",
     "max_rel_error_tail", "error"),
    ("max_derivative_error", "derivative max error (value)", "value",
     "max_derivative_error", "error"),
    ("gate_max_abs_error", "gate max abs error", "gate", "max_abs_error", "error"),
)


def _tail_rel_error(approximant: Any, x: Array, on: str) -> float:
    """Max ``|approx − exact| / |exact|`` on the samples ``x ≤ TAIL_BELOW``.

    Points where the exact value is 0 or subnormal are skipped, as in
    :func:`~approxfit.measure.metrics.error_metrics`; NaN if no point is left.
    """
    xt = x[x <= TAIL_BELOW]
    exact = approximant.target_obj.evaluate(xt, on=on)
    keep = np.abs(exact) >= TINY
    if not keep.any():
        return float("nan")
    with np.errstate(all="ignore"):
        approx = approximant.evaluate(xt[keep], on=on)
        rel = np.abs(approx - exact[keep]) / np.abs(exact[keep])
    return float(np.max(rel)) if np.all(np.isfinite(rel)) else float("inf")


def report_rows(approximants: Iterable[Any], x: Array, *, lo: float | None,
                hi: float | None) -> list[dict[str, Any]]:
    """Measure each approximant on the sample points ``x``.

    Parameters
    ----------
    approximants : iterable
        :class:`~approxfit.approximants.approximant.Approximant` or
        :class:`~approxfit.approximants.published.ClosedFormApproximant` objects (anything
        with ``evaluate``, ``derivative``, ``target_obj``, ``base``, ``name``,
        ``coefficients``).
    x : numpy.ndarray
        Sample points, ascending (e.g. ``numpy.arange(-10, 10, 0.01)``).
    lo, hi : float or None
        The range in which the largest error is refined between samples
        (default: the first and last sample).

    Returns
    -------
    list of dict
        One row per approximant: ``name``, ``target``, ``source`` (the citation
        of a published approximant, else None), ``formula``, ``coefficients``,
        ``scaled`` and ``metrics``.  ``metrics`` is exactly
        :func:`~approxfit.measure.metrics.approximant_metrics`'s ``{"value": …, "gate":
        …}`` with two more keys per quantity: ``max_rel_error_tail`` (the largest
        relative error on the samples with ``x ≤ −2``, where GELU and its gate
        are tiny; NaN if there are none) and, on the value only,
        ``max_derivative_error`` with ``argmax_derivative_error`` (the largest
        ``|approx′ − target′|`` on the samples, target′ = ``target_obj.dvalue``).
    """
    x = np.asarray(x, dtype=float)
    rows = []
    for a in approximants:
        target = a.target_obj
        metrics = approximant_metrics(a, x, lo=lo, hi=hi)
        for on, m in metrics.items():
            m["max_rel_error_tail"] = _tail_rel_error(a, x, on)
        with np.errstate(all="ignore"):
            de = a.derivative(x) - target.dvalue(x)
        if np.all(np.isfinite(de)):
            i = int(np.argmax(np.abs(de)))
            dmax, dwhere = float(abs(de[i])), float(x[i])
        else:
            i = int(np.flatnonzero(~np.isfinite(de))[0])
            dmax, dwhere = float("inf"), float(x[i])
        metrics["value"]["max_derivative_error"] = dmax
        metrics["value"]["argmax_derivative_error"] = dwhere
        meta = getattr(a, "meta", None) or {}
        formula = meta.get("formula") or (a.describe() if hasattr(a, "describe") else "")
        rows.append({"name": a.name, "target": target.name, "source": meta.get("source"),
                     "formula": formula, "coefficients": dict(a.coefficients),
                     "scaled": dict(a.scaled), "metrics": metrics})
    return rows


def format_number(v: Any, kind: str = "error", *, digits: int | None = 4) -> str:
    """A cell's text: ``2.4329e-08`` for an error, ``2.6989`` for a position.

    Parameters
    ----------
    v : float or None
        The number (None or NaN give ``"nan"``).
    kind : {"error", "position", "text"}
        Errors in scientific notation with ``digits`` after the point, positions
        with ``digits + 1`` significant digits; text as is.
    digits : int or None
        None gives the shortest text that reads back as the same float.
    """
    if kind == "text":
        return "" if v is None else str(v)
    if v is None:
        return "nan"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if digits is None:
        return repr(v)
    if kind == "position":
        return f"{v:.{digits + 1}g}"
    return f"{v:.{digits}e}"


def table_cells(rows: Sequence[dict[str, Any]], *, digits: int | None = 4
                ) -> list[list[str]]:
    """The cells of every row, in :data:`COLUMNS` order, as text."""
    out = []
    for row in rows:
        cells = []
        for _, _, on, key, kind in COLUMNS:
            if kind == "text":
                cells.append(format_number(row.get(key), "text"))
                continue
            m = row["metrics"].get(on)
            cells.append(format_number(None if m is None else m.get(key), kind,
                                       digits=digits))
        out.append(cells)
    return out


def to_markdown(rows: Sequence[dict[str, Any]], *, digits: int | None = 4) -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned, ending in a newline."""
    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    header = "| " + " | ".join(esc(c[1]) for c in COLUMNS) + " |"
    rule = "|" + "|".join(":---" if c[4] == "text" else "---:" for c in COLUMNS) + "|"
    lines = [header, rule]
    for cells in table_cells(rows, digits=digits):
        lines.append("| " + " | ".join(esc(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[dict[str, Any]], *, digits: int | None = 4) -> str:
    """CSV text with a header of :data:`COLUMNS`' keys, ``\\n`` line ends.

    ``digits=None`` writes every number in full (shortest round-trip form).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    writer.writerows(table_cells(rows, digits=digits))
    return buf.getvalue()


def to_terminal_table(rows: Sequence[dict[str, Any]], *, digits: int | None = 4,
                      title: str | None = "Approximation errors"):
    """A :class:`rich.table.Table` of the rows (print it with a rich Console)."""
    from rich.table import Table

    table = Table(title=title)
    for _, header, _, _, kind in COLUMNS:
        table.add_column(header, justify="left" if kind == "text" else "right",
                         no_wrap=kind == "text")
    for cells in table_cells(rows, digits=digits):
        table.add_row(*cells)
    return table
