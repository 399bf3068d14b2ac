"""Deterministic JSON and atomic file writes.

Every file approxfit writes goes through :func:`write_atomic`: the bytes go to a
temporary file in the destination's folder, are flushed to disk, and replace the
destination with :func:`os.replace` — a reader sees the old file or the new one,
never half of one.  JSON is written by :func:`dumps` with sorted keys and floats
in Python's shortest round-trip form, so the same numbers give the same bytes.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from approxfit.core.exceptions import InputError

__all__ = ["check_writable", "dumps", "jsonable", "write_atomic"]


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


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + :func:`os.replace`)."""
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".",
                               prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return p
