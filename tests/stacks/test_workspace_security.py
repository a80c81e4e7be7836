"""The workspace security baseline in platform stacks, and audit log delivery in the account stack."""
from __future__ import annotations

import copy
import json

from stacks import build_app
from stacks.engine import get_engine

from .conftest import ACCOUNT_ID, ENVIRONMENTS, make_catalog, resources

PROD_SECURITY = {
    "max_token_lifetime_days": 14,
    "results_downloading": False,
    "notebook_export": False,
    "ip_access_lists": [{"label": "office", "addresses": ["198.51.100.0/24"]},
                        {"label": "known-bad", "list_type": "BLOCK", "addresses": ["192.0.2.7"]}],
    "compliance_standards": ["PCI_DSS", "HIPAA"],
    "enhanced_security_monitoring": True,
}
AUDIT = {"credentials_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
         "storage_configuration_id": "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"}


def _synth(environments) -> dict[str, dict]:
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        app = build_app(make_catalog(environments, ()), out)
        testing = get_engine().Testing
        return {c.node.id: json.loads(testing.synth(c)) for c in app.node.children
                if type(c).__name__ == "TerraformStack"}


def _environments():
    environments = copy.deepcopy(ENVIRONMENTS)
    environments["environments"]["prod"]["security"] = PROD_SECURITY
    environments["account"]["audit_logs"] = AUDIT
    return environments


def test_every_platform_stack_has_exactly_one_workspace_conf_with_the_defaults_or_its_settings():
    stacks = _synth(_environments())
    for env in ENVIRONMENTS["environments"]:
        (conf,) = resources(stacks[f"platform-{env}"], "databricks_workspace_conf").values()
        assert conf["custom_config"]["enableVerboseAuditLogs"] == "true"
    (dev,) = resources(stacks["platform-dev"], "databricks_workspace_conf").values()
    assert dev["custom_config"] == {
        "maxTokenLifetimeDays": "90", "enableTokensConfig": "true", "enableVerboseAuditLogs": "true",
        "enableResultsDownloading": "true", "enableNotebookTableClipboard": "true",
        "enableExportNotebook": "true", "enableIpAccessLists": "false"}
    (prod,) = resources(stacks["platform-prod"], "databricks_workspace_conf").values()
    assert prod["custom_config"]["maxTokenLifetimeDays"] == "14"
    assert prod["custom_config"]["enableResultsDownloading"] == "false"
    assert prod["custom_config"]["enableExportNotebook"] == "false"
    assert prod["custom_config"]["enableNotebookTableClipboard"] == "true"
    assert prod["custom_config"]["enableIpAccessLists"] == "true"
    # enforcement only after the lists exist: no apply locks the platform team out
    assert sorted(prod["depends_on"]) == sorted(f"databricks_ip_access_list.{k}" for k in
                                                resources(stacks["platform-prod"], "databricks_ip_access_list"))


def test_ip_access_lists_legacy_switches_and_profiles_follow_the_environment():
    stacks = _synth(_environments())
    lists = resources(stacks["platform-prod"], "databricks_ip_access_list")
    assert sorted((v["label"], v["list_type"], tuple(v["ip_addresses"])) for v in lists.values()) == [
        ("known-bad", "BLOCK", ("192.0.2.7",)), ("office", "ALLOW", ("198.51.100.0/24",))]
    for env in ("dev", "prod"):
        stack = stacks[f"platform-{env}"]
        (access,) = resources(stack, "databricks_disable_legacy_access_setting").values()
        (dbfs,) = resources(stack, "databricks_disable_legacy_dbfs_setting").values()
        assert access["disable_legacy_access"] == {"value": True} and dbfs["disable_legacy_dbfs"] == {"value": True}
    (csp,) = resources(stacks["platform-prod"], "databricks_compliance_security_profile_workspace_setting").values()
    assert csp["compliance_security_profile_workspace"] == {"is_enabled": True,
                                                            "compliance_standards": ["PCI_DSS", "HIPAA"]}
    (esm,) = resources(stacks["platform-prod"], "databricks_enhanced_security_monitoring_workspace_setting").values()
    assert esm["enhanced_security_monitoring_workspace"] == {"is_enabled": True}
    for kind in ("databricks_compliance_security_profile_workspace_setting",
                 "databricks_enhanced_security_monitoring_workspace_setting", "databricks_ip_access_list"):
        assert resources(stacks["platform-dev"], kind) == {}


def test_account_stack_delivers_audit_logs_only_when_configured():
    stacks = _synth(_environments())
    (delivery,) = resources(stacks["account"], "databricks_mws_log_delivery").values()
    assert delivery == {**delivery, "account_id": ACCOUNT_ID, "log_type": "AUDIT_LOGS", "output_format": "JSON",
                        "credentials_id": AUDIT["credentials_id"], "delivery_path_prefix": "audit-logs",
                        "storage_configuration_id": AUDIT["storage_configuration_id"], "status": "ENABLED"}
    assert resources(_synth(ENVIRONMENTS)["account"], "databricks_mws_log_delivery") == {}
