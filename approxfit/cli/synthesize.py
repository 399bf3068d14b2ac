"""The ``synthesize`` command: the cheapest approximant proven correctly rounded on every
input of a format."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from approxfit.cli.common import (
    ExprOpt,
    FamilyItem,
    JsonOpt,
    choices,
    emit_json,
    guard,
    output_file,
    plain,
    say_wrote,
)
from approxfit.core.exceptions import ComputationError


@guard
def synthesize(
    target: Annotated[str, typer.Argument(metavar="TARGET",
                                          help="The target: gelu, silu, tanh, erf, phi, "
                                          "softplus, mish, sigmoid, or a name with "
                                          "--expr.")],
    format_: Annotated[choices(("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2",
                                "float32")),
                       typer.Option("--format", help="F, the format of the inputs and "
                                    "the result (float32 needs --sample).")],
    compute: Annotated[choices(("float32", "float64")) | None, typer.Option(
        help="C, the format every operation rounds to (default float32).")] = None,
    fma: Annotated[bool, typer.Option("--fma", help="Fuse each multiply-add (one "
                                      "rounding, emulated exactly).")] = False,
    ulp: Annotated[int, typer.Option(metavar="K", help="Accept results within K ulp (0: "
                                     "correctly rounded).")] = 0,
    families: Annotated[list[FamilyItem] | None, typer.Option(
        "--families", metavar="FAMILIES", help="Families to try: poly, sigmoid, tanh, "
        "rational (repeat the option or give a comma list). Default: all.")] = None,
    max_degree: Annotated[int, typer.Option(metavar="N", help="Highest degree of the inner "
                                            "polynomial.")] = 8,
    max_pieces: Annotated[int, typer.Option(metavar="N", help="Most pieces of the middle "
                                            "region (each with its own polynomial, "
                                            "selected by compares).")] = 8,
    centred: Annotated[bool, typer.Option(
        "--centred", help="Also try pieces whose polynomials are in x - m (m: the piece's "
        "middle input; one subtraction more), searched with refined LPs (rows scaled by "
        "their widths, the compute format's last rounding in the intervals, the constant "
        "rounded first): for targets whose middle spans decades, like softplus in "
        "float16. Slower.")] = False,
    save: Annotated[str | None, typer.Option(
        metavar="FILE.json", help="Write the winner as an approximant spec (FILE.json) that "
        "verify, report and export read.")] = None,
    sample: Annotated[int | None, typer.Option(
        metavar="N", help="float32 only: search on N evenly spread inputs (4096-16777216); "
        "the proof is still one exhaustive verify run, on every local core (minutes), "
        "after which the search stops.")] = None,
    expr: ExprOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Find the cheapest approximant whose result is correctly rounded (within --ulp) on
    every finite input of a format, and prove it with an exhaustive verify run.

    Exit 1 with the best candidate's incorrectly rounded count when none is proven.

    Example: approxfit synthesize gelu --format bfloat16 --save gelu-bf16.json
    """
    from approxfit.studies.synthesize import FAMILIES
    from approxfit.studies.synthesize import synthesize as run

    path = output_file(save, what="--save") if save is not None else None
    bar = None
    progress = None
    if sys.stderr.isatty() and not json_:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        bar = Progress(TextColumn(f"synthesize {target} in {format_}"), BarColumn(),
                       MofNCompleteColumn(), TextColumn("candidates (cheapest first)"),
                       transient=True)
        task = bar.add_task("", total=None)
        bar.start()

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

    try:
        result = run(target, format_, compute=compute, fma=fma, ulp=ulp,
                     families=tuple(plain(families) or FAMILIES),
                     max_degree=max_degree, max_pieces=max_pieces, expr=expr,
                     progress=progress, sample=sample, centred=centred)
    finally:
        if bar is not None:
            bar.stop()
    doc = result.to_dict()
    if path is not None and result.proven and result.approximant is not None:
        from approxfit.cli.common import write_output
        from approxfit.core.io import dumps

        write_output(path, dumps({"schema_version": 1,
                                  "approximant": result.approximant.to_dict(),
                                  "synthesis": {k: doc[k] for k in
                                                ("format", "compute", "fma", "ulp", "cost",
                                                 "seconds")}}) + "\n", what="--save")
        say_wrote(path)
    if json_:
        emit_json(doc)
    else:
        typer.echo(synthesis_text(doc), nl=False)
    if not result.proven:
        within = "" if result.ulp == 0 else f" within {result.ulp} ulp"
        if doc["incorrectly_rounded"] is None:
            raise ComputationError(
                f"no candidate is correctly rounded on every {doc['format']} input{within}: "
                f"none of the {len(doc['candidates'])} shapes tried is feasible (allow a "
                "higher --max-degree, more --max-pieces or more --families)")
        raise ComputationError(
            f"no candidate is correctly rounded on every {doc['format']} input{within}; "
            f"the best ({doc['best_form'] or 'none'}) has "
            f"{doc['incorrectly_rounded']} incorrectly rounded inputs")


def synthesis_text(doc: dict) -> str:
    """The text output: the model, the winner with its cost and proof, the baseline."""
    lines = [doc["model"], ""]
    if doc["proven"]:
        v = doc["verify"]
        lines.append(f"{doc['target']} in {doc['format']} (compute {doc['compute']}"
                     f"{', fma' if doc['fma'] else ''}): proven — {v['inputs']:,} inputs, "
                     f"{v['incorrectly_rounded']} incorrectly rounded, max {v['max_ulp']} ulp")
        lines.append(f"form: {doc['form']}; cost {doc['cost']['total']} "
                     f"({doc['cost']['multiplies']} mul, {doc['cost']['adds']} add, "
                     f"{doc['cost']['transcendentals']} transcendental, "
                     f"{doc['cost']['compares']} compare)")
    else:
        lines.append(f"{doc['target']} in {doc['format']}: not proven; best has "
                     f"{doc['incorrectly_rounded']} incorrectly rounded inputs")
    lines += [f"note: {n}" for n in doc.get("notes", [])]
    tried = len(doc["candidates"])
    lines.append(f"candidates tried: {tried}; {doc['seconds']:.1f} s")
    t = doc["lookup_table"]
    lines.append(f"baseline: a full lookup table, {t['entries']:,} entries, "
                 f"{t['bytes']:,} bytes, always correctly rounded")
    if doc["approximant"] is not None:
        a = doc["approximant"]
        lines.append(f"coefficients: {a['coefficients']}, nudge {a.get('nudge', 0)}, "
                     f"tails {a['tails']}")
    return "\n".join(lines) + "\n"
