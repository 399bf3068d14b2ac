"""The console entry point: registers every command and runs the app with one-line
usage errors, clean interrupts and exit statuses 0, 1, 2, 130 and 143."""

from __future__ import annotations

import sys
from typing import Any

import typer

from approxfit.cli import derive, listing, measure, studies
from approxfit.cli.common import STATE, app

COMMANDS = (
    (listing.targets, {}),
    (listing.families, {}),
    (listing.published, {}),
    (derive.taylor, {}),
    (derive.fit, {}),
    (measure.report, {}),
    (measure.export, {}),
    (measure.parity, {}),
    (studies.reproduce, {}),
    (studies.pareto, {}),
    (studies.identify, {"context_settings": {"ignore_unknown_options": True}}),
    (studies.provenance, {}),
)
"""Every command with its typer settings, in the order ``approxfit --help`` lists them."""
for _command, _settings in COMMANDS:
    app.command(**_settings)(_command)


def _click_exceptions() -> Any:
    # typer >= 0.24 vendors click as typer._click; older typer uses click itself.
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the installed typer
        from click import exceptions
    return exceptions


def _on_signal(signum: int, frame: Any) -> None:
    """Turn SIGINT/SIGTERM into KeyboardInterrupt so that the run unwinds cleanly."""
    STATE["signal"] = signum
    raise KeyboardInterrupt


def _interrupted() -> None:
    import signal

    sys.stderr.write("approxfit: interrupted; files from earlier runs are unchanged\n")
    raise SystemExit(128 + int(STATE["signal"] or signal.SIGINT))


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
    if STATE["signal"] is not None:          # typer returns 130 for an interrupt
        _interrupted()
    raise SystemExit(rv if isinstance(rv, int) else 0)




if __name__ == "__main__":  # pragma: no cover
    main()
