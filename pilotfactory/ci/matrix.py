"""Which stacks a change touches, for a CI matrix: stack digests at a base ref against the working tree.

No synth is needed: a stack whose digest (stackcache.py) is unchanged synthesizes to the same bytes.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pilotfactory.pipeline import check
from pilotfactory.synth.cache import code_digest, stack_digests, tree_digest

__all__ = ["MatrixEntry", "BASE_OUT", "output_dir", "changed_stacks"]


# Where CI synthesizes the base ref, to plan the destruction of stacks the head no longer has.
BASE_OUT = "base.out"


@dataclass(frozen=True)
class MatrixEntry:
    stack: str
    directory: str   # where `terraform plan` runs, relative to the repository root
    change: str      # added | changed | removed | unchanged

    def as_dict(self) -> dict[str, object]:
        # a removed stack is planned from the base's synthesis, with `terraform plan -destroy`:
        # dropping it from the matrix would leave its jobs running, unmanaged
        return {"stack": self.stack, "directory": self.directory, "change": self.change,
                "destroy": self.change == "removed"}


def output_dir(root: Path) -> str:
    """cdktf.json's `output` (default cdktf.out)."""
    try:
        return json.loads((root / "cdktf.json").read_text(encoding="utf-8")).get("output") or "cdktf.out"
    except (OSError, ValueError):
        return "cdktf.out"


def _digests(root: Path, engine: str, code: str | None) -> tuple[dict[str, str], set[str]] | None:
    """(digest of each stack synth would build, stacks withheld by their pilots' own errors or gates);
    None when an error everyone shares (config/, templates) stops everything."""
    checked = check(root)
    if not checked.usable:
        return None
    return (stack_digests(root, checked.resolution.catalog, engine, code),
            {w.stack for w in checked.withheld()})


def changed_stacks(root: Path, engine: str, base_ref: str | None) -> tuple[list[MatrixEntry], list[str]]:
    """(entries, notes): every head stack with its change against `base_ref` (all `changed` without one)."""
    from pilotfactory.review.source import export_ref

    found = _digests(root, engine, None)
    if found is None:
        from pilotfactory.review.source import CatalogErrors

        raise CatalogErrors("working tree", check(root).diagnostics)
    head, withheld = found
    out_dir = output_dir(root)
    notes: list[str] = []
    base: dict[str, str] | None = None
    if base_ref is not None:
        with tempfile.TemporaryDirectory(prefix="pilotfactory-matrix-") as tmp:
            catalog_root, top = export_ref(root, base_ref, Path(tmp))
            code = tree_digest(top) if (top / "pilotfactory" / "__init__.py").is_file() else code_digest()
            base_found = _digests(catalog_root, engine, code)
            base = base_found[0] if base_found else None
        if base is None:
            notes.append(f"the catalog at {base_ref} does not validate with this code: every stack is listed")
    entries = []
    for stack, digest in head.items():
        if base is None:
            change = "changed"
        else:
            change = "added" if stack not in base else "changed" if base[stack] != digest else "unchanged"
        entries.append(MatrixEntry(stack, f"{out_dir}/stacks/{stack}", change))
    for stack in (base or {}):
        if stack not in head:
            # a stack its pilot's own errors or gates withhold is not removed: it stays as deployed
            if stack in withheld:
                entries.append(MatrixEntry(stack, f"{out_dir}/stacks/{stack}", "withheld"))
            else:
                entries.append(MatrixEntry(stack, f"{BASE_OUT}/stacks/{stack}", "removed"))
    return entries, notes
