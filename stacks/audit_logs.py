"""Account-wide audit log delivery: every workspace's audit events, as JSON, to the bank's bucket."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.model.security import AuditLogDelivery

from .tf import Resource, Scope

__all__ = ["AuditLogsProps", "AuditLogs"]


@dataclass(frozen=True, kw_only=True)
class AuditLogsProps:
    account_id: str
    delivery: AuditLogDelivery


class AuditLogs(Scope):
    def __init__(self, scope: Scope, id: str, props: AuditLogsProps):
        super().__init__(scope, id)
        d = props.delivery
        self.resource = Resource(self, "Resource", "databricks_mws_log_delivery", {
            "account_id": props.account_id, "config_name": "pilotfactory-audit-logs",
            "credentials_id": d.credentials_id, "storage_configuration_id": d.storage_configuration_id,
            "delivery_path_prefix": d.delivery_path_prefix, "log_type": "AUDIT_LOGS", "output_format": "JSON",
            "status": "ENABLED"})
