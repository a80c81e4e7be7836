"""Validate rules on where a pilot's data may live: restricted data only in catalogs approved for it."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.RESTRICTED_PLACEMENT)
def restricted_data_only_in_approved_catalogs(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A pilot classified `restricted` reaches only environments that name a `restricted_catalog`."""
    if catalog.environments is None or typed.pilot.data_classification != "restricted":
        return
    envs = catalog.environments.environments
    # The declared phase, not the earned one: a gate passed later must not open an unapproved catalog.
    for name in reached_environments(catalog, typed.pilot.phase):
        if envs[name].restricted_catalog is None:
            path = ("data_classification",)
            diags.error(Code.RESTRICTED_PLACEMENT,
                        f"restricted data may only live in a catalog approved for it, and environment `{name}` "
                        f"(reached in phase `{typed.pilot.phase}`) approves none: its catalog "
                        f"`{envs[name].catalog}` is not marked. Set `restricted_catalog` for `{name}` in "
                        "config/environments.yaml, or keep the pilot out of it",
                        typed.source.where(path), path)
