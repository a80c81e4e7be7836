"""PFG020-PFG022: permission levels that exist, no grants to everyone in protected environments,
and secret scopes managed only by the platform admins."""
from __future__ import annotations

from pilotfactory.guardrails.registry import Finding, rule
from pilotfactory.guardrails.terraform import blocks

_EDITABLE = frozenset({"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"})

# The databricks_permissions argument naming the object -> the levels Databricks accepts on it.
VALID_LEVELS: dict[str, frozenset[str]] = {
    "job_id": frozenset({"CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"}),
    "pipeline_id": frozenset({"CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"}),
    "cluster_id": frozenset({"CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"}),
    "cluster_policy_id": frozenset({"CAN_USE"}),
    "instance_pool_id": frozenset({"CAN_ATTACH_TO", "CAN_MANAGE"}),
    "experiment_id": frozenset({"CAN_READ", "CAN_EDIT", "CAN_MANAGE"}),
    "registered_model_id": frozenset({"CAN_READ", "CAN_EDIT", "CAN_MANAGE_STAGING_VERSIONS",
                                      "CAN_MANAGE_PRODUCTION_VERSIONS", "CAN_MANAGE"}),
    "serving_endpoint_id": frozenset({"CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"}),
    "sql_endpoint_id": frozenset({"CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER"}),
    "notebook_id": _EDITABLE, "notebook_path": _EDITABLE,
    "directory_id": _EDITABLE, "directory_path": _EDITABLE,
    "workspace_file_id": _EDITABLE, "workspace_file_path": _EDITABLE,
    "repo_id": _EDITABLE, "repo_path": _EDITABLE,
    "sql_query_id": _EDITABLE, "sql_alert_id": _EDITABLE, "sql_dashboard_id": _EDITABLE,
    "dashboard_id": frozenset({"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"}),
    "authorization": frozenset({"CAN_USE", "CAN_MANAGE"}),
    "app_name": frozenset({"CAN_USE", "CAN_MANAGE"}),
    "vector_search_endpoint_id": frozenset({"CAN_USE", "CAN_MANAGE"}),
}

# Built-in groups that hold every workspace or account user.
EVERYONE = frozenset({"users", "account users"})


@rule("PFG020", "permission-levels-valid", "A level the object does not have fails at apply, after review and approval.",
      "databricks_permissions")
def levels_valid(resource, ctx):
    # in a plan an id not yet known is absent from the values but present as a reference
    objects = [k for k in VALID_LEVELS if resource.values.get(k) not in (None, "") or resource.references(k)]
    if len(objects) != 1:
        yield Finding(f"must name exactly one object (one of {', '.join(sorted(VALID_LEVELS))}); got "
                      f"{', '.join(objects) or 'none'}", ())
        return
    valid = VALID_LEVELS[objects[0]]
    for entry in blocks(resource.values.get("access_control")):
        level = entry.get("permission_level")
        if level not in valid:
            yield Finding(f"{level} is not a permission level of {objects[0].rsplit('_', 1)[0]} "
                          f"(valid: {', '.join(sorted(valid))})", ("access_control",))


# Levels and privileges that let the holder change or hand out access: never to everyone, anywhere.
MANAGE_LEVELS = frozenset({"CAN_MANAGE", "IS_OWNER", "MANAGE", "ALL_PRIVILEGES", "ALL PRIVILEGES",
                           "MANAGE_ALLOWLIST", "CREATE_EXTERNAL_LOCATION"})


def _grantees(resource) -> list[tuple[str, set[str]]]:
    """(principal, levels or privileges) of every grant the resource makes."""
    if resource.type == "databricks_permissions":
        return [(e.get("group_name") or e.get("user_name") or "", {str(e.get("permission_level"))})
                for e in blocks(resource.values.get("access_control"))]
    if resource.type in ("databricks_grants", "databricks_grant"):
        grants = blocks(resource.values.get("grant")) if resource.type == "databricks_grants" else [resource.values]
        return [(g.get("principal") or "", {str(p) for p in g.get("privileges") or []}) for g in grants]
    return [(resource.values.get("principal") or "", {str(resource.values.get("permission"))})]


@rule("PFG021", "no-grant-to-everyone", "In a protected environment (or one not known) every grant names an accountable group, never all users; nowhere may all users manage.",
      "databricks_permissions", "databricks_grants", "databricks_grant", "databricks_secret_acl")
def no_grant_to_everyone(resource, ctx):
    # an unknown environment is checked as protected: safe by default
    protected = ctx.env is None or ctx.env.protected
    where = f"protected environment {ctx.env.name}" if ctx.env else "an unknown environment (checked as protected)"
    for name, levels in _grantees(resource):
        if not isinstance(name, str) or name.strip().lower() not in EVERYONE:
            continue
        if protected:
            yield Finding(f"grants to `{name}` in {where}", ())
        elif levels & MANAGE_LEVELS:
            yield Finding(f"grants {', '.join(sorted(levels & MANAGE_LEVELS))} to `{name}`: every user could "
                          "change or hand out access, in any environment", ())


@rule("PFG022", "secret-manage-admins-only", "MANAGE on a secret scope can read and change every secret in it.",
      "databricks_secret_acl")
def secret_manage_admins_only(resource, ctx):
    if resource.values.get("permission") == "MANAGE" and resource.values.get("principal") != ctx.platform.platform_admins:
        yield Finding(f"gives MANAGE to `{resource.values.get('principal')}`; only "
                      f"`{ctx.platform.platform_admins}` may manage secret scopes", ("permission",))
