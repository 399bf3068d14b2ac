"""The ``verify`` command: a kernel judged on every finite input of a number format."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from approxfit.cli.common import (
    REPORT_DTYPES,
    JsonOpt,
    SpecExprOpt,
    choices,
    emit_json,
    guard,
    make_folder,
    output_folder,
    say_wrote,
    spec_target,
)
from approxfit.core.exceptions import InputError

#: Spec names of PyTorch's kernels (the light help text; lowprec.kernels has the table).
TORCH_SPECS = ("torch-gelu", "torch-gelu-tanh", "torch-silu", "torch-tanh", "torch-sigmoid")
#: How many of the worst inputs the text output lists per spec.
SHOWN_WORST = 5
#: The forms of --form (lowprec.verify.FORMS has what each computes).
FORM_NAMES = ("as-published", "stable")


@guard
def verify(
    specs: Annotated[list[str], typer.Argument(
        metavar="SPEC",
        help="Kernels: published names (paper-tanh, …), saved fits (FILE.json), inline specs "
        "(tanh:c1=sqrt(2/pi),a3=0.044715), or PyTorch's own CPU kernels: "
        f"{', '.join(TORCH_SPECS)} (need approxfit[torch]).")],
    format_: Annotated[choices(REPORT_DTYPES), typer.Option(
        "--format",
        help="F, the format of inputs and results. float32 has 4.3e9 inputs: an exhaustive "
        "run takes about 6 minutes per spec on 2 cores (--range narrows it, --sample N "
        "spreads N inputs).")],
    target: Annotated[str | None, typer.Option(
        metavar="TARGET",
        help="The target. Default: the specs' own (gelu for torch-gelu, …), else gelu.")
    ] = None,
    compute: Annotated[choices(REPORT_DTYPES) | None, typer.Option(
        help="C, the format every operation rounds to: float32, float64 or F. Default: "
        "float32 for 8- and 16-bit F, else F.")] = None,
    fma: Annotated[bool, typer.Option("--fma", help="Fuse each multiply-add (one rounding, "
                                      "emulated exactly).")] = False,
    range_: Annotated[tuple[float, float] | None, typer.Option(
        "--range", metavar="LO HI",
        help="Only the inputs in [LO HI]. Default: every finite input.")] = None,
    form: Annotated[choices(FORM_NAMES), typer.Option(
        help="as-published: the program as the formula is written; stable: the tanh "
        "family's gate ½·(1 + tanh p) computed as σ(2p), which does not cancel for large "
        "negative x (PyTorch's kernels have their own arithmetic: as-published only).")
    ] = "as-published",
    sample: Annotated[int | None, typer.Option(
        metavar="N", help="Check only N evenly spread finite inputs (for a quick float32 run); "
        "the output states the input set.")] = None,
    executor: Annotated[str | None, typer.Option(
        metavar="local|serial|dask://HOST:PORT",
        help="Where the blocks of inputs run: local (every core) | serial | "
        "dask://HOST:PORT. Default: serial when the inputs fit one block of 2^22 "
        "(every 16-bit format), else local.")] = None,
    plot: Annotated[str | None, typer.Option(
        metavar="DIR", help="Write verify-FORMAT.png (ULP error against x, share within k "
        "ulp) into DIR (created if missing).")] = None,
    expr: SpecExprOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Check kernels on every finite input of a format against the correctly rounded
    target: ULP errors, incorrectly rounded count, worst inputs, ±inf and NaN.

    Example:

    \b
      approxfit verify paper-tanh torch-gelu --target gelu --format bfloat16
    """
    from approxfit.lowprec.model import make_model

    specs = list(specs)
    model = make_model(format_, compute, fma)
    if range_ is not None:
        from approxfit.lowprec.verify import check_input_range

        check_input_range(range_)            # before any work: the library's own check
    if form not in FORM_NAMES:
        from approxfit.core.checks import shown

        raise InputError(f"--form must be one of {', '.join(FORM_NAMES)}, got {shown(form)}")
    if sample is not None and not 1 <= sample <= 2**32:
        raise InputError(f"--sample must be an integer 1 … 2^32, got {sample}")
    if executor is not None:
        from approxfit.core.executors import check_executor

        check_executor(executor)
    torch_specs = [s.strip() for s in specs if s.strip() in TORCH_SPECS]
    if form == "stable" and torch_specs:
        raise InputError(f"--form stable rewrites an approximant's program; {torch_specs[0]} "
                         "is PyTorch's kernel with its own fixed arithmetic (leave it out or "
                         "use --form as-published)")
    if plot is not None:
        output_folder(plot, what="--plot")
    kernels = _kernels(specs, target, expr, model.format)
    from approxfit.lowprec.verify import verify as run_verify

    results = []
    bar = _progress_bar() if sys.stderr.isatty() and not json_ else None
    try:
        for name, kernel, tgt in kernels:
            progress = None
            if bar is not None:
                task = bar.add_task(f"{name} ({model.format})", total=None)

                def progress(done: int, total: int, task: Any = task) -> None:
                    bar.update(task, completed=done, total=total)

            results.append(run_verify(kernel, tgt, model.format, compute=model.compute,
                                      fma=model.fma, range=range_, progress=progress,
                                      executor=executor, sample=sample, form=form))
    finally:
        if bar is not None:
            bar.stop()
    if plot is not None:
        _plot(kernels, model, range_, results, plot, form)
    if json_:
        emit_json({"kind": "verify", "rows": [r.to_dict() for r in results]})
        return
    typer.echo(verify_text(results, model.describe()), nl=False)


def _progress_bar() -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("inputs"), TimeRemainingColumn(), transient=True)
    bar.start()
    return bar


def _kernels(specs: list[str], target: str | None, expr: str | None, fmt: str
             ) -> list[tuple[str, Any, Any]]:
    """``(name, approximant or Kernel, target)`` per SPEC, every one checked before work."""
    if not specs:
        raise InputError("give at least one SPEC (e.g. torch-gelu or paper-tanh)")
    torch_names = [s.strip() for s in specs if s.strip() in TORCH_SPECS]
    others = [s for s in specs if s.strip() not in TORCH_SPECS]
    if target is None and expr is None and torch_names and not others:
        from approxfit.lowprec.kernels import TORCH_KERNELS

        own = {TORCH_KERNELS[n].target for n in torch_names}
        if len(own) > 1:
            raise InputError(f"the specs compute different targets ({', '.join(sorted(own))});"
                             " give --target")
        tgt: Any = own.pop()
    else:
        tgt = spec_target(others, target, expr)
    out: list[tuple[str, Any, Any]] = []
    for spec in specs:
        name = spec.strip()
        if name in TORCH_SPECS:
            from approxfit.lowprec.kernels import TORCH_FORMATS, torch_kernel

            if fmt not in TORCH_FORMATS:
                raise InputError(f"{name} runs in {', '.join(TORCH_FORMATS)}; PyTorch has no "
                                 f"such kernel for --format {fmt}")
            out.append((name, torch_kernel(name, fmt), tgt))
        else:
            from approxfit.approximants.spec import parse_spec

            approx = parse_spec(spec, tgt)
            out.append((str(getattr(approx, "name", spec)), approx, tgt))
    return out


def _plot(kernels: list[tuple[str, Any, Any]], model: Any, range_: Any, results: list[Any],
          folder: str, form: str = "as-published") -> None:
    from pathlib import Path

    from approxfit.lowprec.kernels import ulp_profile
    from approxfit.present.plotting import save_figure
    from approxfit.present.verify_plot import plot_verify

    gate_form = "sigmoid" if form == "stable" else "tanh"
    profiles = [ulp_profile(k, t, model.format, compute=model.compute, fma=model.fma,
                            range=range_, gate_form=gate_form) for _, k, t in kernels]
    fig = plot_verify(results, profiles)
    say_wrote(save_figure(fig, make_folder(Path(folder), what="--plot")
                          / f"verify-{model.format}.png"))


def _ulp(v: Any) -> str:
    return "NaN" if v == "nan" else f"{v:,}"


def verify_text(results: list[Any], model_text: str) -> str:
    """The text output: the model once, a table, the kernels' own arithmetic, the specials
    that are wrong, and the :data:`SHOWN_WORST` worst inputs per spec."""
    lines = [model_text]
    kernel_texts = dict.fromkeys(r.model_text for r in results if r.model_text != model_text)
    lines += list(kernel_texts)
    r0 = results[0]
    lines.append("")
    forms = dict.fromkeys(r.form for r in results if r.form != "kernel")
    lines.append(f"target {r0.target}, format {r0.model.format}, compute {r0.model.compute}"
                 f"{', fma' if r0.model.fma else ''}"
                 + "".join(f", form {f}" for f in forms))
    if "stable" in forms:
        from approxfit.lowprec.verify import FORMS

        lines.append(f"form stable: {FORMS['stable']}")
    lines.append(f"inputs: {r0.input_set}")
    lines += [n for r in results for n in r.notes]
    head = ("name", "inputs", "incorrectly rounded", "max ulp", "at x", "mpmath cases",
            "seconds")
    rows = [(r.name, f"{r.inputs:,}", f"{r.incorrectly_rounded:,}", _ulp(r.max_ulp),
             "-" if r.argmax_ulp is None else f"{r.argmax_ulp:.9g}",
             f"{r.reference_mpmath_cases:,}", f"{r.seconds:.2f}") for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    lines.append(line(head))
    lines += [line(row) for row in rows]
    for r in results:
        bad = [f"{k} gives {v['result']} (expected {v['expected']})"
               for k, v in r.specials.items() if v["ok"] is False]
        if bad:
            lines.append(f"{r.name} at specials: {'; '.join(bad)}")
    for r in results:
        if not r.worst:
            lines.append(f"{r.name}: every input correctly rounded")
            continue
        lines.append(f"{r.name}, worst inputs:")
        width = 24 if r.model.format == "float64" else 14     # every digit of an input
        for w in r.worst[:SHOWN_WORST]:
            lines.append(f"  x = {w['x']!r:<{width}} result {w['result']!s:<24} correctly rounded "
                         f"{w['correct']!s:<24} {_ulp(w['ulp'])} ulp")
    return "\n".join(lines) + "\n"
