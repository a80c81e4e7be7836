"""The documents step: synthesize, read the stacks back, render each pilot's hand-over documents.

Generated files are managed: written only when their content changed, each with a marker
naming its source and the command that regenerates it.
"""
from __future__ import annotations

from pathlib import Path

from pilotfactory.files.generated import sync_files
from pilotfactory.pipeline import Checked, synth
from pilotfactory.tfjson.stackfacts import read_stack

__all__ = ["DEFAULT_OUT", "synthesize_stacks", "pilot_documents", "write_documents"]

DEFAULT_OUT = "docs/pilots"


def synthesize_stacks(checked: Checked, scratch: Path, engine: str) -> Path:
    """Synthesize the whole catalog into `scratch`; returns its stacks/ folder. Unchanged stacks
    come from the stack cache, so `make synth` followed by `pilotfactory docs` builds them once."""
    from pilotfactory.synth.cache import StackCache

    root = checked.catalog.root
    synth(checked, scratch / "cdktf.out", engine, cache=(root, StackCache.at(root)))
    return scratch / "cdktf.out" / "stacks"


def pilot_documents(checked: Checked, stacks: Path, only: str | None = None) -> dict[str, str]:
    """`<pilot>/<document>` -> Markdown for every pilot (or only `only`)."""
    from generators.pilot_docs import EnvDocs, PilotDocsInput, render_pilot_documents

    catalog = checked.catalog
    resolved = checked.resolution.catalog
    out: dict[str, str] = {}
    for typed in checked.resolution.pilots:
        name = typed.pilot.name
        if only is not None and name != only:
            continue
        envs = tuple(EnvDocs(rp, read_stack(stacks / rp.stack_id / "cdk.tf.json"))
                     for rp in resolved.pilots if rp.name == name)
        data = PilotDocsInput(typed.pilot, typed.file, envs, catalog.roles, catalog.gates)
        for document, text in render_pilot_documents(data).items():
            out[f"{name}/{document}"] = text
    if only is not None and not out:
        checked.pilot(only)  # raises, naming the closest pilot
    return out


def write_documents(out_dir: Path, documents: dict[str, str], *, check_only: bool = False) -> list[str]:
    """Write each document whose content differs; returns the relative paths that differ."""
    return sync_files(out_dir, dict(sorted(documents.items())), check_only=check_only)
