"""Commands that measure and deploy approximants: report, export, parity."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from approxfit.cli.common import (
    EXPORT_DTYPES,
    REPORT_DTYPES,
    JsonOpt,
    SpecExprOpt,
    choices,
    emit_json,
    guard,
    list_choices,
    make_folder,
    output_file,
    output_folder,
    plain,
    say_wrote,
    spec_target,
    write_output,
)
from approxfit.core.exceptions import InputError

ParityDtype = list_choices("ParityDtype", ("float32", "bfloat16", "float16"))


@guard
def report(
    specs: Annotated[list[str] | None, typer.Argument(
        help="Approximants: published names (paper-tanh, paper-sigmoid, taylor-tanh, "
        "seed-alt-tanh, seed-alt-sigmoid, seed-free-tanh, bowling-2009, ibert, as-7.1.26), "
        "saved fits (FILE.json) or inline specs such as tanh:c1=sqrt(2/pi),a3=0.044715. "
        "Default: every published approximant of the target.", metavar="SPEC")] = None,
    target: Annotated[str | None, typer.Option(
        metavar="TARGET",
        help="The target measured against. Default: the target of the published names and "
        "saved fits given (with --expr: the name of their custom target), else gelu.")
    ] = None,
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", metavar="LO HI", help="The range [LO, HI].")] = (-10.0, 10.0),
    samples: Annotated[int | None, typer.Option(
        metavar="N",
        help="Number of uniform samples (ignored, with a note, for a --dtype of 16 bits or "
        "fewer: every value is measured).")] = None,
    step: Annotated[float | None, typer.Option(
        metavar="STEP",
        help="Sample exactly numpy.arange(LO, HI, STEP) (default 0.01, the seed's grid; "
        "ignored, with a note, for a --dtype of 16 bits or fewer).")
    ] = None,
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table.")] = False,
    csv: Annotated[str | None, typer.Option(
        metavar="FILE.csv", help="Also write the table to FILE.csv.")] = None,
    plot: Annotated[str | None, typer.Option(
        metavar="DIR", help="Write overlay and error plots into DIR (created if missing).")
    ] = None,
    svg: Annotated[bool, typer.Option(help="With --plot, write SVG as well as PNG.")] = False,
    expr: SpecExprOpt = None,
    dtype: Annotated[choices(REPORT_DTYPES), typer.Option(
        help="Evaluate every operation in this format (errors in ulps, and the format's own "
        "floor). Formats of 16 bits or fewer are measured on every finite value in the "
        "range, not on samples.")] = "float64",
    opmath: Annotated[choices(("format", "float32")), typer.Option(
        help="With a --dtype of 16 bits or fewer: format: round every operation; float32: "
        "compute in float32 and round once, as PyTorch's CPU kernels do.")] = "format",
    exhaustive: Annotated[bool, typer.Option(
        "--exhaustive", help="With --dtype float32: every finite float32 in the range "
        "(in chunks of bounded memory, a progress bar on a terminal). About 0.15-0.2 µs "
        "per input and approximant: [-10, 10] has 2 185 232 385 float32 values, roughly 6-7 "
        "minutes per approximant on one core.")] = False,
    cost: Annotated[choices(("kernel", "he", "mpc")) | None, typer.Option(
        help="Add each approximant's cost under this model (docs/cost-models.md): "
        "kernel operations, he depth and multiplications, mpc multiplications, "
        "comparisons and rounds.")] = None,
    cost_weights: Annotated[str | None, typer.Option(
        metavar="FILE", help="With --cost: the model's weights from a .json or .toml "
        "file of name = number.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Measure approximants: MSE, RMSE, max abs error and where, relative errors.

    Example (the seed's grid: paper-tanh MSE 2.4329e-08):

    \b
      approxfit report paper-tanh paper-sigmoid --target gelu --range -10 10 --step 0.01
    """
    tgt = spec_target(specs or [], target, expr)
    from pathlib import Path

    if csv is not None:
        output_file(csv, what="--csv")
    if plot is not None:
        output_folder(plot, what="--plot")
    if dtype != "float64" and (csv is not None or svg):
        raise InputError("--csv and --svg go with float64 reports; with --dtype use "
                         "--json, --markdown or --plot (a ULP histogram)")
    if exhaustive and dtype != "float32":
        raise InputError("--exhaustive goes with --dtype float32 (formats of 16 bits or "
                         "fewer are always measured on every value; float64 has 2^64)")
    if exhaustive and (samples is not None or step is not None):
        raise InputError("--exhaustive measures every float32 value in the range; drop "
                         "--samples and --step")
    from approxfit.measure.report import report as run_report

    if cost_weights is not None and cost is None:
        raise InputError("--cost-weights goes with --cost kernel|he|mpc")
    rep = _run_report(run_report, specs, tgt, range_, samples, step, dtype, opmath,
                      exhaustive, json_, cost, cost_weights)
    if dtype not in ("float64", "float32") and (samples is not None or step is not None):
        flag = "--samples" if samples is not None else "--step"
        typer.echo(f"approxfit: note: {flag} is ignored with --dtype {dtype}: every finite "
                   f"{dtype} value in the range is measured", err=True)
    if csv is not None:                    # float64 only (checked above)
        from approxfit.present.tables import to_csv

        say_wrote(write_output(csv, to_csv(rep.rows, digits=None), what="--csv"))
    if plot is not None:
        _report_plots(rep, Path(plot), svg)
    if dtype != "float64":
        if json_:
            emit_json(rep.to_dict())
        elif markdown:
            from approxfit.lowprec.tables import precision_markdown

            typer.echo(f"Inputs: {rep.input_set}.\n")
            typer.echo(precision_markdown(rep.rows))
        else:
            from approxfit.lowprec.tables import precision_text

            typer.echo(f"inputs: {rep.input_set}")
            typer.echo(precision_text(rep.rows), nl=False)
        if cost is not None and not json_:
            _cost_lines(rep.rows, cost)
        return
    from approxfit.present.tables import output_width, to_markdown, to_terminal_tables

    if json_:
        emit_json(rep.to_dict())
    elif markdown:
        typer.echo(to_markdown(rep.rows))
    else:
        from rich.console import Console

        grid, width = rep.grid, max(output_width(), 40)
        Console(width=width).print(*to_terminal_tables(
            rep.rows, width=width, title=f"{rep.target} on [{grid.lo:g}, {grid.hi:g}], "
            f"{grid.size} samples"))
    if cost is not None and not json_:
        _cost_lines(rep.rows, cost)


def _cost_lines(rows: list[dict[str, Any]], cost: str) -> None:
    """One line per row: its cost under the model (``cost_<model>``), or why none."""
    typer.echo(f"\n{cost} cost (docs/cost-models.md):")
    for r in rows:
        c = r[f"cost_{cost}"]
        if c["total"] is None:
            typer.echo(f"  {r['name']}: - ({c['reason']})")
            continue
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in c.items() if k != "total")
        typer.echo(f"  {r['name']}: {c['total']:g} ({counts})")


def _run_report(run_report: Any, specs: Any, tgt: Any, range_: Any, samples: Any, step: Any,
                dtype: str, opmath: str, exhaustive: bool, json_: bool,
                cost: str | None = None, cost_weights: str | None = None) -> Any:
    """The library's report, with a progress bar on a terminal for ``--exhaustive``."""
    import sys

    kwargs = {"target": tgt, "range": range_, "samples": samples, "step": step,
              "dtype": dtype, "opmath": opmath, "exhaustive": exhaustive, "cost": cost,
              "cost_weights": cost_weights}
    if not (exhaustive and sys.stderr.isatty() and not json_):
        return run_report(specs, **kwargs)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("every float32"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("report", total=None)
        return run_report(specs, **kwargs, progress=lambda done, total: bar.update(
            task, completed=done, total=total))


def _report_plots(rep: Any, folder: Any, svg: bool) -> None:
    """``report --plot``: overlay and error plots (float64), a ULP histogram (--dtype)."""
    from approxfit.present import plotting

    make_folder(folder, what="--plot")
    if rep.dtype != "float64":
        from approxfit.present.precision_plot import plot_ulp_histogram

        say_wrote(plotting.save_figure(plot_ulp_histogram(rep.rows).figure,
                                       folder / f"ulp-histogram-{rep.dtype}.png"))
        return
    x = rep.grid.x
    figures = {
        "overlay": plotting.plot_overlay(rep.target_obj, rep.approximants, x).figure,
        "abs-error": plotting.plot_abs_error(rep.target_obj, rep.approximants, x).figure,
    }
    for stem, fig in figures.items():
        for suffix in (".png", ".svg") if svg else (".png",):
            say_wrote(plotting.save_figure(fig, folder / f"{stem}{suffix}"))


@guard
def export(
    spec: Annotated[str, typer.Argument(metavar="SPEC",
                                        help="An approximant: published name, inline spec "
                                        "or saved fit FILE.json.")],
    to: Annotated[choices(("numpy", "torch", "c")), typer.Option(
        help="The language of the code.")] = "numpy",
    dtype: Annotated[choices(EXPORT_DTYPES), typer.Option(
        help="The format the code computes in.")] = "float32",
    target: Annotated[str | None, typer.Option(
        metavar="TARGET",
        help="Target of an inline spec. Default: a saved fit's or published name's own "
        "(with --expr: the name of its custom target), else gelu.")] = None,
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", metavar="LO HI", help="The range the header's max error is measured on.")
    ] = (-10.0, 10.0),
    name: Annotated[str | None, typer.Option(metavar="NAME",
                                             help="Name of the generated function.")] = None,
    out: Annotated[str | None, typer.Option(
        metavar="FILE", help="Write the code to FILE instead (its folder is created if "
        "missing).")] = None,
    expr: SpecExprOpt = None,
    fma: Annotated[bool, typer.Option(
        "--fma", help="C only: fmaf for each multiply-add, bit-identical to verify --fma.")
    ] = False,
    form: Annotated[choices(("as-published", "stable")), typer.Option(
        help="The tanh family's gate: as-published, 1/2*(1 + tanh(p)); stable, sigmoid(2p) "
        "(no cancellation where tanh(p) -> -1; verify's gate_form='sigmoid').")
    ] = "as-published",
) -> None:
    """Print a self-contained function (Horner form, tail guard, error in a comment).

    The comment's max error is measured on the inputs report --dtype uses for the format
    and range (every finite value of float16/bfloat16), in the code's own arithmetic.

    Example: approxfit export paper-tanh --to c --dtype float32
    """
    if out is not None:
        output_file(out, what="--out")
    from approxfit.approximants.spec import parse_spec
    from approxfit.core.grids import check_range
    from approxfit.lowprec.export import FORMS, export_code

    lo, hi = check_range(*range_)
    approx = parse_spec(spec, spec_target([spec], target, expr))
    code = export_code(approx, to=to, dtype=dtype, range=(lo, hi), name=name, fma=fma,
                       gate_form=FORMS[form])
    if out is not None:
        say_wrote(write_output(out, code, what="--out"))
    else:
        typer.echo(code, nl=False)


@guard
def parity(
    dtype: Annotated[list[ParityDtype] | None, typer.Option(
        metavar="DTYPES", help="Formats to compare in: float32, bfloat16, float16 (repeat "
        "the option or give a comma list). Default: float32 and bfloat16.")] = None,
    points: Annotated[int, typer.Option(metavar="N", help="Points on [-10, 10].")
                      ] = 200001,
    json_: JsonOpt = False,
) -> None:
    """Compare approxfit's GELUs with PyTorch's kernels (needs approxfit[torch]).

    Example: approxfit parity --dtype float32 --dtype bfloat16
    """
    dtypes = tuple(plain(dtype) or ("float32", "bfloat16"))
    from approxfit.lowprec.parity import parity_report, parity_text

    rep = parity_report(dtypes=dtypes, points=points)
    if json_:
        emit_json(rep)
    else:
        typer.echo(parity_text(rep), nl=False)


