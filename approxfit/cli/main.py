"""The console entry point: registers every command and runs the app with one-line
usage errors, clean interrupts and exit statuses 0, 1, 2, 130 and 143."""

from __future__ import annotations

import sys
from typing import Any

import typer

from approxfit.cli import derive, listing, measure, studies, synthesize, verify
from approxfit.cli.common import CONTEXT, Command, app, one_line, os_failure, show_warning

COMMANDS = (
    (listing.targets, {}),
    (listing.families, {}),
    (listing.published, {}),
    (derive.taylor, {}),
    (derive.fit, {}),
    (measure.report, {}),
    (measure.export, {}),
    (measure.parity, {}),
    (verify.verify, {}),
    (synthesize.synthesize, {}),
    (studies.reproduce, {}),
    (studies.pareto, {}),
    (studies.identify, {"context_settings": {"ignore_unknown_options": True}}),
    (studies.provenance, {}),
)
"""Every command with its typer settings, in the order ``approxfit --help`` lists them."""
for _command, _settings in COMMANDS:
    app.command(cls=Command, **{**_settings, "context_settings": {
        **CONTEXT, **_settings.get("context_settings", {})}})(_command)


def app_command(name: str) -> Any:
    """The click command of ``approxfit NAME`` (for tests and doctests)."""
    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


def _click_exceptions() -> Any:
    # typer >= 0.24 vendors click as typer._click; older typer uses click itself.
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the installed typer
        from click import exceptions
    return exceptions


def _interrupted() -> None:
    """One line after SIGINT/SIGTERM: "unchanged" only when no file was written (the
    log of :mod:`approxfit.core.interrupts` says so), else what was; exit 130 or 143."""
    from approxfit.core import interrupts

    sys.stderr.write(interrupts.interrupted_message() + "\n")
    raise SystemExit(interrupts.exit_status())


def main(argv: list[str] | None = None) -> None:
    """Console entry point: :func:`_main` with standard output and warnings made safe.

    Every exit ends in one line at most: standard output that is closed is refused
    before any work (exit 1); text that the output's encoding cannot hold is written
    with backslash escapes (JSON as ASCII escapes, still valid JSON); Python warnings
    become ``approxfit: warning: …`` without source paths; an ``OSError`` anywhere —
    including the final flush of standard output — becomes one line and exit 1, a
    broken pipe a quiet exit 1.
    """
    import warnings

    if sys.stdout is None:                 # started with stdout closed (`approxfit … >&-`)
        if sys.stderr is not None:
            sys.stderr.write("approxfit: error: standard output is closed; nothing could "
                             "be printed\n")
        raise SystemExit(1)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (OSError, ValueError):  # pragma: no cover - a detached stream
                pass
    shown = warnings.showwarning
    warnings.showwarning = show_warning
    try:
        try:
            _main(argv)
        except OSError as exc:             # outside a command: help, usage, version text
            try:
                os_failure(exc)
            except typer.Exit as stop:
                raise SystemExit(stop.exit_code) from None
        finally:
            try:
                sys.stdout.flush()
            except OSError as exc:
                try:
                    os_failure(exc, on_stdout=True)
                except typer.Exit as stop:
                    raise SystemExit(stop.exit_code) from None
    finally:
        warnings.showwarning = shown


def usage_message(exc: Any) -> str:
    """A usage error's text; a value that is not one of a parameter's choices is said as
    the library says it: ``unknown --objective 'minmax' (did you mean 'minimax'?); choose
    one of l2, minimax``."""
    import ast
    import re

    from approxfit.core import names

    text = exc.format_message()
    param = getattr(exc, "param", None)
    desc = getattr(param, "type_descriptor", None)
    m = re.search(r"Value error, (.*) is not one of ", text, re.S)
    if m is None or desc is None or not desc.is_choice or not desc.choices:
        return text
    try:
        value = ast.literal_eval(m.group(1))
    except (ValueError, SyntaxError):
        return text
    options = tuple(str(getattr(c, "value", c)) for c in desc.choices)
    what = (max(param.opts, key=len) if getattr(param, "opts", None) and
            param.param_type_name == "option" else (param.metavar or param.name))
    hint = names.suggest(value, options)
    if "," in str(value):
        hint = ""
    return (f"unknown {what} {names.quoted(str(value))}{hint}; choose one of "
            f"{', '.join(options)}")


def _main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app with one-line usage errors (exit 2).

    SIGINT and SIGTERM end the run with one line (exit 130 or 143); output files
    are replaced only after everything is computed, so earlier results survive.
    """
    from approxfit.core import interrupts

    interrupts.install()          # signals are recorded; raised outside critical sections
    exc_mod = _click_exceptions()
    try:
        rv = app(args=argv, standalone_mode=False)
    except exc_mod.NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
        raise SystemExit(0) from None
    except exc_mod.UsageError as exc:
        msg = one_line(usage_message(exc))
        cmd = exc.ctx.command_path if exc.ctx is not None else "approxfit"
        sys.stderr.write(f"approxfit: error: {msg} (see '{cmd} --help')\n")
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    if interrupts.received() is not None:    # typer returns 130 for an interrupt
        _interrupted()
    raise SystemExit(rv if isinstance(rv, int) else 0)




if __name__ == "__main__":  # pragma: no cover
    main()
