"""Layer 8, the ``approxfit`` command line: thin typer commands over the library.

:func:`run` is the console entry point.  It handles SIGINT and SIGTERM from the first
moment — while typer, numpy and the commands are still being imported nothing has been
computed or written, so an interrupt then ends the process at once with the usual one
line — and hands over to :func:`approxfit.cli.main.main`, which installs the handlers
that act at safe points.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

__all__ = ["run"]


def _interrupted_while_starting(signum: int, frame: Any) -> None:
    sys.stderr.write("approxfit: interrupted; files from earlier runs are unchanged\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def run() -> None:
    """Run the command line (the ``approxfit`` script and ``python -m approxfit``)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupted_while_starting)
    from approxfit.cli.main import main

    main()
