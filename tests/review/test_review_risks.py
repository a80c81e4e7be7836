"""No false negatives: each dangerous change is named at the top with its class and rule id, and
fails under the default `--fail-on broadening`.

Stacks are built here as plain cdk.tf.json dicts (the shapes stacks/ writes), so every case is one
edit of one resource and nothing depends on the example catalog.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.review import build_review, exit_code
from pilotfactory.review.diff import diff_stacks, stack_ref
from pilotfactory.review.render_json import review_json
from pilotfactory.review.render_markdown import review_markdown

ENVS = {"dev": False, "prod": True}
LTS = ("15.4.x-scala2.12",)
SP = "5d2b9f0e-8a47-4c36-91d8-f6e3a0c2b758"


def run(base: dict, head: dict, fail_on: str = "broadening", lts=LTS):
    ref = lambda name: stack_ref(name, ENVS)  # noqa: E731
    review = build_review("base", "head", diff_stacks(base, head, ref), rates={}, lts=lts,
                          removed_stacks=[s for s in base if s not in head],
                          stacks={n: (base.get(n), head.get(n)) for n in {*base, *head}})
    status, reason = exit_code(review, fail_on)
    return review, status, review_markdown(review, status, reason), review_json(review, fail_on, status, reason)


def headline(markdown: str) -> str:
    return markdown.split("\n\n")[1]


def assert_flagged(base: dict, head: dict, rule: str, kind: str = "broadening", words: str = "") -> dict:
    """The rule's finding exists, the headline names its class and id, and the default fails."""
    review, status, markdown, as_json = run(base, head)
    found = [f for f in as_json["findings"] if f["rule"] == rule]
    assert found, (rule, [(f["rule"], f["text"]) for f in as_json["findings"]])
    assert all(f["kind"] == kind for f in found)
    assert rule in headline(markdown) and status == 1, (headline(markdown), status)
    first = markdown.split("|---|---|---|---|---|\n", 1)[1].split("\n", 1)[0]
    assert rule in first or kind in first, first
    assert words in " ".join(f["text"] + " " + (f["note"] or "") for f in found)
    return found[0]


def stack(**resources) -> dict:
    """`stack(databricks_job={"x": {...}})` -> a cdk.tf.json dict."""
    return {"resource": copy.deepcopy(resources)}


# ---- 1. meta-arguments only at the resource's top level ---------------------------------------

def job(**over) -> dict:
    body = {"name": "p-score", "max_concurrent_runs": 1, "run_as": {"service_principal_name": SP},
            "task": [{"task_key": "contract_check", "spark_python_task": {"python_file": "/c.py"}},
                     {"task_key": "score", "depends_on": [{"task_key": "contract_check"}],
                      "python_wheel_task": {"package_name": "p", "entry_point": "score"}}],
            "job_cluster": [{"job_cluster_key": "main", "new_cluster": {
                "data_security_mode": "SINGLE_USER", "spark_version": LTS[0], "policy_id": "${x.y.id}"}}]}
    body.update(over)
    return body


def test_a_task_dependency_removed_is_a_finding_not_no_change():
    head = job()
    del head["task"][1]["depends_on"]
    found = assert_flagged({"p-prod": stack(databricks_job={"j": job()})},
                           {"p-prod": stack(databricks_job={"j": head})}, "PFR024")
    assert "`score` no longer waits for `contract_check`" in found["text"]


def test_top_level_meta_arguments_stay_out_of_the_diff():
    head = job()
    head["depends_on"] = ["databricks_workspace_file.c"]
    head["provider"] = "databricks.other"
    review, status, markdown, _ = run({"p-prod": stack(databricks_job={"j": job()})}, {"p-prod": stack(databricks_job={"j": head})})
    assert review.changes == [] and status == 0 and "No infrastructure changes." in markdown


def test_a_task_dependency_removed_in_a_plan_is_a_finding(tmp_path: Path):
    before = job()
    after = copy.deepcopy(before)
    after["task"][1]["depends_on"] = []
    plan = tmp_path / "p-prod.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [
        {"address": "databricks_job.j", "mode": "managed", "type": "databricks_job", "name": "j",
         "change": {"actions": ["update"], "before": before, "after": after}}]}))
    result = CliRunner().invoke(cli, ["review", "--plan", str(plan), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["PFR024"]


def test_prevent_destroy_removed_is_a_finding():
    scope = {"name": "p-prod", "lifecycle": {"prevent_destroy": True}}
    head = {"name": "p-prod"}
    found = assert_flagged({"p-prod": stack(databricks_secret_scope={"s": scope})},
                           {"p-prod": stack(databricks_secret_scope={"s": head})},
                           "PFR040", words="Terraform will not refuse")
    assert found["env"] == "prod"


# ---- 2. the workspace security baseline --------------------------------------------------------

CONF = {"maxTokenLifetimeDays": "30", "enableTokensConfig": "true", "enableVerboseAuditLogs": "true",
        "enableResultsDownloading": "false", "enableNotebookTableClipboard": "false",
        "enableExportNotebook": "false", "enableIpAccessLists": "true"}
IP = {"label": "corporate-egress", "list_type": "ALLOW", "enabled": True, "ip_addresses": ["198.51.100.0/24"]}
SETTINGS = {
    "databricks_disable_legacy_access_setting": {"disable_legacy_access": {"value": True}},
    "databricks_disable_legacy_dbfs_setting": {"disable_legacy_dbfs": {"value": True}},
    "databricks_compliance_security_profile_workspace_setting": {
        "compliance_security_profile_workspace": {"is_enabled": True, "compliance_standards": ["PCI_DSS"]}},
    "databricks_enhanced_security_monitoring_workspace_setting": {
        "enhanced_security_monitoring_workspace": {"is_enabled": True}},
}


def platform(conf=None, ips=(IP,), drop=(), backend=None) -> dict:
    resources = {"databricks_workspace_conf": {"conf": {"custom_config": {**CONF, **(conf or {})}}},
                 "databricks_ip_access_list": {f"ip{i}": ip for i, ip in enumerate(ips)}}
    for rtype, body in SETTINGS.items():
        if rtype not in drop:
            resources[rtype] = {"s": body}
    out = stack(**resources)
    out["terraform"] = {"backend": backend or {"s3": {"bucket": "state-prod", "key": "k", "region": "eu-west-2",
                                                      "encrypt": True, "dynamodb_table": "lock"}}}
    return out


BASELINE = {
    "results download on": ({"conf": {"enableResultsDownloading": "true"}}, "PFR030", "results download"),
    "notebook export on": ({"conf": {"enableExportNotebook": "true"}}, "PFR030", "notebook export"),
    "token lifetime raised": ({"conf": {"maxTokenLifetimeDays": "31"}}, "PFR030", "30 days → 31 days"),
    "token lifetime unlimited": ({"conf": {"maxTokenLifetimeDays": "0"}}, "PFR030", "no limit"),
    "verbose audit logs off": ({"conf": {"enableVerboseAuditLogs": "false"}}, "PFR030", "verbose audit logs"),
    "ip lists not enforced": ({"conf": {"enableIpAccessLists": "false"}}, "PFR030", "IP access list"),
    "open to 0.0.0.0/0 in halves": ({"ips": ({**IP, "ip_addresses": ["0.0.0.0/1", "128.0.0.0/1"]},)},
                                    "PFR031", "every address on the internet"),
    "open to ::/0": ({"ips": ({**IP, "ip_addresses": ["198.51.100.0/24", "::/0"]},)}, "PFR031", "::/0"),
    "a range added": ({"ips": ({**IP, "ip_addresses": ["198.51.100.0/24", "192.0.2.0/24"]},)}, "PFR031",
                      "+ 192.0.2.0/24"),
    "allow list removed": ({"ips": ()}, "PFR031", "removes IP access list"),
    "allow list disabled": ({"ips": ({**IP, "enabled": False},)}, "PFR031", "disabled"),
    "legacy access": ({"drop": ("databricks_disable_legacy_access_setting",)}, "PFR032", "legacy access"),
    "dbfs root": ({"drop": ("databricks_disable_legacy_dbfs_setting",)}, "PFR032", "DBFS root"),
    "compliance profile": ({"drop": ("databricks_compliance_security_profile_workspace_setting",)}, "PFR032",
                           "compliance security profile"),
    "enhanced monitoring": ({"drop": ("databricks_enhanced_security_monitoring_workspace_setting",)}, "PFR032",
                            "enhanced security monitoring"),
    "state unencrypted": ({"backend": {"s3": {"bucket": "state-prod", "key": "k", "region": "eu-west-2",
                                              "dynamodb_table": "lock"}}}, "PFR041", "encryption"),
    "state moved": ({"backend": {"s3": {"bucket": "elsewhere", "key": "k", "region": "eu-west-2",
                                        "encrypt": True, "dynamodb_table": "lock"}}}, "PFR041", "empty state"),
}


@pytest.mark.parametrize("case", sorted(BASELINE))
def test_the_workspace_security_baseline_weakened_is_broadening(case: str):
    edit, rule, words = BASELINE[case]
    assert_flagged({"platform-prod": platform()}, {"platform-prod": platform(**edit)}, rule, words=words)


def test_audit_log_delivery_removed_is_broadening():
    delivery = {"log_type": "AUDIT_LOGS", "output_format": "JSON", "status": "ENABLED", "config_name": "audit"}
    base = {"account": stack(databricks_mws_log_delivery={"audit": delivery})}
    assert_flagged(base, {"account": stack()}, "PFR033", words="audit")
    disabled = {"account": stack(databricks_mws_log_delivery={"audit": {**delivery, "status": "DISABLED"}})}
    assert_flagged(base, disabled, "PFR033", words="DISABLED")


def test_tightening_the_baseline_is_not_broadening():
    tighter = platform(conf={"maxTokenLifetimeDays": "7", "enableVerboseAuditLogs": "true"},
                       ips=({**IP, "ip_addresses": []},))
    review, status, _, _ = run({"platform-prod": platform()}, {"platform-prod": tighter})
    assert review.of_kind("broadening") == [] and status == 0


# ---- 6. further broadening ---------------------------------------------------------------------

def policy(**rules) -> dict:
    definition = {"spark_version": {"type": "fixed", "value": LTS[0]},
                  "data_security_mode": {"type": "fixed", "value": "SINGLE_USER"},
                  "num_workers": {"type": "range", "maxValue": 4}}
    definition.update(rules)
    return {"name": "p-prod", "definition": json.dumps(definition)}


def test_secret_acl_read_to_write_is_broadening():
    acl = {"scope": "p-prod", "principal": "p-builders", "permission": "READ"}
    assert_flagged({"p-prod": stack(databricks_secret_acl={"a": acl})},
                   {"p-prod": stack(databricks_secret_acl={"a": {**acl, "permission": "WRITE"}})},
                   "PFR013", words="READ → WRITE")


def test_a_policy_raising_num_workers_is_broadening():
    assert_flagged({"p-prod": stack(databricks_cluster_policy={"p": policy()})},
                   {"p-prod": stack(databricks_cluster_policy={"p": policy(num_workers={"type": "range",
                                                                                       "maxValue": 5})})},
                   "PFR020", words="4 → 5")


@pytest.mark.parametrize("mode", ["USER_ISOLATION", "NONE"])
def test_access_mode_leaving_single_user_is_broadening(mode: str):
    assert_flagged({"p-prod": stack(databricks_cluster_policy={"p": policy()})},
                   {"p-prod": stack(databricks_cluster_policy={"p": policy(
                       data_security_mode={"type": "fixed", "value": mode})})}, "PFR021", words=mode[:4])
    head = job()
    head["job_cluster"][0]["new_cluster"]["data_security_mode"] = mode
    assert_flagged({"p-prod": stack(databricks_job={"j": job()})}, {"p-prod": stack(databricks_job={"j": head})},
                   "PFR021")


def test_a_non_lts_runtime_is_broadening():
    head = job()
    head["job_cluster"][0]["new_cluster"]["spark_version"] = "16.1.x-scala2.12"
    assert_flagged({"p-dev": stack(databricks_job={"j": job()})}, {"p-dev": stack(databricks_job={"j": head})},
                   "PFR022", words="16.1.x-scala2.12")
    # another standard LTS runtime is not a finding
    head["job_cluster"][0]["new_cluster"]["spark_version"] = "14.3.x-scala2.12"
    _, status, _, _ = run({"p-dev": stack(databricks_job={"j": job()})}, {"p-dev": stack(databricks_job={"j": head})},
                          lts=(*LTS, "14.3.x-scala2.12"))
    assert status == 0


def test_run_as_moved_to_a_person_is_broadening():
    found = assert_flagged({"p-dev": stack(databricks_job={"j": job()})},
                           {"p-dev": stack(databricks_job={"j": job(run_as={"user_name": "mei@bank.example"})})},
                           "PFR023", words="mei@bank.example")
    assert SP in found["text"]


# ---- 4. destroying or replacing in a protected environment --------------------------------------

def test_a_removed_secret_scope_in_prod_fails_by_default_and_not_in_dev():
    scope = {"name": "p-prod"}
    found = assert_flagged({"p-prod": stack(databricks_secret_scope={"s": scope}, databricks_job={"j": job()})},
                           {"p-prod": stack(databricks_job={"j": job()})}, "PFR050", kind="destructive")
    assert found["severity"] == "critical"
    _, status, _, _ = run({"p-dev": stack(databricks_secret_scope={"s": scope}, databricks_job={"j": job()})},
                          {"p-dev": stack(databricks_job={"j": job()})})
    assert status == 0


def test_a_replaced_workspace_says_what_terraform_does_with_prevent_destroy():
    ws = {"workspace_name": "bank-prod", "aws_region": "eu-west-2", "lifecycle": {"prevent_destroy": True}}
    found = assert_flagged({"platform-prod": stack(databricks_mws_workspaces={"w": ws})},
                           {"platform-prod": stack(databricks_mws_workspaces={"w": {**ws, "aws_region": "eu-west-1"}})},
                           "PFR051", kind="destructive")
    assert "`terraform plan` fail" in found["note"]


def test_a_deleted_resource_with_prevent_destroy_is_not_said_to_be_refused():
    ws = {"workspace_name": "bank-prod", "lifecycle": {"prevent_destroy": True}}
    found = assert_flagged({"platform-prod": stack(databricks_mws_workspaces={"w": ws}, databricks_job={"j": job()})},
                           {"platform-prod": stack(databricks_job={"j": job()})}, "PFR050", kind="destructive")
    assert "without refusing" in found["note"] and "makes apply refuse" not in found["note"]


# ---- 5. access on new objects ------------------------------------------------------------------

def test_a_grant_on_a_new_object_in_prod_is_access_granted_with_its_principal():
    perms = {"job_id": "${databricks_job.j.id}",
             "access_control": [{"group_name": "p-approvers", "permission_level": "CAN_MANAGE"}]}
    found = assert_flagged({"p-prod": stack()}, {"p-prod": stack(databricks_job={"j": job()},
                                                                 databricks_permissions={"pj": perms})},
                           "PFR012", words="access granted: group `p-approvers`")
    assert "CAN_MANAGE" in found["text"]


# ---- 3. governance -----------------------------------------------------------------------------

GATES = """approvals:
  verify: signature
intake:
  min_value_score: 3
  model_risk_review_above: 3
exits:
  production:
    segregation_of_duties: true
    rollback_rehearsal: {env: staging, max_age_days: 90}
    approvals: [compliance, security]
"""


@pytest.mark.parametrize("old,new,verdict", [
    ("min_value_score: 3", "min_value_score: 2", "**weaker**"),
    ("min_value_score: 3", "min_value_score: 4", "stricter"),
    ("model_risk_review_above: 3", "model_risk_review_above: 4", "**weaker**"),
    ("max_age_days: 90", "max_age_days: 91", "**weaker**"),
    ("segregation_of_duties: true", "segregation_of_duties: false", "**weaker**"),
    ("approvals: [compliance, security]", "approvals: [compliance]", "**weaker**"),
    ("approvals: [compliance, security]", "approvals: [compliance, security, model_risk]", "stricter"),
    ("    segregation_of_duties: true\n", "", "**weaker**"),
    ("verify: signature", "verify: none", "**weaker**"),
    ("verify: signature", "verify: author", "**weaker**"),
])
def test_gate_changes_say_whether_they_weaken(tmp_path: Path, old: str, new: str, verdict: str):
    from pilotfactory.review.governance import governance_findings

    for side, text in (("base", GATES), ("head", GATES.replace(old, new))):
        (tmp_path / side / "config").mkdir(parents=True)
        (tmp_path / side / "config" / "gates.yaml").write_text(text)
    [found] = governance_findings(tmp_path / "base", tmp_path / "head")
    assert (found.kind, found.rule_id) == ("governance", "PFR001") and verdict in found.text
    assert found.source.startswith("config/gates.yaml:") and found.blocks_by_default


# ---- 5. access on new objects, renames -----------------------------------------------------------

def test_a_renamed_resource_is_one_rename_with_what_changes():
    scope = {"name": "p-prod", "lifecycle": {"prevent_destroy": True}}
    found = assert_flagged({"p-prod": stack(databricks_secret_scope={"old": scope})},
                           {"p-prod": stack(databricks_secret_scope={"new": {**scope, "name": "p2-prod"}})},
                           "PFR090", kind="destructive")
    assert "`databricks_secret_scope.old` → `databricks_secret_scope.new`" in found["text"]
    assert "what changes: name" in found["text"]
    review, _, _, as_json = run({"p-prod": stack(databricks_secret_scope={"old": scope})},
                                {"p-prod": stack(databricks_secret_scope={"new": {**scope, "name": "p2-prod"}})})
    assert [f["rule"] for f in as_json["findings"] if f["kind"] == "destructive"] == ["PFR090"]


def test_a_renamed_pilot_is_a_stack_rename_and_its_grants_are_access_granted():
    def pilot_stack(name: str) -> dict:
        perms = {"job_id": "${databricks_job.j.id}",
                 "access_control": [{"group_name": f"{name}-approvers", "permission_level": "CAN_MANAGE_RUN"}]}
        return stack(databricks_job={"j": job(name=f"{name}-score")}, databricks_permissions={"pj": perms},
                     databricks_secret_scope={"s": {"name": f"{name}-prod"}})
    review, status, markdown, as_json = run({"old-prod": pilot_stack("old")}, {"new-prod": pilot_stack("new")})
    assert status == 1
    [rename] = [f for f in as_json["findings"] if f["rule"] == "PFR090"]
    assert "stack `old-prod` → `new-prod` is a rename" in rename["text"] and "lose what they hold" in rename["text"]
    assert not [f for f in as_json["findings"] if f["rule"] == "PFR052"]
    granted = [f for f in as_json["findings"] if f["rule"] == "PFR012"]
    assert granted and "group `new-approvers`" in granted[0]["text"]


# ---- 8. noise folded ---------------------------------------------------------------------------

def test_a_principal_swap_is_one_finding_not_a_row_per_object():
    def perms(group: str) -> dict:
        return {f"p{i}": {"job_id": f"${{databricks_job.j{i}.id}}",
                          "access_control": [{"group_name": group, "permission_level": "CAN_MANAGE_RUN"}]}
                for i in range(12)}
    jobs = {f"j{i}": job(name=f"p-job{i}") for i in range(12)}
    review, status, markdown, as_json = run({"p-prod": stack(databricks_job=jobs, databricks_permissions=perms("ops-a"))},
                                            {"p-prod": stack(databricks_job=jobs, databricks_permissions=perms("ops-b"))})
    [found] = as_json["findings"]
    assert found["kind"] == "broadening" and status == 1
    assert found["text"].startswith("access moves from group `ops-a` to group `ops-b` (CAN_MANAGE_RUN) on 12 objects")


def test_one_principal_raised_on_many_objects_is_one_finding():
    def perms(level: str) -> dict:
        return {f"p{i}": {"job_id": f"${{databricks_job.j{i}.id}}",
                          "access_control": [{"group_name": "ops", "permission_level": level}]} for i in range(7)}
    jobs = {f"j{i}": job(name=f"p-job{i}") for i in range(7)}
    _, _, _, as_json = run({"p-prod": stack(databricks_job=jobs, databricks_permissions=perms("CAN_VIEW"))},
                           {"p-prod": stack(databricks_job=jobs, databricks_permissions=perms("CAN_MANAGE"))})
    [found] = as_json["findings"]
    assert found["text"].startswith("group `ops` on 7 objects: CAN_VIEW → CAN_MANAGE (") and "and 2 more" in found["text"]


def test_an_unchanged_cost_ceiling_is_not_printed():
    base = policy()
    head = policy(spark_version={"type": "fixed", "value": "14.3.x-scala2.12"})
    review, _, markdown, _ = run({"p-dev": stack(databricks_cluster_policy={"p": base})},
                                 {"p-dev": stack(databricks_cluster_policy={"p": head})})
    assert "cost ceiling" not in markdown and "ceiling" not in " ".join(f.note or "" for f in review.findings)


def test_long_values_show_where_they_differ():
    sql = "SELECT " + ", ".join(f"col_{i}" for i in range(60)) + " FROM t WHERE x = 1"
    query = {"display_name": "freshness", "query_text": sql}
    _, _, markdown, _ = run({"p-dev": stack(databricks_query={"q": query})},
                            {"p-dev": stack(databricks_query={"q": {**query, "query_text": sql.replace("x = 1", "x = 2")}})})
    row = next(line for line in markdown.splitlines() if "query_text" in line)
    before, after = row.split(" | ")[2:4]
    assert before != after and "x = 1" in before and "x = 2" in after


# ---- 8. waivers with a recorded reason ----------------------------------------------------------

WAIVER = """waivers:
  - rule: PFR022
    stack: p-dev
    reason: the 16.1 runtime is needed for the new tokenizer until 17.3 LTS ships
    approved_by: aisha.okafor@bank.example
    expires: 2026-12-31
"""


def test_a_waiver_at_the_base_accepts_a_finding_with_its_reason(tmp_path: Path):
    from pilotfactory.review.waivers import apply_waivers, load_waivers

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "review-waivers.yaml").write_text(WAIVER)
    waivers, problems = load_waivers(tmp_path)
    assert problems == [] and len(waivers) == 1
    head = job()
    head["job_cluster"][0]["new_cluster"]["spark_version"] = "16.1.x-scala2.12"
    review, _, _, _ = run({"p-dev": stack(databricks_job={"j": job()})}, {"p-dev": stack(databricks_job={"j": head})})
    import datetime as dt
    review.findings = apply_waivers(review.findings, waivers, dt.date(2026, 12, 1))
    [found] = review.findings
    assert found.waived and "tokenizer" in found.waived and "aisha.okafor@bank.example" in found.waived
    assert exit_code(review, "broadening")[0] == 0
    # expired: the finding blocks again
    review.findings = apply_waivers([f.__class__(**{**f.__dict__, "waived": None}) for f in review.findings],
                                    waivers, dt.date(2027, 1, 1))
    assert exit_code(review, "broadening")[0] == 1


def test_a_waiver_without_a_reason_waives_nothing(tmp_path: Path):
    from pilotfactory.review.waivers import load_waivers

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "review-waivers.yaml").write_text(WAIVER.replace("    reason: the 16.1", "    note: the 16.1"))
    waivers, problems = load_waivers(tmp_path)
    assert waivers == [] and "needs a known `rule`, a `reason`" in problems[0]


def test_a_new_waiver_is_itself_a_governance_finding(tmp_path: Path):
    from pilotfactory.review.governance import governance_findings

    (tmp_path / "base" / "config").mkdir(parents=True)
    (tmp_path / "head" / "config").mkdir(parents=True)
    (tmp_path / "head" / "config" / "review-waivers.yaml").write_text(WAIVER)
    [found] = governance_findings(tmp_path / "base", tmp_path / "head")
    assert found.rule_id == "PFR005" and "PFR022" in found.text


def test_an_ip_list_finding_names_the_list_once():
    """The object table's noun (`IP access list`) is the label's; the finding does not say it again."""
    head = platform(ips=({**IP, "ip_addresses": ["198.51.100.0/24", "192.0.2.0/24"]},))
    found = assert_flagged({"platform-prod": platform()}, {"platform-prod": head}, "PFR031", words="192.0.2.0/24")
    assert found["text"].lower().count("ip access list") == 1, found["text"]
