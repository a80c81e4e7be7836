"""drift resolves references before it compares (issue 12, item 9): a job moved to another cluster
policy, or a task pointed at a file outside the pilot's folder, is the same finding `review` gives
(class and rule id), and fails; a reference unchanged since the deploy is not drift.

The real databricks-sdk against tests/live/workspace_server.py. Jobs and policies are picked by
shape (a job whose cluster has a policy, a task that runs a workspace file), not by name.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from tests.live.conftest import deploy

# The stand-in workspace always answers here: a patient client, so that a loaded machine (one
# request slower than 0.5 s) never reads as a workspace that did not answer.
PATIENT = ["--timeout", "10", "--retry-timeout", "20"]


def drift(workspace, fmt: str = "json"):
    result = CliRunner().invoke(cli, ["drift", "--env", "staging", "--format", fmt, *PATIENT,
                                      "--root", str(workspace.root)])
    return result, (json.loads(result.stdout) if fmt == "json" else None)


def job_with(workspace, ids: dict, test) -> tuple[str, dict]:
    """(name, live settings) of the first deployed job for which `test(settings)` holds."""
    for name, job_id in sorted(ids.items()):
        if test(workspace.jobs[job_id]):
            return name, workspace.jobs[job_id]
    raise AssertionError("no deployed job of that shape")


def _clusters(settings: dict) -> list[dict]:
    return [c["new_cluster"] for c in settings.get("job_clusters", []) if c.get("new_cluster", {}).get("policy_id")]


def _workspace_files(settings: dict) -> list[dict]:
    return [t["spark_python_task"] for t in settings.get("tasks", [])
            if t.get("spark_python_task", {}).get("source") == "WORKSPACE"]


def findings(data: dict, rule: str) -> list[dict]:
    return [f for f in data["findings"] if f["rule"] == rule]


def test_an_unchanged_reference_is_compared_and_not_drift(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    name, settings = job_with(workspace, ids, _clusters)
    assert not _clusters(settings)[0]["policy_id"].startswith("${")   # the deploy wrote the live id
    result, data = drift(workspace)
    assert result.exit_code == 0, result.output
    assert data["findings"] == [] and data["unmatched"] == []
    # the policy reference was resolved against the live policies, not skipped
    assert workspace.calls("GET", "/api/2.0/policies/clusters/list")


def test_a_job_moved_to_another_policy_is_flagged(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    workspace.policies["0DDBA11"] = {"name": "hand-made-unrestricted", "definition": "{}"}
    name, settings = job_with(workspace, ids, _clusters)
    own = workspace.policies[_clusters(settings)[0]["policy_id"]]["name"]
    _clusters(settings)[0]["policy_id"] = "0DDBA11"
    result, data = drift(workspace)
    assert result.exit_code == 1, result.output
    (found,) = findings(data, "PFR025")
    assert found["kind"] == "broadening"
    assert f"policy `{own}`" in found["text"] and "0DDBA11 (policy `hand-made-unrestricted`)" in found["text"]
    markdown, _ = drift(workspace, "markdown")
    assert "PFR025" in markdown.output.split("\n\n")[1], markdown.output[:400]


def test_a_task_pointed_at_a_file_outside_the_pilots_folder_is_flagged(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    name, settings = job_with(workspace, ids, _workspace_files)
    task = _workspace_files(settings)[0]
    own = task["python_file"]
    task["python_file"] = "/Workspace/Users/mallory.insider@bank.example/check.py"
    result, data = drift(workspace)
    assert result.exit_code == 1, result.output
    (found,) = findings(data, "PFR026")
    assert found["kind"] == "broadening" and "mallory.insider" in found["text"] and own in found["text"]


@pytest.mark.parametrize("how, says", [("deleted", "no cluster policy is named"),
                                       ("twin", "2 cluster policies are named")])
def test_a_reference_that_cannot_be_resolved_is_not_compared_and_fails(workspace, staging_stacks, how, says):
    ids = deploy(workspace, staging_stacks)
    name, settings = job_with(workspace, ids, _clusters)
    own = _clusters(settings)[0]["policy_id"]
    policy_name = workspace.policies[own]["name"]
    if how == "deleted":
        del workspace.policies[own]
    else:  # a second policy of the same name: which one the job should have is unknown
        workspace.policies["7111"] = dict(workspace.policies[own])
    result, data = drift(workspace)
    assert result.exit_code == 1, result.output
    assert any(name in u and f"{says} `{policy_name}`" in u and "not compared" in u
               for u in data["unmatched"]), data["unmatched"]
