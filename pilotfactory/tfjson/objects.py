"""The object table: what reviewers and auditors call each resource type, the attribute holding an
object's own name, the workspace objects a `databricks_permissions` resource governs with their
permission levels in rank order, and the Unity Catalog securables a `databricks_grants` names.

Levels: terraform-provider-databricks v1.99.0 `permissions/permission_definitions.go` (the `field`
and `allowedPermissionLevels` of each object, l.349-751) and `docs/resources/permissions.md`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

__all__ = ["NOUNS", "noun", "NAME_ATTRIBUTES", "PermissionObject", "OBJECTS", "object_of_key",
           "object_of_argument", "object_of_values", "rank", "SECRET_ACL_LEVELS", "GRANT_SECURABLES",
           "EVERYONE", "is_everyone", "MANAGE_LEVELS"]

# What a reviewer or auditor calls each resource type.
NOUNS: dict[str, str] = {
    "databricks_job": "job",
    "databricks_cluster_policy": "cluster policy",
    "databricks_permissions": "permissions",
    "databricks_secret_scope": "secret scope",
    "databricks_secret_acl": "secret ACL",
    "databricks_ip_access_list": "IP access list",
    "databricks_grants": "grants",
    "databricks_grant": "grant",
    "databricks_schema": "schema",
    "databricks_registered_model": "registered model",
    "databricks_mlflow_experiment": "experiment",
    "databricks_model_serving": "serving endpoint",
    "databricks_workspace_file": "workspace file",
    "databricks_directory": "folder",
    "databricks_group": "group",
    "databricks_mws_workspaces": "workspace",
    "terraform_data": "terraform_data",
}

# The attribute that holds an object's own name, per resource type (a job is named by its construct).
NAME_ATTRIBUTES: dict[str, str] = {
    "databricks_cluster_policy": "name",
    "databricks_secret_scope": "name",
    "databricks_schema": "name",
    "databricks_registered_model": "name",
    "databricks_mlflow_experiment": "name",
    "databricks_model_serving": "name",
    "databricks_workspace_file": "path",
    "databricks_directory": "path",
    "databricks_group": "display_name",
    "databricks_mws_workspaces": "workspace_name",
}


def noun(resource_type: str) -> str:
    """`serving endpoint` for databricks_model_serving; an unlisted type in words (`alert v2`)."""
    return NOUNS.get(resource_type, resource_type.removeprefix("databricks_").replace("_", " "))


@dataclass(frozen=True)
class PermissionObject:
    key: str                       # Pilot Factory's name for the type, e.g. "serving_endpoint"
    noun: str                      # what a reviewer calls it, e.g. "serving endpoint"
    arguments: tuple[str, ...]     # the databricks_permissions arguments naming one such object
    levels: tuple[str, ...]        # lowest first: a later level grants everything an earlier one does


_EDITABLE = ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE")

OBJECTS: tuple[PermissionObject, ...] = (
    PermissionObject("job", "job", ("job_id",), ("CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER")),
    PermissionObject("cluster_policy", "cluster policy", ("cluster_policy_id",), ("CAN_USE",)),
    PermissionObject("experiment", "experiment", ("experiment_id",), ("CAN_READ", "CAN_EDIT", "CAN_MANAGE")),
    PermissionObject("serving_endpoint", "serving endpoint", ("serving_endpoint_id",),
                     ("CAN_VIEW", "CAN_QUERY", "CAN_MANAGE")),
    # registered_model_id: a workspace (MLflow) model; Unity Catalog models take grants instead.
    PermissionObject("model", "model", ("registered_model_id",),
                     ("CAN_READ", "CAN_EDIT", "CAN_MANAGE_STAGING_VERSIONS", "CAN_MANAGE_PRODUCTION_VERSIONS",
                      "CAN_MANAGE")),
    PermissionObject("cluster", "cluster", ("cluster_id",), ("CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE")),
    PermissionObject("notebook", "notebook", ("notebook_path", "notebook_id"), _EDITABLE),
    PermissionObject("directory", "directory", ("directory_path", "directory_id"), _EDITABLE),
    PermissionObject("sql_warehouse", "SQL warehouse", ("sql_endpoint_id",),
                     ("CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER")),
    PermissionObject("workspace_file", "workspace file", ("workspace_file_path", "workspace_file_id"), _EDITABLE),
    PermissionObject("pipeline", "pipeline", ("pipeline_id",), ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER")),
    PermissionObject("instance_pool", "instance pool", ("instance_pool_id",), ("CAN_ATTACH_TO", "CAN_MANAGE")),
    PermissionObject("repo", "repo", ("repo_id", "repo_path"), _EDITABLE),
    PermissionObject("sql_query", "SQL query", ("sql_query_id",), _EDITABLE),
    PermissionObject("sql_alert", "SQL alert", ("sql_alert_id",), _EDITABLE),
    PermissionObject("sql_dashboard", "SQL dashboard", ("sql_dashboard_id",), _EDITABLE),
    PermissionObject("dashboard", "dashboard", ("dashboard_id",), _EDITABLE),
    PermissionObject("tokens", "tokens", ("authorization",), ("CAN_USE", "CAN_MANAGE")),
    PermissionObject("app", "app", ("app_name",), ("CAN_USE", "CAN_MANAGE")),
    PermissionObject("vector_search_endpoint", "vector search endpoint", ("vector_search_endpoint_id",),
                     ("CAN_USE", "CAN_MANAGE")),
)

_BY_KEY = {o.key: o for o in OBJECTS}
_BY_ARGUMENT = {a: o for o in OBJECTS for a in o.arguments}

# databricks_secret_acl `permission`, lowest first (docs/resources/secret_acl.md).
SECRET_ACL_LEVELS = ("READ", "WRITE", "MANAGE")

# databricks_grants argument naming the Unity Catalog securable -> what a reviewer calls it.
GRANT_SECURABLES: dict[str, str] = {
    "model": "registered model", "schema": "schema", "catalog": "catalog", "table": "table",
    "volume": "volume", "function": "function",
}

# Levels across object types, for a level the object's own table does not hold (lowest first).
_GENERIC = {"CAN_VIEW": 1, "CAN_READ": 1, "READ": 1, "CAN_MONITOR": 1, "CAN_QUERY": 2, "CAN_USE": 2,
            "CAN_RUN": 2, "CAN_ATTACH_TO": 2, "WRITE": 2, "CAN_MANAGE_RUN": 3, "CAN_EDIT": 3,
            "CAN_RESTART": 3, "CAN_MANAGE": 4, "MANAGE": 4, "IS_OWNER": 5}

# Levels and privileges that let the holder change or hand out access (never to everyone, anywhere):
# an object's CAN_MANAGE or IS_OWNER, a secret ACL's MANAGE, and the Unity Catalog privileges that
# manage grants or reach outside the metastore (MANAGE, ALL_PRIVILEGES in either spelling, ...).
MANAGE_LEVELS = frozenset({"CAN_MANAGE", "IS_OWNER", "MANAGE", "ALL_PRIVILEGES", "ALL PRIVILEGES",
                           "MANAGE_ALLOWLIST", "CREATE_EXTERNAL_LOCATION"})

# Built-in groups that hold every workspace or account user: a grant to them reaches everyone.
EVERYONE = frozenset({"users", "account users"})


def object_of_key(key: str) -> PermissionObject:
    return _BY_KEY[key]


def object_of_argument(argument: str) -> PermissionObject | None:
    return _BY_ARGUMENT.get(argument)


def object_of_values(values: Mapping) -> PermissionObject | None:
    """The object a databricks_permissions resource's values name (the first argument set)."""
    return next((o for a, o in _BY_ARGUMENT.items() if values.get(a) not in (None, "")), None)


def rank(level: str, obj: PermissionObject | None = None) -> int:
    """How much `level` grants on `obj`; higher grants more, 0: unknown."""
    if obj is not None and level in obj.levels:
        return obj.levels.index(level) + 1
    return _GENERIC.get(level, 0)


def is_everyone(principal: str) -> bool:
    return principal.strip().lower() in EVERYONE
