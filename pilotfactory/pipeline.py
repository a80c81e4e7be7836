"""The pipeline, in order: each step is a named function below, reading what the one before returned.

    load     config/ and catalog/ YAML                 -> Catalog (typed config, templates, raw pilots)
    resolve  Catalog                                   -> Resolution (typed pilots, one ResolvedPilot per env)
    validate Catalog, Resolution                       -> diagnostics only
    gates    Catalog, Resolution                       -> GateResults, and a new Resolution without
                                                          the environments a pilot has not earned
    synth    Checked                                   -> cdktf.out/ (stacks/, imported lazily), after
                                                          the guardrail rules (PFG...) pass on every stack

Every diagnostic carries the step that reported it. Nothing after `validate` runs when any step
reported an error; synth does not run when gates did. No step changes what an earlier one returned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from pilotfactory.catalog.load import Catalog, load_catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import Resolution, TypedPilot, resolve as resolve_catalog
from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, PilotFactoryError
from pilotfactory.gates.earn import GateResults, gates as earn_gates, withhold_unearned
from pilotfactory.validate.run import validate as run_rules

__all__ = ["Checked", "check", "load", "resolve", "validate", "gates", "synth", "unknown_pilot", "STEPS"]

STEPS = ("load", "resolve", "validate", "gates", "synth")


@dataclass(frozen=True)
class Checked:
    catalog: Catalog
    resolution: Resolution        # after gates: only the environments each pilot earned
    diagnostics: Diagnostics
    gates: GateResults | None = None  # None when an earlier step reported an error

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors and self.resolution.catalog is not None

    def pilot(self, name: str) -> TypedPilot:
        """The pilot named `name`; a user error naming the closest one otherwise."""
        for typed in self.resolution.pilots:
            if typed.pilot.name == name:
                return typed
        raise PilotFactoryError(unknown_pilot(name, [t.pilot.name for t in self.resolution.pilots]))


def unknown_pilot(name: str, known) -> str:
    return f"no pilot `{name}` in catalog/pilots/{suggest(name, known)}"


def load(root: Path, diags: Diagnostics, replaced: Mapping[str, str] | None = None) -> Catalog:
    """Reads config/, catalog/templates/ and catalog/pilots/; returns the Catalog."""
    with diags.step("load"):
        return load_catalog(root, diags, replaced)


def resolve(catalog: Catalog, diags: Diagnostics) -> Resolution:
    """Reads the Catalog; returns each pilot typed, and resolved per environment its phase reaches."""
    with diags.step("resolve"):
        return resolve_catalog(catalog, diags)


def validate(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Reads the Catalog and Resolution; returns nothing, reports what the validate rules find."""
    with diags.step("validate"):
        run_rules(catalog, resolution, diags)


def gates(catalog: Catalog, resolution: Resolution, diags: Diagnostics,
          today: dt.date | None) -> tuple[GateResults, Resolution]:
    """Reads the Catalog, Resolution and evidence/; returns the GateResults and a new Resolution
    holding only the environments each pilot earned."""
    with diags.step("gates"):
        results = earn_gates(catalog, resolution, diags, today)
    return results, withhold_unearned(resolution, results)


def check(root: Path, replaced: Mapping[str, str] | None = None, *,
          today: dt.date | None = None) -> Checked:
    """load -> resolve -> validate -> gates, collecting every diagnostic on the way.

    `replaced`: repository-relative file -> text to check in its place (an edit not yet written).
    `today`: the date evidence is judged against (default: pilotfactory.gates.clock.today()).
    """
    diags = Diagnostics()
    catalog = load(root, diags, replaced)
    resolution = resolve(catalog, diags)
    validate(catalog, resolution, diags)
    if diags.has_errors or resolution.catalog is None:
        return Checked(catalog, resolution, diags)
    results, earned = gates(catalog, resolution, diags, today)
    return Checked(catalog, earned, diags, results)


def synth(checked: Checked, outdir: Path, engine: str, *, on_stack: Callable[[str], None] | None = None,
          cache=None) -> list[str]:
    """Reads a Checked catalog without errors; writes every earned stack to `outdir` (replaced only
    when all stacks synthesized and passed the guardrails) and returns the stack names."""
    from pilotfactory.synth.build import synthesize

    if not checked.ok:
        raise DiagnosticsError(checked.diagnostics)
    return synthesize(checked.resolution.catalog, outdir, engine, on_stack=on_stack, cache=cache)
