"""Commands that derive coefficients: taylor (closed forms) and fit.

Each is a door: its options, one library call
(:func:`approxfit.symbolic.taylor.taylor`, :func:`approxfit.fitting.fit.fit`) and the
presentation of what came back.  Every default and every decision is the library's.
"""

from __future__ import annotations

import warnings
from typing import Annotated, Any

import typer

from approxfit.cli.common import (
    ROUNDED_DTYPES,
    DegreeOpt,
    DenDegreeOpt,
    DenParityOpt,
    ExprOpt,
    FamilyArg,
    FixOpt,
    Grid,
    IdentifyOpt,
    JsonOpt,
    Objective,
    OnOpt,
    ParityOpt,
    RangeOpt,
    TargetArg,
    choices,
    cli_message,
    emit_json,
    guard,
    output_file,
    parse_fix,
    relay_warnings,
    say_wrote,
    write_output,
)
from approxfit.core.names import FAMILY_NAMES, quoted_path


@guard
def taylor(target: TargetArg, family: FamilyArg, degree: DegreeOpt = 3,
           parity: ParityOpt = None, fix: FixOpt = None, on: OnOpt = None,
           expr: ExprOpt = None, den_degree: DenDegreeOpt = 2,
           den_parity: DenParityOpt = "even", identify_: IdentifyOpt = False,
           time_budget: Annotated[float, typer.Option(
               "--time-budget", metavar="SECONDS",
               help="Stop the symbolic computation after this many seconds (it also "
                    "stops at 2 GiB of memory); exit 1 when it does.")] = 120.0,
           json_: JsonOpt = False) -> None:
    """Match the Maclaurin series: exact closed forms of the coefficients.

    Example (gives a3 = (4 - pi)/(6*pi) = 0.0455399241225271):

    \b
      approxfit taylor gelu tanh --degree 3 --fix 'c1=sqrt(2/pi)'
    """
    from approxfit.core.budget import Budget
    from approxfit.core.checks import check_float
    from approxfit.symbolic.taylor import taylor as run_taylor

    time_budget = check_float(time_budget, "time_budget", 0.0, 86400.0, lo_open=True)
    res = run_taylor(target, family, degree=degree, parity=parity, fix=parse_fix(fix), on=on,
                     expr=expr, den_degree=den_degree, den_parity=den_parity,
                     budget=Budget(seconds=time_budget))
    found = _identified({**res.coefficients, **res.scaled}, 15) if identify_ else {}
    if json_:
        # no timing: the same command gives the same bytes
        emit_json({**res.to_dict(timing=False),
                    **({"identified": found} if identify_ else {})})
        return
    if res.matched_order < 0:
        typer.echo(f"approxfit: warning: the series differ already at x^0 (orders "
                   f"{', '.join(map(str, res.mismatches))} differ): the fixed coefficients or "
                   "the parity cannot match this target", err=True)
    what = "Padé approximant" if res.family == "rational" else "Taylor matching"
    typer.echo(f"{what} of {res.family} (degree {res.degree}, parity {res.parity}) "
               f"to {res.target}'s {res.on}; series agree through x^{res.matched_order}")
    for name in [*res.coefficients, *res.scaled]:
        value = res.coefficients.get(name, res.scaled.get(name))
        tag = " (fixed)" if name in res.fixed else ""
        typer.echo(f"  {name:<4} = {shorten_form(res.exact[name]):<40} = {value:.16g}{tag}")
    for name, f in found.items():
        if f and f["form"] != res.exact.get(name):
            typer.echo(f"  {name} ≈ {f['form']} (recognised from its decimals)")


@guard
def fit(
    target: TargetArg,
    family: Annotated[choices((*FAMILY_NAMES, "piecewise")), typer.Argument(
        metavar="FAMILY", help="The approximant family (see approxfit families), or "
        "piecewise (see --pieces).")],
    degree: DegreeOpt = 3, parity: ParityOpt = None,
    fix: FixOpt = None, on: OnOpt = None,
    objective: Annotated[Objective, typer.Option(help="l2: least squares; minimax: the "
                                                 "smallest max abs error.")] = "l2",
    range_: RangeOpt = (-10.0, 10.0),
    samples: Annotated[int | None, typer.Option(metavar="N", help="Number of sample points "
                                                "(default 20001).")] = None,
    grid: Annotated[Grid, typer.Option(help="Where the samples lie.")] = "uniform",
    step: Annotated[float | None, typer.Option(
        metavar="STEP",
        help="Sample exactly numpy.arange(LO, HI, STEP), as the seed's code does.")] = None,
    clamp: Annotated[str, typer.Option(
        metavar="none|range|C",
        help="Keep a tanh/sigmoid approximant right beyond the range: none | range | a "
        "number C (a tail guard: the gate is 0 below -C and 1 above C).")] = "none",
    save: Annotated[str | None, typer.Option(
        metavar="FILE.json", help="Write the fit to FILE.json (usable as an approximant "
        "spec later; a missing folder is created); written only when the fit converged "
        "(else exit 1, FILE untouched).")] = None,
    max_iter: Annotated[int, typer.Option(metavar="N", help="Iteration cap of the minimax "
                                          "loop (1-10000).")] = 200,
    expr: ExprOpt = None,
    den_degree: DenDegreeOpt = 2,
    den_parity: DenParityOpt = "even",
    identify_: IdentifyOpt = False,
    dtype: Annotated[choices(ROUNDED_DTYPES) | None, typer.Option(
        help="Round the coefficients to this format and report the loss.")] = None,
    reoptimise: Annotated[bool, typer.Option(
        help="With --dtype: search neighbouring representable coefficients for a smaller "
        "error.")] = False,
    coefficients: Annotated[str | None, typer.Option(
        metavar="F|F1,F2,…",
        help="poly/rational: the best minimax fit whose coefficients are exactly float64, "
        "float32, float16 or bfloat16 numbers (one format, or one per coefficient c0, c1, "
        "…, d1, …); see docs/coefficients.md.")] = None,
    error: Annotated[choices(("absolute", "relative")), typer.Option(
        help="Minimise the error or the error divided by |target| "
        "(a gated family on gelu/silu/mish's value fits the gate's relative error).")
    ] = "absolute",
    weight: Annotated[str | None, typer.Option(
        metavar="EXPR",
        help="Minimise weight(x)·error: a safe expression in x, finite and > 0 on the "
        "range, e.g. '1/(1+x^2)'.")] = None,
    pieces: Annotated[int, typer.Option(
        metavar="K", help="piecewise: the number of pieces between the tails.")] = 1,
    families: Annotated[str | None, typer.Option(
        metavar="F1,F2,…", help="piecewise: each piece's family (poly, rational, sigmoid, "
        "tanh), or one for all (default poly).")] = None,
    degrees: Annotated[str | None, typer.Option(
        metavar="D1,D2,…", help="piecewise: each piece's degree (default --degree for "
        "all).")] = None,
    breakpoints: Annotated[str | None, typer.Option(
        metavar="B1,B2,…", help="piecewise: the K-1 breakpoints (default: chosen so the "
        "worst piece's error is least).")] = None,
    low_tail: Annotated[choices(("zero", "x", "minus_one", "none")), typer.Option(
        help="piecewise: the value below --low.")] = "none",
    low: Annotated[str, typer.Option(
        metavar="T|auto", help="piecewise: the low tail's threshold, or auto (where the "
        "tail's error reaches the pieces').")] = "auto",
    high_tail: Annotated[choices(("x", "one", "none")), typer.Option(
        help="piecewise: the value above --high.")] = "none",
    high: Annotated[str, typer.Option(
        metavar="T|auto", help="piecewise: the high tail's threshold, or auto.")] = "auto",
    json_: JsonOpt = False,
) -> None:
    """Fit a family to a target by least squares or minimax; or a piecewise minimax fit.

    Example (a3 = 0.0448465 on the seed's grid; add --objective minimax for the
    certified best max error):

    \b
      approxfit fit gelu tanh --degree 3 --fix 'c1=sqrt(2/pi)' --step 0.01

    Piecewise, with PUMA's GELU pieces (0 below -4, degrees 3 and 6, x above 3), then
    with the breakpoint and the tails' thresholds chosen by approxfit:

    \b
      approxfit fit gelu piecewise --objective minimax --pieces 2 --degrees 3,6 --breakpoints=-1.95 --low-tail zero --low=-4 --high-tail x --high 3
      approxfit fit gelu piecewise --objective minimax --pieces 2 --degrees 3,6 --low-tail zero --high-tail x
    """  # noqa: E501
    if family == "piecewise":
        from approxfit.core.exceptions import InputError
        from approxfit.fitting.piecewise_fit import fit_piecewise_options

        unused = {"--coefficients": coefficients, "--dtype": dtype, "--fix": fix or None,
                  "--weight": weight, "--step": step, "--identify": identify_ or None,
                  "--clamp": None if clamp == "none" else clamp}
        given = [k for k, v in unused.items() if v is not None]
        if given:
            raise InputError(f"{given[0]} does not apply to a piecewise fit (it applies to "
                             "one family's fit; fit a piece on its own interval for it)")
        if expr is not None:
            from approxfit.cli.common import resolve_target

            target = resolve_target(target, expr)
        if save is not None:
            output_file(save, what="--save")
        res = fit_piecewise_options(
            target, pieces=pieces, degree=degree, degrees=degrees, families=families,
            breakpoints=breakpoints, low_tail=low_tail, low=low, high_tail=high_tail,
            high=high, range_=range_, objective=objective, error=error, samples=samples,
            den_degree=den_degree)
        if save is not None and res.converged:
            from approxfit.core.io import dumps

            say_wrote(write_output(save, dumps(res.to_dict()), what="--save"))
        if json_:
            emit_json(res.to_dict())
        else:
            typer.echo(res.summary())
        if not res.converged:
            typer.echo(f"approxfit: error: {cli_message(res.message)}", err=True)
            raise typer.Exit(1)
        return
    fixes = parse_fix(fix)
    if coefficients is not None:
        _fit_coefficients(target, family, degree, parity, fixes, range_, error, den_degree,
                          den_parity, coefficients, save, json_, expr,
                          refused={"--dtype": dtype, "--weight": weight, "--step": step,
                                   "--samples": samples})
        return
    if save is not None:
        output_file(save, what="--save")
    from approxfit.fitting.fit import fit as run_fit

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_fit(target, family, grid, degree=degree, parity=parity, fix=fixes, on=on,
                      objective=objective, range=range_, samples=samples, step=step,
                      clamp=clamp, max_iter=max_iter, expr=expr, den_degree=den_degree,
                      den_parity=den_parity, error=error, weight=weight)
    rounding = None
    if dtype is not None:                  # the library refuses a kind it cannot round
        from approxfit.fitting.fit import sample_grid
        from approxfit.lowprec.rounding import coefficient_rounding

        points = sample_grid(grid, range=range_, samples=samples, step=step).x
        rounding = coefficient_rounding(res.approximant, points, dtype, on=res.on,
                                        reoptimise=reoptimise, fixed=res.fixed)
    if save is not None and res.converged:   # a fit that failed is not saved
        from approxfit.core.io import dumps

        say_wrote(write_output(save, dumps(res.to_dict(timing=False)), what="--save"))
    found = _identified({**res.coefficients, **res.scaled}, 9) if identify_ else {}
    extra: dict[str, Any] = {"identified": found} if identify_ else {}
    if rounding is not None:
        extra["rounding"] = rounding.to_dict()
    if json_:
        emit_json({**res.to_dict(), **extra})
    else:
        relay_warnings([w for w in caught if str(w.message) != res.message])
        typer.echo(res.summary())
        for name, f in found.items():
            typer.echo(f"  {name} ≈ {f['form']}" if f else f"  {name}: no closed form "
                       "within 9 digits")
        if rounding is not None:
            from approxfit.lowprec.rounding import rounding_text

            typer.echo(rounding_text(rounding), nl=False)
    if not res.converged:
        unsaved = f"; --save {quoted_path(save)} was not written" if save is not None else ""
        typer.echo(f"approxfit: error: {cli_message(res.message)}{unsaved}", err=True)
        raise typer.Exit(1)


def _fit_coefficients(target: str, family: str, degree: int, parity: str | None,
                      fixes: dict[str, str], range_: tuple[float, float], error: str,
                      den_degree: int, den_parity: str | None, coefficients: str,
                      save: str | None, json_: bool, expr: str | None,
                      refused: dict[str, Any]) -> None:
    """``fit … --coefficients F``: :func:`approxfit.fitting.fpcoeff.fit_in_format`."""
    from approxfit.core.exceptions import InputError

    given = [k for k, v in refused.items() if v is not None]
    if given:
        raise InputError(f"--coefficients does not combine with {given[0]} (it fits the "
                         "minimax error on the fit's own grid)")
    if save is not None:
        output_file(save, what="--save")
    from approxfit.fitting.fpcoeff import fit_in_format, format_fit_text

    try:
        tgt: Any = target
        if expr is not None:
            from approxfit.cli.common import resolve_target

            tgt = resolve_target(target, expr)
        bar, progress = _search_bar(json_)
        try:
            res = fit_in_format(tgt, family, degree, formats=coefficients, range_=range_,
                                error=error, fixed=fixes or None, parity=parity,
                                den_degree=den_degree, den_parity=den_parity,
                                progress=progress)
        finally:
            if bar is not None:
                bar.stop()
    except InputError as exc:             # the library's `formats` is --coefficients here
        raise InputError(str(exc).replace("`formats`", "--coefficients")
                         .replace("`fixed`", "--fix")) from None
    if save is not None:
        from approxfit.approximants.spec import SCHEMA_VERSION
        from approxfit.core.io import dumps

        say_wrote(write_output(save, dumps({"schema_version": SCHEMA_VERSION,
                                            **res.to_dict()}), what="--save"))
    if json_:
        emit_json(res.to_dict())
    else:
        typer.echo(format_fit_text(res), nl=False)


def _search_bar(json_: bool) -> tuple[Any, Any]:
    """A progress bar over the exact search's exponent choices on a terminal's stderr
    (None, None otherwise)."""
    import sys

    if json_ or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("exact search"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("exponent choices"), transient=True)
    task = bar.add_task("", total=None)
    bar.start()

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, progress


#: The longest exact form ``taylor`` prints in full (``--json`` always has it whole).
FORM_CHARS = 120
#: Integers with more digits than this are shown by their head and digit count.
LONG_DIGITS = 20


def shorten_form(text: str, limit: int = FORM_CHARS) -> str:
    """An exact form for the terminal: whole if at most ``limit`` characters; else each
    integer of more than :data:`LONG_DIGITS` digits becomes its first 12 digits, "…" and
    its digit count, and a form still too long keeps its head, "…" and its length.

    >>> shorten_form("1/3")
    '1/3'
    >>> shorten_form("2*" + "7" * 150 + "/3")
    '2*777777777777…(150 digits)/3'
    """
    if len(text) <= limit:
        return text
    import re

    text = re.sub(rf"\d{{{LONG_DIGITS + 1},}}",
                  lambda m: f"{m.group()[:12]}…({len(m.group())} digits)", text)
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}… ({len(text)} characters)"


def _identified(values: dict[str, float], digits: int) -> dict[str, Any]:
    from approxfit.symbolic.identify import identify_coefficients

    found = identify_coefficients(values, digits=digits)
    return {k: (None if v is None else v.to_dict()) for k, v in found.items()}
