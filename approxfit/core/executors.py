"""Where parallel work runs: a local process pool, a Dask cluster, or this process.

:func:`make_executor` turns a spec — ``"local"``, ``"serial"`` (or None) or
``"dask://HOST:PORT"`` — into a :class:`concurrent.futures.Executor` and its closer;
:func:`resolve_executor` also takes an executor of the caller's own (left open).
``pareto`` sweeps and exhaustive ``verify`` runs both use them.

The local pool's workers run :func:`approxfit.core.interrupts.worker_init`: they
ignore SIGINT and SIGTERM (only the parent decides when a run stops), die with their
parent (also on ``kill -9``) and do not hold its standard streams.  After an interrupt
the closer, called with ``cancel=True``, drops the queued tasks and kills the workers
(:func:`approxfit.core.interrupts.stop_workers`).

``distributed`` (the Dask client) is imported only when a ``dask://`` spec is given: it
is an optional extra (``approxfit[dask]``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from approxfit.core.exceptions import InputError

__all__ = ["DASK_SCHEMES", "DASK_TIMEOUT", "EXECUTOR_SPECS", "check_executor", "dask_address",
           "executor_workers", "local_pool", "make_executor", "resolve_executor"]

EXECUTOR_SPECS = ("local", "serial", "dask://HOST:PORT")
"""The executor specs, as error messages list them."""

DASK_SCHEMES = ("tcp", "tls", "ws", "wss")
"""The Dask scheduler address schemes ``dask://`` accepts (``inproc://`` exists only
inside one process, so no other process can reach it)."""

DASK_TIMEOUT = 10.0
"""Seconds to wait for a Dask scheduler before giving up."""


def local_pool(jobs: int | None = None) -> tuple[Executor, Callable[..., None]]:
    """A process pool of ``jobs`` workers (default: every core) whose workers die with
    this process (see :func:`approxfit.core.interrupts.worker_init`), and its closer:
    ``close()`` waits for the pool, ``close(cancel=True)`` drops the queued tasks and
    kills the workers."""
    from approxfit.core import interrupts

    ex = ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1,
                             initializer=interrupts.worker_init, initargs=(os.getpid(),))

    def close(cancel: bool = False) -> None:
        if not cancel:
            ex.shutdown(wait=True)
            return
        with interrupts.critical(stop=False):        # a second Ctrl-C cannot cut this short
            # The stdlib keeps the workers in ``_processes`` (pid -> Process); shutdown
            # forgets them, so they are taken first.
            procs = list((getattr(ex, "_processes", None) or {}).values())
            ex.shutdown(wait=False, cancel_futures=True)
            interrupts.stop_workers(procs)
            # Let the pool's manager thread finish closing its wake-up pipe: Python 3.11's
            # exit hook otherwise may write to it as it closes (an "Exception ignored …
            # Bad file descriptor" traceback on stderr after the interrupt's one line).
            manager = getattr(ex, "_executor_manager_thread", None)
            if manager is not None:
                manager.join(timeout=2)

    return ex, close


def dask_address(spec: str) -> str:
    """The scheduler address of ``dask://HOST:PORT`` (or ``dask://tcp://HOST:PORT``).

    >>> dask_address("dask://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'

    Raises
    ------
    InputError
        Unless the address has a host and a port 1 … 65535 and a network scheme
        (:data:`DASK_SCHEMES`).
    """
    from approxfit.core.checks import shown

    address = spec[len("dask://"):]
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    usage = "; give dask://HOST:PORT, e.g. dask://127.0.0.1:8786"
    if scheme not in DASK_SCHEMES:
        raise InputError(f"`executor` {shown(spec)}: the scheme {shown(scheme)} cannot "
                         f"reach a scheduler in another process (use "
                         f"{', '.join(DASK_SCHEMES)}){usage}")
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isascii() or not port.isdigit() \
            or not 1 <= int(port) <= 65535 or any(c in host for c in "/@ ?#"):
        raise InputError(f"`executor` {shown(spec)} is not a scheduler address{usage}")
    return f"{scheme}://{rest}"


def make_executor(spec: str | None, jobs: int | None = None, *,
                  timeout: float | None = None) -> tuple[Executor | None, Any]:
    """An executor for ``spec``: None (serial), ``"local"`` or ``"dask://HOST:PORT"``.

    Parameters
    ----------
    spec : str or None
        ``"local"`` (a process pool over ``jobs`` or all cores), ``"serial"`` or None
        (no executor: the caller runs the work itself), ``"dask://HOST:PORT"``.
    jobs : int, optional
        Workers of the local pool (default: every core).
    timeout : float, optional
        Seconds to wait for a Dask scheduler (default :data:`DASK_TIMEOUT`).

    Returns
    -------
    (executor, closer)
        Call ``closer()`` when done, or ``closer(cancel=True)`` on an interrupt: it
        drops the queued tasks and kills the workers (both None for serial).  The
        local pool's workers ignore SIGINT and SIGTERM, die with this process (also
        on ``kill -9``) and do not hold its standard streams.

    Raises
    ------
    InputError
        For an unknown spec or a malformed Dask address.
    ComputationError
        When the Dask scheduler cannot be reached within the timeout.
    """
    if spec is None or spec == "serial":
        return None, None
    if not isinstance(spec, str):
        raise InputError(f"`executor` must be local, serial, dask://HOST:PORT or an "
                         f"Executor, got {type(spec).__name__}")
    if spec == "local":
        return local_pool(jobs)
    if spec.startswith("dask://"):
        address = dask_address(spec)
        wait = DASK_TIMEOUT if timeout is None else timeout
        try:
            from distributed import Client
        except ImportError:
            raise InputError("`executor` dask://… needs dask's distributed package: "
                             "pip install 'approxfit[dask]'") from None
        from approxfit.core.exceptions import ComputationError

        try:
            client = Client(address, timeout=wait)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            raise ComputationError(f"`executor` {address}: cannot reach the Dask scheduler "
                                   f"within {wait:g} s ({reason})") from None

        def close_client(cancel: bool = False) -> None:
            client.close()

        return client.get_executor(), close_client
    from approxfit.core.checks import shown

    raise InputError(f"`executor` must be local, serial or dask://HOST:PORT, got {shown(spec)}")


def check_executor(executor: Any) -> None:
    """Check an ``executor`` argument without starting anything: None, ``"local"``,
    ``"serial"``, a well-formed ``"dask://HOST:PORT"`` or a
    :class:`concurrent.futures.Executor`.

    Raises
    ------
    InputError
        Naming ``executor``.
    """
    from approxfit.core.checks import shown

    if executor is None or isinstance(executor, Executor):
        return
    if isinstance(executor, str):
        if executor.startswith("dask://"):
            dask_address(executor)
            return
        if executor in ("local", "serial"):
            return
        raise InputError(f"`executor` must be local, serial or dask://HOST:PORT, got "
                         f"{shown(executor)}")
    raise InputError(f"`executor` must be local, serial, dask://HOST:PORT or a "
                     f"concurrent.futures.Executor, got {type(executor).__name__}")


def resolve_executor(executor: Any, jobs: int | None = None, *,
                     timeout: float | None = None) -> tuple[Executor | None, Any]:
    """:func:`make_executor` for a spec, or ``(executor, None)`` for an executor of the
    caller's own (which stays open).

    Raises
    ------
    InputError
        For anything else, naming ``executor``.
    """
    if isinstance(executor, str) or executor is None:
        return make_executor(executor, jobs, timeout=timeout)
    if isinstance(executor, Executor):
        return executor, None
    raise InputError(f"`executor` must be local, serial, dask://HOST:PORT or a "
                     f"concurrent.futures.Executor, got {type(executor).__name__}")


def executor_workers(executor: Executor) -> int:
    """How many tasks ``executor`` runs at once: a process or thread pool's
    ``max_workers``, a Dask executor's cluster threads, else the local core count."""
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            threads = client.nthreads()
            total = sum(int(v) for v in threads.values())
            if total > 0:
                return total
        except Exception:  # pragma: no cover - a cluster that does not answer
            pass
    return os.cpu_count() or 1
