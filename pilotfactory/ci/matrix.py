"""Which stacks a change touches, for a CI matrix: stack digests at a base ref against the working tree.

No synth is needed: a stack whose digest (stackcache.py) is unchanged synthesizes to the same bytes.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pilotfactory.catalog.model.config import Environments
from pilotfactory.gates import clock
from pilotfactory.gates.stack_windows import StackWindow, stack_window
from pilotfactory.pipeline import check
from pilotfactory.synth.cache import code_digest, stack_digests, tree_digest
from pilotfactory.tfjson.stacknames import BASE_OUT, parse_stack

__all__ = ["MatrixEntry", "BASE_OUT", "output_dir", "changed_stacks", "destroy_sequence"]




@dataclass(frozen=True)
class MatrixEntry:
    stack: str
    directory: str   # where `terraform plan` runs, relative to the repository root
    change: str      # added | changed | removed | unchanged
    # a protected stack's change window now (None: unprotected): plan at any time, apply when it is open
    window: StackWindow | None = None
    decommission: bool = False           # removed because its pilot is decommissioned (a recorded decision)
    destroy_order: int | None = None     # removed stacks: apply destroys in this order (last environment first)
    destroy_after: str | None = None     # the stack of the same pilot whose destroy must be applied first

    def as_dict(self) -> dict[str, object]:
        # a removed stack is planned from the base's synthesis, with `terraform plan -destroy`:
        # dropping it from the matrix would leave its jobs running, unmanaged
        out: dict[str, object] = {"stack": self.stack, "directory": self.directory, "change": self.change,
                                  "destroy": self.change == "removed",
                                  "window": self.window.as_dict() if self.window else None}
        if self.change == "removed":
            out.update(decommission=self.decommission, destroy_order=self.destroy_order,
                       destroy_after=self.destroy_after)
        return out


def output_dir(root: Path) -> str:
    """cdktf.json's `output` (default cdktf.out)."""
    try:
        return json.loads((root / "cdktf.json").read_text(encoding="utf-8")).get("output") or "cdktf.out"
    except (OSError, ValueError):
        return "cdktf.out"


def _digests(root: Path, engine: str, code: str | None
             ) -> tuple[dict[str, str], set[str], Environments, set[str]] | None:
    """(digest of each stack synth would build, stacks withheld by their pilots' own errors or gates, the
    environments, decommissioned pilots); None when an error everyone shares (config/, templates) stops everything."""
    checked = check(root)
    if not checked.usable:
        return None
    return (stack_digests(root, checked.resolution.catalog, engine, code),
            {w.stack for w in checked.withheld()}, checked.resolution.catalog.environments,
            {t.pilot.name for t in checked.resolution.pilots if t.pilot.decommission is not None})


def destroy_sequence(stacks: list[str], environments: list[str]) -> list[str]:
    """`stacks` in the order to destroy them: per owner, the last environment first (prod, staging, dev).

    Why that order: every environment still running keeps the lower environments it was promoted
    through, so a destroy that fails halfway in prod can still be reproduced and its fix rehearsed in
    staging (where rollback is rehearsed), and nothing downstream outlives what it came from."""
    def rank(stack: str):
        name = parse_stack(stack, environments)
        return (name.owner, -(environments.index(name.env) if name.env in environments else len(environments)))
    return sorted(stacks, key=rank)


def _destroy_order(entries: list[MatrixEntry], environments: Environments) -> list[MatrixEntry]:
    """Removed stacks numbered in the order to destroy them (destroy_sequence), each naming the stack
    of its pilot to destroy before it; others keep their place."""
    envs = list(environments.environments)
    removed = {e.stack: e for e in entries if e.change == "removed"}
    ordered = destroy_sequence(list(removed), envs)
    numbered = []
    for i, stack in enumerate(ordered):
        before = ordered[i - 1] if i and parse_stack(ordered[i - 1], envs).owner == parse_stack(stack, envs).owner \
            else None
        numbered.append(dataclasses.replace(removed[stack], destroy_order=i, destroy_after=before))
    return [e for e in entries if e.change != "removed"] + numbered


def changed_stacks(root: Path, engine: str, base_ref: str | None) -> tuple[list[MatrixEntry], list[str]]:
    """(entries, notes): every head stack with its change against `base_ref` (all `changed` without one)."""
    from pilotfactory.review.source import export_ref

    found = _digests(root, engine, None)
    if found is None:
        from pilotfactory.review.source import CatalogErrors

        raise CatalogErrors("working tree", check(root).diagnostics)
    head, withheld, environments, retired = found
    now = clock.now()
    window = lambda stack: stack_window(stack, environments, now)  # noqa: E731
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
        entries.append(MatrixEntry(stack, f"{out_dir}/stacks/{stack}", change, window(stack)))
    for stack in (base or {}):
        if stack not in head:
            # a stack its pilot's own errors or gates withhold is not removed: it stays as deployed
            if stack in withheld:
                entries.append(MatrixEntry(stack, f"{out_dir}/stacks/{stack}", "withheld", window(stack)))
            else:
                owner = parse_stack(stack, environments.environments).owner
                entries.append(MatrixEntry(stack, f"{BASE_OUT}/stacks/{stack}", "removed", window(stack),
                                           decommission=owner in retired))
    return _destroy_order(entries, environments), notes
