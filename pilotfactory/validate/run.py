"""The validate step: every registered rule, catalog rules once, then pilot rules for each pilot."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import RULES

# The one list of rule areas: importing a module registers its rules.
from pilotfactory.validate import (  # noqa: F401  (imported for registration)
    config, change_control, security, names, owners, tasks, schedules, environments, compute, release,
    monitoring, placement, decommission,
)

__all__ = ["validate"]


def validate(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Check every cross-field and cross-file rule; append what fails to `diags`."""
    for rule in RULES.values():
        if rule.scope == "catalog":
            rule.check(catalog, resolution, diags)
    pilot_rules = [rule for rule in RULES.values() if rule.scope == "pilot"]
    for typed in resolution.pilots:
        for rule in pilot_rules:
            rule.check(catalog, typed, diags)
