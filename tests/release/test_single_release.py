"""A single-slot pilot releases through `release` too: its one slot runs in every environment it
reaches, so the new version goes live in all of them at once. The command names the last of them,
a protected one needs a passing test report first and gets the change record, and the review then
sees a recorded change, not a hand edit (PFR006). Cutover, rollback and rehearse say what to do."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from tests.factory import PilotSpec, _dump, _junit

SOLO = "solo-scoring"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--root", str(root)])


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for d in ("catalog", "evidence")
            for p in sorted((root / d).rglob("*")) if p.is_file()}


def with_test_report(estate, version: str) -> None:
    """A passing test report for `version`, as CI would record it."""
    data = _junit(SOLO, version)
    path = Path("evidence") / SOLO / version / "junit.xml"
    (estate.root / path).parent.mkdir(parents=True, exist_ok=True)
    (estate.root / path).write_bytes(data)
    estate.edit_pilot(SOLO, lambda d: d["evidence"].append(
        {"kind": "test_report", "version": version, "path": path.as_posix(),
         "sha256": hashlib.sha256(data).hexdigest()}))
    estate.sign(SOLO)


@pytest.fixture
def solo(make_estate):
    estate = make_estate(specs_=[PilotSpec(SOLO, phase="production", slots=1, serving=True)])
    result = run(estate.root, "validate")
    assert result.exit_code == 0, result.output + result.stderr
    return estate


def test_release_names_the_last_environment_the_slot_runs_in(solo):
    before = files(solo.root)
    result = run(solo.root, "release", SOLO, "--env", "dev", "--version", "v2.0.0")
    assert result.exit_code == 1 and "error[PF410]" in result.stderr
    assert "runs in dev, staging, prod" in result.stderr and "`--env prod`" in result.stderr
    assert files(solo.root) == before


def test_release_into_production_needs_a_passing_test_report(solo):
    before = files(solo.root)
    result = run(solo.root, "release", SOLO, "--env", "prod", "--version", "v2.0.0", "--change", "CHG0000042")
    assert result.exit_code == 1 and "error[PF406]" in result.stderr
    assert "live in protected prod" in result.stderr and "v2.0.0" in result.stderr
    assert files(solo.root) == before


def test_release_into_production_needs_a_change_reference(solo):
    with_test_report(solo, "v2.0.0")
    before = files(solo.root)
    result = run(solo.root, "release", SOLO, "--env", "prod", "--version", "v2.0.0")
    assert result.exit_code == 1 and "error[PF" in result.stderr and "change" in result.stderr
    assert files(solo.root) == before


def test_a_tested_release_is_written_with_its_change_record_and_waits_for_approval(solo):
    with_test_report(solo, "v2.0.0")
    result = run(solo.root, "release", SOLO, "--env", "prod", "--version", "v2.0.0", "--model-version", "5",
                 "--change", "CHG0000042")
    assert result.exit_code == 0, result.output + result.stderr
    assert "live at once in dev, staging, prod" in result.output
    data = yaml.safe_load(solo.pilot_file(SOLO).read_text())
    assert data["release"]["slots"]["main"] == {"version": "v2.0.0", "model_version": 5}
    assert data["release"]["changes"] == {"prod": {"ref": "CHG0000042", "action": "release",
                                                   "date": data["release"]["changes"]["prod"]["date"]}}
    # the new content is not what production's approvers signed: withheld until they approve it
    assert "pilotfactory approve solo-scoring" in result.output


def test_each_protected_environment_the_slot_runs_in_gets_the_change_record(solo):
    envs_file = solo.root / "config" / "environments.yaml"
    envs = yaml.safe_load(envs_file.read_text())
    envs["environments"]["staging"]["protected"] = True
    envs["environments"]["staging"]["change_control"] = {**envs["environments"]["prod"]["change_control"],
                                                         "ticket_pattern": "^STG-[0-9]+$"}
    _dump(envs_file, envs)
    with_test_report(solo, "v2.0.0")
    before = files(solo.root)
    refused = run(solo.root, "release", SOLO, "--env", "prod", "--version", "v2.0.0", "--change", "CHG0000042")
    assert refused.exit_code == 1 and "STG-" in refused.stderr and "runs in staging too" in refused.stderr
    assert files(solo.root) == before
    envs["environments"]["staging"]["change_control"]["ticket_pattern"] = "^CHG[0-9]{7}$"
    _dump(envs_file, envs)
    result = run(solo.root, "release", SOLO, "--env", "prod", "--version", "v2.0.0", "--change", "CHG0000042")
    assert result.exit_code == 0, result.output + result.stderr
    changes = yaml.safe_load(solo.pilot_file(SOLO).read_text())["release"]["changes"]
    assert sorted(changes) == ["prod", "staging"] and {c["ref"] for c in changes.values()} == {"CHG0000042"}


def test_the_review_of_a_release_sees_the_change_not_a_hand_edit(solo):
    root = solo.root
    with_test_report(solo, "v2.0.0")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True, env=env)  # noqa: E731
    (root / ".gitignore").write_text("/.pilotfactory/\n/cdktf.out/\n")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    assert run(root, "release", SOLO, "--env", "prod", "--version", "v2.0.0", "--change", "CHG0000042").exit_code == 0
    solo.sign(SOLO)
    result = run(root, "review", "--base", "HEAD", "--format", "json")
    findings = json.loads(result.output)["findings"]
    rules = {f["rule"] for f in findings}
    assert "PFR006" not in rules and "PFR061" in rules, findings
    assert any("CHG0000042" in f["text"] for f in findings if f["rule"] == "PFR061")


@pytest.mark.parametrize("command, words", [("rollback", "releasing the previous version"),
                                            ("cutover", "nothing is staged to cut over to"),
                                            ("rehearse", "nothing is staged to rehearse")])
def test_switching_commands_say_what_a_single_slot_pilot_does_instead(solo, command, words):
    result = run(solo.root, command, SOLO, "--env", "prod")
    assert result.exit_code == 1 and "error[PF403]" in result.stderr and words in result.stderr
