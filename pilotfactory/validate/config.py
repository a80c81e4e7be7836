"""Validate rules on config/: standards, environments and roles agree with themselves."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model import PHASES
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import catalog_rule


@catalog_rule(Code.LOOSENS_STANDARD)
def sizes_allow_only_standard_node_types(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Every node type a size tier allows is one of the standard `node_types`."""
    standards = catalog.standards
    if standards is None:
        return
    src = catalog.config_sources["standards"]
    for size, tier in standards.sizes.items():
        for i, node in enumerate(tier.node_types):
            if node not in standards.node_types:
                path = ("sizes", size, "node_types", i)
                diags.error(Code.LOOSENS_STANDARD, f"size `{size}` allows node type `{node}`, "
                            f"which is not in `node_types`{suggest(node, standards.node_types)}",
                            src.where(path), path)


@catalog_rule(Code.ENV_LAYOUT)
def environments_form_one_promotion_path(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Environments are listed in promotion order; one that creates a workspace has an account."""
    envs = catalog.environments
    if envs is None:
        return
    src = catalog.config_sources["environments"]
    ranks = [PHASES.index(e.min_phase) for e in envs.environments.values()]
    if ranks != sorted(ranks):
        diags.error(Code.ENV_LAYOUT, "environments must be listed in promotion order "
                    "(min_phase pilot, then staging, then production)",
                    src.where(("environments",), key=True), ("environments",))
    for name, env in envs.environments.items():
        if env.workspace.create is not None and envs.account is None:
            path = ("environments", name, "workspace", "create")
            diags.error(Code.ENV_LAYOUT, f"environment `{name}` creates a workspace, which needs "
                        "`account` (the Databricks account id) at the top of the file",
                        src.where(path, key=True), path)


@catalog_rule(Code.NO_SQL_WAREHOUSE)
def environments_have_a_sql_warehouse(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """An environment without `sql_warehouse_id` gets no SQL alerts or dashboard (a warning)."""
    envs = catalog.environments
    if envs is None:
        return
    src = catalog.config_sources["environments"]
    for name, env in envs.environments.items():
        if env.sql_warehouse_id is None:
            path = ("environments", name)
            diags.warning(Code.NO_SQL_WAREHOUSE, f"environment `{name}` has no `sql_warehouse_id`: its "
                          "pilots get no freshness or failure-rate alerts and no dashboard",
                          src.where(path, key=True), path)


@catalog_rule(Code.UNKNOWN_GROUP)
def roles_name_declared_groups(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """`platform_admins` and every role name a group declared under `groups`."""
    roles = catalog.roles
    if roles is None:
        return
    src = catalog.config_sources["roles"]
    names = [roles.platform_admins, *roles.roles.values()]
    paths = [("platform_admins",)] + [("roles", r) for r in roles.roles]
    for group, path in zip(names, paths):
        if group not in roles.groups:
            diags.error(Code.UNKNOWN_GROUP, f"group `{group}` is not declared under `groups`"
                        f"{suggest(group, roles.groups)}", src.where(path), path)


@catalog_rule(Code.SIGNER_NOT_MEMBER)
def allowed_signers_are_members(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Every principal of the allowed-signers file is a member of a group in config/roles.yaml."""
    if catalog.signers is None or catalog.roles is None:
        return
    people = {m.lower() for group in catalog.roles.groups.values() for m in group.members}
    for principal in catalog.signers:
        if principal.is_pattern:
            diags.error(Code.SIGNER_NOT_MEMBER, f"allowed signer `{principal.name}` is a pattern: its key could "
                        "sign approvals as anyone it matches; list each member of config/roles.yaml by name",
                        principal.where)
        elif principal.name.lower() not in people:
            diags.error(Code.SIGNER_NOT_MEMBER, f"allowed signer `{principal.name}` is not a member of any group "
                        f"in config/roles.yaml{suggest(principal.name, sorted(people))}: remove the key, or add "
                        "the person to the group they sign for", principal.where)
