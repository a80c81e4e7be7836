"""What the identity running `cdktf deploy` must hold, checked before it runs.

- workspace admin (member of `admins`): cluster policies, workspace settings, IP access lists and
  permissions on objects it does not own are admin-only;
- `roles/servicePrincipal.user` (or `.manager`) on each run-as principal: a job or alert that runs
  as a service principal can only be set by someone who may use it;
- owner of the environment's catalog, or MANAGE on it: the stacks create schemas, hand them to the
  run-as principal and write authoritative grants below, which only an owner or MANAGE may do.
"""
from __future__ import annotations

from typing import Any

from pilotfactory.catalog.resolved import ResolvedCatalog
from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace

__all__ = ["deployer_checks", "rule_set_name", "SP_USE_ROLES"]

ADMINS = "admins"
# Either role lets its holder set the principal as a job's or alert's run-as identity.
SP_USE_ROLES = frozenset({"roles/servicePrincipal.user", "roles/servicePrincipal.manager"})
CATALOG_RIGHTS = frozenset({"MANAGE"})


def rule_set_name(account_id: str, application_id: str) -> str:
    return f"accounts/{account_id}/servicePrincipals/{application_id}/ruleSets/default"


def _identities(me: Any) -> tuple[str, set[str], set[str]]:
    """(display name, rule-set principal ids, names a grant may use) of the caller and its groups."""
    groups = {g.display for g in me.groups or [] if g.display}
    name = me.user_name or me.display_name or me.id or "the caller"
    # A service principal's SCIM userName is its application id: either prefix may name the caller.
    own = {f"users/{name}", f"servicePrincipals/{name}"}
    return name, {*own, *(f"groups/{g}" for g in groups)}, {name, *groups}


def deployer_checks(ws: Workspace, catalog: ResolvedCatalog, env: str) -> list[Check]:
    """One check per right; a right the API will not show us is a failure, never assumed."""
    checks: list[Check] = []
    try:
        me = ws.call("current user", ws.client.current_user.me)
    except LiveError as err:
        if err.fatal:
            raise
        return [Check("deployer", "current user", False, str(err))]
    name, rule_principals, grant_names = _identities(me)
    admin = ADMINS in grant_names
    checks.append(Check("deployer", name, admin, "workspace admin" if admin else
                        "not in `admins`: cluster policies, workspace settings and permissions need a workspace admin"))
    environment = catalog.environments.environments[env]
    account = catalog.environments.account
    sp = environment.run_as
    if account is None:
        checks.append(Check("deployer", f"use {sp.display_name}", False, "cannot be checked: "
                            "config/environments.yaml has no `account.id` to name the principal's rule set"))
    else:
        try:
            rules = ws.call(f"rule set of `{sp.application_id}`",
                            ws.client.account_access_control_proxy.get_rule_set,
                            rule_set_name(account.id, sp.application_id), "")
            roles = {r.role for r in rules.grant_rules or [] if rule_principals & set(r.principals or [])}
            ok = bool(roles & SP_USE_ROLES)
            checks.append(Check("deployer", f"use {sp.display_name}", ok,
                                f"holds {', '.join(sorted(roles & SP_USE_ROLES))}" if ok else
                                "needs roles/servicePrincipal.user on the run-as principal to set it as run_as"))
        except LiveError as err:
            if err.fatal:
                raise
            checks.append(Check("deployer", f"use {sp.display_name}", False, str(err)))
    # The restricted catalog holds restricted pilots' schemas: the deployer needs the same rights there.
    for uc in dict.fromkeys(c for c in (environment.catalog, environment.restricted_catalog) if c):
        checks.extend(_catalog_checks(ws, uc, grant_names, name))
    return checks


def _catalog_checks(ws, catalog: str, grant_names, name: str) -> list[Check]:
    """The catalog exists, and the deployer owns it or holds MANAGE on it."""
    checks: list[Check] = []
    try:
        info = ws.call(f"catalog `{catalog}`", ws.client.catalogs.get, catalog)
    except LiveError as err:
        if err.fatal:
            raise
        checks.append(Check("catalog", catalog, False, str(err)))
        return checks
    checks.append(Check("catalog", catalog, True, f"exists, owner {info.owner}"))
    if info.owner in grant_names:
        checks.append(Check("deployer", f"catalog {catalog}", True, f"owner ({info.owner})"))
        return checks
    try:
        effective = ws.call(f"effective permissions on `{catalog}`", ws.client.grants.get_effective,
                            "catalog", catalog, principal=name)
        held = {p.privilege.value for a in effective.privilege_assignments or [] for p in a.privileges or []
                if p.privilege is not None}
    except LiveError as err:
        if err.fatal:
            raise
        checks.append(Check("deployer", f"catalog {catalog}", False, str(err)))
        return checks
    ok = bool(held & CATALOG_RIGHTS)
    checks.append(Check("deployer", f"catalog {catalog}", ok, "MANAGE" if ok else
                        f"neither owner ({info.owner}) nor MANAGE (holds {', '.join(sorted(held)) or 'nothing'}): "
                        "the schema grants are authoritative and need one of them"))
    return checks
