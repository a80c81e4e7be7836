"""Before a deploy: does the workspace have what the standards and the catalog name?"""
from __future__ import annotations

from pilotfactory.catalog.model.security import profile_runs
from pilotfactory.catalog.resolved import ResolvedCatalog
from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.deployer import deployer_checks
from pilotfactory.live.expected import Expected
from pilotfactory.live.membership import compare_members, scim_filter
from pilotfactory.live.registry import version_checks
from pilotfactory.live.system_access import system_access_checks

__all__ = ["preflight"]


def _groups(catalog: ResolvedCatalog, env: str) -> dict[str, bool]:
    """Every group the catalog names in `env` -> whether the `account` stack creates it."""
    roles = catalog.roles
    named = {roles.platform_admins, *roles.roles.values(), *roles.groups}
    for rp in catalog.env_pilots(env):
        named |= {rp.pilot.owners.builders, rp.pilot.owners.approvers, rp.pilot.owners.on_call_group} - {None}
    return {g: roles.groups[g].managed if g in roles.groups else False for g in sorted(named)}


def preflight(ws: Workspace, catalog: ResolvedCatalog, env: str, expected: Expected | None = None) -> list[Check]:
    """Every check, in order; stops early only when the workspace cannot be asked at all.
    `expected` (from the env's synthesized stacks) adds the model versions they serve and alias."""
    checks: list[Check] = []

    def attempt(area: str, subject: str, what: str, fn) -> object | None:
        try:
            return ws.call(what, fn)
        except LiveError as err:
            checks.append(Check(area, subject, False, str(err)))
            if err.fatal:
                raise _Stop() from None
            return None

    try:
        versions = attempt("workspace", ws.host, "clusters spark-versions", ws.client.clusters.spark_versions)
        if versions is None:
            return checks
        checks.append(Check("workspace", ws.host, True, f"answers as environment `{env}`"))
        available = {v.key for v in versions.versions or []}
        wanted = set(catalog.standards.spark_versions) | {rp.compute.spark_version for rp in catalog.env_pilots(env)}
        for key in sorted(wanted):
            checks.append(Check("spark version", key, key in available,
                                "available" if key in available else "not offered by this workspace"))
        nodes = attempt("node types", "clusters list-node-types", "clusters list-node-types",
                        ws.client.clusters.list_node_types)
        if nodes is not None:
            offered = {n.node_type_id for n in nodes.node_types or [] if not n.is_deprecated}
            for node in sorted(catalog.standards.node_types):
                checks.append(Check("node type", node, node in offered,
                                    "available" if node in offered else "not offered (or deprecated) here"))
            checks += _profile_node_types(catalog, env)
        for group, managed in _groups(catalog, env).items():
            found = attempt("group", group, f"SCIM group `{group}`", lambda g=group: ws.client.groups.list(
                filter=f'displayName eq "{scim_filter(g)}"', attributes="id,displayName,members"))
            if found is None:
                continue
            live = next((g for g in found if g.display_name == group), None)
            if live is not None:
                checks.append(Check("group", group, True, "exists"))
                if group in catalog.roles.groups:
                    try:
                        checks.extend(compare_members(ws, group, catalog.roles.groups[group], live))
                    except LiveError as err:
                        checks.append(Check("membership", group, False, str(err)))
                        if err.fatal:
                            raise _Stop() from None
            elif managed:
                checks.append(Check("group", group, True, "missing; the `account` stack creates it at account level (managed: true)"))
            else:
                checks.append(Check("group", group, False, "missing: sync it from the identity provider "
                                    "(config/roles.yaml says it is not created here)"))
        sp = catalog.environments.environments[env].run_as
        found = attempt("service principal", sp.display_name, f"SCIM service principal `{sp.application_id}`",
                        lambda: ws.client.service_principals.list(
                            filter=f'applicationId eq "{scim_filter(sp.application_id)}"'))
        if found is not None:
            exists = any(s.application_id == sp.application_id for s in found)
            checks.append(Check("service principal", sp.display_name, exists,
                                f"application id {sp.application_id}" + ("" if exists else " is not in this workspace")))
        warehouse = catalog.environments.environments[env].sql_warehouse_id
        if warehouse:
            got = attempt("SQL warehouse", warehouse, f"SQL warehouse `{warehouse}`",
                          lambda: ws.client.warehouses.get(warehouse))
            if got is not None:
                checks.append(Check("SQL warehouse", warehouse, True, f"`{got.name}` ({got.state.value if got.state else 'state unknown'})"))
        checks += deployer_checks(ws, catalog, env)
        if expected is not None:
            checks += version_checks(ws, expected)
            checks += system_access_checks(ws, expected.sql_reads, {sp.application_id: sp.display_name})
    except LiveError as err:
        # Only a fatal error reaches here (the checks above keep the others as rows).
        checks.append(Check("workspace", ws.host, False, str(err)))
    except _Stop:
        pass
    return checks


def _profile_node_types(catalog: ResolvedCatalog, env: str) -> list[Check]:
    """With the compliance security profile on, every tier's node types (each tier is a baseline
    policy of the platform stack) must be of a family the profile runs."""
    if not catalog.environments.environments[env].security.compliance_standards:
        return []
    out = []
    for tier_name, tier in sorted(catalog.standards.sizes.items()):
        bad = [n for n in tier.node_types if not profile_runs(n)]
        out.append(Check("profile node types", f"size {tier_name}", not bad,
                         "all of a family with encryption in transit" if not bad else
                         f"{', '.join(bad)}: the compliance security profile runs only families with encryption "
                         "in transit between nodes; clusters on these fail to start"))
    return out


class _Stop(Exception):
    """An error after which no other call can succeed (401, no answer)."""
