"""preflight, verify, drift and rollback --emergency: the real databricks-sdk against a local workspace."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check
from tests.conftest import REPO
from tests.live.conftest import ROOT as _ROOT, deploy

# Short limits only where the limit is what a test is about; elsewhere a loaded runner's slow answer
# must not read as a workspace that does not answer.
FAST = ["--timeout", "0.5", "--retry-timeout", "2"]
PATIENT = ["--timeout", "10", "--retry-timeout", "20"]


def run(*args: str, root: Path | None = None, input: str | None = None, limits: list[str] = PATIENT):
    return CliRunner().invoke(cli, [*args, *limits, "--root", str(root or _ROOT[0])], input=input)


def assert_one_line_error(result, *words: str):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for word in words:
        assert word in errors[0], errors[0]


# ---- preflight ------------------------------------------------------------------------------

def test_preflight_passes_when_the_workspace_has_everything(workspace, example_checked):
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "all" in result.output and "checks passed" in result.output
    cat = example_checked.resolution.catalog
    for version in cat.standards.spark_versions:
        assert version in result.output
    assert "sp-pilotfactory-staging" in result.output
    # Groups were looked up one by one with a SCIM filter, not by listing the whole directory.
    filters = [q.get("filter") for _, _, q in workspace.calls("GET", "/api/2.0/preview/scim/v2/Groups")]
    assert 'displayName eq "kyc-builders"' in filters


def test_preflight_fails_on_each_missing_object(workspace, example_checked):
    cat = example_checked.resolution.catalog
    missing_version = cat.standards.spark_versions[0]
    missing_node = sorted(cat.standards.node_types)[0]
    workspace.spark_versions.remove(missing_version)
    workspace.node_types.remove(missing_node)
    workspace.groups.remove("kyc-approvers")                 # a managed group: the platform stack makes it
    workspace.groups.remove(cat.roles.roles["compliance"])   # synced from the IdP: must exist already
    workspace.service_principals.clear()
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    fails = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert any(missing_version in line and "not offered" in line for line in fails)
    assert any(missing_node in line for line in fails)
    assert any(cat.roles.roles["compliance"] in line and "identity provider" in line for line in fails)
    assert any("sp-pilotfactory-staging" in line for line in fails)
    managed = [line for line in result.output.splitlines() if "kyc-approvers" in line]
    assert managed and managed[0].startswith("ok") and "`account` stack" in managed[0]
    assert f"{len(fails)} of" in result.output


def test_preflight_checks_the_configured_sql_warehouse(workspace, example_checked):
    wid = example_checked.resolution.catalog.environments.environments["staging"].sql_warehouse_id
    name = workspace.warehouses.pop(wid)
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if wid in line)
    assert line.startswith("FAIL") and "not found (404)" in line
    workspace.warehouses[wid] = name
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "`pilot-alerts` (RUNNING)" in result.output


def test_wrong_token_is_one_line_401(workspace, monkeypatch):
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi" + "0" * 32)
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "authentication failed (401)" in result.output and "DATABRICKS_TOKEN" in result.output
    # A 401 stops the run: every later call would fail the same way.
    assert not workspace.calls("GET", "/api/2.1/clusters/list-node-types")


def test_no_credentials_is_one_line(workspace, monkeypatch):
    monkeypatch.delenv("DATABRICKS_TOKEN")
    result = run("preflight", "--env", "staging")
    assert_one_line_error(result, "no usable Databricks credentials", "staging")


def test_403_fails_that_check_only(workspace):
    workspace.fail["/api/2.1/clusters/list-node-types"] = [403]
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "permission denied (403)" in line)
    assert line.startswith("FAIL") and "list-node-types" in line
    assert "sp-pilotfactory-staging" in result.output   # later checks still ran


def test_429_then_success_is_retried_by_the_sdk(workspace):
    workspace.fail["/api/2.1/clusters/spark-versions"] = [429, 429]
    workspace.fail["/api/2.0/preview/scim/v2/ServicePrincipals"] = [500]   # our own retry of 5xx
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert len(workspace.calls("GET", "/api/2.1/clusters/spark-versions")) == 3
    first_pages = [q for _, _, q in workspace.calls("GET", "/api/2.0/preview/scim/v2/ServicePrincipals")
                   if q.get("startIndex") == "1" and "attributes" not in q]   # not the system-tables lookup
    assert len(first_pages) == 2


def test_a_workspace_that_does_not_answer_times_out_in_one_line(workspace):
    # Behaviour, not wall time (a loaded machine is slow): the server waits 1 s, each request is cut
    # at --timeout 0.5 s, and retrying stops within --retry-timeout 2 s (an attempt plus the SDK's
    # back-off take at least 1.5 s, so at most 2 attempts; 3 leaves room for a jitter of 0).
    workspace.delay["/api/2.1/clusters/spark-versions"] = 1.0
    result = run("preflight", "--env", "staging", limits=FAST)
    attempts = len(workspace.calls("GET", "/api/2.1/clusters/spark-versions"))
    assert 1 <= attempts <= 3, attempts
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "gave up after retrying for 2 s: each request timed out after 0.5 s" in result.output


def test_unknown_environment_is_named(workspace):
    result = run("preflight", "--env", "stagng")
    assert_one_line_error(result, "`stagng`", "staging")


# ---- verify ---------------------------------------------------------------------------------

def test_verify_passes_after_a_deploy_across_pages_with_unknown_fields(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    for i in range(5):   # other teams' jobs: the ones we look for sit on later pages
        workspace.add_job(f"someone-else-{i}")
    workspace.extra_fields = True
    result = run("verify", "--env", "staging")
    assert result.exit_code == 0, result.output
    pages = workspace.calls("GET", "/api/2.2/jobs/list")
    assert len(pages) > 2 and pages[1][2].get("page_token")
    assert "kyc-document-triage-classify-green" in result.output
    assert "champion -> v8" in result.output   # green serves model version 8 and is live in staging


def test_verify_reports_each_mismatch(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    green = ids["kyc-document-triage-classify-green"]
    workspace.jobs[green]["schedule"]["pause_status"] = "PAUSED"
    del workspace.jobs[ids["kyc-document-triage-classify-blue"]]
    endpoint = next(iter(workspace.endpoints))
    for route in workspace.endpoints[endpoint]["traffic_config"]["routes"]:
        route["traffic_percentage"] = 50
    model = next(iter(workspace.aliases))
    workspace.aliases[model]["champion"] = 1
    result = run("verify", "--env", "staging")
    assert result.exit_code == 1
    fails = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert any("classify-green" in line and "schedule is PAUSED, expected UNPAUSED" in line for line in fails)
    assert any("classify-blue" in line and "missing" in line for line in fails)
    assert any(endpoint in line and "blue 50%" in line for line in fails)
    assert any(model in line and "champion -> v1" in line for line in fails)


def test_verify_missing_endpoint_is_a_failed_check(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    workspace.endpoints.clear()
    result = run("verify", "--env", "staging")
    assert result.exit_code == 1
    assert any("not found (404)" in line and line.startswith("FAIL") for line in result.output.splitlines())


# ---- drift ----------------------------------------------------------------------------------

def test_no_drift_right_after_a_deploy(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    workspace.extra_fields = True
    result = run("drift", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert "no drift" in result.output


def test_hand_edits_are_reported_in_review_words(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    job = ids["kyc-document-triage-classify-green"]
    workspace.jobs[job]["max_concurrent_runs"] = 4
    workspace.permissions[job].append({"group_name": "users", "all_permissions": [
        {"permission_level": "CAN_MANAGE", "inherited": False}]})
    result = run("drift", "--env", "staging")
    assert result.exit_code == 1
    out = result.output
    assert "max_concurrent_runs" in out and "4" in out
    # The grant to everyone is a broadening finding, exactly as `pilotfactory review` words it.
    from pilotfactory.review.changes import StackRef
    from pilotfactory.review.diff import resource_change
    from pilotfactory.review import build_review
    from pilotfactory.review.render_markdown import review_markdown
    stack = staging_stacks["kyc-document-triage-staging"]
    (pname, perms), = [(n, v) for n, v in stack["resource"]["databricks_permissions"].items()
                       if "classify-green" in n]
    widened = {**perms, "access_control": [*perms["access_control"],
                                           {"group_name": "users", "permission_level": "CAN_MANAGE"}]}
    ref = StackRef("kyc-document-triage-staging", "kyc-document-triage", "staging", False)
    expected = build_review("a", "b", [resource_change(ref, "databricks_permissions", pname, perms, widened,
                                                        "permissions")], rates={})
    (finding,) = expected.of_kind("broadening")
    assert finding.text.split(" on ")[0] in out


def test_drift_as_json(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    workspace.jobs[ids["kyc-document-triage-classify-blue"]]["tags"]["owner"] = "someone"
    result = CliRunner().invoke(cli, ["drift", "--env", "staging", "--format", "json", "--fail-on", "any", *PATIENT,
                                      "--root", str(workspace.root)])
    assert result.exit_code == 1   # a tag edit is drift, not broadening: it fails only under `--fail-on any`
    data = json.loads(result.stdout)
    assert data["exit"]["status"] == 1 and data["base"] == "synthesized" and data["head"] == "workspace"
    (stack,) = data["stacks"]
    (change,) = stack["changes"]
    assert {"path": "tags.owner", "before": None, "after": "someone"}.items() <= change["attributes"][0].items()


# ---- rollback --emergency (the rest: tests/live/test_emergency.py) -----------------------------

def test_emergency_rollback_is_blocked_neither_by_other_pilots_nor_by_its_own_gates(
        workspace, staging_stacks, repo_copy):
    """Blast radius (issue 13): another pilot's broken file and this pilot's stale approvals."""
    deploy(workspace, staging_stacks)
    broken = repo_copy / "catalog/pilots/unknown-size.yaml"
    broken.write_text((REPO / "tests/validate/broken/pilots/unknown-size.yaml").read_text())
    path = repo_copy / "catalog/pilots/kyc-document-triage.yaml"
    path.write_text(path.read_text().replace("title: KYC document", "title: Changed KYC document", 1))
    assert not check(repo_copy).ok
    result = run("rollback", "kyc-document-triage", "--env", "staging", "--emergency", "--yes", root=repo_copy)
    assert result.exit_code == 0, result.output
    assert "unknown-size" not in result.output
    assert "active: {dev: green, staging: blue, prod: blue}" in path.read_text()


# ---- membership: config/roles.yaml against the live groups -------------------------------------

@pytest.mark.parametrize("change, says", [
    (lambda ws, g: ws.members[g].append("mallory.insider@bank.example"),
     "mallory.insider@bank.example is in the live group but not in config/roles.yaml"),
    (lambda ws, g: ws.members[g].remove(ws.members[g][0]),
     "is listed in config/roles.yaml but not in the live group"),
    (lambda ws, g: ws.members[g].append("group:contractors"),
     "Contractors (Groups) is a member that is not a user"),
], ids=["extra-live-member", "missing-live-member", "nested-group"])
@pytest.mark.parametrize("command", ["preflight", "drift"])
def test_membership_differences_are_governance_findings(workspace, example_checked, staging_stacks, change,
                                                        says, command):
    from tests.live.conftest import deploy

    deploy(workspace, staging_stacks)
    group = example_checked.resolution.catalog.roles.roles["compliance"]
    change(workspace, group)
    result = run(command, "--env", "staging")
    assert result.exit_code == 1, result.output
    found = [line for line in result.output.splitlines() if group in line and "membership" in line]
    assert len(found) == 1 and found[0].startswith(("FAIL", "- membership")), found
    assert says.replace("Contractors", "contractors") in found[0], found[0]


def test_membership_is_compared_by_user_name_not_display_name(workspace):
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    ok = [line for line in result.output.splitlines() if line.startswith("ok") and "membership" in line]
    assert any("compliance" in line and "2 members, as config/roles.yaml lists" in line for line in ok), ok
    users = workspace.calls("GET", "/api/2.0/preview/scim/v2/Users/")
    assert users and all(q.get("attributes") == "id,userName" for _, _, q in users)
