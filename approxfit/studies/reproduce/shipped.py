"""The provenance table of ``approxfit reproduce --shipped``: where shipped constants come from.

:func:`shipped_files` gives ``provenance-shipped.md`` and ``provenance-shipped.json``: one
row per shipped constant set (:data:`~approxfit.studies.provenance.SHIPPED_NAMES`) with
its source, the recipe that reproduces it (every compared coefficient's bits) or the
nearest one, the bits each coefficient agrees to (min / median), and the max error of the
shipped coefficients and of the recipe's on the recipe's range
(:func:`approxfit.studies.provenance.shipped_provenance`).

The rational rows refit dozens of rationals each (a few minutes in all on one core), so
the table is not part of a plain ``approxfit reproduce``.  :func:`render_shipped` turns
the JSON document into the Markdown table, so a test can check that the committed pair
agrees and recompute a row.

Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["SHIPPED_FILES", "render_shipped", "shipped_document", "shipped_files",
           "shipped_row"]

#: The files of :func:`shipped_files`.
SHIPPED_FILES = ("provenance-shipped.md", "provenance-shipped.json")


def shipped_row(name: str, progress: Callable[[int, int, str], None] | None = None
                ) -> dict[str, Any]:
    """One row of the table: the search for the shipped set ``name``, summarised.

    Keys: ``name``, ``source``, ``target``, ``status`` (``reproduced`` or ``nearest``),
    ``recipe`` (its label) and ``recipe_detail``, ``bits`` (per compared coefficient:
    ``"exact"`` or a number), ``min_bits``, ``median_bits``, ``max_error_shipped``,
    ``max_error_recipe``, ``error_kind``, ``recipes_tried``, ``reproducing`` (how many
    recipes reproduce it) and ``notes``.
    """
    from approxfit.studies.provenance import shipped_provenance

    res = shipped_provenance(name, progress=progress)
    doc = res.to_dict()
    best = doc["best"]
    row: dict[str, Any] = {"name": name, "source": res.source, "target": res.target,
                           "recipes_tried": len(res.results),
                           "reproducing": len(res.reproducing), "notes": list(res.notes)}
    if best is None:
        row.update({"status": "none", "recipe": None, "recipe_detail": None, "bits": {},
                    "min_bits": None, "median_bits": None, "max_error_shipped": None,
                    "max_error_recipe": None, "error_kind": None})
        return row
    row.update({"status": "reproduced" if res.reproduced else "nearest",
                "recipe": best["recipe"]["label"], "recipe_detail": best["recipe"],
                "bits": {b["name"]: b["bits"] for b in best["bits"]},
                "min_bits": best["min_bits"], "median_bits": best["median_bits"],
                "max_error_shipped": best["max_error_shipped"],
                "max_error_recipe": best["max_error_recipe"],
                "error_kind": "absolute" if best["recipe"]["error"] == "none"
                else best["recipe"]["error"]})
    return row


def shipped_document(progress: Callable[[int, int], None] | None = None
                     ) -> dict[str, Any]:
    """The JSON document of the table: ``{"kind", "rows"}``, a row per shipped set
    (:func:`shipped_row`); ``progress(done, total)`` after each set."""
    from approxfit.studies.provenance import SHIPPED_NAMES

    rows = []
    for i, name in enumerate(SHIPPED_NAMES):
        rows.append(shipped_row(name))
        if progress is not None:
            progress(i + 1, len(SHIPPED_NAMES))
    return {"kind": "provenance-shipped", "rows": rows}


def _bits(v: Any) -> str:
    return "—" if v is None else ("exact" if v == "exact" else f"{float(v):.1f}")


def _err(v: Any) -> str:
    return "—" if v is None else f"{float(v):.3g}"


def render_shipped(doc: Mapping[str, Any]) -> str:
    """The Markdown table of ``provenance-shipped.md`` from its JSON document."""
    lines = [
        "# Where shipped constants come from",
        "",
        "For each shipped constant set, the recipe (family of the shipped shape, range, "
        "error, objective, normalisation, coefficient format) whose coefficients have the "
        "shipped bits, or — when none does — the nearest recipe searched. Bits: "
        "−log2 of the relative difference of a coefficient, in the shipped format "
        "(\"exact\": the same bits); fixed coefficients are not compared. Max errors are "
        "on the recipe's range, of its error kind, in float64. Written by "
        "`approxfit reproduce --shipped`; one set's full search: "
        "`approxfit provenance NAME`.",
        "",
        "| set | approximates | status | recipe (found or nearest) | bits min / median | "
        "max error shipped | max error recipe | recipes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["rows"]:
        lines.append(
            f"| {r['name']} | {r['target']} | {r['status']} | {r['recipe'] or '—'} | "
            f"{_bits(r['min_bits'])} / {_bits(r['median_bits'])} | "
            f"{_err(r['max_error_shipped'])} | {_err(r['max_error_recipe'])} | "
            f"{r['reproducing']} of {r['recipes_tried']} reproduce |")
    lines += ["", "Bits per coefficient of the recipe found or nearest:", ""]
    for r in doc["rows"]:
        # numerator before denominator, by power (the JSON's keys are sorted as text)
        order = sorted(r["bits"], key=lambda k: (k[0], int(k[1:])))
        bits = ", ".join(f"{k} {_bits(r['bits'][k])}" for k in order)
        lines.append(f"- **{r['name']}**: {bits or '—'}")
    notes = sorted({n for r in doc["rows"] for n in r["notes"]})
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    lines += ["", "Sources:", ""] + [f"- **{r['name']}**: {r['source']}" for r in doc["rows"]]
    return "\n".join(lines) + "\n"


def shipped_files(progress: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """``{"provenance-shipped.md": …, "provenance-shipped.json": …}`` as bytes."""
    from approxfit.core.io import dumps

    doc = shipped_document(progress)
    return {"provenance-shipped.json": dumps(doc).encode(),
            "provenance-shipped.md": render_shipped(doc).encode()}
