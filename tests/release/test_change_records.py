"""Change records (issue 17): release, cutover and rollback to a protected environment carry a change
reference in the format the environment asks for, recorded in the pilot file, checked by validate,
shown in the review (and flagged when release facts move under none) and packed in the evidence."""
from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check

from tests.conftest import TODAY
from tests.factory import AS_OF, PilotSpec, make_estate  # noqa: F401  (fixture)

PATTERN = "^CHG[0-9]{7}$"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def set_pattern(root, pattern: str | None = PATTERN, env: str = "prod") -> None:
    path = root / "config" / "environments.yaml"
    data = yaml.safe_load(path.read_text())
    cc = data["environments"][env].setdefault(
        "change_control", {"timezone": "Europe/London",
                           "windows": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                        "start": "00:00", "end": "00:00"}]})
    if pattern is None:
        cc.pop("ticket_pattern", None)
    else:
        cc["ticket_pattern"] = pattern
    path.write_text(yaml.safe_dump(data, sort_keys=False).replace("00:00", "'00:00'"))


def record(estate, name: str, env: str):
    data = yaml.safe_load(estate.pilot_file(name).read_text())
    return (data["release"].get("changes") or {}).get(env)


@pytest.fixture
def estate(make_estate):
    est = make_estate(specs_=[PilotSpec("scoring", phase="production")])
    set_pattern(est.root)
    return est


def test_a_cutover_to_a_protected_environment_without_a_reference_is_refused(estate):
    before = estate.pilot_file("scoring").read_bytes()
    result = run("cutover", "scoring", "--env", "prod", "--root", estate.root)
    assert result.exit_code == 1
    assert "error[PF262]" in result.output and "`prod` is protected" in result.output and PATTERN in result.output
    assert "config/environments.yaml:" in result.output          # located at the pattern it must match
    assert estate.pilot_file("scoring").read_bytes() == before


@pytest.mark.parametrize("ref", ["CHG123456", "CHG12345678", "chg1234567", "xCHG1234567"])
def test_a_reference_in_the_wrong_format_is_refused(estate, ref):
    before = estate.pilot_file("scoring").read_bytes()
    result = run("cutover", "scoring", "--env", "prod", "--change", ref, "--root", estate.root)
    assert result.exit_code == 1 and f"`{ref}` does not match" in result.output
    assert estate.pilot_file("scoring").read_bytes() == before


def test_a_reference_in_the_right_format_is_recorded_with_the_action_and_date(estate):
    result = run("cutover", "scoring", "--env", "prod", "--change", "CHG0012345", "--root", estate.root)
    assert result.exit_code == 0, result.output
    assert "release.changes.prod: CHG0012345 (cutover, " in result.output
    assert record(estate, "scoring", "prod") == {"ref": "CHG0012345", "action": "cutover", "date": TODAY}
    checked = check(estate.root, today=AS_OF)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    # the record is not content the production approval binds to: recording it re-opens no gate
    assert all(p.ok for p in checked.gates.pilots)
    # the next change updates the record in place
    result = run("rollback", "scoring", "--env", "prod", "--change", "CHG0012346", "--root", estate.root)
    assert result.exit_code == 0, result.output
    assert record(estate, "scoring", "prod") == {"ref": "CHG0012346", "action": "rollback", "date": TODAY}


def test_without_a_pattern_a_protected_environment_still_needs_a_reference(estate):
    set_pattern(estate.root, None)
    assert run("cutover", "scoring", "--env", "prod", "--root", estate.root).exit_code == 1
    result = run("cutover", "scoring", "--env", "prod", "--change", "any-ticket-7", "--root", estate.root)
    assert result.exit_code == 0, result.output
    assert record(estate, "scoring", "prod")["ref"] == "any-ticket-7"


def test_an_unprotected_environment_needs_none_and_records_one_given(estate):
    result = run("cutover", "scoring", "--env", "staging", "--root", estate.root)
    assert result.exit_code == 0, result.output
    assert record(estate, "scoring", "staging") is None
    result = run("rollback", "scoring", "--env", "staging", "--change", "INC-1", "--root", estate.root)
    assert result.exit_code == 0, result.output
    assert record(estate, "scoring", "staging")["ref"] == "INC-1"


def _write_record(estate, env: str, rec: dict) -> None:
    estate.edit_pilot("scoring", lambda d: d["release"].setdefault("changes", {}).update({env: rec}))


def _codes(root, code):
    return [d for d in check(root, today=AS_OF).diagnostics if d.code == code]


def test_validate_refuses_a_recorded_reference_in_the_wrong_format_at_its_line(estate):
    _write_record(estate, "prod", {"ref": "CHG1", "action": "cutover", "date": AS_OF})
    [err] = _codes(estate.root, "PF262")
    assert err.location.file == "catalog/pilots/scoring.yaml"
    assert "CHG1" in estate.pilot_file("scoring").read_text().splitlines()[err.location.line - 1]


def test_validate_refuses_a_record_for_an_unknown_environment(estate):
    _write_record(estate, "prd", {"ref": "CHG0000001", "action": "cutover", "date": AS_OF})
    [err] = _codes(estate.root, "PF262")
    assert "`prd`" in err.summary and "did you mean `prod`" in err.summary


def test_only_an_emergency_rollback_may_wait_for_its_reference(estate):
    _write_record(estate, "prod", {"action": "cutover", "date": AS_OF})
    assert len(_codes(estate.root, "PF262")) == 1
    _write_record(estate, "prod", {"action": "emergency_rollback", "date": AS_OF, "outside_window": True})
    assert _codes(estate.root, "PF262") == []
    [warning] = _codes(estate.root, "PF263")
    assert warning.severity.value == "warning" and "retrospective change" in warning.summary


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _commit(root):
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@bank.example", "commit", "-qm", "base")


@pytest.fixture
def repo(estate):
    _git(estate.root, "init", "-q")
    _commit(estate.root)
    return estate


def test_the_review_names_the_change_a_release_is_made_under(repo):
    assert run("cutover", "scoring", "--env", "prod", "--change", "CHG0012345", "--root", repo.root).exit_code == 0
    result = run("review", "--base", "HEAD", "--root", repo.root)
    assert "PFR061" in result.output and "change `CHG0012345`: cutover on" in result.output
    assert "PFR006" not in result.output


def test_release_facts_moving_in_a_protected_environment_under_no_new_record_are_flagged(repo):
    def hand_cutover(d):
        d["release"]["active"]["prod"] = "blue"
    repo.edit_pilot("scoring", hand_cutover)
    result = run("review", "--base", "HEAD", "--root", repo.root)
    assert "PFR006" in result.output and "under no change record" in result.output
    assert result.exit_code != 0  # governance blocks by default


def test_an_unchanged_record_does_not_cover_a_new_move(repo):
    assert run("cutover", "scoring", "--env", "prod", "--change", "CHG0012345", "--root", repo.root).exit_code == 0
    _commit(repo.root)
    repo.edit_pilot("scoring", lambda d: d["release"]["active"].update(prod="green"))
    result = run("review", "--base", "HEAD", "--root", repo.root)
    assert "PFR006" in result.output and "the change record is unchanged" in result.output


def test_an_unprotected_environment_moving_without_a_record_is_not_flagged(repo):
    repo.edit_pilot("scoring", lambda d: d["release"]["active"].update(staging="blue"))
    result = run("review", "--base", "HEAD", "--root", repo.root)
    assert "PFR006" not in result.output and "release fact" in result.output
