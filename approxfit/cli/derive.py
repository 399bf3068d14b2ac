"""Commands that derive coefficients: taylor (closed forms) and fit."""

from __future__ import annotations

import warnings
from typing import Annotated, Any

import typer

from approxfit.cli.common import (
    DegreeOpt,
    DenDegreeOpt,
    DenParityOpt,
    ExprOpt,
    FamilyArg,
    FixOpt,
    IdentifyOpt,
    JsonOpt,
    OnOpt,
    ParityOpt,
    TargetArg,
    choice,
    emit_json,
    guard,
    parse_fix,
    relay_warnings,
    resolve_target,
)
from approxfit.core import names
from approxfit.core.exceptions import InputError


@guard
def taylor(target: TargetArg, family: FamilyArg, degree: DegreeOpt = 3,
           parity: ParityOpt = None, fix: FixOpt = None, on: OnOpt = None,
           expr: ExprOpt = None, den_degree: DenDegreeOpt = 2,
           den_parity: DenParityOpt = "even", identify_: IdentifyOpt = False,
           json_: JsonOpt = False) -> None:
    """Match the Maclaurin series: exact closed forms of the coefficients.

    Example: approxfit taylor gelu tanh --degree 3 --fix c1=sqrt(2/pi)
    gives a3 = (4 - pi)/(6*pi) = 0.0455399241225271.
    """
    choice(family, names.FAMILY_NAMES, "family")
    if parity is not None:
        choice(parity, names.PARITIES, "parity")
    fixes = parse_fix(fix)
    tgt = resolve_target(target, expr)
    on = on or names.default_on(family, tgt.has_gate)
    choice(on, names.ONS, "--on")
    from approxfit.approximants.families import powers_for

    if parity is not None:
        powers_for(degree, parity)          # validate before sympy loads
    if family == "rational":
        if fixes:
            raise InputError("--fix does not apply to the Padé approximant (rational family)")
        choice(den_parity, names.PARITIES, "--den-parity")
        from approxfit.symbolic.taylor import pade_match

        res = pade_match(tgt, degree=degree, den_degree=den_degree, parity=parity,
                         den_parity=den_parity, on=on)
    else:
        from approxfit.symbolic.taylor import taylor_match

        res = taylor_match(tgt, family, degree=degree, parity=parity, fix=fixes, on=on)
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
        typer.echo(f"  {name:<4} = {res.exact[name]:<40} = {value:.16g}{tag}")
    for name, f in found.items():
        if f and f["form"] != res.exact.get(name):
            typer.echo(f"  {name} ≈ {f['form']} (recognised from its decimals)")


@guard
def fit(
    target: TargetArg, family: FamilyArg, degree: DegreeOpt = 3, parity: ParityOpt = None,
    fix: FixOpt = None, on: OnOpt = None,
    objective: Annotated[str, typer.Option(help="l2 (least squares) | minimax "
                                           "(smallest max abs error).")] = "l2",
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", help="The fit range LO HI.")] = (-10.0, 10.0),
    samples: Annotated[int | None, typer.Option(help="Number of sample points "
                                                "(default 20001).")] = None,
    grid: Annotated[str, typer.Option(help="uniform | chebyshev.")] = "uniform",
    step: Annotated[float | None, typer.Option(
        help="Sample exactly numpy.arange(LO, HI, STEP), as the seed's code does.")] = None,
    clamp: Annotated[str, typer.Option(
        help="Keep a tanh/sigmoid approximant right beyond the range: none | range | a "
        "number C (a tail guard: the gate is 0 below -C and 1 above C).")] = "none",
    save: Annotated[str | None, typer.Option(help="Write the fit to FILE.json (usable as an "
                                             "approximant spec later).")] = None,
    max_iter: Annotated[int, typer.Option(help="Iteration cap of the minimax loop.",
                                          min=1, max=10_000)] = 200,
    expr: ExprOpt = None,
    den_degree: DenDegreeOpt = 2,
    den_parity: DenParityOpt = "even",
    identify_: IdentifyOpt = False,
    dtype: Annotated[str | None, typer.Option(
        help="Round the coefficients to float32 | float16 | bfloat16 and report the loss.")
    ] = None,
    reoptimise: Annotated[bool, typer.Option(
        help="With --dtype: search neighbouring representable coefficients for a smaller "
        "error.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Fit a family to a target by least squares or minimax.

    Example: approxfit fit gelu tanh --degree 3 --fix c1=sqrt(2/pi) --step 0.01
    (a3 = 0.0448465, the seed's grid); add --objective minimax for the certified
    best max error.
    """
    choice(family, names.FAMILY_NAMES, "family")
    choice(objective, names.OBJECTIVES, "objective")
    choice(grid, names.GRID_KINDS, "grid")
    if dtype is not None:
        choice(dtype, ("float32", "float16", "bfloat16"), "--dtype")
        if family == "rational":
            raise InputError("--dtype rounding applies to the tanh, sigmoid and poly families")
    choice(den_parity, names.PARITIES, "--den-parity")
    if parity is not None:
        choice(parity, names.PARITIES, "parity")
    fixes = parse_fix(fix)
    if save is not None:
        from approxfit.core.io import check_writable

        check_writable(save, what="--save")
    from approxfit.core.expr import parse_number
    from approxfit.core.grids import make_grid
    from approxfit.fitting.fit import fit as run_fit

    tgt = resolve_target(target, expr)
    on = on or names.default_on(family, tgt.has_gate)
    choice(on, names.ONS, "--on")
    fixed = {k: parse_number(v, what=f"--fix {k}") for k, v in fixes.items()}
    clamp_arg: Any = clamp
    if clamp not in ("none", "range"):
        clamp_arg = parse_number(clamp, what="--clamp")
    if samples is None and step is None:
        samples = 20001
    g = make_grid(range_[0], range_[1], samples=samples, grid=grid, step=step)
    start = None
    if family == "rational":
        choice(den_parity, names.PARITIES, "--den-parity")
        start = _pade_start(tgt, degree, den_degree, parity, den_parity, on)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_fit(tgt, family, g, degree=degree, parity=parity, fix=fixed,
                      objective=objective, on=on, max_iter=max_iter, start=start,
                      clamp=None if clamp_arg == "none" else clamp_arg,
                      den_degree=den_degree, den_parity=den_parity)
    if save is not None:
        from approxfit.core.io import dumps, write_atomic

        write_atomic(save, dumps(res.to_dict(timing=False)))
    found = _identified({**res.coefficients, **res.scaled}, 9) if identify_ else {}
    extra: dict[str, Any] = {"identified": found} if identify_ else {}
    rounding = None
    if dtype is not None:
        from approxfit.lowprec.precision import coefficient_rounding, rounding_text

        rounding = coefficient_rounding(res.approximant, g.x, dtype, on=res.on,
                                        reoptimise=reoptimise, fixed=res.fixed)
        extra["rounding"] = rounding.to_dict()
    if json_:
        emit_json({**res.to_dict(), **extra})
    else:
        relay_warnings([w for w in caught if str(w.message) != res.message])
        _print_fit(res)
        for name, f in found.items():
            typer.echo(f"  {name} ≈ {f['form']}" if f else f"  {name}: no closed form "
                       "within 9 digits")
        if rounding is not None:
            typer.echo(rounding_text(rounding), nl=False)
    if not res.converged:
        typer.echo(f"approxfit: error: {res.message}", err=True)
        raise typer.Exit(1)


def _identified(values: dict[str, float], digits: int) -> dict[str, Any]:
    from approxfit.symbolic.identify import identify_coefficients

    found = identify_coefficients(values, digits=digits)
    return {k: (None if v is None else v.to_dict()) for k, v in found.items()}


def _pade_start(tgt: Any, degree: int, den_degree: int, parity: str | None,
                den_parity: str, on: str) -> dict[str, float] | None:
    """The Padé approximant as a rational fit's start (None if it cannot be formed)."""
    from approxfit.core.exceptions import ComputationError
    from approxfit.symbolic.taylor import pade_match

    try:
        return pade_match(tgt, degree=degree, den_degree=den_degree, parity=parity,
                          den_parity=den_parity, on=on).coefficients
    except (ComputationError, InputError):
        return None


def _print_fit(res: Any) -> None:
    a = res.approximant
    typer.echo(f"{res.objective} fit of {a.family} (degree {res.degree}, {res.parity}) to "
               f"{a.target_name}'s {res.on} on [{res.range[0]:g}, {res.range[1]:g}], "
               f"{res.samples} samples: {res.message}")
    for name, value in res.coefficients.items():
        tag = " (fixed)" if name in res.fixed else ""
        typer.echo(f"  {name:<4} = {value:.10g}{tag}")
    for name, value in res.scaled.items():
        typer.echo(f"  {name:<4} = {value:.10g}   (scaled: p = c1·(x + …))")
    for note in res.warnings:
        if note.startswith("denominator"):
            typer.echo(f"  {note}")
    for on, mm in res.metrics.items():
        typer.echo(f"  {on:<5}: max abs error {mm['max_abs_error_range']:.4e} at x = "
                   f"{mm['argmax_abs_error_range']:.4g} (on the range), MSE {mm['mse']:.4e}, "
                   f"RMSE {mm['rmse']:.4e}")
    o = res.metrics_outside
    typer.echo(f"  outside the range, |x| <= {o['limit']:g}: max abs error "
               f"{o['max_abs_error']:.4e} at x = {o['argmax_abs_error']:.4g}")
    if res.certificate is not None:
        c = res.certificate
        sym = f", {c.symmetry} error: x > 0 shown" if c.symmetry else ""
        if c.levelled_ratio is None:
            typer.echo("  certificate: an exact fit — the error is at rounding level")
        else:
            typer.echo(f"  certificate: {len(c.points)} alternation points (need "
                       f"{c.required}{sym}), levelled ratio {c.levelled_ratio:.6f}")
            typer.echo("    x: " + " ".join(f"{p:.4g}" for p in c.points))
    if res.tail:
        typer.echo(f"  tail: {res.tail}")


