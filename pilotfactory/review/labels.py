"""Reviewer words for a resource: `job classify-green`, `cluster policy kyc-document-triage-prod`.

The construct path (from cdktf's metadata, or recovered from the logical id in a plan) names the
catalog object; the resource's own `name` names the Databricks object where it has one.
"""
from __future__ import annotations

import re
from typing import Any

from pilotfactory.tfjson.references import is_reference
from pilotfactory.tfjson.references import reference as whole_reference

__all__ = ["NOUNS", "construct_parts", "label", "reference"]

# What a reviewer calls each resource type.
NOUNS: dict[str, str] = {
    "databricks_job": "job",
    "databricks_cluster_policy": "cluster policy",
    "databricks_permissions": "permissions",
    "databricks_secret_scope": "secret scope",
    "databricks_secret_acl": "secret ACL",
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

# The attribute that holds the object's own name, per type.
_NAME_ATTRIBUTE = {
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

# The attribute of a permissions / grants resource that points at the object it governs.
_TARGETS = {
    "job_id": "job", "cluster_policy_id": "cluster policy", "experiment_id": "experiment",
    "serving_endpoint_id": "serving endpoint", "registered_model_id": "model", "cluster_id": "cluster",
    "notebook_path": "notebook", "directory_path": "directory", "sql_endpoint_id": "SQL warehouse",
    "workspace_file_path": "workspace file", "pipeline_id": "pipeline",
    "model": "registered model", "schema": "schema", "catalog": "catalog", "table": "table",
    "volume": "volume", "function": "function", "scope": "secret scope",
}

_OPAQUE = re.compile(r"^(?=.*[0-9])[0-9A-Fa-f-]+$|^/[a-z-]+/[0-9]+$")  # ids, not names
_HASH = re.compile(r"_[0-9A-F]{8}$")


def construct_parts(resource_name: str, values: dict | None, stack: str) -> list[str]:
    """The construct path below the stack, without the trailing `Resource`."""
    meta = (values or {}).get("//", {}).get("metadata", {}) if isinstance(values, dict) else {}
    path = meta.get("path") if isinstance(meta, dict) else None
    if isinstance(path, str) and "/" in path:
        parts = path.split("/")[1:]
    else:  # a plan: cdktf's logical id is the path joined by `_`, plus a hash
        parts = _HASH.sub("", resource_name).split("_")
    return parts[:-1] if len(parts) > 1 and parts[-1] == "Resource" else parts


def reference(value: Any) -> tuple[str, str] | None:
    """(type, name) of a `${type.name.attr}` token, the way cdktf writes one resource pointing at another."""
    ref = whole_reference(value)
    return (ref.type, ref.name) if ref else None


def label(resource_type: str, resource_name: str, values: dict | None, stack: str,
          labels: dict[tuple[str, str], str] | None = None) -> str:
    """Reviewer words for one resource; `labels` resolves references to other resources of the stack."""
    values = values or {}
    noun = NOUNS.get(resource_type, resource_type.removeprefix("databricks_").replace("_", " "))
    parts = construct_parts(resource_name, values, stack)
    name_attr = _NAME_ATTRIBUTE.get(resource_type)
    own_name = values.get(name_attr) if name_attr else None
    if isinstance(own_name, str) and own_name and reference(own_name) is None:
        return f"{noun} `{own_name}`"
    if resource_type in ("databricks_permissions", "databricks_grants", "databricks_grant",
                         "databricks_secret_acl"):
        target = _target(values, labels or {}, parts)
        if resource_type == "databricks_secret_acl":
            principal = values.get("principal")
            who = f" for `{principal}`" if isinstance(principal, str) else f" {parts[-1]}"
            return f"secret ACL{who} on {target}"
        return f"{noun} on {target}"
    if resource_type == "databricks_job" and len(parts) > 1:
        return f"{noun} `{parts[-1]}`"
    return f"{noun} `{'/'.join(parts) or resource_name}`"


def _target(values: dict, labels: dict[tuple[str, str], str], parts: list[str]) -> str:
    owner = [p for p in parts if p not in ("Permissions", "Grants", "SchemaGrants")]
    for attr, noun in _TARGETS.items():
        if attr not in values:
            continue
        value = values[attr]   # None in a plan when the object is created in the same apply
        ref = reference(value)
        if ref is not None and ref in labels:
            return labels[ref]
        # A readable name (a scope, a UC full name) beats the construct path; a numeric id does not.
        if ref is None and isinstance(value, str) and not is_reference(value) and not _OPAQUE.match(value):
            return f"{noun} `{value}`"
        return f"{noun} `{owner[-1]}`" if owner else noun
    return f"`{'/'.join(owner)}`" if owner else "an object"
