"""The workspace security baseline as a risk class: every way a change opens a workspace up.

Reads the resources stacks/workspace_security.py and stacks/audit_logs.py write
(`databricks_workspace_conf`, `databricks_ip_access_list`, the workspace settings,
`databricks_mws_log_delivery`) and the stack's state backend. Each weakening is broadening.
"""
from __future__ import annotations

from typing import Any, Mapping

from pilotfactory.catalog.model.security import open_to_internet
from pilotfactory.review.changes import Finding, ResourceChange

__all__ = ["baseline_findings", "CONF_KEYS", "SETTINGS", "open_to_internet"]

# workspace_conf key -> (what it is, the value that is the safer one). Values are strings there.
CONF_KEYS: dict[str, tuple[str, str]] = {
    "enableResultsDownloading": ("results download from notebooks", "false"),
    "enableExportNotebook": ("notebook export", "false"),
    "enableNotebookTableClipboard": ("copying tables from notebooks", "false"),
    "enableVerboseAuditLogs": ("verbose audit logs", "true"),
    "enableIpAccessLists": ("IP access list enforcement", "true"),
    "enableTokensConfig": ("token management", "true"),
    "enableDbfsFileBrowser": ("the DBFS file browser", "false"),
    "enableWebTerminal": ("the web terminal", "false"),
    "enableDeprecatedGlobalInitScripts": ("legacy global init scripts", "false"),
}
_LIFETIME = "maxTokenLifetimeDays"

# Setting resources whose presence is the control: type -> (block, field that must stay true, words).
SETTINGS: dict[str, tuple[str, str, str]] = {
    "databricks_disable_legacy_access_setting": ("disable_legacy_access", "value", "legacy access disabled"),
    "databricks_disable_legacy_dbfs_setting": ("disable_legacy_dbfs", "value", "DBFS root and legacy DBFS disabled"),
    "databricks_compliance_security_profile_workspace_setting": (
        "compliance_security_profile_workspace", "is_enabled", "compliance security profile"),
    "databricks_enhanced_security_monitoring_workspace_setting": (
        "enhanced_security_monitoring_workspace", "is_enabled", "enhanced security monitoring"),
}

def _finding(change: ResourceChange, rule: str, text: str) -> Finding:
    return Finding("broadening", change.stack, text, change.address, rule=rule)


def _conf(change: ResourceChange) -> list[Finding]:
    before = (change.before or {}).get("custom_config") or {}
    after = (change.after or {}).get("custom_config") or {} if change.after is not None else None
    out = []
    if after is None:
        return [_finding(change, "PFR032", f"removes the workspace configuration ({change.label}): every "
                         "baseline key falls back to the workspace default")]
    for key, (words, safe) in CONF_KEYS.items():
        was, now = before.get(key), after.get(key)
        if str(now).lower() == str(was).lower():
            continue
        if (change.before is not None and str(was).lower() == safe and str(now).lower() != safe) or \
                (change.before is None and now is not None and str(now).lower() != safe):
            out.append(_finding(change, "PFR030", f"{words}: {_shown(was)} → **{_shown(now)}** (`{key}`)"))
    was, now = _days(before.get(_LIFETIME)), _days(after.get(_LIFETIME))
    if change.before is not None and was is not None and (now is None or now == 0 or now > was):
        out.append(_finding(change, "PFR030", f"maximum token lifetime: {was} days → "
                            f"**{'no limit' if not now else f'{now} days'}** (`{_LIFETIME}`)"))
    return out


def _shown(value: Any) -> str:
    return "unset" if value is None else str(value)


def _days(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _ip_list(change: ResourceChange) -> list[Finding]:
    b, a = change.before or {}, change.after or {}
    kind_b, kind_a = str(b.get("list_type", "")).upper(), str(a.get("list_type", "")).upper()
    label = change.label
    out = []
    if change.after is None:
        if kind_b == "BLOCK" or (kind_b == "ALLOW" and b.get("enabled", True) is not False):
            out.append(_finding(change, "PFR031", f"removes {label} ({kind_b}): the addresses "
                                "it governed are no longer checked against it"))
        return out
    if kind_a == "ALLOW":
        # the whole-internet finding judges the workspace's lists together (review/allowlists.py)
        opened = open_to_internet(a.get("ip_addresses") or [])
        added = [x for x in a.get("ip_addresses") or [] if x not in (b.get("ip_addresses") or [])]
        if added and not opened:
            out.append(_finding(change, "PFR031", f"{label} allows **+ {', '.join(map(str, added))}**"))
    if kind_a == "BLOCK" and change.before is not None:
        dropped = [x for x in b.get("ip_addresses") or [] if x not in (a.get("ip_addresses") or [])]
        if dropped:
            out.append(_finding(change, "PFR031", f"{label} (BLOCK) no longer blocks "
                                f"**{', '.join(map(str, dropped))}**"))
    if change.before is not None and b.get("enabled", True) is not False and a.get("enabled", True) is False:
        out.append(_finding(change, "PFR031", f"{label}: enabled → **disabled**"))
    if change.before is not None and kind_b == "BLOCK" and kind_a == "ALLOW":
        out.append(_finding(change, "PFR031", f"{label}: BLOCK → **ALLOW**"))
    return out


def _setting(change: ResourceChange) -> list[Finding]:
    block, field, words = SETTINGS[change.type]
    if change.after is None:
        return [_finding(change, "PFR032", f"removes the {words} setting ({change.label})")]
    before, after = _block(change.before, block), _block(change.after, block)
    out = []
    if change.before is not None and before.get(field) is True and after.get(field) is not True:
        out.append(_finding(change, "PFR030", f"{words}: on → **off**"))
    if "compliance_standards" in before or "compliance_standards" in after:
        dropped = [s for s in before.get("compliance_standards") or [] if s not in (after.get("compliance_standards") or [])]
        if dropped:
            out.append(_finding(change, "PFR030", f"{words}: compliance standards **- {', '.join(dropped)}**"))
    return out


def _log_delivery(change: ResourceChange) -> list[Finding]:
    b, a = change.before or {}, change.after
    if str(b.get("log_type", "AUDIT_LOGS")) != "AUDIT_LOGS":
        return []
    if a is None:
        return [_finding(change, "PFR033", f"removes audit-log delivery ({change.label}): the account's audit "
                         "events stop reaching the security team's bucket")]
    out = []
    if change.before is not None and str(b.get("status", "ENABLED")) == "ENABLED" and str(a.get("status")) != "ENABLED":
        out.append(_finding(change, "PFR033", f"audit-log delivery {change.label}: ENABLED → **{a.get('status')}**"))
    if change.before is not None and a.get("log_type") != b.get("log_type"):
        out.append(_finding(change, "PFR033", f"audit-log delivery {change.label}: log type "
                            f"{b.get('log_type')} → **{a.get('log_type')}**"))
    return out


def _backend(change: ResourceChange) -> list[Finding]:
    """A state backend moved or unencrypted: in a protected environment, state is the record of what exists."""
    b = ((change.before or {}).get("backend") or {})
    a = ((change.after or {}).get("backend") or {})
    if b == a or change.before is None or change.after is None:
        return []
    out = []
    kind_b, kind_a = next(iter(b), None), next(iter(a), None)
    settings_b = b.get(kind_b) or {} if kind_b else {}
    settings_a = a.get(kind_a) or {} if kind_a else {}
    if settings_b.get("encrypt") is True and settings_a.get("encrypt") is not True:
        out.append(_finding(change, "PFR041", "state backend encryption: on → **off**"))
    if kind_b != kind_a or any(settings_b.get(k) != settings_a.get(k) for k in ("bucket", "key", "region",
                                                                               "storage_account_name",
                                                                               "container_name", "path")):
        if change.stack.protected:
            where = f"{kind_b} {settings_b.get('bucket') or settings_b.get('path') or ''}".strip()
            to = f"{kind_a} {settings_a.get('bucket') or settings_a.get('path') or ''}".strip()
            out.append(_finding(change, "PFR041", f"state backend moves: {where} → **{to}**: Terraform starts "
                                "from empty state there and would create every resource again"))
    if settings_b.get("dynamodb_table") and not settings_a.get("dynamodb_table") and kind_a == kind_b:
        out.append(_finding(change, "PFR041", "state locking (`dynamodb_table`) removed: two applies can "
                            "write the same state"))
    return out


def baseline_findings(change: ResourceChange) -> list[Finding]:
    """Broadening findings for one change to the baseline; [] for any other resource."""
    if change.type == "databricks_workspace_conf":
        return _conf(change)
    if change.type == "databricks_ip_access_list":
        return _ip_list(change)
    if change.type in SETTINGS:
        return _setting(change)
    if change.type == "databricks_mws_log_delivery":
        return _log_delivery(change)
    if change.type == "(terraform)":
        return _backend(change)
    return []
