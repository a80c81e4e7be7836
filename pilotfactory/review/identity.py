"""Attributes that name an object: changing one makes Terraform destroy it and create another.

From the Databricks provider's schemas (ForceNew). A renamed secret scope loses its secrets; a
renamed schema or registered model loses its versions and lineage.
"""
from __future__ import annotations

__all__ = ["IDENTITY_FIELDS", "forces_replacement"]

IDENTITY_FIELDS: dict[str, frozenset[str]] = {
    "databricks_secret_scope": frozenset({"name", "backend_type", "keyvault_metadata"}),
    "databricks_secret_acl": frozenset({"scope", "principal"}),
    "databricks_registered_model": frozenset({"name", "catalog_name", "schema_name"}),
    "databricks_schema": frozenset({"name", "catalog_name", "storage_root"}),
    "databricks_mlflow_experiment": frozenset({"name"}),
    "databricks_workspace_file": frozenset({"path"}),
    "databricks_directory": frozenset({"path"}),
    "databricks_model_serving": frozenset({"name"}),
    "databricks_group": frozenset({"display_name"}),
    "databricks_grants": frozenset({"catalog", "schema", "model", "table", "volume", "function",
                                    "metastore", "external_location", "storage_credential"}),
    "databricks_permissions": frozenset({"job_id", "cluster_policy_id", "experiment_id",
                                         "serving_endpoint_id", "registered_model_id", "cluster_id",
                                         "notebook_path", "directory_path", "sql_endpoint_id",
                                         "workspace_file_path", "pipeline_id"}),
    "databricks_mws_workspaces": frozenset({"workspace_name", "deployment_name", "aws_region",
                                            "location", "account_id", "credentials_id",
                                            "storage_configuration_id", "network_id", "cloud"}),
    # Pair ids, both halves ForceNew (provider v1.99.0 common/pair.go:32-33, scim/resource_group_member.go:121).
    "databricks_group_member": frozenset({"group_id", "member_id"}),
    # No Update, so every attribute is ForceNew (mws/resource_mws_permission_assignment.go:46-83,
    # common/resource.go:108-122): even a new permission level destroys and re-creates it.
    "databricks_mws_permission_assignment": frozenset({"workspace_id", "principal_id", "permissions"}),
    "terraform_data": frozenset({"triggers_replace"}),
}


def forces_replacement(resource_type: str, path: str) -> bool:
    """True when the attribute at `path` (top-level name first) is one of the type's identity fields."""
    top = path.split(".", 1)[0].split("[", 1)[0]
    return top in IDENTITY_FIELDS.get(resource_type, frozenset())
