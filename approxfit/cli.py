"""The ``approxfit`` command line (typer): thin commands over the library.

Each command parses its options, calls one library function, and prints either a
human summary or, with ``--json``, exactly one JSON document on stdout.  Errors
the library raises on purpose (:class:`~approxfit.exceptions.ApproxfitError`)
become one line on stderr and exit status 2 (bad input) or 1 (a computation that
failed); usage errors also exit 2 with one line.  ``--debug`` shows tracebacks.

Heavy modules (numpy, scipy, sympy, matplotlib) are imported inside the command
bodies, so ``approxfit --help`` stays fast.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Annotated, Any

import typer

from approxfit import names
from approxfit.exceptions import ApproxfitError, InputError

app = typer.Typer(
    name="approxfit",
    help="Derive, fit and judge cheap approximations of activation-like functions.\n\n"
         "Examples:\n\n"
         "  approxfit taylor gelu tanh --degree 3 --fix c1=sqrt(2/pi)\n\n"
         "  approxfit fit gelu tanh --degree 3 --objective minimax --range -10 10",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_STATE: dict[str, Any] = {"debug": False, "signal": None}

# -- shared options, defined once ------------------------------------------------
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")]
IdentifyOpt = Annotated[bool, typer.Option(
    "--identify", help="Also recognise closed forms of the coefficients (see identify).")]
DegreeOpt = Annotated[int, typer.Option("--degree", "-d", help="Highest power of the inner "
                                        "polynomial p (0-30).")]
ParityOpt = Annotated[str | None, typer.Option(
    "--parity", help=f"Powers of p: {' | '.join(names.PARITIES)}. Default: from the "
    "target's symmetry (odd p for gelu's tanh/sigmoid forms).")]
FixOpt = Annotated[list[str] | None, typer.Option(
    "--fix", help="Hold a coefficient at a value, NAME=EXPR, e.g. c1=sqrt(2/pi). "
    "Repeatable. EXPR may use numbers, pi, E, + - * / **, sqrt exp log erf tanh.")]
OnOpt = Annotated[str | None, typer.Option(
    "--on", help="Measure the gate or the value: gate | value. Default: the gate for the "
    "tanh and sigmoid families, the value for poly and rational.")]
DenDegreeOpt = Annotated[int, typer.Option(
    "--den-degree", help="rational family: degree of the denominator Q = 1 + d·x^k + ….")]
DenParityOpt = Annotated[str, typer.Option(
    "--den-parity", help="rational family: powers of Q, even | odd | none.")]
TargetArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(names.TARGET_NAMES)}; "
                                          "gelu:mu=M,sigma=S for GELU with an N(M, S) gate; "
                                          "or a new name for an --expr target.")]
ExprOpt = Annotated[str | None, typer.Option(
    "--expr", help="A custom target f(x), e.g. \"x*erf(x)\" (numbers, x, pi, E, + - * / **, "
    "sqrt exp log erf erfc tanh sinh cosh sin cos atan abs). TARGET names it; it has no "
    "gate, so use the poly family.")]
FamilyArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(names.FAMILY_NAMES)}.")]


def _fail(exc: ApproxfitError) -> None:
    typer.echo(f"approxfit: error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn approxfit's own exceptions into one line and an exit status."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApproxfitError as exc:
            if _STATE["debug"]:
                raise
            _fail(exc)

    return wrapper


def _emit_json(obj: Any) -> None:
    from approxfit.io import dumps

    sys.stdout.write(dumps(obj))


def _parse_fix(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise InputError(f"--fix {item!r} must look like NAME=EXPR, e.g. c1=sqrt(2/pi)")
        if name in out:
            raise InputError(f"--fix names {name} twice")
        out[name] = value
    return out


_choice = names.check_choice


def _target(name: str, expr: str | None) -> Any:
    """The built-in target ``name``, or a custom target from ``--expr``."""
    if expr is None:
        if ":" not in name:
            _choice(name, names.TARGET_NAMES, "target")
        from approxfit.targets import get_target

        return get_target(name)
    from approxfit.targets import custom_target

    return custom_target(name, expr)


def _relay_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            typer.echo(f"approxfit: warning: {text}", err=True)


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False
          ) -> None:
    """Derive, fit and judge cheap approximations of activation-like functions."""
    _STATE["debug"] = debug


@app.command()
@_guard
def targets(json_: JsonOpt = False) -> None:
    """List the built-in targets with their gates.

    Example: approxfit targets --json
    """
    from approxfit.targets import TARGETS

    rows = [{"name": t.name, "formula": t.formula, "description": t.description,
             "gate": t.relation.formula if t.relation else None,
             "value_parity": t.value_parity, "gate_symmetric": t.gate_symmetric}
            for t in TARGETS.values()]
    if json_:
        _emit_json({"targets": rows})
        return
    for r in rows:
        gate = r["gate"] or "no gate"
        typer.echo(f"{r['name']:<9} {r['formula']:<32} {gate:<12} {r['description']}")


@app.command()
@_guard
def families(json_: JsonOpt = False) -> None:
    """List the approximant families.

    Example: approxfit families
    """
    from approxfit.families import FAMILIES

    rows = [{"name": f.name, "formula": f.formula, "gated": f.gated, "scaled": f.scaled}
            for f in FAMILIES.values()]
    rows.append({"name": "rational", "formula": "value ≈ P(x)/Q(x), Q(0) = 1 (--den-degree)",
                 "gated": False, "scaled": False})
    if json_:
        _emit_json({"families": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']:<8} {r['formula']}")


@app.command()
@_guard
def published(json_: JsonOpt = False) -> None:
    """List the published approximants that report and other commands know by name.

    Example: approxfit published
    """
    from approxfit.published import PUBLISHED

    rows = [{"name": p.name, "target": p.target, "formula": p.formula, "source": p.source}
            for p in PUBLISHED.values()]
    if json_:
        _emit_json({"published": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']:<17} {r['target']:<5} {r['formula']}\n{'':<23} {r['source']}")


@app.command()
@_guard
def taylor(target: TargetArg, family: FamilyArg, degree: DegreeOpt = 3,
           parity: ParityOpt = None, fix: FixOpt = None, on: OnOpt = None,
           expr: ExprOpt = None, den_degree: DenDegreeOpt = 2,
           den_parity: DenParityOpt = "even", identify_: IdentifyOpt = False,
           json_: JsonOpt = False) -> None:
    """Match the Maclaurin series: exact closed forms of the coefficients.

    Example: approxfit taylor gelu tanh --degree 3 --fix c1=sqrt(2/pi)
    gives a3 = (4 - pi)/(6*pi) = 0.0455399241225271.
    """
    _choice(family, names.FAMILY_NAMES, "family")
    if parity is not None:
        _choice(parity, names.PARITIES, "parity")
    fixes = _parse_fix(fix)
    tgt = _target(target, expr)
    on = on or names.default_on(family, tgt.has_gate)
    _choice(on, names.ONS, "--on")
    from approxfit.families import powers_for

    if parity is not None:
        powers_for(degree, parity)          # validate before sympy loads
    if family == "rational":
        if fixes:
            raise InputError("--fix does not apply to the Padé approximant (rational family)")
        _choice(den_parity, names.PARITIES, "--den-parity")
        from approxfit.symbolic import pade_match

        res = pade_match(tgt, degree=degree, den_degree=den_degree, parity=parity,
                         den_parity=den_parity, on=on)
    else:
        from approxfit.symbolic import taylor_match

        res = taylor_match(tgt, family, degree=degree, parity=parity, fix=fixes, on=on)
    found = _identified({**res.coefficients, **res.scaled}, 15) if identify_ else {}
    if json_:
        # no timing: the same command gives the same bytes
        _emit_json({**res.to_dict(timing=False),
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


@app.command()
@_guard
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
    _choice(family, names.FAMILY_NAMES, "family")
    _choice(objective, names.OBJECTIVES, "objective")
    _choice(grid, names.GRID_KINDS, "grid")
    if dtype is not None:
        _choice(dtype, ("float32", "float16", "bfloat16"), "--dtype")
        if family == "rational":
            raise InputError("--dtype rounding applies to the tanh, sigmoid and poly families")
    _choice(den_parity, names.PARITIES, "--den-parity")
    if parity is not None:
        _choice(parity, names.PARITIES, "parity")
    fixes = _parse_fix(fix)
    if save is not None:
        from approxfit.io import check_writable

        check_writable(save, what="--save")
    from approxfit.expr import parse_number
    from approxfit.fit import fit as run_fit
    from approxfit.grids import make_grid

    tgt = _target(target, expr)
    on = on or names.default_on(family, tgt.has_gate)
    _choice(on, names.ONS, "--on")
    fixed = {k: parse_number(v, what=f"--fix {k}") for k, v in fixes.items()}
    clamp_arg: Any = clamp
    if clamp not in ("none", "range"):
        clamp_arg = parse_number(clamp, what="--clamp")
    if samples is None and step is None:
        samples = 20001
    g = make_grid(range_[0], range_[1], samples=samples, grid=grid, step=step)
    start = None
    if family == "rational":
        _choice(den_parity, names.PARITIES, "--den-parity")
        start = _pade_start(tgt, degree, den_degree, parity, den_parity, on)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_fit(tgt, family, g, degree=degree, parity=parity, fix=fixed,
                      objective=objective, on=on, max_iter=max_iter, start=start,
                      clamp=None if clamp_arg == "none" else clamp_arg,
                      den_degree=den_degree, den_parity=den_parity)
    if save is not None:
        from approxfit.io import dumps, write_atomic

        write_atomic(save, dumps(res.to_dict(timing=False)))
    found = _identified({**res.coefficients, **res.scaled}, 9) if identify_ else {}
    extra: dict[str, Any] = {"identified": found} if identify_ else {}
    rounding = None
    if dtype is not None:
        from approxfit.precision import coefficient_rounding, rounding_text

        rounding = coefficient_rounding(res.approximant, g.x, dtype, on=res.on,
                                        reoptimise=reoptimise, fixed=res.fixed)
        extra["rounding"] = rounding.to_dict()
    if json_:
        _emit_json({**res.to_dict(), **extra})
    else:
        _relay_warnings([w for w in caught if str(w.message) != res.message])
        _print_fit(res)
        for name, f in found.items():
            typer.echo(f"  {name} ≈ {f['form']}" if f else f"  {name}: no closed form "
                       "within 9 digits")
        if rounding is not None:
            typer.echo(rounding_text(rounding), nl=False)
    if not res.converged:
        typer.echo(f"approxfit: error: {res.message}", err=True)
        raise typer.Exit(1)


@app.command()
@_guard
def report(
    specs: Annotated[list[str] | None, typer.Argument(
        help="Approximants: published names (paper-tanh, paper-sigmoid, taylor-tanh, "
        "seed-alt-tanh, seed-alt-sigmoid, seed-free-tanh, bowling-2009, ibert, as-7.1.26), "
        "saved fits (FILE.json) or inline specs such as tanh:c1=sqrt(2/pi),a3=0.044715. "
        "Default: every published approximant of the target.")] = None,
    target: Annotated[str, typer.Option(help="The target measured against.")] = "gelu",
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", help="The range LO HI.")] = (-10.0, 10.0),
    samples: Annotated[int | None, typer.Option(help="Number of uniform samples.")] = None,
    step: Annotated[float | None, typer.Option(
        help="Sample exactly numpy.arange(LO, HI, STEP) (default 0.01, the seed's grid).")
    ] = None,
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table.")] = False,
    csv: Annotated[str | None, typer.Option(help="Also write the table to FILE.csv.")] = None,
    plot: Annotated[str | None, typer.Option(help="Write overlay and error plots into DIR.")
                    ] = None,
    svg: Annotated[bool, typer.Option(help="With --plot, write SVG as well as PNG.")] = False,
    expr: ExprOpt = None,
    dtype: Annotated[str, typer.Option(
        help="Evaluate every operation in this format: float64 | float32 | float16 | "
        "bfloat16 (errors in ulps, and the format's own floor).")] = "float64",
    opmath: Annotated[str, typer.Option(
        help="With a half --dtype: format (round every operation) | float32 (compute in "
        "float32 and round once, as PyTorch's CPU kernels do).")] = "format",
    json_: JsonOpt = False,
) -> None:
    """Measure approximants: MSE, RMSE, max abs error and where, relative errors.

    Example: approxfit report paper-tanh paper-sigmoid --target gelu --range -10 10
    --step 0.01 (the seed's grid: paper-tanh MSE 2.4329e-08).
    """
    tgt = _target(target, expr)
    from pathlib import Path

    if csv is not None:
        from approxfit.io import check_writable

        check_writable(csv, what="--csv")
    if plot is not None and not Path(plot).is_dir():
        raise InputError(f"--plot {plot!r}: the folder does not exist; create it first")
    from approxfit.grids import make_grid
    from approxfit.published import parse_spec, published_for

    if samples is None and step is None:
        step = 0.01
    grid = make_grid(range_[0], range_[1], samples=samples, step=step)
    if specs:
        approximants = [parse_spec(s, tgt) for s in specs]
    else:
        approximants = [p.build() for p in published_for(target)]
        if not approximants:
            raise InputError(f"no published approximants of {target!r}; name some specs")
    from approxfit.report import report_rows, to_csv, to_markdown, to_terminal_table

    _choice(dtype, ("float64", "float32", "float16", "bfloat16"), "--dtype")
    _choice(opmath, ("format", "float32"), "--opmath")
    if dtype != "float64":
        if csv is not None or svg:
            raise InputError("--csv and --svg go with float64 reports; with --dtype use "
                             "--json, --markdown or --plot (a ULP histogram)")
        _report_precision(approximants, grid, dtype, opmath, plot, json_, markdown)
        return
    rows = report_rows(approximants, grid.x, lo=grid.lo, hi=grid.hi)
    if csv is not None:
        from approxfit.io import write_atomic

        write_atomic(csv, to_csv(rows, digits=None))
    if plot is not None:
        from approxfit import plotting

        figures = {
            "overlay": plotting.plot_overlay(tgt, approximants, grid.x).figure,
            "abs-error": plotting.plot_abs_error(tgt, approximants, grid.x).figure,
        }
        for stem, fig in figures.items():
            for suffix in (".png", ".svg") if svg else (".png",):
                plotting.save_figure(fig, Path(plot) / f"{stem}{suffix}")
    if json_:
        _emit_json({"kind": "report", "target": target, "range": list(range_),
                    "grid": grid.describe(), "rows": rows})
    elif markdown:
        typer.echo(to_markdown(rows))
    else:
        from rich.console import Console

        Console(width=200).print(to_terminal_table(
            rows, title=f"{target} on [{grid.lo:g}, {grid.hi:g}], {grid.size} samples"))


def _report_precision(approximants: list[Any], grid: Any, dtype: str, opmath: str,
                      plot: str | None, json_: bool, markdown: bool) -> None:
    """``report --dtype``: each approximant evaluated in a low-precision format."""
    from pathlib import Path

    from approxfit.precision import precision_markdown, precision_rows, precision_text

    rows = precision_rows(approximants, grid.x, dtype, opmath=opmath)
    for row in rows:                       # the report contract: metrics per quantity
        row["metrics"] = {row["on"]: {k: row[k] for k in (
            "max_abs_error", "argmax_abs_error", "max_ulp_error", "argmax_ulp_error",
            "floor_abs_error", "floor_ulp_error")}}
    if plot is not None:
        from approxfit import plotting
        from approxfit.precision_plot import plot_ulp_histogram

        plotting.save_figure(plot_ulp_histogram(rows).figure,
                             Path(plot) / f"ulp-histogram-{dtype}.png")
    if json_:
        _emit_json({"kind": "report", "dtype": dtype, "opmath": opmath,
                    "grid": grid.describe(), "rows": rows})
    elif markdown:
        typer.echo(precision_markdown(rows))
    else:
        typer.echo(precision_text(rows), nl=False)


@app.command()
@_guard
def export(
    spec: Annotated[str, typer.Argument(help="An approximant: published name, inline spec "
                                        "or saved fit FILE.json.")],
    to: Annotated[str, typer.Option(help="numpy | torch | c.")] = "numpy",
    dtype: Annotated[str, typer.Option(help="float64 | float32 | float16 | bfloat16.")
                     ] = "float32",
    target: Annotated[str, typer.Option(help="Target of an inline spec.")] = "gelu",
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", help="The range the header's max error is measured on.")] = (-10.0, 10.0),
    name: Annotated[str | None, typer.Option(help="Name of the generated function.")] = None,
    out: Annotated[str | None, typer.Option(help="Write the code to FILE instead.")] = None,
    expr: ExprOpt = None,
) -> None:
    """Print a self-contained function (Horner form, tail guard, error in a comment).

    Example: approxfit export paper-tanh --to c --dtype float32
    """
    _choice(to, ("numpy", "torch", "c"), "--to")
    _choice(dtype, ("float64", "float32", "float16", "bfloat16"), "--dtype")
    if out is not None:
        from approxfit.io import check_writable

        check_writable(out, what="--out")
    from approxfit.export import export_code
    from approxfit.grids import check_range
    from approxfit.published import parse_spec

    lo, hi = check_range(*range_)
    approx = parse_spec(spec, _target(target, expr) if expr or ":" not in target else target)
    code = export_code(approx, to=to, dtype=dtype, range_=(lo, hi), name=name)
    if out is not None:
        from approxfit.io import write_atomic

        write_atomic(out, code)
    else:
        typer.echo(code, nl=False)


@app.command()
@_guard
def parity(
    dtype: Annotated[list[str] | None, typer.Option(
        help="Formats to compare in (repeatable): float32, bfloat16.")] = None,
    points: Annotated[int, typer.Option(help="Points on [-10, 10].")] = 200001,
    json_: JsonOpt = False,
) -> None:
    """Compare approxfit's GELUs with PyTorch's kernels (needs approxfit[torch]).

    Example: approxfit parity --dtype float32 --dtype bfloat16
    """
    dtypes = tuple(dtype or ("float32", "bfloat16"))
    for d in dtypes:
        _choice(d, ("float32", "bfloat16", "float16"), "--dtype")
    if not 1001 <= points <= 10_000_000:
        raise InputError(f"--points must be between 1001 and 10000000, got {points}")
    from approxfit.parity import parity_report, parity_text

    rep = parity_report(dtypes=dtypes, points=points)
    if json_:
        _emit_json(rep)
    else:
        typer.echo(parity_text(rep), nl=False)


@app.command()
@_guard
def reproduce(
    out: Annotated[str, typer.Option(help="Output folder (created if missing; only "
                                     "approxfit's own files in it are replaced).")
                   ] = "results",
    json_: JsonOpt = False,
) -> None:
    """Reproduce every claim of the source documents: claims.json, REPORT.md, figures.

    Example: approxfit reproduce --out results
    """
    from pathlib import Path

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {out!r} is a file, not a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(f"--out {out!r}: the folder {str(folder.parent)!r} does not exist")
    from approxfit.reproduce import CLAIM_IDS, write_reproduction

    total = len(CLAIM_IDS) + 1
    if sys.stderr.isatty() and not json_:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("reproducing", total=total)

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name)

            claims = write_reproduction(folder, progress=step)
    else:
        claims = write_reproduction(folder)
    if json_:
        _emit_json({"kind": "reproduce", "out": str(folder), "claims": claims})
        return
    width = max(len(c["id"]) for c in claims)
    for c in claims:
        verdict = "agrees " if c["agrees"] else "differs"
        typer.echo(f"{c['id']:<{width}}  {verdict}  {c['note'][:110]}")
    n_ok = sum(c["agrees"] for c in claims)
    typer.echo(f"{n_ok} of {len(claims)} claims agree; wrote {folder / 'claims.json'}, "
               f"{folder / 'REPORT.md'} and the figures")


@app.command()
@_guard
def pareto(
    target: Annotated[str, typer.Argument(help="The target (gelu, silu, …).")] = "gelu",
    families: Annotated[str, typer.Option(help="Comma-separated families to sweep.")
                        ] = "tanh,sigmoid,poly",
    max_degree: Annotated[int, typer.Option(help="Highest degree to try (1-15).")] = 9,
    objective: Annotated[str, typer.Option(help="l2 | minimax.")] = "minimax",
    on: Annotated[str, typer.Option(help="What each fit minimises: value | gate.")] = "value",
    range_: Annotated[tuple[float, float], typer.Option(
        "--range", help="The fit range LO HI.")] = (-10.0, 10.0),
    samples: Annotated[int, typer.Option(help="Samples per fit.")] = 20001,
    executor: Annotated[str, typer.Option(
        help="Where the fits run: local (all cores), serial, or dask://HOST:PORT (an "
        "existing Dask cluster; needs approxfit[dask]).")] = "local",
    out: Annotated[str | None, typer.Option(
        help="Write pareto-TARGET.json, .csv and .png into this folder.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Sweep families x degrees: whole-line error against cost, with the published forms.

    Example: approxfit pareto gelu --max-degree 9 --out results
    """
    if not 10 <= samples <= 10_000_000:
        raise InputError(f"--samples must be between 10 and 10000000, got {samples}")
    fams = tuple(f.strip() for f in families.split(",") if f.strip())
    for f in fams:
        _choice(f, names.FAMILY_NAMES, "family")
    _choice(objective, names.OBJECTIVES, "objective")
    _choice(on, names.ONS, "--on")
    tgt = _target(target, None)
    from pathlib import Path

    if out is not None and not Path(out).is_dir():
        raise InputError(f"--out {out!r}: the folder does not exist; create it first")
    from approxfit.pareto import make_executor, pareto_sweep

    ex, close = make_executor(executor)
    try:
        if sys.stderr.isatty() and not json_:
            from rich.progress import Progress

            from approxfit.pareto import _tasks

            total = len(_tasks(tgt.name, fams, max_degree, objective, on, range_, samples))
            with Progress(transient=True) as bar:
                task = bar.add_task("fitting", total=total)
                res = pareto_sweep(tgt.name, families=fams, max_degree=max_degree,
                                   objective=objective, on=on, range_=range_,
                                   samples=samples, executor=ex,
                                   progress=lambda row: bar.update(
                                       task, advance=1,
                                       description=f"{row['family']}-{row['degree']}"))
        else:
            res = pareto_sweep(tgt.name, families=fams, max_degree=max_degree,
                               objective=objective, on=on, range_=range_, samples=samples,
                               executor=ex)
    except BaseException:
        if close is not None:
            close(cancel=True)          # an interrupt: drop the queued fits
        raise
    if close is not None:
        close()
    if all("error" in r for r in res.rows):
        from approxfit.exceptions import ComputationError

        raise ComputationError(f"every fit of the sweep failed; the first: "
                               f"{res.rows[0]['error']}")
    if out is not None:
        write_pareto(res, Path(out))
    if json_:
        _emit_json(res.to_dict())
        return
    typer.echo(f"{'name':<16} {'cost':>4}  {'mul add trans cmp':<17}  {'whole-line error':>16}  "
               "on range")
    for r in res.rows:
        if "error" in r:
            typer.echo(f"{r['family']}-{r['degree']:<10} failed: {r['error']}")
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
        r = res.recommended
        typer.echo(f"recommended: {r['name']} (tail guard at ±{r['clamp']:g}) — whole-line error "
                   f"{r['max_error_whole_line']:.3e} for one multiply-add more than paper-tanh"
                   if r["clamp"] else
                   f"recommended: {r['name']} — whole-line error "
                   f"{r['max_error_whole_line']:.3e}")
    typer.echo("* on the Pareto frontier")


def write_pareto(res: Any, folder: Any) -> None:
    """Write pareto-TARGET.json, .csv and .png into ``folder`` (atomically)."""
    from approxfit import plotting
    from approxfit.io import dumps, write_atomic

    stem = f"pareto-{res.target.replace(':', '_').replace(',', '_').replace('=', '')}"
    write_atomic(folder / f"{stem}.json", dumps(res.to_dict()))
    write_atomic(folder / f"{stem}.csv", res.to_csv())
    plotting.save_figure(plotting.plot_pareto(res).figure, folder / f"{stem}.png")


@app.command(context_settings={"ignore_unknown_options": True})
@_guard
def identify(
    number: Annotated[str, typer.Argument(help="A decimal, e.g. 0.0455399241225; the digits "
                                          "you type set the tolerance.")],
    digits: Annotated[int | None, typer.Option(help="Trust only this many significant "
                                               "digits.")] = None,
    max_results: Annotated[int, typer.Option(help="How many closed forms to show.")] = 3,
    json_: JsonOpt = False,
) -> None:
    """Recognise a closed form of a constant (pi, sqrt(2), sqrt(pi), e, log 2, rationals).

    Example: approxfit identify 0.0455399241225  ->  (4 - pi)/(6*pi)
    """
    from approxfit.identify import identify as run_identify

    found = run_identify(number, digits=digits, max_results=max_results)
    if json_:
        _emit_json({"kind": "identify", "number": number,
                    "identifications": [f.to_dict() for f in found]})
        return
    if not found:
        typer.echo(f"{number}: no closed form within the digits given")
        return
    for f in found:
        typer.echo(f"{number} ≈ {f.form}   (= {f.value:.17g}, residual {f.residual:.2e}, "
                   f"tolerance {f.tolerance:.1e})")


@app.command()
@_guard
def provenance(
    spec: Annotated[str, typer.Argument(help="A published name (paper-tanh, paper-sigmoid, "
                                        "bowling-2009, …), an inline spec or a saved fit.")],
    target: Annotated[str | None, typer.Option(help="Target of an inline spec.")] = None,
    samples: Annotated[int, typer.Option(help="Points per fit.")] = 4001,
    json_: JsonOpt = False,
) -> None:
    """Which fitting procedure reproduces every printed digit of a published constant?

    Searches least squares and minimax, gate and value, fixed and free slope,
    uniform and Chebyshev sampling, ranges [-R, R] for R = 1 … 10.
    Example: approxfit provenance paper-tanh
    """
    from approxfit.provenance import provenance as run_provenance

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
        _emit_json(res.to_dict())
        return
    typer.echo(res.summary())
    for kind, ranges in res.groups().items():
        typer.echo(f"  {kind}: R = {', '.join(f'{r:g}' for r in ranges)}")
    typer.echo(f"  ({len(res.procedures)} procedures tried)")


def _identified(values: dict[str, float], digits: int) -> dict[str, Any]:
    from approxfit.identify import identify_coefficients

    found = identify_coefficients(values, digits=digits)
    return {k: (None if v is None else v.to_dict()) for k, v in found.items()}


def _pade_start(tgt: Any, degree: int, den_degree: int, parity: str | None,
                den_parity: str, on: str) -> dict[str, float] | None:
    """The Padé approximant as a rational fit's start (None if it cannot be formed)."""
    from approxfit.exceptions import ComputationError
    from approxfit.symbolic import pade_match

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


def _click_exceptions() -> Any:
    # typer >= 0.24 vendors click as typer._click; older typer uses click itself.
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the installed typer
        from click import exceptions
    return exceptions


def _on_signal(signum: int, frame: Any) -> None:
    """Turn SIGINT/SIGTERM into KeyboardInterrupt so that the run unwinds cleanly."""
    _STATE["signal"] = signum
    raise KeyboardInterrupt


def _interrupted() -> None:
    import signal

    sys.stderr.write("approxfit: interrupted; files from earlier runs are unchanged\n")
    raise SystemExit(128 + int(_STATE["signal"] or signal.SIGINT))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app with one-line usage errors (exit 2).

    SIGINT and SIGTERM end the run with one line (exit 130 or 143); output files
    are replaced only after everything is computed, so earlier results survive.
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    exc_mod = _click_exceptions()
    try:
        rv = app(args=argv, standalone_mode=False)
    except exc_mod.NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
        raise SystemExit(0) from None
    except exc_mod.UsageError as exc:
        msg = exc.format_message().replace("\n", " ")
        cmd = exc.ctx.command_path if exc.ctx is not None else "approxfit"
        sys.stderr.write(f"approxfit: error: {msg} (see '{cmd} --help')\n")
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    if _STATE["signal"] is not None:          # typer returns 130 for an interrupt
        _interrupted()
    raise SystemExit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
