"""Validate rules on each environment's `security:` block (config/environments.yaml)."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model.security import instance_family, open_allow_lists, profile_runs
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.facts import PilotFacts
from pilotfactory.validate.registry import catalog_rule, estate_rule


@catalog_rule(Code.OPEN_IP_ACCESS_LIST)
def allow_lists_are_not_open(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """The allow lists of an environment never cover 0.0.0.0/0 or ::/0, whole, split or together (PFG050 in Terraform)."""
    if catalog.environments is None:
        return
    src = catalog.config_sources["environments"]
    for env_name, env in catalog.environments.environments.items():
        allow = [(i, e) for i, e in enumerate(env.security.ip_access_lists) if e.list_type == "ALLOW"]
        found = open_allow_lists([e.addresses for _, e in allow])
        if found is None:
            continue
        k, j = found.at
        i, entry = allow[k]
        path = ("environments", env_name, "security", "ip_access_lists", i, "addresses", j)
        labels = [f"`{allow[n][1].label}`" for n in found.lists]
        if not found.split:
            shown = f"allow list `{entry.label}` holds {entry.addresses[j]}"
        elif len(labels) == 1:
            shown = f"allow list `{entry.label}` holds ranges adding up to {found.whole}"
        else:
            shown = f"allow lists {', '.join(labels)} together hold ranges adding up to {found.whole}"
        diags.error(Code.OPEN_IP_ACCESS_LIST, f"{shown}, which lets every address on the internet in; list the "
                    "egress ranges instead", src.where(path), path)


@catalog_rule(Code.BUILDERS_MANAGE_PROTECTED)
def builders_only_watch_in_protected_environments(catalog: Catalog, resolution: Resolution,
                                                  diags: Diagnostics) -> None:
    """In a protected environment builders may not manage jobs (maker-checker: config/environments.yaml)."""
    if catalog.environments is None:
        return
    src = catalog.config_sources["environments"]
    for env_name, env in catalog.environments.environments.items():
        level = env.job_access.builders
        if env.protected and level in ("CAN_MANAGE", "IS_OWNER"):
            path = ("environments", env_name, "access", "builders")
            diags.error(Code.BUILDERS_MANAGE_PROTECTED, f"builders get {level} on jobs in protected environment "
                        f"`{env_name}`: makers could change what checkers approved; give them CAN_VIEW",
                        src.where(path), path)


@catalog_rule(Code.AUDIT_LOGS_OFF)
def verbose_audit_logs_stay_on_where_protected(catalog: Catalog, resolution: Resolution,
                                               diags: Diagnostics) -> None:
    """A protected environment keeps verbose audit logs on: every command and query is evidence there."""
    if catalog.environments is None:
        return
    src = catalog.config_sources["environments"]
    for env_name, env in catalog.environments.environments.items():
        if env.protected and not env.security.verbose_audit_logs:
            path = ("environments", env_name, "security", "verbose_audit_logs")
            diags.error(Code.AUDIT_LOGS_OFF, f"verbose audit logs are off in protected environment `{env_name}`: "
                        "notebook commands and queries would leave no audit trail", src.where(path), path)


@estate_rule(Code.BUILDERS_ARE_ADMINS)
def builders_are_not_platform_admins(catalog: Catalog, facts: list[PilotFacts], diags: Diagnostics) -> None:
    """No pilot's builders group is the platform admins group (config/roles.yaml: "never a pilot builder")."""
    if catalog.roles is None:
        return
    for pilot in facts:
        if pilot.builders == catalog.roles.platform_admins:
            diags.error(Code.BUILDERS_ARE_ADMINS, f"builders group `{pilot.builders}` is the platform "
                        "admins group: makers would administer every workspace and own the secret scopes",
                        pilot.builders_at, ("owners", "builders"))


@catalog_rule(Code.PROFILE_NODE_TYPE)
def tiers_run_under_the_compliance_profile(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Where an environment has the compliance security profile on, every size tier's node types run there."""
    if catalog.environments is None or catalog.standards is None:
        return
    # Every tier is a baseline policy in every platform stack, and a pilot's nodes are a subset of its tier's.
    profiled = [(name, env.security.compliance_standards) for name, env in catalog.environments.environments.items()
                if env.security.compliance_standards]
    if not profiled:
        return
    where = ", ".join(f"`{name}` ({', '.join(standards)})" for name, standards in profiled)
    src = catalog.config_sources["standards"]
    for tier_name, tier in catalog.standards.sizes.items():
        for i, node in enumerate(tier.node_types):
            if profile_runs(node):
                continue
            path = ("sizes", tier_name, "node_types", i)
            diags.error(Code.PROFILE_NODE_TYPE, f"node type `{node}` of size `{tier_name}` is of family "
                        f"`{instance_family(node)}`, which the compliance security profile of {where} does not run "
                        "(no encryption in transit between nodes): clusters there would not start; use a family "
                        "such as m6id, r6id or i4i", src.where(path), path)
