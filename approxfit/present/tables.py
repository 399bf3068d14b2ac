"""Report rows as text: a Markdown table, CSV, or a rich terminal table.

The rows are those of :func:`approxfit.measure.report.report_rows` (the ``rows`` of
``approxfit report --json``); this module only formats them, with one fixed column
order (:data:`COLUMNS`), and returns the text (or a :class:`rich.table.Table`); the
caller writes or prints it.

Numbers are shown in scientific notation with four digits after the point
(``2.4329e-08``), positions ``x`` with five significant digits.

A terminal table never cuts a number: :func:`to_terminal_tables` fits the rows to a
width by wrapping headers, then by splitting the columns over several tables (the
name repeated in each) or by transposing (one row per metric), whichever takes fewer
lines.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from approxfit.core.exceptions import InputError
from approxfit.measure.report import TAIL_BELOW

__all__ = ["COLUMNS", "format_number", "output_width", "table_cells", "to_csv",
           "to_markdown", "to_terminal_table", "to_terminal_tables"]

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


def output_width(stream: Any = None) -> int:
    """The width to lay a table out for on ``stream`` (default: standard output).

    A terminal's own width; otherwise (a pipe, a file) ``$COLUMNS`` when it is set to a
    positive integer, else 80. Unlike :class:`rich.console.Console`, the width of a
    terminal on standard input or standard error is not used for a redirected output.
    """
    import os
    import sys

    stream = sys.stdout if stream is None else stream
    try:
        if stream.isatty():
            columns = os.get_terminal_size(stream.fileno()).columns
            return columns if columns > 0 else 80
    except (AttributeError, ValueError, OSError):
        pass
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else 80


def _wrap_words(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` cells, broken between words only; a
    parenthesised group such as ``(x ≤ -2)`` stays whole (a word longer than
    ``width`` is a line of its own)."""
    import re

    from rich.cells import cell_len

    lines: list[str] = []
    for word in re.findall(r"\([^)]*\)|\S+", text):
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _longest_word(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(w) for w in _wrap_words(text, 0))


def _table(title: str | None, headers: Sequence[str], body: Sequence[Sequence[str]],
           widths: Sequence[int], left: Sequence[bool]) -> Any:
    """A rich table of fixed column widths; headers and cells are broken between words
    to the width (a longer word, such as a long name, is folded: never cut)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=None if title is None else Text(title))
    for header, w, is_left in zip(headers, widths, left, strict=True):
        table.add_column(Text("\n".join(_wrap_words(header, w))),
                         justify="left" if is_left else "right", width=w,
                         no_wrap=False, overflow="fold")
    for cells in body:
        table.add_row(*(Text("\n".join(_wrap_words(c, w))) for c, w in zip(cells, widths,
                                                                          strict=True)))
    return table


def _box_width(widths: Sequence[int]) -> int:
    """The printed width of a boxed table: each column's width, its padding of one cell
    on either side, and one rule per column and one more."""
    return sum(w + 3 for w in widths) + 1


def _groups(first: int, rest: Sequence[int], width: int) -> list[list[int]]:
    """Indexes of ``rest`` in order, packed greedily into tables of at most ``width``
    cells next to a first column of width ``first`` (at least one each)."""
    groups: list[list[int]] = []
    used = width
    for i, w in enumerate(rest):
        if groups and used + w + 3 <= width:
            groups[-1].append(i)
            used += w + 3
        else:
            groups.append([i])
            used = _box_width([first, w])
    return groups


def _split_layout(headers: list[str], cells: list[list[str]], width: int,
                  title: str | None) -> list[Any]:
    """One table per group of metric columns, the name column repeated in each."""
    from rich.cells import cell_len

    natural = [max([cell_len(c[j]) for c in cells] + [_longest_word(headers[j])])
               for j in range(len(headers))]
    name_w = natural[0]
    # the name column folds (rather than push a number past the width) when it must
    name_w = max(min(name_w, width - _box_width([0, max(natural[1:])])), 1)
    groups = _groups(name_w, natural[1:], width)
    tables = []
    for k, group in enumerate(groups):
        cols = [0] + [j + 1 for j in group]
        part = None if title is None else (
            title if len(groups) == 1 else f"{title} ({k + 1}/{len(groups)})")
        tables.append(_table(part, [headers[j] for j in cols],
                             [[row[j] for j in cols] for row in cells],
                             [name_w] + [natural[j] for j in cols[1:]],
                             [True] + [False] * len(group)))
    return tables


def _stacked_widths(cells: list[list[str]], width: int, metric_w: int,
                    name_cap: int | None) -> list[int]:
    """The approximant columns' widths in the transposed layout: each column's numbers,
    and its name up to ``name_cap`` cells (None: the whole name) or the room left."""
    from rich.cells import cell_len

    out = []
    for row in cells:
        v = max(cell_len(c) for c in row[1:])
        n = cell_len(row[0]) if name_cap is None else min(cell_len(row[0]), max(v, name_cap))
        out.append(max(v, min(n, width - _box_width([metric_w, 0]))))
    return out


def _stacked_layout(headers: list[str], cells: list[list[str]], width: int,
                    title: str | None, metric_w: int, name_cap: int | None) -> list[Any]:
    """Transposed: one row per metric (its name broken to ``metric_w`` cells), one
    column per approximant (a name wider than ``name_cap`` cells folded), the
    approximants split over as many tables as the width needs."""
    names = [row[0] for row in cells]
    col_w = _stacked_widths(cells, width, metric_w, name_cap)
    groups = _groups(metric_w, col_w, width)
    tables = []
    for k, group in enumerate(groups):
        part = None if title is None else (
            title if len(groups) == 1 else f"{title} ({k + 1}/{len(groups)})")
        body = [[headers[j]] + [cells[i][j] for i in group] for j in range(1, len(headers))]
        tables.append(_table(part, ["metric"] + [names[i] for i in group], body,
                             [metric_w] + [col_w[i] for i in group],
                             [True] + [False] * len(group)))
    return tables


def _printed_lines(tables: Sequence[Any], width: int) -> list[str]:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, legacy_windows=False)
    for t in tables:
        console.print(t)
    return buf.getvalue().splitlines()


def _widest(lines: Sequence[str]) -> int:
    from rich.cells import cell_len

    return max(map(cell_len, lines), default=0)


def to_terminal_tables(rows: Sequence[dict[str, Any]], *, width: int = 80,
                       digits: int | None = 4,
                       title: str | None = "Approximation errors") -> list[Any]:
    """The rows as rich tables that fit ``width`` columns, every number whole.

    In this order of preference: :func:`to_terminal_table` (headers on one line) when it
    fits; the same with headers broken between words; otherwise the shorter (in lines)
    of two layouts, each as many tables as the width needs — the metric columns split
    over tables with the name column repeated (titles ``… (1/2)``), or transposed, one
    row per metric and one column per approximant. Numbers are never wrapped nor cut
    (``2.43…``); a name or header wider than the whole width is folded.

    Parameters
    ----------
    rows : sequence of dict
        Report rows, as :func:`approxfit.measure.report.report_rows` gives them.
    width : int
        The width to fit, in terminal cells (at least 40; :func:`output_width` gives the
        terminal's).
    digits : int or None
        As in :func:`format_number`.
    title : str or None
        The title; a split layout numbers it ``(k/n)``.

    Returns
    -------
    list of rich.table.Table
        Print them in order with a :class:`rich.console.Console` of the same width.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 40:
        raise InputError(f"`width` must be an integer of at least 40, got {width!r:.60}")
    whole = to_terminal_table(rows, digits=digits, title=title)
    if not rows or _widest(_printed_lines([whole], 10_000)) <= width:
        return [whole]
    headers = [c[1] for c in COLUMNS]
    cells = table_cells(rows, digits=digits)
    wrapped = _split_layout(headers, cells, 10_000, title)
    if _widest(_printed_lines(wrapped, 10_000)) <= width:
        return wrapped
    from rich.cells import cell_len

    # The transposed layout with its metric names on one line or broken to fit: of the
    # metric widths that give the same number of tables, the widest (fewest lines);
    # never one that leaves a column too narrow for its numbers.
    layouts = [_split_layout(headers, cells, width, title)]
    numbers = max(cell_len(c) for row in cells for c in row[1:])
    for cap in (None, 16):
        count = len(cells) + 1
        for w in range(max(cell_len(h) for h in headers[1:]),
                       max(_longest_word(h) for h in headers[1:]) - 1, -1):
            if _box_width([w, numbers]) > width:
                continue
            n = len(_groups(w, _stacked_widths(cells, width, w, cap), width))
            if n < count:
                count = n
                layouts.append(_stacked_layout(headers, cells, width, title, w, cap))
    return min(layouts, key=lambda t: len(_printed_lines(t, width)))
