"""PFG040: in a protected environment, what Terraform cannot recreate cannot be destroyed by accident."""
from __future__ import annotations

from pilotfactory.guardrails.registry import Finding, rule

STATEFUL = ("databricks_secret_scope", "databricks_registered_model", "databricks_mlflow_experiment",
            "databricks_mlflow_model", "databricks_schema", "databricks_catalog", "databricks_volume",
            "databricks_mws_workspaces", "databricks_directory")


@rule("PFG040", "protected-prevent-destroy", "Secrets, model versions, runs, schemas and the folders holding what jobs run are evidence Terraform cannot recreate; an unknown environment counts as protected.",
      *STATEFUL)
def prevent_destroy(resource, ctx):
    # an unknown environment is checked as protected: safe by default
    if (ctx.env is not None and not ctx.env.protected) or resource.lifecycle is None:
        return  # plans do not record lifecycle; configuration does
    if resource.lifecycle.get("prevent_destroy") is not True:
        where = f"protected environment {ctx.env.name}" if ctx.env else "an unknown environment (checked as protected)"
        yield Finding(f"must set `lifecycle.prevent_destroy` in {where}", ("lifecycle",))
