"""SIGINT and SIGTERM handled at safe points, critical sections, and worker processes
that die with their parent.

The command line calls :func:`install` once: from then on SIGINT and SIGTERM are
*recorded* (:func:`received`) by a handler that raises :class:`KeyboardInterrupt`
only outside a critical section.  Inside :func:`critical` — the commit of output
files, the start-up of a process pool, the shutdown of one — a signal is only
recorded; the section runs to its end and the interrupt is raised when the outermost
section is left.  A section that is entered after a signal was recorded never starts
(:func:`check` raises first), so a :class:`KeyboardInterrupt` that some library code
swallowed still stops the run before anything is written.  Each file written under
approxfit's control is logged (:func:`note_written`); after an interrupt the command
line says "files from earlier runs are unchanged" only when that log is empty, which
is a fact because a commit is a critical section that completes or never starts.

Worker processes of a pool (:func:`worker_init`) ignore SIGINT and SIGTERM — the
terminal sends them to the whole process group, but only the parent decides when
the run stops — ask Linux to SIGKILL them when their parent dies (``prctl
(PR_SET_PDEATHSIG)``, so ``kill -9`` of the parent takes them along), check right
after that the parent is still alive, and move their standard streams to
``/dev/null`` so that no worker holds the caller's pipes (``out=$(approxfit …)``
returns when approxfit ends).  :func:`stop_workers` kills a pool's workers after an
interrupt.

Without :func:`install` (the Python API) nothing changes: :func:`critical` only
counts its depth, and :func:`received` stays None.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["SIGNALS", "check", "critical", "exit_status", "install", "interrupted_message",
           "note_written", "received", "stop_workers", "worker_init", "written"]

SIGNALS: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)
"""The signals approxfit handles: an interrupt from the terminal and a polite kill."""

_PR_SET_PDEATHSIG = 1

_state: dict[str, Any] = {"signal": None, "depth": 0, "written": [], "installed": False}


def _on_signal(signum: int, frame: Any) -> None:
    """Record the signal; raise KeyboardInterrupt unless inside a critical section."""
    if _state["signal"] is None:
        _state["signal"] = signum
    if _state["depth"] == 0:
        raise KeyboardInterrupt


def install() -> None:
    """Handle SIGINT and SIGTERM at safe points from now on (main thread only).

    Resets what was recorded: no signal received, no file written.
    """
    _state.update(signal=None, depth=0, written=[])
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in SIGNALS:
        signal.signal(sig, _on_signal)
    _state["installed"] = True


def received() -> int | None:
    """The first signal received since :func:`install` (None if none)."""
    return _state["signal"]


def check() -> None:
    """A safe point: raise KeyboardInterrupt if a signal has been received."""
    if _state["signal"] is not None:
        raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def critical(*, stop: bool = True) -> Iterator[None]:
    """A section that completes or never starts.

    On entry (outermost section only) a signal already received raises
    KeyboardInterrupt before anything is done.  Inside, SIGINT and SIGTERM are
    blocked in this thread (a process forked here starts with them blocked) and
    only recorded.  On leaving the outermost section the interrupt is raised if one
    arrived.  With ``stop=False`` (cleanup after an interrupt) nothing is raised on
    entry or exit, the section only cannot be cut short.
    """
    outer = _state["depth"] == 0
    if outer and stop:
        check()
    mask = _main_thread() and hasattr(signal, "pthread_sigmask")
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS) if mask else None
    _state["depth"] += 1
    try:
        yield
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)   # a held signal is recorded
        _state["depth"] -= 1
    if outer and stop:
        check()


def note_written(path: str | os.PathLike[str]) -> None:
    """Log a file replaced by this run (see :func:`interrupted_message`)."""
    _state["written"].append(os.fspath(path))


def written() -> tuple[str, ...]:
    """The files this run has replaced, in order."""
    return tuple(_state["written"])


def exit_status() -> int:
    """128 + the signal received (130 for SIGINT, 143 for SIGTERM).

    Also clears CPython's note of a KeyboardInterrupt that escaped a string ``exec``
    (typing, dataclasses and typer ``exec`` source text while they import): under
    ``python -m`` that note makes the interpreter kill itself with SIGINT after
    ``SystemExit`` (exit status -2 instead of 130).  Each string ``exec`` resets it.
    """
    exec("None", {})            # a constant string: the reset is the point
    return 128 + int(_state["signal"] or signal.SIGINT)


def interrupted_message() -> str:
    """The line printed after an interrupt: that nothing was written (when the log of
    written files is empty), else what was."""
    done = written()
    if not done:
        return "approxfit: interrupted; files from earlier runs are unchanged"
    more = f" and {len(done) - 1} more file{'s' if len(done) > 2 else ''}" \
        if len(done) > 1 else ""
    return f"approxfit: interrupted after writing {done[0][:80]}{more}"


# -- worker processes -----------------------------------------------------------------

def worker_init(parent: int) -> None:
    """Initializer of a pool's worker processes (see the module docstring).

    Parameters
    ----------
    parent : int
        The pid of the process that starts the pool; a worker whose parent is
        already gone exits at once.
    """
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)   # blocked by critical()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if os.getppid() != parent:           # the parent died before prctl took effect
        os._exit(1)
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:  # pragma: no cover
        return
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    if null > 2:
        os.close(null)


def stop_workers(processes: Iterable[Any]) -> None:
    """SIGKILL each process (``multiprocessing.Process``) and reap it (≤ 2 s each)."""
    procs = list(processes)
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=2)
