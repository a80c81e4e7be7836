"""Validate rules on `owners:`: declared groups, and makers who are neither their own approvers nor
their own sponsor."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
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


@pilot_rule(Code.SPONSOR_IS_MAKER)
def sponsor_is_not_a_maker(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """The executive sponsor, whose recorded decision lets the pilot scale (`outcome_decision`), is
    not a member of its builders group: a builder named sponsor would decide on their own work."""
    if catalog.roles is None:
        return
    owners = typed.pilot.owners
    group = catalog.roles.groups.get(owners.builders)
    members = {m.lower() for m in (group.members if group is not None else [])}
    if owners.executive_sponsor.lower() in members:
        path = ("owners", "executive_sponsor")
        diags.error(Code.SPONSOR_IS_MAKER, f"executive sponsor {owners.executive_sponsor} is a member of the "
                    f"builders group `{owners.builders}` (config/roles.yaml): the sponsor decides whether the "
                    "pilot scales, and makers never decide on their own work", typed.source.where(path), path)


@pilot_rule(Code.UNKNOWN_GROUP)
def owner_groups_are_declared(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Builders, approvers and the on-call group are groups that config/roles.yaml declares."""
    if catalog.roles is None:
        return
    for role in ("builders", "approvers", "on_call_group"):
        group = getattr(typed.pilot.owners, role)
        if group is not None and group not in catalog.roles.groups:
            path = ("owners", role)
            diags.error(Code.UNKNOWN_GROUP, f"group `{group}` is not declared in config/roles.yaml"
                        f"{suggest(group, catalog.roles.groups)}", typed.source.where(path), path)


@pilot_rule(Code.NO_ON_CALL_GROUP)
def on_call_has_a_group_where_it_acts(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A pilot whose on-call acts somewhere (runs jobs, a protected environment, blue/green) names `owners.on_call_group`."""
    owners, pilot = typed.pilot.owners, typed.pilot
    if owners.on_call_group is not None or catalog.environments is None:
        return
    envs = catalog.environments.environments
    # Viewing is all on-call does elsewhere (the default in dev); leaving that out narrows nothing.
    acts = [name for name in reached_environments(catalog, pilot.phase)
            if envs[name].protected or envs[name].job_access.on_call != "CAN_VIEW"]
    if acts:
        levels = ", ".join(f"{name}: {envs[name].job_access.on_call}" for name in acts)
        why = f"on-call acts where it deploys ({levels})"
    elif pilot.release.strategy == "blue_green":
        why = "it releases blue/green, and on-call holds the emergency rollback rights"
    else:
        return
    path = ("owners", "on_call")
    # Catalogs written before on_call_group granted on-call to `on_call`, a mailing list no workspace knows.
    diags.error(Code.NO_ON_CALL_GROUP,
                f"`owners.on_call_group` is missing and {why}: on-call's access goes to a workspace group, "
                f"not to `{owners.on_call}` (a paging address, no workspace principal); add "
                "`on_call_group: <the rota's group>` under `owners` and declare the group in config/roles.yaml",
                typed.source.where(path, key=True), path)
