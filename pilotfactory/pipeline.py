"""The pipeline, in order. Each step reads what the one before produced and adds to `diags`.

    load     reads config/ and catalog/ YAML          -> Catalog (typed config, templates, raw pilots)
    resolve  layers template defaults, pilot, overlay -> typed pilots, one ResolvedPilot per env
    validate checks rules across fields and files     -> diagnostics only
    synth    builds the cdktf App from the resolution -> cdktf.out/ (stacks/, imported lazily)

Nothing after `validate` runs when any step reported an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog, load_catalog
from .diagnostics import Diagnostics
from .resolve import Resolution, resolve
from .validate import validate

__all__ = ["Checked", "check", "STEPS"]

STEPS = ("load", "resolve", "validate", "synth")


@dataclass
class Checked:
    catalog: Catalog
    resolution: Resolution
    diagnostics: Diagnostics

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors and self.resolution.catalog is not None


def check(root: Path) -> Checked:
    """load -> resolve -> validate, collecting every diagnostic on the way."""
    diags = Diagnostics()
    catalog = load_catalog(root, diags)
    resolution = resolve(catalog, diags)
    validate(catalog, resolution, diags)
    return Checked(catalog, resolution, diags)
