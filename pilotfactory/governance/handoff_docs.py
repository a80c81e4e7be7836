"""The documents step: synthesize, read the stacks back, render each pilot's hand-over documents.

Generated files are managed: written only when their content changed, each with a marker
naming its source and the command that regenerates it. Per pilot: a pilot any of whose stacks is
withheld (its own errors, unearned gates, a guardrail violation) gets no new documents, and its
previous ones stay as they were; every other pilot gets its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pilotfactory.files.generated import sync_files
from pilotfactory.isolation import Withheld, by_pilot
from pilotfactory.pipeline import Checked
from pilotfactory.tfjson.stackfacts import read_stack

__all__ = ["DEFAULT_OUT", "EstateStacks", "synthesize_stacks", "pilot_documents", "write_documents"]

DEFAULT_OUT = "docs/pilots"


@dataclass(frozen=True)
class EstateStacks:
    folder: Path                   # the synthesized stacks/, one folder per built stack
    withheld: dict[str, Withheld]  # pilot -> why its documents are withheld (the first of its withheld stacks)


def synthesize_stacks(checked: Checked, scratch: Path, engine: str) -> EstateStacks:
    """Synthesize every stack that can be built into `scratch` (raises GuardrailViolations only for
    the platform or account stacks, which are everyone's). Unchanged stacks come from the stack
    cache, so `make synth` followed by `pilotfactory docs` builds them once."""
    from pilotfactory.synth.build import synthesize_estate
    from pilotfactory.synth.cache import StackCache

    root = checked.catalog.root
    out = scratch / "cdktf.out"
    result = synthesize_estate(checked.resolution.catalog, out, checked.withheld(), engine,
                               cache=(root, StackCache.at(root)))
    return EstateStacks(out / "stacks", by_pilot(result.withheld))


def pilot_documents(checked: Checked, stacks: EstateStacks, only: str | None = None) -> dict[str, str]:
    """`<pilot>/<document>` -> Markdown for every pilot not withheld (or only `only`)."""
    from generators.pilot_docs import EnvDocs, PilotDocsInput, render_pilot_documents

    catalog = checked.catalog
    resolved = checked.resolution.catalog
    out: dict[str, str] = {}
    for typed in checked.resolution.pilots:
        name = typed.pilot.name
        if (only is not None and name != only) or name in stacks.withheld:
            continue
        envs = tuple(EnvDocs(rp, read_stack(stacks.folder / rp.stack_id / "cdk.tf.json"))
                     for rp in resolved.pilots if rp.name == name)
        data = PilotDocsInput(typed.pilot, typed.file, envs, catalog.roles, catalog.gates)
        for document, text in render_pilot_documents(data).items():
            out[f"{name}/{document}"] = text
    if only is not None and not out and only not in stacks.withheld:
        checked.pilot(only)  # raises, naming the closest pilot
    return out


def write_documents(out_dir: Path, documents: dict[str, str], *, check_only: bool = False) -> list[str]:
    """Write each document whose content differs; returns the relative paths that differ."""
    return sync_files(out_dir, dict(sorted(documents.items())), check_only=check_only)
