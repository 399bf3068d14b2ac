"""The memory this machine has, and the check made before a large allocation.

Policy: approxfit refuses, with :class:`~approxfit.core.exceptions.InputError`, a
computation whose estimated peak memory exceeds :data:`MEMORY_FRACTION` (one half) of
the memory available when it starts. Half leaves room for the estimate's error and for
the other processes on the machine. When the available memory cannot be read, nothing
is refused.

The available memory is the least of (see :func:`memory_limits`):

* the machine's: ``MemAvailable`` in ``/proc/meminfo`` (elsewhere free physical pages
  from :func:`os.sysconf`);
* the process's own limits: ``RLIMIT_AS`` (``ulimit -v``, ``prlimit --as``) less the
  address space in use (``VmSize`` in ``/proc/self/status``), and ``RLIMIT_DATA`` less
  ``VmData`` — numpy cannot allocate beyond them, whatever the machine has free;
* the memory cgroup's (a container's, a systemd unit's): cgroup v2 ``memory.max`` less
  ``memory.current``, cgroup v1 ``memory.limit_in_bytes`` less
  ``memory.usage_in_bytes``, each less the reclaimable page cache (``inactive_file``
  in ``memory.stat``), for the process's cgroup and each of its ancestors. A limit of
  ``max`` or of 2**60 bytes and more means none.
"""

from __future__ import annotations

import os
from pathlib import Path

from approxfit.core.exceptions import InputError

__all__ = ["MEMORY_FRACTION", "available_memory", "format_bytes", "memory_limits",
           "require_memory"]

#: The share of the available memory one computation may use.
MEMORY_FRACTION = 0.5

#: A limit at or above this many bytes is no limit (cgroup v1 writes 2**63 - 4096).
_NO_LIMIT = 2**60

_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _machine_memory() -> int | None:
    """``MemAvailable`` (Linux), else ``SC_AVPHYS_PAGES × SC_PAGE_SIZE``, else None."""
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


def _status_bytes(field: str, status: str = "/proc/self/status") -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmSize``, ``VmData``) in bytes."""
    try:
        with open(status, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    parts = line.split()
                    scale = 1024 if len(parts) > 2 and parts[2].lower() == "kb" else 1
                    return int(parts[1]) * scale
    except (OSError, ValueError, IndexError):
        pass
    return None


def _rlimit_headroom() -> tuple[int, str] | None:
    """The least headroom under ``RLIMIT_AS`` and ``RLIMIT_DATA``, or None (no limit)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    best: tuple[int, str] | None = None
    for name, field, label in (("RLIMIT_AS", "VmSize", "the address-space limit (ulimit -v)"),
                               ("RLIMIT_DATA", "VmData", "the data-size limit (ulimit -d)")):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            soft, _hard = resource.getrlimit(which)
        except (OSError, ValueError):
            continue
        if soft == resource.RLIM_INFINITY or soft < 0 or soft >= _NO_LIMIT:
            continue
        used = _status_bytes(field)
        if used is None:
            continue
        room = max(int(soft) - used, 0)
        if best is None or room < best[0]:
            best = (room, label)
    return best


def _read_int(path: Path) -> int | None:
    """An integer file (``memory.max``); None when absent, ``max`` or unreadable."""
    try:
        text = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text or text == "max":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _stat_value(path: Path, keys: tuple[str, ...]) -> int:
    """The first of ``keys`` found in a ``memory.stat`` file, else 0."""
    try:
        lines = path.read_text("ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    values = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            values[parts[0]] = int(parts[1])
    for key in keys:
        if key in values:
            return values[key]
    return 0


def _cgroup_folders(root: Path, proc_cgroup: str) -> list[tuple[Path, str]]:
    """``(folder, kind)`` of the memory cgroups to read: the process's own and its
    ancestors, for v2 (``0::/path``) and v1 (``N:memory:/path``)."""
    try:
        lines = Path(proc_cgroup).read_text("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    out: list[tuple[Path, str]] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            base, kind = root, "v2"
            if not (base / "cgroup.controllers").exists():
                base = root / "unified"
        elif "memory" in parts[1].split(","):
            base, kind = root / "memory", "v1"
        else:
            continue
        rel = Path(parts[2].lstrip("/"))
        chain = [rel, *rel.parents] if str(rel) not in ("", ".") else [Path(".")]
        for sub in chain:
            out.append((base / sub, kind))
    if not out:                          # no /proc/self/cgroup: the namespace's root
        out = [(root, "v2"), (root / "memory", "v1")]
    return out


def _cgroup_headroom(root: Path = _CGROUP_ROOT,
                     proc_cgroup: str = "/proc/self/cgroup") -> int | None:
    """The least headroom under the memory cgroups' limits, or None (no limit)."""
    best: int | None = None
    seen: set[Path] = set()
    for folder, kind in _cgroup_folders(root, proc_cgroup):
        if folder in seen:
            continue
        seen.add(folder)
        if kind == "v2":
            limit = _read_int(folder / "memory.max")
            usage = _read_int(folder / "memory.current")
            cache = _stat_value(folder / "memory.stat", ("inactive_file",))
        else:
            limit = _read_int(folder / "memory.limit_in_bytes")
            usage = _read_int(folder / "memory.usage_in_bytes")
            cache = _stat_value(folder / "memory.stat", ("total_inactive_file",
                                                         "inactive_file"))
        if limit is None or usage is None or limit >= _NO_LIMIT:
            continue
        room = max(limit - max(usage - cache, 0), 0)
        best = room if best is None else min(best, room)
    return best


def memory_limits() -> list[tuple[int, str]]:
    """Every bound on the memory a new allocation may take: ``(bytes, what)`` pairs.

    ``what`` is ``"the machine"``, ``"the address-space limit (ulimit -v)"``, ``"the
    data-size limit (ulimit -d)"`` or ``"the cgroup's memory limit"``; a bound that
    cannot be read or is unlimited is left out (see the module docstring).
    """
    out: list[tuple[int, str]] = []
    machine = _machine_memory()
    if machine is not None:
        out.append((machine, "the machine"))
    rlimit = _rlimit_headroom()
    if rlimit is not None:
        out.append(rlimit)
    cgroup = _cgroup_headroom()
    if cgroup is not None:
        out.append((cgroup, "the cgroup's memory limit"))
    return out


def _tightest() -> tuple[int, str] | None:
    limits = memory_limits()
    return min(limits, key=lambda pair: pair[0]) if limits else None


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or None when unknown.

    The least of the machine's available memory, the process's ``RLIMIT_AS`` and
    ``RLIMIT_DATA`` headroom and the memory cgroup's headroom (:func:`memory_limits`).
    """
    tight = _tightest()
    return None if tight is None else tight[0]


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
        and approxfit uses at most half" (with "are available under the address-space
        limit (ulimit -v)" when a process or cgroup limit is the tighter bound).
    """
    avail = available_memory() if available is None else available
    if avail is None:
        return
    if nbytes > MEMORY_FRACTION * avail:
        where = ""
        if available is None:            # name the limit that binds, if not the machine
            tight = _tightest()
            if tight is not None and tight[1] != "the machine" and tight[0] <= 1.05 * avail:
                where = f" under {tight[1]}"
        raise InputError(f"{what} needs about {format_bytes(nbytes)}; {format_bytes(avail)} "
                         f"are available{where} and approxfit uses at most half")
