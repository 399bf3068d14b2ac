"""The memory this machine has, and the check made before a large allocation.

Policy: approxfit refuses, with :class:`~approxfit.core.exceptions.InputError`, a
computation whose estimated peak memory exceeds :data:`MEMORY_FRACTION` (one half) of
the memory available when it starts (``MemAvailable`` in ``/proc/meminfo``; elsewhere
free physical pages from :func:`os.sysconf`). Half leaves room for the estimate's error
and for the other processes on the machine. When the available memory cannot be read,
nothing is refused.
"""

from __future__ import annotations

import os

from approxfit.core.exceptions import InputError

__all__ = ["MEMORY_FRACTION", "available_memory", "format_bytes", "require_memory"]

#: The share of the available memory one computation may use.
MEMORY_FRACTION = 0.5


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or None when unknown.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux); falls back to
    ``SC_AVPHYS_PAGES × SC_PAGE_SIZE`` from :func:`os.sysconf`.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    parts = line.split()
                    scale = 1024 if len(parts) > 2 and parts[2].lower() == "kb" else 1
                    return int(parts[1]) * scale
    except (OSError, ValueError, IndexError):
        pass
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages > 0 and size > 0:
        return int(pages) * int(size)
    return None


def format_bytes(nbytes: float) -> str:
    """``"12.4 GiB"``, ``"310 MiB"``, ``"12 KiB"`` (binary units)."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            v = nbytes / scale
            return f"{v:.1f} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{int(nbytes)} B"


def require_memory(nbytes: float, what: str, *, available: int | None = None) -> None:
    """Raise :class:`InputError` if ``nbytes`` exceeds the share approxfit may use.

    Parameters
    ----------
    nbytes : float
        The estimated peak memory of the computation, in bytes.
    what : str
        What needs it, with the parameter to change in backticks, e.g.
        ``"`samples` = 10000000 at 31 terms"``.
    available : int, optional
        The available memory in bytes; default :func:`available_memory`.

    Raises
    ------
    InputError
        "`samples` = 10000000 at 31 terms needs about 12.4 GiB; 20.1 GiB are available
        and approxfit uses at most half".
    """
    avail = available_memory() if available is None else available
    if avail is None:
        return
    if nbytes > MEMORY_FRACTION * avail:
        raise InputError(f"{what} needs about {format_bytes(nbytes)}; {format_bytes(avail)} "
                         "are available and approxfit uses at most half")
