"""Replacing a file whole: a reader, or a crash, sees the old content or the new, never half."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_file", "create_file"]


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` beside `path`, then rename it over `path`; keeps an existing file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(scratch, mode)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def create_file(path: Path, data: bytes) -> None:
    """Create `path` whole, never half-written and never over an existing file (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.link(scratch, path)  # fails if a file of that name exists
    finally:
        Path(scratch).unlink(missing_ok=True)
