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


@rule("PFG021", "no-grant-to-everyone", "In a protected environment every grant names an accountable group, never all users.",
      "databricks_permissions", "databricks_grants", "databricks_grant", "databricks_secret_acl")
def no_grant_to_everyone(resource, ctx):
    if ctx.env is None or not ctx.env.protected:
        return
    if resource.type == "databricks_permissions":
        names = [e.get("group_name") for e in blocks(resource.values.get("access_control"))]
    elif resource.type == "databricks_grants":
        names = [g.get("principal") for g in blocks(resource.values.get("grant"))]
    else:
        names = [resource.values.get("principal")]
    for name in names:
        if isinstance(name, str) and name.strip().lower() in EVERYONE:
            yield Finding(f"grants to `{name}` in protected environment {ctx.env.name}", ())


@rule("PFG022", "secret-manage-admins-only", "MANAGE on a secret scope can read and change every secret in it.",
      "databricks_secret_acl")
def secret_manage_admins_only(resource, ctx):
    if resource.values.get("permission") == "MANAGE" and resource.values.get("principal") != ctx.platform.platform_admins:
        yield Finding(f"gives MANAGE to `{resource.values.get('principal')}`; only "
                      f"`{ctx.platform.platform_admins}` may manage secret scopes", ("permission",))
