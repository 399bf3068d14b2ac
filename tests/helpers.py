"""Helpers the tests share (imported as ``tests.helpers``)."""

from __future__ import annotations

import contextlib
import io
import signal

from approxfit.cli.main import main


def run_inprocess(argv: list[str]) -> tuple[int, str, str]:
    """``approxfit ARGV`` in this process: (exit code, stdout, stderr).

    The command line installs SIGINT/SIGTERM handlers; they are restored afterwards so
    that one test's run does not change the next one's signals.
    """
    out, err = io.StringIO(), io.StringIO()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
    return code, out.getvalue(), err.getvalue()
