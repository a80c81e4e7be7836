"""The pipeline, in order. Each step reads what the one before produced and adds to `diags`.

    load     reads config/ and catalog/ YAML          -> Catalog (typed config, templates, raw pilots)
    resolve  layers template defaults, pilot, overlay -> typed pilots, one ResolvedPilot per env
    validate checks rules across fields and files     -> diagnostics only
    gates    earns each pilot's declared phase        -> GateResults; drops unearned environments
    synth    builds the cdktf App from the resolution -> cdktf.out/ (stacks/, imported lazily)
             then runs the guardrail rules (PFG...) on every stack before swapping it in

Nothing after `validate` runs when any step reported an error; synth does not run when gates did.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from pilotfactory.catalog.load import Catalog, load_catalog
from pilotfactory.diagnostics.diagnostic import Diagnostics, PilotFactoryError
from pilotfactory.catalog.parse import suggest
from pilotfactory.gates.earn import GateResults, gates
from pilotfactory.catalog.resolve import Resolution, TypedPilot, resolve
from pilotfactory.validate.run import validate

__all__ = ["Checked", "check", "unknown_pilot", "STEPS"]

STEPS = ("load", "resolve", "validate", "gates", "synth")


@dataclass
class Checked:
    catalog: Catalog
    resolution: Resolution
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


def check(root: Path, replaced: Mapping[str, str] | None = None, *,
          today: dt.date | None = None) -> Checked:
    """load -> resolve -> validate -> gates, collecting every diagnostic on the way.

    `replaced`: repository-relative file -> text to check in its place (an edit not yet written).
    `today`: the date evidence is judged against (default: pilotfactory.gates.clock.today()).
    """
    diags = Diagnostics()
    catalog = load_catalog(root, diags, replaced)
    resolution = resolve(catalog, diags)
    validate(catalog, resolution, diags)
    checked = Checked(catalog, resolution, diags)
    if not diags.has_errors and resolution.catalog is not None:
        checked.gates = gates(catalog, resolution, diags, today)
    return checked
