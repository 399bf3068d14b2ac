"""Helpers the tests share (imported as ``tests.helpers``)."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
from pathlib import Path

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


def compile_c_filter(folder: Path, code: str, cc: str) -> Path:
    """Compile exported C defining ``float g(float)`` into a filter that reads float32
    values on stdin and writes g of each on stdout (``-ffp-contract=off``: the compiler
    fuses nothing the code does not).  Returns the executable's path."""
    src = folder / "g.c"
    src.write_text(code + "\n#include <stdio.h>\nint main(void) { float v, y;\n"
                   "  while (fread(&v, sizeof v, 1, stdin) == 1) { y = g(v);\n"
                   "    if (fwrite(&y, sizeof y, 1, stdout) != 1) return 1; }\n"
                   "  return 0; }\n")
    exe = folder / "g"
    subprocess.run([cc, "-std=c99", "-O2", "-ffp-contract=off", str(src), "-o", str(exe),
                    "-lm"], check=True, capture_output=True, text=True)
    return exe
