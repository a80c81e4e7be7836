"""An environment's workspace security baseline: one workspace_conf, IP access lists and settings."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pilotfactory.catalog.model.security import Security

from .engine import Engine

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


class WorkspaceSecurity(Construct):
    """Exactly one `databricks_workspace_conf` per workspace: two would overwrite each other's keys."""

    def __init__(self, scope: Construct, id: str, props: WorkspaceSecurityProps):
        super().__init__(scope, id)
        engine = Engine.of(scope, child=self)
        sec = props.security
        ip = engine.databricks("ip_access_list")
        # Lists exist before enforcement is switched on, so an apply never locks the platform team out.
        self.ip_access_lists = [
            ip.IpAccessList(self, f"IpAccessList-{entry.label}", label=entry.label, list_type=entry.list_type,
                            ip_addresses=list(entry.addresses), enabled=True)
            for entry in sec.ip_access_lists
        ]
        self.workspace_conf = engine.databricks("workspace_conf").WorkspaceConf(
            self, "WorkspaceConf", custom_config=workspace_conf(sec), depends_on=self.ip_access_lists or None)
        if sec.disable_legacy_access:
            mod = engine.databricks("disable_legacy_access_setting")
            mod.DisableLegacyAccessSetting(
                self, "DisableLegacyAccess",
                disable_legacy_access=mod.DisableLegacyAccessSettingDisableLegacyAccess(value=True))
        if sec.disable_legacy_dbfs:
            mod = engine.databricks("disable_legacy_dbfs_setting")
            mod.DisableLegacyDbfsSetting(
                self, "DisableLegacyDbfs",
                disable_legacy_dbfs=mod.DisableLegacyDbfsSettingDisableLegacyDbfs(value=True))
        if sec.compliance_standards is not None:
            mod = engine.databricks("compliance_security_profile_workspace_setting")
            mod.ComplianceSecurityProfileWorkspaceSetting(
                self, "ComplianceSecurityProfile",
                compliance_security_profile_workspace=mod.
                ComplianceSecurityProfileWorkspaceSettingComplianceSecurityProfileWorkspace(
                    is_enabled=True, compliance_standards=list(sec.compliance_standards)))
        if sec.enhanced_security_monitoring:
            mod = engine.databricks("enhanced_security_monitoring_workspace_setting")
            mod.EnhancedSecurityMonitoringWorkspaceSetting(
                self, "EnhancedSecurityMonitoring",
                enhanced_security_monitoring_workspace=mod.
                EnhancedSecurityMonitoringWorkspaceSettingEnhancedSecurityMonitoringWorkspace(is_enabled=True))
