"""Validate rules on `owners:`: declared groups, and makers who are not their own approvers."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.SAME_GROUPS)
def builders_are_not_approvers(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Builders and approvers are different groups: makers never approve their own change."""
    owners = typed.pilot.owners
    if owners.builders == owners.approvers:
        path = ("owners", "approvers")
        diags.error(Code.SAME_GROUPS, f"builders and approvers are both `{owners.builders}`: "
                    "makers would approve their own change", typed.source.where(path), path)


@pilot_rule(Code.UNKNOWN_GROUP)
def owner_groups_are_declared(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Builders and approvers are groups that config/roles.yaml declares."""
    if catalog.roles is None:
        return
    for role in ("builders", "approvers"):
        group = getattr(typed.pilot.owners, role)
        if group not in catalog.roles.groups:
            path = ("owners", role)
            diags.error(Code.UNKNOWN_GROUP, f"group `{group}` is not declared in config/roles.yaml"
                        f"{suggest(group, catalog.roles.groups)}", typed.source.where(path), path)
