"""A wall-clock and memory budget for a computation that could run away (sympy).

Symbolic work — a series expansion, ``solve``, ``simplify`` — can take minutes and
gigabytes on an input of a few characters, in C-level big-integer code that no
``signal.alarm`` interrupts.  :func:`run_bounded` therefore runs the computation in a
**forked child process** whose address space is capped with
``resource.setrlimit(RLIMIT_AS, …)`` (the budget counts *on top of* what the process
already maps when it forks) and whose CPU time is capped with ``RLIMIT_CPU`` as a
backstop; the parent waits at most the wall-clock budget, then kills the child with
SIGKILL.  The result (or the exception the computation raised) comes back pickled
through a pipe, so a caller sees the same return value or the same
:class:`~approxfit.core.exceptions.ApproxfitError` as if it had run in-process.  A
computation that exceeds its budget raises :class:`ComputationError`:
"the symbolic computation exceeded its budget of 120 s / 2 GiB (time); …".

The child ignores SIGINT and SIGTERM (the terminal sends them to the whole process
group; the parent decides), asks Linux to SIGKILL it when the parent dies
(``prctl(PR_SET_PDEATHSIG)``, so ``kill -9`` of the parent takes it along), moves its
standard streams to ``/dev/null`` and leaves with ``os._exit`` (no atexit handler, no
buffered output of the parent is written twice).  If the parent is interrupted while
it waits, the child is killed and reaped before the interrupt propagates.

When the bound is not applied
-----------------------------
Forking is only safe in a process with one thread: a child forked while another
thread holds a lock (the import lock, a logging lock) can deadlock, and would then be
reported as over budget.  So the computation runs **in the calling process, without
the process budget**, when

* other Python threads are alive (``threading.active_count() > 1``: called from a
  thread, a Jupyter kernel, a web server's worker threads),
* the platform has no ``fork`` (Windows), or
* the call is already inside a bounded child (nested calls share the outer budget).

There it is bounded only by the limits of the safe parser
(:mod:`approxfit.core.expr`).  A caller that needs the bound from a threaded program
can run approxfit in a single-threaded worker process of its own.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from approxfit.core.exceptions import ComputationError, InputError

__all__ = ["DEFAULT_MEMORY_GIB", "DEFAULT_SECONDS", "Budget", "bounded_here", "check_budget",
           "run_bounded"]

#: Default wall-clock budget of one symbolic computation, in seconds.
DEFAULT_SECONDS = 120.0
#: Default memory budget, in GiB on top of what the process maps when it starts one.
DEFAULT_MEMORY_GIB = 2.0
_MAX_SECONDS = 86400.0
_MAX_MEMORY_GIB = 1024.0
_PR_SET_PDEATHSIG = 1
_state = {"child": False}


@dataclass(frozen=True)
class Budget:
    """How long and how much memory one bounded computation may take.

    Attributes
    ----------
    seconds : float
        Wall-clock seconds, > 0 (default :data:`DEFAULT_SECONDS`).
    memory_gib : float
        GiB of address space beyond what the process maps when the computation
        starts, > 0 (default :data:`DEFAULT_MEMORY_GIB`).
    """

    seconds: float = DEFAULT_SECONDS
    memory_gib: float = DEFAULT_MEMORY_GIB

    def __post_init__(self) -> None:
        for name, value, top in (("seconds", self.seconds, _MAX_SECONDS),
                                 ("memory_gib", self.memory_gib, _MAX_MEMORY_GIB)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"`budget` {name} must be a number, got "
                                 f"{type(value).__name__}")
            if not (math.isfinite(value) and 0 < value <= top):
                raise InputError(f"`budget` {name} must be > 0 and at most {top:g}, got "
                                 f"{value!r}")

    def describe(self) -> str:
        """``"120 s / 2 GiB"``."""
        return f"{self.seconds:g} s / {self.memory_gib:g} GiB"


def check_budget(budget: Any) -> Budget:
    """``budget`` as a :class:`Budget`: None gives the defaults.

    Raises
    ------
    InputError
        If ``budget`` is neither None nor a :class:`Budget`.
    """
    if budget is None:
        return Budget()
    if not isinstance(budget, Budget):
        raise InputError(f"`budget` must be an approxfit Budget or None, got "
                         f"{type(budget).__name__}")
    return budget


def bounded_here() -> bool:
    """Whether :func:`run_bounded` would run in a bounded child process from here."""
    return (hasattr(os, "fork") and not _state["child"]
            and threading.active_count() == 1)


def run_bounded(fn: Callable[..., Any], *args: Any, budget: Budget | None = None,
                what: str = "the symbolic computation", advice: str = "",
                **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` within ``budget`` (see the module docstring).

    Parameters
    ----------
    fn : callable
        A module-level function; its result and exceptions must pickle.
    *args, **kwargs
        Its arguments.
    budget : Budget, optional
        Default: :data:`DEFAULT_SECONDS` and :data:`DEFAULT_MEMORY_GIB`.
    what : str
        What is computed, for the message.
    advice : str
        What to try instead, appended to the message (``"try a lower `degree`"``).

    Returns
    -------
    Any
        What ``fn`` returned.

    Raises
    ------
    ComputationError
        If the child exceeded its time or memory budget or died of a signal.
    Exception
        Whatever ``fn`` raised, with its type and message (its traceback stays in the
        child).
    """
    budget = check_budget(budget)
    if not bounded_here():
        return fn(*args, **kwargs)
    tail = f"; {advice}" if advice else ""
    over = f"{what} exceeded its budget of {budget.describe()}"
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the child: never returns
        _child(read_fd, write_fd, parent, budget, fn, args, kwargs)
    os.close(write_fd)
    done = False
    try:
        data = _read_until(read_fd, budget.seconds)
        if data is None:
            raise ComputationError(f"{over} (time){tail}")
        _, status = os.waitpid(pid, 0)
        done = True
    finally:
        os.close(read_fd)
        if not done:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
    if not data:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig in (signal.SIGKILL, getattr(signal, "SIGXCPU", None)):
            raise ComputationError(f"{over} (killed by signal {sig}){tail}")
        raise ComputationError(f"{what} ended abnormally (status {status}), possibly at its "
                               f"memory budget of {budget.memory_gib:g} GiB{tail}")
    kind, payload = pickle.loads(data)
    if kind == "ok":
        return payload
    if kind == "memory":
        raise ComputationError(f"{over} (memory){tail}")
    if kind == "recursion":
        raise ComputationError(f"{what} nested too deeply (recursion limit){tail}")
    raise payload


def _read_until(fd: int, seconds: float) -> bytes | None:
    """All bytes until EOF, or None when ``seconds`` pass first."""
    import time

    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(read_fd: int, write_fd: int, parent: int, budget: Budget,
           fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Set the child up, run ``fn``, send its outcome, and leave with ``os._exit``."""
    code = 0
    try:
        os.close(read_fd)
        _state["child"] = True
        _child_setup(parent, budget)
        try:
            outcome: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError:
            outcome = ("memory", None)
        except RecursionError:
            outcome = ("recursion", None)
        except Exception as exc:         # raised again, with its type, in the parent
            outcome = ("error", exc)
        try:
            data = pickle.dumps(outcome)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception as exc:         # an unpicklable result or exception
            text = f"{type(exc).__name__}: {exc}"[:300]
            data = pickle.dumps(("error", ComputationError(f"unpicklable outcome ({text})")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:                # the parent sees EOF without data
        code = 1
    finally:
        os._exit(code)


def _child_setup(parent: int, budget: Budget) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL),
                                                    0, 0, 0)
    if os.getppid() != parent:                   # the parent died before prctl took effect
        os._exit(1)
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        if null > 2:
            os.close(null)
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    extra = int(budget.memory_gib * 2**30)
    _limit(resource, resource.RLIMIT_AS, _mapped_bytes() + extra)
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    _limit(resource, resource.RLIMIT_CPU, int(used + budget.seconds) + 2)


def _limit(resource: Any, which: int, soft: int) -> None:
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))


def _mapped_bytes() -> int:
    """The address space this process maps now (VmSize), 0 when unknown."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    return 0
