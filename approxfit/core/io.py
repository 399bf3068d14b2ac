"""Deterministic JSON, atomic file writes, and all-or-nothing sets of files.

Every file approxfit writes goes through :func:`write_atomic` or :func:`write_files`.
:func:`write_atomic` writes one file: the bytes go to a temporary file with a short
name (``.afXXXXXXXX.tmp``, so a destination name of up to 255 characters still
works) in the destination's folder, are flushed to disk, and replace the destination
with :func:`os.replace` — a reader sees the old file or the new one, never half of
one.  JSON is written by :func:`dumps` with sorted keys and floats in Python's
shortest round-trip form, so the same numbers give the same bytes.

:func:`write_files` writes a *set* of files into a folder all or nothing.  Design:

1. **Stage.**  Every file is written in full (and fsynced) into a staging folder
   ``.afXXXXXXXX.stage`` created *inside* the output folder — a sibling of the
   files it will replace, so on the same filesystem, and renames cannot fail for
   want of space.  Every write error (no space, file too large, read-only
   filesystem, no permission, a name too long) happens here, before any
   destination is touched; the staging folder is then removed and the error
   raised as one :class:`ComputationError` that says the folder is unchanged.
   A destination that exists and is not a regular file (a folder named
   ``claims.json``) is refused before staging.
   The staging folder is created, locked and registered for removal inside a
   critical section, so an interrupt cannot fall between its creation and the
   ``try`` that removes it; the removal after a failure or an interrupt is itself
   a section that a second signal cannot cut short.
2. **Commit** — a critical section (:func:`approxfit.core.interrupts.critical`):
   a SIGINT or SIGTERM that arrives meanwhile is held until it ends, and one that
   arrived before makes it never start.  Each existing destination is hard-linked
   into the staging folder as a backup; then a journal file ``COMMIT`` marks the
   point of no return.  The journal (the names, one a line, and a final line
   ``/``, which no file name can be) is written to ``COMMIT.tmp``, fsynced and
   renamed to ``COMMIT``, so it exists whole or not at all.  Then each staged file
   is renamed over its destination.  Should a rename fail, the renamed files are
   rolled back from the backups.  The folder is locked (``flock``) so two runs do
   not interleave.
3. **Recover.**  A process killed with SIGKILL (or a power cut) mid-commit leaves
   its staging folder with its journal; the next :func:`write_files` into that
   folder finishes the commit (rolls it forward).  A staging folder without a
   complete journal (none, or one cut short — without its final ``/`` line — as an
   older version could leave) is rolled back: a backup whose staged file is gone is
   put back, and the folder is removed.  A staging folder whose run is still alive
   (it holds its lock) is left alone.

Only the named files are replaced: anything else in the folder (results/ also
holds ``bench.*`` from scripts/bench.py, and whatever a user put there) is not
read, moved or touched.  Why not swap the whole folder with
``renameat2(RENAME_EXCHANGE)``?  A swap would give readers one instant of change,
but it replaces the folder's inode: a shell whose working directory is the output
folder (``approxfit pareto --out .``) would be left in a deleted folder, a symlink
or a mount point at the output path would break, and files another program adds
while the run stages (``scripts/bench.py`` writing into results/) would be lost.
Per-file renames under a journal keep the folder; what is given up is only that a
reader listing the folder during the few milliseconds of the commit may see some
files new and some old.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from approxfit.core import interrupts
from approxfit.core.exceptions import ComputationError, InputError

__all__ = ["STAGE_SUFFIX", "check_writable", "dumps", "jsonable", "write_atomic",
           "write_files"]

STAGE_SUFFIX = ".stage"
"""Suffix of the staging folders :func:`write_files` creates (``.afXXXXXXXX.stage``)."""
_PREFIX = ".af"
_JOURNAL = "COMMIT"
_JOURNAL_END = "/"
"""The journal's last line: not a file name, so a journal cut short lacks it."""
_BACKUP = "old"


def jsonable(obj: Any) -> Any:
    """Turn numpy scalars, tuples and non-finite floats into plain JSON values.

    NaN becomes ``null``; ±inf become the strings ``"inf"`` / ``"-inf"`` (JSON has
    no infinities).
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str | bytes):
        obj = obj.item()
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
    return obj


def dumps(obj: Any) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(jsonable(obj), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def check_writable(path: str | Path, *, what: str = "output") -> Path:
    """Raise :class:`InputError` unless ``path``'s folder exists and is writable."""
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{what} {str(p)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{what} {str(p)!r}: the folder {str(folder)!r} is not writable")
    if p.is_dir():
        raise InputError(f"{what} {str(p)!r} is a folder; give a file name")
    return p


def _write_all(fd: int, raw: bytes) -> None:
    """Write every byte of ``raw`` to ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(raw)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk (where the platform allows it)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + :func:`os.replace`).

    The temporary file's name is short (``.afXXXXXXXX.tmp``), so any destination name
    the filesystem allows works.  The replacement is a critical section
    (:func:`approxfit.core.interrupts.critical`) and is logged
    (:func:`approxfit.core.interrupts.note_written`).  An ``OSError`` propagates, with
    no temporary file left behind and the destination unchanged.
    """
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".",
                               prefix=_PREFIX, suffix=".tmp")
    try:
        try:
            _write_all(fd, raw)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)
        with interrupts.critical():
            os.replace(tmp, p)
            interrupts.note_written(p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return p


def _plain_name(name: Any) -> str:
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name
            or "\\" in name or "\0" in name):
        raise InputError(f"`files` names must be plain file names, got {name!r:.60}")
    return name


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (no-op where there is none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)                     # releases the lock


def _busy(stage: Path) -> bool:
    """Whether another live run holds ``stage`` (its lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return True
    try:
        fd = os.open(stage, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _journal_text(names: list[str]) -> bytes:
    """The journal of a commit: the names, one a line, then the line ``/``."""
    return "".join(f"{n}\n" for n in [*names, _JOURNAL_END]).encode("utf-8")


def _read_journal(journal: Path) -> list[str] | None:
    """The names of a complete journal; None if it is missing, cut short or garbled."""
    try:
        text = journal.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if len(lines) < 2 or lines[-1] != "" or lines[-2] != _JOURNAL_END:
        return None
    names = lines[:-2]
    try:
        return [_plain_name(n) for n in names]
    except InputError:
        return None


def _recover(folder: Path) -> None:
    """Finish or remove the staging folders a killed run left in ``folder``."""
    for stage in folder.glob(f"{_PREFIX}*{STAGE_SUFFIX}"):
        if not stage.is_dir() or stage.is_symlink() or _busy(stage):
            continue
        journal = stage / _JOURNAL
        names = _read_journal(journal) if journal.is_file() else None
        if names is not None:            # killed mid-commit: roll forward
            for name in names:
                src = stage / name
                if src.exists():
                    os.replace(src, folder / name)
        else:                            # no complete journal: roll back
            backup = stage / _BACKUP
            if backup.is_dir() and not backup.is_symlink():
                for old in backup.iterdir():
                    name = old.name
                    if old.is_file() and not (stage / name).exists():
                        os.replace(old, folder / name)
        _fsync_folder(folder)
        shutil.rmtree(stage, ignore_errors=True)


class _Stuck(Exception):
    """A commit that could not be rolled back (its staging folder must be kept)."""

    def __init__(self, error: ComputationError) -> None:
        super().__init__(str(error))
        self.error = error


def _failed(folder: Path, name: str, exc: OSError, state: str) -> ComputationError:
    reason = exc.strerror or str(exc)
    where = str(folder / name) if name else str(folder)
    return ComputationError(f"cannot write {where[:120]}: {reason}; {state}")


def write_files(folder: str | Path, files: Mapping[str, bytes | str]) -> list[Path]:
    """Write the files ``{name: data}`` into ``folder``, all of them or none.

    See the module docstring for the design (stage, commit, recover).  The folder
    must exist; other files in it are not touched.

    Parameters
    ----------
    folder : str or Path
        The output folder.
    files : mapping of str to bytes or str
        File names (plain names, no folders) and their contents (str is UTF-8).

    Returns
    -------
    list of Path
        The files written, in the order given.

    Raises
    ------
    InputError
        When ``folder`` is not a folder or a name is not a plain file name.
    ComputationError
        When a file cannot be written (no space, too large, read-only, a folder in
        the way …); nothing in ``folder`` has changed then.
    KeyboardInterrupt
        When a signal was received before the commit (nothing written) or during it
        (everything written; see :func:`approxfit.core.interrupts.written`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"`folder` {str(folder)[:60]!r} is not a folder")
    blobs = {_plain_name(n): d.encode("utf-8") if isinstance(d, str) else bytes(d)
             for n, d in files.items()}
    unchanged = f"nothing in {str(folder)[:60]} was changed"
    for name in blobs:
        dest = folder / name
        if dest.is_symlink() or (dest.exists() and not dest.is_file()):
            kind = "folder" if dest.is_dir() else "symlink" if dest.is_symlink() \
                else "special file"
            raise ComputationError(f"cannot write {str(dest)[:120]}: a {kind} of that name "
                                   f"is in the way; {unchanged}")
    made: list[Path] = []                # the staging folder, once it exists
    held: list[int] = []                 # its descriptor, holding its lock
    current = ""
    try:
        # No interrupt between creating the staging folder and registering it for
        # removal: the section holds SIGINT/SIGTERM and raises them when it ends.
        with interrupts.critical():
            try:
                with _locked(folder):
                    _recover(folder)
                _make_stage(folder, made)
                held.append(os.open(made[0], os.O_RDONLY))
            except OSError as exc:
                raise _failed(folder, "", exc, unchanged) from None
            try:
                import fcntl

                fcntl.flock(held[0], fcntl.LOCK_EX)   # tells _recover this run is alive
            except (ImportError, OSError):  # pragma: no cover
                pass
        stage = made[0]
        try:
            for name, raw in blobs.items():
                current = name
                fd = os.open(stage / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                try:
                    _write_all(fd, raw)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.chmod(stage / name, 0o644)
            _fsync_folder(stage)
        except OSError as exc:
            raise _failed(folder, current, exc, unchanged) from None
        with _locked(folder), interrupts.critical():
            _commit(folder, stage, list(blobs), unchanged)
    except _Stuck as exc:
        _release(held, [])
        raise exc.error from None            # the stage holds the old files: keep it
    except BaseException:
        _release(held, made)
        raise
    _release(held, made)
    return [folder / n for n in blobs]


def _make_stage(folder: Path, made: list[Path]) -> None:
    """Create a staging folder ``.afXXXXXXXX.stage`` in ``folder``, its path put in
    ``made`` *before* it is created, so that whatever interrupts the creation (a
    KeyboardInterrupt as it returns) leaves a path the caller removes."""
    import secrets

    for _ in range(100):
        path = folder / f"{_PREFIX}{secrets.token_hex(4)}{STAGE_SUFFIX}"
        made.append(path)
        try:
            os.mkdir(path, 0o700)
            return
        except FileExistsError:
            made.remove(path)
    raise FileExistsError(errno.EEXIST, "no unused name for a staging folder", str(folder))


def _release(held: list[int], made: list[Path]) -> None:
    """Close the staging folder's descriptor (its lock) and remove the folders in
    ``made``; a second signal cannot cut this short."""
    with interrupts.critical(stop=False):
        for fd in held:
            with contextlib.suppress(OSError):
                os.close(fd)
        for stage in made:
            shutil.rmtree(stage, ignore_errors=True)


def _commit(folder: Path, stage: Path, names: list[str], unchanged: str) -> None:
    """Journal, back up, rename; roll back if a rename fails (inside a critical section)."""
    backup = stage / _BACKUP
    try:
        os.mkdir(backup)
        for name in names:
            dest = folder / name
            if dest.exists():
                try:
                    os.link(dest, backup / name)
                except OSError:                    # no hard links here: copy instead
                    shutil.copy2(dest, backup / name)
        # The journal is written whole under a temporary name, then renamed: a kill
        # mid-write leaves no COMMIT (and the run is rolled back), never half of one.
        tmp = stage / f"{_JOURNAL}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            _write_all(fd, _journal_text(names))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, stage / _JOURNAL)
        _fsync_folder(stage)
    except OSError as exc:
        raise _failed(folder, "", exc, unchanged) from None
    done: list[str] = []
    try:
        for name in names:
            os.replace(stage / name, folder / name)
            done.append(name)
        _fsync_folder(folder)
    except OSError as exc:
        failed = names[len(done)]
        try:
            for name in reversed(done):
                if (backup / name).exists():
                    os.replace(backup / name, folder / name)
                else:
                    os.unlink(folder / name)
            os.unlink(stage / _JOURNAL)
        except OSError as again:
            raise _Stuck(_failed(folder, failed, exc, f"rolling back failed too "
                                 f"({again.strerror}); the old files are in {stage}")
                         ) from None
        raise _failed(folder, failed, exc, unchanged) from None
    for name in names:
        interrupts.note_written(folder / name)
