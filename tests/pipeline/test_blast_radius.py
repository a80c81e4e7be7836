"""Blast radius (issue 13): a failure in one pilot stays in that pilot; config errors are everyone's.

Estates come from the catalog factory: several generated pilots, one broken per test.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check
from tests.factory import PilotSpec


def run(*args: str, who: str = "sec.reviewer@bank.example"):
    """The CLI as `who` (their git identity: `approve` approves as whoever runs it)."""
    return CliRunner().invoke(cli, list(args), env={"GIT_AUTHOR_EMAIL": who, "GIT_AUTHOR_NAME": "Someone"})


def _manifest(out) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["stacks"]


def _withheld(out) -> dict:
    return {w["stack"]: w for w in json.loads((out / "withheld.json").read_text(encoding="utf-8"))["withheld"]}


def test_a_content_error_withholds_that_pilot_and_keeps_its_previous_stacks(make_estate, tmp_path):
    estate = make_estate(3)  # pilot-000 production, pilot-001 staging, pilot-002 pilot
    out = tmp_path / "out"
    first = run("synth", "--root", str(estate.root), "--out", str(out))
    assert first.exit_code == 0, first.output
    assert _withheld(out) == {}
    before = (out / "stacks" / "pilot-001-staging" / "cdk.tf.json").read_bytes()

    estate.break_pilot("pilot-001")
    result = run("synth", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    withheld = _withheld(out)
    assert set(withheld) == {"pilot-001-dev", "pilot-001-staging"}
    assert {w["kind"] for w in withheld.values()} == {"errors"}
    assert all(w["kept_previous"] for w in withheld.values())
    assert "catalog/pilots/pilot-001.yaml" in withheld["pilot-001-dev"]["reason"]
    # the previous copy stays, listed in the manifest: a deploy never reads its absence as "destroy"
    assert (out / "stacks" / "pilot-001-staging" / "cdk.tf.json").read_bytes() == before
    assert {"pilot-001-dev", "pilot-001-staging", "pilot-000-prod", "pilot-002-dev", "account",
            "platform-prod"} <= set(_manifest(out))
    assert "pilot-001-staging (previous copy kept)" in result.output
    assert "catalog/pilots/pilot-001.yaml" in result.output


def test_without_a_previous_output_a_withheld_stack_is_listed_not_written(make_estate, tmp_path):
    estate = make_estate(3)
    estate.break_pilot("pilot-002")
    out = tmp_path / "fresh"
    result = run("synth", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert _withheld(out)["pilot-002-dev"]["kept_previous"] is False
    assert "pilot-002-dev" not in _manifest(out) and not (out / "stacks" / "pilot-002-dev").exists()
    assert {"pilot-000-dev", "pilot-000-staging", "pilot-000-prod", "pilot-001-staging"} <= set(_manifest(out))


def test_lenient_exits_0_so_cdktf_deploy_of_another_pilot_goes_on(make_estate, tmp_path):
    from tests.conftest import REPO

    estate = make_estate(3)
    estate.break_pilot("pilot-002")
    out = tmp_path / "out"
    result = run("synth", "--root", str(estate.root), "--out", str(out), "--lenient")
    assert result.exit_code == 0, result.output
    assert set(_withheld(out)) == {"pilot-002-dev"} and "pilot-000-prod" in _manifest(out)
    # `cdktf deploy STACK` runs the app first: a withheld stack elsewhere must not fail it
    assert json.loads((REPO / "cdktf.json").read_text())["app"].endswith("pilotfactory synth --lenient")
    assert run("synth", "--root", str(estate.root), "--out", str(out), "--lenient", "--strict").exit_code == 2


def test_strict_turns_a_withheld_stack_into_failure_and_writes_nothing(make_estate, tmp_path):
    estate = make_estate(3)
    estate.break_pilot("pilot-002")
    out = tmp_path / "out"
    result = run("synth", "--root", str(estate.root), "--out", str(out), "--strict")
    assert result.exit_code == 1, result.output
    assert not out.exists()


def test_unearned_gates_withhold_only_the_unearned_environment(make_estate, tmp_path):
    estate = make_estate(2)
    # a change without new approvals: production is no longer earned, staging still is
    estate.edit_pilot("pilot-000", lambda d: d.update(title="Changed after approval"))
    out = tmp_path / "out"
    result = run("synth", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    withheld = _withheld(out)
    assert set(withheld) == {"pilot-000-prod"}
    assert withheld["pilot-000-prod"]["kind"] == "gates"
    assert "stale" in withheld["pilot-000-prod"]["reason"]
    assert {"pilot-000-dev", "pilot-000-staging", "pilot-001-staging"} <= set(_manifest(out))


def test_a_config_error_stops_everything(make_estate, tmp_path):
    estate = make_estate(2)
    gates = estate.root / "config" / "gates.yaml"
    gates.write_text(gates.read_text(encoding="utf-8").replace("min_value_score: 3", "min_value_score: many"),
                     encoding="utf-8")
    out = tmp_path / "out"
    result = run("synth", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert run("validate", "--root", str(estate.root)).exit_code == 1


def test_validate_reports_per_pilot_and_says_what_is_withheld(make_estate):
    estate = make_estate(3)
    assert run("validate", "--root", str(estate.root)).exit_code == 0
    estate.break_pilot("pilot-000")
    result = run("validate", "--root", str(estate.root))
    assert result.exit_code == 3, result.output
    assert "pilot-000-prod" in result.output and "pilot-001" not in result.output.replace("pilot-001-", "")
    assert run("validate", "--root", str(estate.root), "--strict").exit_code == 1


@pytest.mark.parametrize("how", ["validate", "resolve"])
def test_the_other_pilots_still_earn_their_gates(make_estate, how):
    estate = make_estate(4)
    estate.break_pilot("pilot-003", how)
    checked = check(estate.root)
    assert checked.usable and not checked.ok
    assert [p.pilot for p in checked.gates.pilots] == ["pilot-000", "pilot-001", "pilot-002"]
    assert all(p.ok for p in checked.gates.pilots)
    assert not any(rp.name == "pilot-003" for rp in checked.resolution.catalog.pilots)
    assert checked.pilot_errors("pilot-003") and not checked.pilot_errors("pilot-000")


def test_a_guardrail_violation_withholds_that_stack_only(make_estate, tmp_path, monkeypatch):
    from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
    import pilotfactory.synth.build as build

    real = build.violations_by_stack

    def one_violation(catalog, outdir, only=None):
        found = real(catalog, outdir, only)
        assert found == {}  # the factory's stacks pass every rule: the violation below is the only one
        diags = Diagnostics()
        diags.error("PFG013", "job runs concurrently", Location("catalog/pilots/pilot-001.yaml", 3, 1))
        return {"pilot-001-staging": diags}

    monkeypatch.setattr(build, "violations_by_stack", one_violation)
    estate = make_estate(2)
    out = tmp_path / "out"
    result = run("synth", "--root", str(estate.root), "--out", str(out), "--no-cache")
    assert result.exit_code == 3, result.output
    assert {s: w["kind"] for s, w in _withheld(out).items()} == {"pilot-001-staging": "guardrails"}
    assert "pilot-001-staging" not in _manifest(out) and "pilot-001-dev" in _manifest(out)
    assert "error[PFG013]" in result.output

    monkeypatch.setattr(build, "violations_by_stack", lambda c, o, only=None: {"platform-dev": Diagnostics(
        [d for d in one_violation(c, o, only)["pilot-001-staging"].items])})
    stopped = run("synth", "--root", str(estate.root), "--out", str(out), "--no-cache")
    assert stopped.exit_code == 1, stopped.output
    assert "pilot-001-staging" not in _manifest(out)  # unchanged: the previous output stays


def test_commands_on_one_pilot_ignore_other_pilots_errors(make_estate):
    estate = make_estate(2)  # pilot-000 production, pilot-001 staging
    estate.break_pilot("pilot-001")
    root = str(estate.root)
    gates = run("gates", "pilot-000", "--root", root)
    assert gates.exit_code == 0, gates.output
    assert "pilot-001" not in gates.output
    cutover = run("cutover", "pilot-000", "--env", "dev", "--root", root)
    assert cutover.exit_code == 0, cutover.output
    assert "pilot-001" not in cutover.output
    rollback = run("rollback", "pilot-000", "--env", "dev", "--root", root)
    assert rollback.exit_code == 0, rollback.output
    release = run("release", "pilot-000", "--env", "dev", "--version", "v1.2.0", "--root", root)
    assert release.exit_code == 0, release.output
    approve = run("approve", "pilot-000", "--gate", "production", "--role", "security", "--root", root)
    assert approve.exit_code == 0, approve.output


def test_commands_on_a_broken_pilot_name_its_own_errors(make_estate):
    estate = make_estate(2)
    estate.break_pilot("pilot-001")
    root = str(estate.root)
    for args in (("gates", "pilot-001"), ("cutover", "pilot-001", "--env", "dev"),
                 ("approve", "pilot-001", "--gate", "production", "--role", "security")):
        result = run(*args, "--root", root)
        assert result.exit_code == 1, (args, result.output)
        assert "catalog/pilots/pilot-001.yaml" in result.output and "error[PF211]" in result.output, args
    everyone = run("gates", "--root", root)
    assert everyone.exit_code == 1 and "pilot-000: phase `production` earned" in everyone.output


def test_rollback_is_never_blocked_by_the_pilots_own_gates(make_estate):
    estate = make_estate(specs_=[PilotSpec("rolled")])
    root = str(estate.root)
    # a change nobody approved yet: production is no longer earned
    estate.edit_pilot("rolled", lambda d: d.update(title="Changed, not approved"))
    assert not check(estate.root).gates.pilots[0].ok
    cutover = run("cutover", "rolled", "--env", "prod", "--change", "CHG-1", "--root", root)
    assert cutover.exit_code == 1 and "PF262" not in cutover.output, cutover.output
    rollback = run("rollback", "rolled", "--env", "prod", "--change", "CHG-2", "--root", root)
    assert rollback.exit_code == 0, rollback.output
    assert "rolled back to content approved before" in rollback.output
    assert "active:\n    dev: green\n    staging: green\n    prod: blue" in estate.pilot_file("rolled").read_text()


def test_ci_matrix_lists_a_broken_pilots_stacks_as_withheld_never_removed(make_estate):
    import subprocess

    estate = make_estate(3)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "estate"]):
        subprocess.run(git + args, cwd=estate.root, check=True)
    estate.break_pilot("pilot-001")
    result = run("ci-matrix", "--root", str(estate.root), "--base", "main")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {e["stack"] for e in data["withheld"]} == {"pilot-001-dev", "pilot-001-staging"}
    assert data["removed"] == [] and data["include"] == []
