"""The typer application, the options shared by several commands, and the helpers
that turn approxfit's exceptions into one line and an exit status."""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from typing import Annotated, Any

import typer

from approxfit.core import names
from approxfit.core.exceptions import ApproxfitError, InputError

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

STATE: dict[str, Any] = {"debug": False, "signal": None}

# -- shared options, defined once ------------------------------------------------
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")]
IdentifyOpt = Annotated[bool, typer.Option(
    "--identify", help="Also recognise closed forms of the coefficients (see identify).")]
DegreeOpt = Annotated[int, typer.Option("--degree", "-d", help="Highest power of the inner "
                                        "polynomial p (0-40).")]
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


# The library's messages name a Python parameter in backticks (`fix`); the command
# line names its option or argument instead.
FLAGS: dict[str, str] = {
    "target": "TARGET", "family": "FAMILY", "specs": "SPEC", "spec": "SPEC",
    "number": "NUMBER",
}
"""Library parameters that are positional arguments on the command line; every other
backticked parameter ``name_x`` is the option ``--name-x``."""


def cli_message(text: str) -> str:
    """A library message with its backticked parameter names turned into the CLI's words.

    >>> cli_message("`fix` names c2, which tanh of degree 3 (odd) does not have")
    '--fix names c2, which tanh of degree 3 (odd) does not have'
    >>> cli_message("`max_degree` must be between 1 and 15, got 20")
    '--max-degree must be between 1 and 15, got 20'
    """
    return re.sub(r"`([a-z][a-z0-9_]*)`",
                  lambda m: FLAGS.get(m.group(1), "--" + m.group(1).replace("_", "-")), text)


def fail(exc: ApproxfitError) -> None:
    typer.echo(f"approxfit: error: {cli_message(str(exc))}", err=True)
    raise typer.Exit(exc.exit_code)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn approxfit's own exceptions into one line and an exit status."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApproxfitError as exc:
            if STATE["debug"]:
                raise
            fail(exc)

    return wrapper


def emit_json(obj: Any) -> None:
    from approxfit.core.io import dumps

    sys.stdout.write(dumps(obj))


def parse_fix(items: list[str] | None) -> dict[str, str]:
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


choice = names.check_choice


def resolve_target(name: str, expr: str | None) -> Any:
    """The built-in target ``name``, or a custom target from ``--expr``."""
    if expr is None:
        if ":" not in name:
            choice(name, names.TARGET_NAMES, "target")
        from approxfit.core.targets import get_target

        return get_target(name)
    from approxfit.core.targets import custom_target

    return custom_target(name, expr)


def relay_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            typer.echo(f"approxfit: warning: {cli_message(text)}", err=True)


def _print_version(value: bool) -> None:
    if value:
        from approxfit.core.version import __version__

        typer.echo(f"approxfit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
          version: Annotated[bool, typer.Option(
              "--version", help="Print the version and exit.", is_eager=True,
              callback=_print_version)] = False,
          ) -> None:
    """Derive, fit and judge cheap approximations of activation-like functions."""
    STATE["debug"] = debug


