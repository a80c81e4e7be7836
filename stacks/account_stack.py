"""The `account` stack: workspaces created through the account-level provider."""
from __future__ import annotations

from typing import Any

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog

from . import names
from .audit_logs import AuditLogs, AuditLogsProps
from .backend import add_backend
from .engine import Engine

__all__ = ["define_account_stack"]


def define_account_stack(app: Any, catalog: ResolvedCatalog) -> Any:
    """Always emitted, so `cdktf list` shows the same stacks whether or not a workspace is created."""
    engine = Engine.of(app)
    environments = catalog.environments
    stack = engine.TerraformStack(app, names.ACCOUNT_STACK)
    # Account-wide state: its own setting, else the last (most protected) environment's backend.
    account = environments.account
    backend = account.backend if account and account.backend else \
        list(environments.environments.values())[-1].backend
    add_backend(stack, backend, names.ACCOUNT_STACK)
    to_create = [(n, e) for n, e in environments.environments.items() if e.workspace.create is not None]
    account = environments.account
    if account is None:
        if to_create:
            raise PilotFactoryError(
                "config/environments.yaml: `account` (id and host) is needed to create the workspace of "
                + ", ".join(n for n, _ in to_create))
        return stack
    engine.databricks("provider").DatabricksProvider(
        stack, "databricks", host=account.host.rstrip("/"), account_id=account.id)
    mws = engine.databricks("mws_workspaces")
    for env_name, env in to_create:
        ws = env.workspace.create
        mws.MwsWorkspaces(
            stack, env_name,
            account_id=account.id,
            workspace_name=ws.workspace_name,
            deployment_name=ws.deployment_name,
            aws_region=ws.region,
            credentials_id=ws.credentials_id,
            storage_configuration_id=ws.storage_configuration_id,
            network_id=ws.network_id,
            pricing_tier=ws.pricing_tier,
            # Destroying a workspace destroys everything in it.
            lifecycle=engine.TerraformResourceLifecycle(prevent_destroy=True) if env.protected else None,
        )
    if account.audit_logs is not None:
        AuditLogs(stack, "audit-logs", AuditLogsProps(account_id=account.id, delivery=account.audit_logs))
    return stack
