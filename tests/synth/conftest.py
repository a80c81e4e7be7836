"""What the synth tests share: a folder's files as bytes, and a checked catalog that must be valid."""
from __future__ import annotations

from pathlib import Path

from pilotfactory.pipeline import check


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by its relative path: two outputs are the same when these are equal."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def valid_catalog(root: Path):
    """The resolved catalog under `root`, which the test expects to have no errors."""
    checked = check(root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return checked.resolution.catalog
