"""Deployment records (issue 17): after a deploy, `verify` appends what actually runs, per pilot stack,
under evidence/<pilot>/deployments/, and the evidence pack carries the records of its environment."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.live.deployments import ci_run
from tests.live.conftest import deploy

# A loaded runner's slow answer must not read as a workspace that does not answer.
PATIENT = ["--timeout", "10", "--retry-timeout", "20"]
KYC = "kyc-document-triage"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, *PATIENT, "--root", str(root)])


def records(root: Path, pilot: str = KYC) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((root / "evidence" / pilot / "deployments").glob("*.json"))]


def test_verify_records_what_runs_where_when_and_from_which_run(workspace, staging_stacks, monkeypatch):
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_REPOSITORY", "bank/pilots")
    monkeypatch.delenv("CI_PIPELINE_ID", raising=False)
    deploy(workspace, staging_stacks)
    result = run(workspace.root, "verify", "--env", "staging")
    assert result.exit_code == 0, result.output
    (record,) = records(workspace.root)
    assert f"recorded evidence/{KYC}/deployments/" in result.output
    assert record["kind"] == "deployment" and record["env"] == "staging" and record["stack"] == f"{KYC}-staging"
    assert record["result"] == "pass" and record["checks"] and all(c["ok"] for c in record["checks"])
    assert record["ci_run"] == {"system": "github-actions", "id": "4242",
                                "url": "https://github.com/bank/pilots/actions/runs/4242"}
    assert record["workspace"].startswith("https://127.0.0.1:") and record["verified_at"].endswith("Z")
    assert record["release"]["active"] == "green" and record["release"]["slots"]["green"]["version"]
    # only this stack's objects are its checks: no other pilot's job is evidence for this one
    assert all(KYC in c["subject"] or KYC.replace("-", "_") in c["subject"] for c in record["checks"])


def test_a_failed_verify_is_recorded_too(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    del workspace.jobs[ids[f"{KYC}-classify-blue"]]
    result = run(workspace.root, "verify", "--env", "staging")
    assert result.exit_code == 1
    (record,) = records(workspace.root)
    assert record["result"] == "fail"
    assert [c["subject"] for c in record["checks"] if not c["ok"]] == [f"{KYC}-classify-blue"]


def test_records_are_appended_never_rewritten(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    assert run(workspace.root, "verify", "--env", "staging").exit_code == 0
    first = {p: p.read_bytes() for p in (workspace.root / "evidence" / KYC / "deployments").glob("*.json")}
    assert run(workspace.root, "verify", "--env", "staging").exit_code == 0
    after = {p: p.read_bytes() for p in (workspace.root / "evidence" / KYC / "deployments").glob("*.json")}
    assert len(after) == 2 and all(after[p] == data for p, data in first.items())


def test_no_record_writes_nothing(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    assert run(workspace.root, "verify", "--env", "staging", "--no-record").exit_code == 0
    assert records(workspace.root) == []


def test_the_evidence_pack_carries_the_records_of_its_environment_only(workspace, staging_stacks, tmp_path):
    deploy(workspace, staging_stacks)
    assert run(workspace.root, "verify", "--env", "staging").exit_code == 0
    other = workspace.root / "evidence" / KYC / "deployments" / "2026-01-01T000000Z-staging-000000.json"
    other.write_text(json.dumps({"kind": "deployment", "env": "staging-eu"}))   # its name says staging
    out = tmp_path / "pack.tar.gz"
    result = CliRunner().invoke(cli, ["evidence", KYC, "--env", "staging", "--out", str(out), "--root", str(workspace.root)])
    assert result.exit_code == 0, result.output
    with tarfile.open(out) as tar:
        names = [n for n in tar.getnames() if "/deployments/" in n]
    assert len(names) == 1 and other.name not in names[0]


def test_the_ci_run_is_read_from_each_ci_system():
    assert ci_run({}) is None
    assert ci_run({"CI_PIPELINE_ID": "7", "CI_PIPELINE_URL": "https://gitlab/p/7"}) == {
        "system": "gitlab-ci", "id": "7", "url": "https://gitlab/p/7"}
    assert ci_run({"BUILD_BUILDID": "9"}) == {"system": "azure-pipelines", "id": "9"}
    assert ci_run({"GITHUB_RUN_ID": "1"}) == {"system": "github-actions", "id": "1"}


def _git(root: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout.strip()


def test_the_record_names_the_commit_of_the_repository_verified_not_of_the_working_directory(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    _git(workspace.root, "init", "-q")
    _git(workspace.root, "add", "-A")
    _git(workspace.root, "-c", "user.name=ci", "-c", "user.email=ci@bank.example", "commit", "-q", "-m", "deploy")
    head = _git(workspace.root, "rev-parse", "HEAD")
    assert run(workspace.root, "verify", "--env", "staging").exit_code == 0
    (record,) = records(workspace.root)
    assert record["commit"] == head and len(head) == 40


def test_outside_a_git_repository_the_record_says_no_commit(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    assert run(workspace.root, "verify", "--env", "staging").exit_code == 0
    (record,) = records(workspace.root)
    assert record["commit"] is None
