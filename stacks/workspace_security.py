"""An environment's workspace security baseline: one workspace_conf, IP access lists and settings."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.model.security import Security

from .tf import Resource, Scope

__all__ = ["WorkspaceSecurityProps", "WorkspaceSecurity", "workspace_conf"]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def workspace_conf(security: Security) -> dict[str, str]:
    """The `custom_config` keys we own; workspace_conf takes strings only."""
    return {
        "maxTokenLifetimeDays": str(security.max_token_lifetime_days),
        "enableTokensConfig": "true",
        "enableVerboseAuditLogs": _flag(security.verbose_audit_logs),
        "enableResultsDownloading": _flag(security.results_downloading),
        "enableNotebookTableClipboard": _flag(security.notebook_table_clipboard),
        "enableExportNotebook": _flag(security.notebook_export),
        "enableIpAccessLists": _flag(bool(security.ip_access_lists)),
    }


@dataclass(frozen=True, kw_only=True)
class WorkspaceSecurityProps:
    security: Security


class WorkspaceSecurity(Scope):
    """Exactly one `databricks_workspace_conf` per workspace: two would overwrite each other's keys."""

    def __init__(self, scope: Scope, id: str, props: WorkspaceSecurityProps):
        super().__init__(scope, id)
        sec = props.security
        # Lists exist before enforcement is switched on, so an apply never locks the platform team out.
        self.ip_access_lists = [
            Resource(self, f"IpAccessList-{entry.label}", "databricks_ip_access_list", {
                "label": entry.label, "list_type": entry.list_type,
                "ip_addresses": list(entry.addresses), "enabled": True})
            for entry in sec.ip_access_lists
        ]
        self.workspace_conf = Resource(self, "WorkspaceConf", "databricks_workspace_conf", {
            "custom_config": workspace_conf(sec)}, depends_on=self.ip_access_lists)
        if sec.disable_legacy_access:
            Resource(self, "DisableLegacyAccess", "databricks_disable_legacy_access_setting", {
                "disable_legacy_access": {"value": True}})
        if sec.disable_legacy_dbfs:
            Resource(self, "DisableLegacyDbfs", "databricks_disable_legacy_dbfs_setting", {
                "disable_legacy_dbfs": {"value": True}})
        if sec.compliance_standards is not None:
            Resource(self, "ComplianceSecurityProfile", "databricks_compliance_security_profile_workspace_setting", {
                "compliance_security_profile_workspace": {
                    "is_enabled": True, "compliance_standards": list(sec.compliance_standards)}})
        if sec.enhanced_security_monitoring:
            Resource(self, "EnhancedSecurityMonitoring", "databricks_enhanced_security_monitoring_workspace_setting", {
                "enhanced_security_monitoring_workspace": {"is_enabled": True}})
