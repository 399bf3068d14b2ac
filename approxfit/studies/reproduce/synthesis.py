"""The synthesis files of ``approxfit reproduce --synthesis``: correctly rounded kernels.

:func:`synthesis_files` gives ``synthesis.md`` and ``synthesis.json``: for every target of
:data:`~approxfit.studies.synthesize.TABLE_TARGETS`, in bfloat16 and float16, with float32
compute, with and without FMA, the cheapest approximant :func:`approxfit.studies.
synthesize.synthesize` proves correctly rounded on every finite input (its form, cost,
pieces, degree, the proof's figures and the time it took), beside what ships today in
the same format: PyTorch's CPU kernel for the target when there is one (and torch is
installed), the published GELU approximants, and the full lookup table.

The rows take minutes each on one core (about an hour on two for the whole table), so
they are not part of a plain ``approxfit reproduce``.  :func:`render_synthesis` turns
the JSON document into the Markdown table, so a test can check that the committed pair
agrees and re-prove every committed approximant without re-running the search.

Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from approxfit.studies.reproduce.verification import installed_torch_version, ulp_text

__all__ = ["SYNTHESIS_FILES", "SYNTHESIS_FORMATS", "render_synthesis", "shipped_rows",
           "synthesis_document", "synthesis_files"]

#: The files of :func:`synthesis_files`.
SYNTHESIS_FILES = ("synthesis.md", "synthesis.json")
#: The formats of the table (every finite input of each is checked).
SYNTHESIS_FORMATS = ("bfloat16", "float16")
#: PyTorch's kernels beside each target, and the published approximants (as published).
TORCH_KERNELS = {"gelu": ("torch-gelu", "torch-gelu-tanh"), "silu": ("torch-silu",),
                 "tanh": ("torch-tanh",), "sigmoid": ("torch-sigmoid",)}
PUBLISHED = {"gelu": ("paper-tanh", "paper-sigmoid")}


def shipped_rows(targets: Any, formats: Any = SYNTHESIS_FORMATS, *,
                 with_torch: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """What ships today, judged on every finite input: ``(rows, torch version)``, a row
    ``{target, format, kernel, kind, inputs, incorrectly_rounded, max_ulp, argmax_ulp}``
    per PyTorch kernel (when torch is installed) and published approximant."""
    from approxfit.approximants.published import get_published
    from approxfit.lowprec.verify import verify

    torch_version = installed_torch_version() if with_torch else None
    rows: list[dict[str, Any]] = []
    for t in targets:
        for fmt in formats:
            kernels: list[tuple[str, Any, str]] = [
                (name, get_published(name), "published") for name in PUBLISHED.get(t, ())]
            if torch_version is not None:
                from approxfit.lowprec.kernels import torch_kernel

                kernels += [(name, torch_kernel(name, fmt), "PyTorch")
                            for name in TORCH_KERNELS.get(t, ())]
            for name, kernel, kind in kernels:
                v = verify(kernel, t, fmt, executor="serial").to_dict()
                rows.append({"target": t, "format": fmt, "kernel": name, "kind": kind,
                             "inputs": v["inputs"],
                             "incorrectly_rounded": v["incorrectly_rounded"],
                             "max_ulp": v["max_ulp"], "argmax_ulp": v["argmax_ulp"]})
    return rows, torch_version


def synthesis_document(*, executor: Any = "local", targets: Any = None,
                       formats: Any = SYNTHESIS_FORMATS, with_torch: bool = True,
                       progress: Callable[[int, int], Any] | None = None) -> dict[str, Any]:
    """The JSON document of ``synthesis.json`` (rows of
    :func:`~approxfit.studies.synthesize.synthesis_table`, what ships beside them, the
    evaluation model)."""
    from approxfit.lowprec.model import make_model
    from approxfit.studies.synthesize import TABLE_TARGETS, synthesis_table

    targets = tuple(TABLE_TARGETS if targets is None else targets)
    rows = synthesis_table(targets, tuple(formats), (False, True), executor=executor,
                           progress=progress)
    shipped, torch_version = shipped_rows(targets, formats, with_torch=with_torch)
    return {"kind": "synthesis-table", "targets": list(targets), "formats": list(formats),
            "compute": "float32", "model": make_model("bfloat16").describe(),
            "torch": torch_version, "rows": rows, "shipped": shipped}


def _cost_text(detail: Mapping[str, Any] | None) -> str:
    if not detail:
        return "–"
    names = (("multiplies", "mul"), ("adds", "add"), ("transcendentals", "transc."),
             ("compares", "cmp"))
    parts = [f"{detail[k]} {short}" for k, short in names if detail.get(k)]
    return f"**{detail['total']}** ({', '.join(parts)})"


def render_synthesis(doc: Mapping[str, Any]) -> str:
    """``synthesis.md`` from the document of :func:`synthesis_document`."""
    out = ["# Correctly rounded activations, synthesized and proven", "",
           "Generated by `approxfit reproduce --synthesis` (each row is `approxfit "
           "synthesize TARGET --format F [--fma]`); do not edit by hand.", "",
           "Each row is the cheapest approximant `synthesize` found whose result, "
           "evaluated in float32 as `verify` models it, is the correctly rounded target "
           "on **every** finite input of the format, and right at ±inf and NaN. *proof* "
           "is that exhaustive `verify` run: the inputs checked, the incorrectly "
           "rounded count (0) and the inputs whose correctly rounded value mpmath "
           "decided. *cost* is the weighted operation count `pareto` uses (a "
           "transcendental call counts 10, a multiply, add or compare 1). Pieces split "
           "the middle at breakpoints (a compare each); *tails* return 0, x, 1, −1 or "
           "exp(x) exactly beyond thresholds found from the format. Each search allows 8 "
           "pieces, and 16 when 8 do not do; a row still without a proof is searched once "
           "more with the *centred* shapes (each piece a polynomial in x − m, m its "
           "middle input, with the refined LPs of `synthesize --centred`). *time* is "
           "the search and the proof on one core of the machine that wrote this file "
           "(shared with other work).", "",
           "Arithmetic: " + str(doc["model"]).removeprefix("Model: ")
           .replace("bfloat16", "F"), ""]
    n_bad = [r for r in doc["rows"] if not r["proven"]]
    if n_bad:
        out += [f"**{len(n_bad)} of {len(doc['rows'])} rows are not proven**: their best "
                "candidate's incorrectly rounded count is shown instead of a proof, or that "
                "no candidate shape (degree ≤ 8, at most 16 pieces) had a feasible LP.", ""]
    for fmt in doc["formats"]:
        rows = [r for r in doc["rows"] if r["format"] == fmt]
        if not rows:
            continue
        table = rows[0]["lookup_table_bytes"]
        out += [f"## {fmt}", "",
                f"A full lookup table (every input's answer) takes {table:,} bytes and is "
                "always correctly rounded; every row below uses no table.", "",
                "| target | FMA | form | pieces | degree | cost | proof | time |",
                "|---|---|---|---:|---:|---|---|---:|"]
        for r in rows:
            v = r["verify"]
            if r["proven"] and v is not None:
                proof = (f"0 of {v['inputs']:,} wrong, specials right"
                         + (f", {v['reference_mpmath_cases']} by mpmath"
                            if v.get("reference_mpmath_cases") else ""))
            else:
                bad = r["incorrectly_rounded"]
                proof = ("**not proven**" + (f": best has {bad:,} wrong"
                                              if bad is not None else
                                              ": no candidate's LP was feasible"))
            form = (r["form"] or "–") + (
                " (searched with the centred shapes, up to "
                f"{r['max_pieces']} pieces, after 8 and 16 did not do)" if r.get("centred")
                else f" (searched with up to {r['max_pieces']} pieces after 8 did not do)"
                if r.get("max_pieces", 8) > 8 else "")
            out.append(f"| {r['target']} | {'yes' if r['fma'] else 'no'} | "
                       f"{form} | {r['pieces'] or '–'} | "
                       f"{r['degree'] if r['degree'] is not None else '–'} | "
                       f"{_cost_text(r['cost_detail'])} | {proof} | {r['seconds']:.0f} s |")
        shipped = [s for s in doc["shipped"] if s["format"] == fmt]
        if shipped:
            out += ["", f"What ships today, on the same {fmt} inputs:", "",
                    "| target | kernel | incorrectly rounded | max ulp | at x |",
                    "|---|---|---:|---:|---:|"]
            for s in shipped:
                share = s["incorrectly_rounded"] / s["inputs"]
                at = "–" if s["argmax_ulp"] is None else f"{s['argmax_ulp']:.6g}"
                out.append(f"| {s['target']} | `{s['kernel']}` ({s['kind']}) | "
                           f"{s['incorrectly_rounded']:,} ({share:.2%}) | "
                           f"{ulp_text(s['max_ulp'])} | {at} |")
        out.append("")
    if doc.get("torch"):
        out += [f"PyTorch's kernels are PyTorch {doc['torch']}'s own CPU kernels on "
                "tensors of the format, in PyTorch's arithmetic.", ""]
    else:
        out += ["PyTorch is not installed here: its kernels are left out.", ""]
    return "\n".join(out)


def synthesis_files(*, executor: Any = "local",
                    progress: Callable[[int, int], Any] | None = None) -> dict[str, bytes]:
    """``synthesis.md`` and ``synthesis.json`` (module docstring)."""
    from approxfit.core.io import dumps

    doc = synthesis_document(executor=executor, progress=progress)
    return {"synthesis.json": dumps(doc).encode(),
            "synthesis.md": render_synthesis(doc).encode()}
