"""Commands that run studies: reproduce, pareto, identify, provenance."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from approxfit.cli.common import (
    JsonOpt,
    Objective,
    On,
    RangeOpt,
    choices,
    creatable_folder,
    emit_json,
    guard,
    list_choices,
    make_folder,
    output_folder,
    plain,
    resolve_target,
    say_wrote,
)
from approxfit.core import names

ParetoFamilyItem = list_choices("ParetoFamilyItem", (*names.FAMILY_NAMES, "piecewise"))


@guard
def reproduce(
    out: Annotated[str, typer.Option(metavar="DIR", help="Output folder (created if "
                                     "missing; only approxfit's own files in it are "
                                     "replaced).")
                   ] = "results",
    float32: Annotated[bool, typer.Option(
        "--float32", help="Also check the Pareto sweep's recommended GELU approximant on "
        "every finite float32 input (4.3e9; about 5 minutes on 2 cores, on all local "
        "cores): verify-float32.json and .png.")] = False,
    synthesis: Annotated[bool, typer.Option(
        "--synthesis", help="Also synthesize the cheapest correctly rounded kernel of every "
        "target in bfloat16 and float16, with and without FMA, with its proof (about an "
        "hour on 2 cores): synthesis.md and .json.")] = False,
    shipped: Annotated[bool, typer.Option(
        "--shipped", help="Also search which recipe reproduces each shipped constant set "
        "(Eigen, XNNPACK, FlashAttention-4, A&S 7.1.26; a few minutes on one core): "
        "provenance-shipped.md and .json.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Reproduce every claim of the source documents: claims.json, REPORT.md, figures,
    precision and verification tables, the Pareto sweep.

    Example: approxfit reproduce --out results
    """

    from approxfit.studies.reproduce import CLAIM_IDS
    from approxfit.studies.reproduce import reproduce as run_reproduce

    folder = creatable_folder(out, what="--out")
    total = len(CLAIM_IDS) + 3 + synthesis + shipped
    if sys.stderr.isatty() and not json_:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("reproducing", total=total)
            inputs: list[Any] = []

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name)

            def count(done: int, all_: int) -> None:
                if not inputs:
                    inputs.append(bar.add_task("every float32 input", total=all_))
                bar.update(inputs[0], completed=done)

            rows: list[Any] = []

            def count_rows(done: int, all_: int) -> None:
                if not rows:
                    rows.append(bar.add_task("synthesis rows", total=all_))
                bar.update(rows[0], completed=done)

            claims = run_reproduce(out, progress=step, float32=float32,
                                   float32_progress=count, synthesis=synthesis,
                                   synthesis_progress=count_rows, shipped=shipped)
    else:
        claims = run_reproduce(out, float32=float32, synthesis=synthesis, shipped=shipped)
    from approxfit.core import interrupts

    if json_:
        emit_json({"kind": "reproduce", "out": str(folder),
                   "claims": [c.to_dict() for c in claims]})
        say_wrote(*interrupts.written())
        return
    typer.echo(claims_text(claims, terminal_width()), nl=False)
    n_ok = sum(c.agrees for c in claims)
    typer.echo(f"{n_ok} of {len(claims)} claims agree")
    sys.stdout.flush()
    say_wrote(*interrupts.written())


@guard
def pareto(
    target: Annotated[str, typer.Argument(metavar="TARGET",
                                          help="The target (gelu, silu, …).")] = "gelu",
    families: Annotated[list[ParetoFamilyItem] | None, typer.Option(
        metavar="FAMILIES", help="Families to sweep: tanh, sigmoid, poly, rational, "
        "piecewise (repeat the option or give a comma list). Default: the first four; "
        "piecewise adds piecewise-K-d rows: K minimax polynomial pieces of degree d "
        "(d up to --max-degree, at most 8), breakpoints chosen so the worst piece's error "
        "is least, exact tails at thresholds found by the fit.")] = None,
    pieces: Annotated[str | None, typer.Option(
        metavar="K[,K…]", help="piecewise: the numbers of pieces, e.g. 2 or 2,3 (1-32; "
        "default 2).")] = None,
    max_degree: Annotated[int, typer.Option(
        metavar="N", help="Highest degree to try (1-40; the families other than poly stop "
        "at 15, piecewise at 8).")] = 9,
    objective: Annotated[Objective, typer.Option(help="How each fit is made.")] = "minimax",
    on: Annotated[On, typer.Option(help="What each fit minimises.")] = "value",
    range_: RangeOpt = (-10.0, 10.0),
    samples: Annotated[int, typer.Option(metavar="N", help="Samples per fit.")] = 20001,
    executor: Annotated[str, typer.Option(
        metavar="local|serial|dask://HOST:PORT",
        help="Where the fits run: local (all cores), serial, or dask://HOST:PORT (an "
        "existing Dask cluster; needs approxfit[dask]).")] = "local",
    out: Annotated[str | None, typer.Option(
        metavar="DIR", help="Write pareto-TARGET.json, .csv and .png into DIR (created if "
        "missing; the .png only with --cost kernel).")] = None,
    cost: Annotated[choices(("kernel", "he", "mpc")), typer.Option(
        help="Cost model (docs/cost-models.md): kernel operations; he: depth and "
        "non-scalar multiplications of the best Paterson-Stockmeyer scheme; mpc: "
        "multiplications, comparisons, rounds. he and mpc rank by the error on the "
        "range.")] = "kernel",
    cost_weights: Annotated[str | None, typer.Option(
        metavar="FILE", help="Override the model's weights from a .json or .toml file of "
        "name = number.")] = None,
    tolerance: Annotated[float | None, typer.Option(
        metavar="EPS", help="Also print the cheapest row (by the model's cost) whose max "
        "error on the range is <= EPS.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Sweep families x degrees: whole-line error against cost, with the published forms.

    Example: approxfit pareto gelu --max-degree 9 --out results

    \b
      approxfit pareto gelu --families poly --max-degree 30 --range -7 7 --cost he --tolerance 1e-3
      approxfit pareto gelu --families piecewise --pieces 2,3 --max-degree 6 --cost mpc
    """
    resolve_target(target, None)
    from pathlib import Path

    if out is not None:
        output_folder(out, what="--out")
    from approxfit.studies.pareto import pareto as run_pareto
    from approxfit.studies.pareto import task_count, write_pareto

    args = {"families": plain(families) or ("tanh", "sigmoid", "poly", "rational"),
            "max_degree": max_degree, "objective": objective, "on": on,
            "range": range_, "samples": samples, "pieces": pieces}
    cost_args = {"cost": cost, "cost_weights": cost_weights, "tolerance": tolerance}
    if sys.stderr.isatty() and not json_:
        from rich.progress import MofNCompleteColumn, Progress

        with Progress(*Progress.get_default_columns(), MofNCompleteColumn(),
                      transient=True) as bar:
            task = bar.add_task("fitting", total=task_count(target, **args))
            res = run_pareto(target, **args, **cost_args, executor=executor,
                             progress=lambda row: bar.update(
                                 task, advance=1, description=_row_label(row)))
    else:
        res = run_pareto(target, **args, **cost_args, executor=executor)
    if out is not None:
        say_wrote(*write_pareto(res, make_folder(Path(out), what="--out")))
    if json_:
        emit_json(res.to_dict())
        return
    if cost != "kernel":
        _model_table(res)
        return
    typer.echo(f"{'name':<16} {'cost':>4}  {'mul add trans cmp':<17}  {'whole-line error':>16}  "
               "on range")
    for r in res.rows:
        if "error" in r:
            typer.echo(f"{_failed_label(r)} failed: {r['error']}")
            continue
        c = r["cost"]
        mark = " *" if r["name"] in res.frontier else ""
        typer.echo(f"{r['name']:<16} {c['total']:>4}  {c['multiplies']:>3} {c['adds']:>3} "
                   f"{c['transcendentals']:>5} {c['compares']:>3}  "
                   f"{r['max_error_whole_line']:>16.4e}  {r['max_error_on_range']:.4e}{mark}")
    for p in res.published:
        c = p["cost"]
        typer.echo(f"{p['name']:<16} {c['total']:>4}  {c['multiplies']:>3} {c['adds']:>3} "
                   f"{c['transcendentals']:>5} {c['compares']:>3}  "
                   f"{p['max_error_whole_line']:>16.4e}  (published)")
    if res.recommended:
        typer.echo(res.recommendation())
    typer.echo(res.frontier_note() or "* on the Pareto frontier")
    _rebuild_lines(res)


def _row_label(row: dict[str, Any]) -> str:
    """A finished row's name for the progress bar (``tanh-5``, ``piecewise-2-3``)."""
    return str(row.get("name") or f"{row['family']}-{row['degree']}")


def _failed_label(r: dict[str, Any]) -> str:
    """A failed row's label in the tables (a piecewise row by its name)."""
    if "pieces" in r:
        return f"{r['name']:<16}"
    return f"{r['family']}-{r['degree']:<10}"


def _rebuild_lines(res: Any) -> None:
    if res.answer_text():
        typer.echo(res.answer_text())
    typer.echo("rebuild a row (or export it: approxfit export FILE.json#NAME):")
    for r in res.rows:
        if "fit_command" in r:
            typer.echo(f"  {r['name']}: {r['fit_command']}")


def _model_table(res: Any) -> None:
    """The sweep under the he or mpc model: its counts, the error on the range, the
    frontier (by that error) and the answer line."""
    heads = {"he": ("depth", "nonscalar_multiplications", "scalar_multiplications"),
             "mpc": ("multiplications", "comparisons", "rounds")}[res.cost]
    short = {"nonscalar_multiplications": "ct*ct", "scalar_multiplications": "scal",
             "multiplications": "mul", "comparisons": "cmp"}
    typer.echo(f"cost model: {res.to_dict()['cost_model']}")
    typer.echo(f"{'name':<16} {res.cost + ' cost':>9}  "
               + " ".join(f"{short.get(h, h):>6}" for h in heads) + f"  {'on range':>10}")
    for r in [*res.rows, *res.published]:
        if "error" in r:
            typer.echo(f"{_failed_label(r)} failed: {r['error']}")
            continue
        m = r[f"cost_{res.cost}"]
        err = (f"{r['max_error_on_range']:>10.4e}" if "max_error_on_range" in r
               else f"{'(published)':>10}")
        if m["total"] is None:
            typer.echo(f"{r['name']:<16} {'-':>9}  {m['reason']}")
            continue
        mark = " *" if r["name"] in res.frontier else ""
        typer.echo(f"{r['name']:<16} {m['total']:>9g}  "
                   + " ".join(f"{m[h]:>6}" for h in heads) + f"  {err}{mark}")
    lo, hi = res.range
    typer.echo(f"* on the Pareto frontier of {res.cost} cost against the max error on "
               f"[{lo:g}, {hi:g}]" if res.frontier else "no row is on the frontier")
    _rebuild_lines(res)


@guard
def identify(
    number: Annotated[str, typer.Argument(metavar="NUMBER",
                                          help="A decimal, e.g. 0.0455399241225; the digits "
                                          "you type set the tolerance.")],
    digits: Annotated[int | None, typer.Option(metavar="N", help="Trust only this many significant "
                                               "digits.")] = None,
    max_results: Annotated[int, typer.Option(metavar="N",
                                             help="How many closed forms to show.")] = 3,
    json_: JsonOpt = False,
) -> None:
    """Recognise a closed form of a constant (pi, sqrt(2), sqrt(pi), e, log 2, rationals).

    Example (finds (4 - pi)/(6*pi)):

    \b
      approxfit identify 0.0455399241225
    """
    from approxfit.symbolic.identify import identify_report

    rep = identify_report(number, digits=digits, max_results=max_results)
    if json_:
        emit_json({"kind": "identify", **rep.to_dict()})
        return
    typer.echo(rep.summary())


@guard
def provenance(
    spec: Annotated[str, typer.Argument(metavar="SPEC",
                                        help="A published name (paper-tanh, paper-sigmoid, "
                                        "bowling-2009, …), an inline spec or a saved fit.")],
    target: Annotated[str | None, typer.Option(metavar="TARGET",
                                               help="Target of an inline spec.")] = None,
    samples: Annotated[int, typer.Option(metavar="N", help="Points per fit.")] = 4001,
    json_: JsonOpt = False,
) -> None:
    """Which fitting procedure reproduces every printed digit of a published constant?

    Searches least squares and minimax, gate and value, fixed and free slope,
    uniform and Chebyshev sampling, ranges [-R, R] for R = 1 … 10.  For a shipped
    constant set (as-7.1.26, eigen-tanh, xnnpack-tanh, xnnpack-gelu, fa4-exp2-1 … 5):
    which recipe (shape, range, error, objective, format) gives its bits, or the nearest.

    Example: approxfit provenance paper-tanh
    """
    from approxfit.studies.provenance import SHIPPED_NAMES
    from approxfit.studies.provenance import provenance as run_provenance

    if spec.strip() in SHIPPED_NAMES:
        _shipped_provenance(spec.strip(), json_)
        return

    if sys.stderr.isatty() and not json_:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("fitting", total=None)

            def step(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label)

            res = run_provenance(spec, target=target, samples=samples, progress=step)
    else:
        res = run_provenance(spec, target=target, samples=samples)
    if json_:
        emit_json(res.to_dict())
        return
    typer.echo(res.summary())
    for kind, ranges in res.groups().items():
        typer.echo(f"  {kind}: R = {', '.join(f'{r:g}' for r in ranges)}")
    typer.echo(f"  ({len(res.procedures)} procedures tried)")


def _shipped_provenance(name: str, json_: bool) -> None:
    """``approxfit provenance`` of a shipped constant set: its recipes' bits."""
    from approxfit.studies.provenance import bits_text, shipped_provenance

    if sys.stderr.isatty() and not json_:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("fitting", total=None)

            def step(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label[:60])

            res = shipped_provenance(name, progress=step)
    else:
        res = shipped_provenance(name)
    if json_:
        emit_json(res.to_dict())
        return
    typer.echo(res.summary())
    if res.best is not None:
        b = res.best
        typer.echo("  " + ", ".join(f"{c.name} {bits_text(c.bits)}" for c in b.bits)
                   + " bits")
        typer.echo(f"  max {b.recipe.error if b.recipe.error != 'none' else 'absolute'} "
                   f"error on {b.recipe.range_text}: shipped {b.max_error_shipped:.4g}, "
                   f"recipe {b.max_error_recipe:.4g}")
    for note in res.notes:
        typer.echo(f"  note: {note}")


def terminal_width() -> int:
    """The width rich detects for standard output (80 when it is not a terminal)."""
    from rich.console import Console

    return Console().width


def claims_text(claims: list[Any], width: int) -> str:
    """One block per claim, ``ID  agrees  note``, the note wrapped on word boundaries to
    ``width`` columns (at least 40) and its further lines indented under its first."""
    import textwrap

    id_width = max(len(c.id) for c in claims)
    indent = " " * (id_width + 11)
    lines = []
    for c in claims:
        verdict = "agrees " if c.agrees else "differs"
        lines += textwrap.wrap(c.note, max(width, len(indent) + 40),
                               initial_indent=f"{c.id:<{id_width}}  {verdict}  ",
                               subsequent_indent=indent, break_long_words=False,
                               break_on_hyphens=False) or [f"{c.id:<{id_width}}  {verdict}"]
    return "\n".join(lines) + "\n"
