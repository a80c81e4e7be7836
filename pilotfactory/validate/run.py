"""The validate step: every registered rule, catalog and estate rules once, then pilot rules for each pilot."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.resolve import Resolution, TypedPilot
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.facts import PilotFacts, facts_of
from pilotfactory.validate.registry import RULES

# The one list of rule areas: importing a module registers its rules.
from pilotfactory.validate import (  # noqa: F401  (imported for registration)
    config, change_control, security, names, owners, tasks, schedules, environments, compute, release,
    monitoring, placement, decommission,
)

__all__ = ["validate", "validate_catalog", "validate_pilot"]


def validate_catalog(catalog: Catalog, resolution: Resolution, facts: list[PilotFacts], diags: Diagnostics) -> None:
    """The catalog rules (config/ only) and the estate rules (every pilot's facts), in registry order."""
    for rule in RULES.values():
        if rule.scope == "catalog":
            rule.check(catalog, resolution, diags)
        elif rule.scope == "estate":
            rule.check(catalog, facts, diags)


def validate_pilot(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Every pilot rule on one pilot."""
    for rule in RULES.values():
        if rule.scope == "pilot":
            rule.check(catalog, typed, diags)


def validate(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Check every cross-field and cross-file rule; append what fails to `diags`."""
    estate = any(rule.scope == "estate" for rule in RULES.values())
    validate_catalog(catalog, resolution, [facts_of(t) for t in resolution.pilots] if estate else [], diags)
    for typed in resolution.pilots:
        validate_pilot(catalog, typed, diags)
