"""The `account` stack: workspaces created through the account-level provider, what a new workspace
needs before any other stack works (metastore, managed groups), and audit log delivery."""
from __future__ import annotations

from typing import Any

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog

from . import names
from .account_identity import AccountGroups, AccountGroupsProps
from .audit_logs import AuditLogs, AuditLogsProps
from .backend import add_backend
from .tf import Resource, Stack

__all__ = ["define_account_stack"]


def define_account_stack(app: Any, catalog: ResolvedCatalog) -> Any:
    """Always emitted, so `cdktf list` shows the same stacks whether or not a workspace is created."""
    environments = catalog.environments
    stack = Stack(app, names.ACCOUNT_STACK)
    account = environments.account
    add_backend(stack, environments.account_backend, names.ACCOUNT_STACK)
    to_create = [(n, e) for n, e in environments.environments.items() if e.workspace.create is not None]
    managed = sorted(n for n, g in catalog.roles.groups.items() if g.managed)
    if account is None:
        if to_create or managed:
            needs = [f"create the workspace of {', '.join(n for n, _ in to_create)}"] if to_create else []
            needs += [f"create the managed groups {', '.join(managed)}"] if managed else []
            raise PilotFactoryError(
                "config/environments.yaml: `account` (id and host) is needed to " + " and to ".join(needs))
        return stack.close()
    if to_create and account.metastore_id is None:
        raise PilotFactoryError(
            "config/environments.yaml: `account.metastore_id` is needed to assign Unity Catalog to the new "
            f"workspace of {', '.join(n for n, _ in to_create)}; no pilot stack works without it")
    stack.provider({"host": account.host.rstrip("/"), "account_id": account.id})
    workspace_ids: dict[str, Any] = {}
    for env_name, env in to_create:
        ws = env.workspace.create
        created = Resource(stack, env_name, "databricks_mws_workspaces", {
            "account_id": account.id,
            "workspace_name": ws.workspace_name,
            "deployment_name": ws.deployment_name,
            "aws_region": ws.region,
            "credentials_id": ws.credentials_id,
            "storage_configuration_id": ws.storage_configuration_id,
            "network_id": ws.network_id,
            "pricing_tier": ws.pricing_tier,
        }, prevent_destroy=env.protected)  # destroying a workspace destroys everything in it
        Resource(stack, f"{env_name}-metastore", "databricks_metastore_assignment", {
            "workspace_id": created.attr("workspace_id"), "metastore_id": account.metastore_id})
        # The platform and pilot stacks of this environment read their host from here (remote state).
        stack.engine.TerraformOutput(stack.tf, stack.reserve(names.workspace_url_output(env_name)),
                                     value=created.attr("workspace_url"), static_id=True)
        workspace_ids[env_name] = created.attr("workspace_id")
    if managed:
        missing = [n for n, e in environments.environments.items()
                   if e.workspace.create is None and e.workspace.id is None]
        if missing:
            raise PilotFactoryError(
                f"config/environments.yaml: environment {', '.join(missing)} needs `workspace.id` so the "
                "`account` stack can assign the managed groups to its workspace")
        for env_name, env in environments.environments.items():
            workspace_ids.setdefault(env_name, env.workspace.id)
        ordered = {n: workspace_ids[n] for n in environments.environments}
        AccountGroups(stack, "groups", AccountGroupsProps(roles=catalog.roles, workspace_ids=ordered))
    if account.audit_logs is not None:
        AuditLogs(stack, "audit-logs", AuditLogsProps(account_id=account.id, delivery=account.audit_logs))
    return stack.close()
