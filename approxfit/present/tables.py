"""Report rows as text: a Markdown table, CSV, or a rich terminal table.

The rows are those of :func:`approxfit.measure.report.report_rows` (the ``rows`` of
``approxfit report --json``); this module only formats them, with one fixed column
order (:data:`COLUMNS`), and returns the text (or a :class:`rich.table.Table`); the
caller writes or prints it.

Numbers are shown in scientific notation with four digits after the point
(``2.4329e-08``), positions ``x`` with five significant digits.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from approxfit.core.exceptions import InputError
from approxfit.measure.report import TAIL_BELOW

__all__ = ["COLUMNS", "format_number", "table_cells", "to_csv", "to_markdown",
           "to_terminal_table"]

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


def _check(rows: Any, digits: Any) -> None:
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence) or not all(
            isinstance(r, Mapping) and isinstance(r.get("metrics"), Mapping) for r in rows):
        raise InputError("`rows` must be a sequence of report rows (mappings with "
                         "'metrics'), as report_rows gives them")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 0 <= digits <= 17):
        raise InputError(f"`digits` must be None or an integer 0..17, got {digits!r:.60}")


def table_cells(rows: Sequence[dict[str, Any]], *, digits: int | None = 4
                ) -> list[list[str]]:
    """The cells of every row, in :data:`COLUMNS` order, as text."""
    _check(rows, digits)
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
    def esc(s: str) -> str:           # a cell stays one cell on one line
        return " ".join(s.splitlines()).replace("|", "\\|")

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
                      title: str | None = "Approximation errors") -> Any:
    """A :class:`rich.table.Table` of the rows (print it with a rich Console).

    The title, the headers and every cell are :class:`rich.text.Text`, never markup:
    a name such as ``[bold]`` or ``[/x]`` (a saved fit's, a custom target's) is
    printed as it is.
    """
    from rich.table import Table
    from rich.text import Text

    if title is not None and not isinstance(title, str):
        raise InputError(f"`title` must be a string or None, got {type(title).__name__}")
    table = Table(title=None if title is None else Text(title))
    for _, header, _, _, kind in COLUMNS:
        table.add_column(Text(header), justify="left" if kind == "text" else "right",
                         no_wrap=kind == "text")
    for cells in table_cells(rows, digits=digits):
        table.add_row(*(Text(c) for c in cells))
    return table
