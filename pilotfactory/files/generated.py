"""Generated files (schemas, documents, CODEOWNERS, atlantis.yaml): written whole and only when their
content changed, or, for `--check`, compared without writing anything."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from pilotfactory.files.atomic import replace_file

__all__ = ["sync_files", "sync_file"]


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def sync_files(root: Path, files: Mapping[str, str], *, check_only: bool = False) -> list[str]:
    """Bring each file (path relative to `root` -> text) up to date; returns, in the order given, the
    paths whose content differed: rewritten, or only reported as stale when `check_only`."""
    changed = []
    for rel, text in files.items():
        path = root / rel
        if _current(path) == text:
            continue
        changed.append(rel)
        if not check_only:
            replace_file(path, text.encode("utf-8"))
    return changed


def sync_file(path: Path, text: str, *, check_only: bool = False) -> bool:
    """One file: True when its content differed (and, unless `check_only`, was rewritten)."""
    return bool(sync_files(path.parent, {path.name: text}, check_only=check_only))
