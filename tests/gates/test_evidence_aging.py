"""Time never turns main red (issue 13): evidence that ages out warns ahead, and once aged out it
blocks only changes that promote or alter that pilot's protected environments, never the
re-synthesis of content approved while it was fresh, and never other pilots."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

import pilotfactory.gates.clock as clock
from pilotfactory.cli.app import cli
from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check
from tests.factory import AS_OF, PilotSpec

MAX_AGE = 90   # the factory's gates.yaml: rollback_rehearsal.max_age_days
WARN = 30      # gates.yaml default: evidence_warning_days


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _rehearsal(checked, pilot="aging"):
    result = next(r for r in checked.gates.pilots if r.pilot == pilot)
    production = next(g for g in result.gates if g.phase == "production")
    return result, next(c for c in production.criteria if c.name == "rollback_rehearsal")


def _aging(checked):
    return [d for d in checked.diagnostics.warnings if d.code == Code.EVIDENCE_AGING]


@pytest.mark.parametrize("days_left, warned", [(WARN + 1, False), (WARN, True), (0, True)])
def test_a_warning_ahead_of_time(make_estate, days_left, warned):
    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE - days_left)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    checked = check(estate.root, today=AS_OF)
    result, criterion = _rehearsal(checked)
    assert result.ok and criterion.passed and not criterion.aged
    assert bool(_aging(checked)) is warned
    if warned:
        assert f"in {days_left} day" in _aging(checked)[0].summary
        assert _aging(checked)[0].location.file == "catalog/pilots/aging.yaml"


def test_the_warning_window_is_configurable(make_estate):
    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE - 20)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    assert _aging(check(estate.root, today=AS_OF))
    gates = estate.root / "config" / "gates.yaml"
    gates.write_text(gates.read_text(encoding="utf-8") + "evidence_warning_days: 19\n", encoding="utf-8")
    assert not _aging(check(estate.root, today=AS_OF))


def test_aged_evidence_keeps_approved_content_building(make_estate):
    rehearsed = AS_OF - dt.timedelta(days=10)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed), PilotSpec("other")])
    expires = rehearsed + dt.timedelta(days=MAX_AGE)
    for today in (expires, expires + dt.timedelta(days=1), AS_OF + dt.timedelta(days=5 * 365)):
        checked = check(estate.root, today=today)
        assert checked.ok, (today, [d.render() for d in checked.diagnostics.errors])
        _, criterion = _rehearsal(checked)
        assert criterion.aged is (today > expires)
    assert "aged out" in _aging(checked)[0].summary


def test_content_approved_on_the_last_day_the_evidence_counts_keeps_building(make_estate):
    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE)  # its last day is the day of the approvals
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    result, criterion = _rehearsal(check(estate.root, today=AS_OF + dt.timedelta(days=1)))
    assert result.ok and criterion.aged


def test_aged_evidence_fails_content_approved_after_it_aged(make_estate):
    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE + 1)  # aged out the day before the approvals
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed), PilotSpec("other")])
    checked = check(estate.root, today=AS_OF)
    result, criterion = _rehearsal(checked)
    assert not criterion.passed and "stale" in criterion.reason and not result.ok
    assert result.unearned_environments == ("prod",)
    assert next(r for r in checked.gates.pilots if r.pilot == "other").ok  # never other pilots


def test_a_change_after_the_evidence_aged_needs_it_renewed(make_estate, monkeypatch):
    rehearsed = AS_OF - dt.timedelta(days=10)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    later = rehearsed + dt.timedelta(days=MAX_AGE + 1)
    monkeypatch.setattr(clock, "today", lambda: later)
    estate.edit_pilot("aging", lambda d: d.update(title="Changed after the rehearsal aged"))
    estate.sign("aging", date=later)
    _, criterion = _rehearsal(check(estate.root))
    assert not criterion.passed


def test_cutover_in_a_protected_environment_waits_for_renewal_rollback_does_not(make_estate, monkeypatch):
    rehearsed = AS_OF - dt.timedelta(days=10)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    root = str(estate.root)
    monkeypatch.setattr(clock, "today", lambda: rehearsed + dt.timedelta(days=MAX_AGE + 1))
    cutover = run("cutover", "aging", "--env", "prod", "--change", "CHG-1", "--root", root)
    assert cutover.exit_code == 1, cutover.output
    assert "error[PF308]" in cutover.output and "aged out" in cutover.output
    assert run("cutover", "aging", "--env", "dev", "--root", root).exit_code == 0  # not protected
    rollback = run("rollback", "aging", "--env", "prod", "--change", "CHG-2", "--root", root)
    assert rollback.exit_code == 0, rollback.output
    gates = run("gates", "aging", "--root", root)
    assert gates.exit_code == 0, gates.output


def test_synth_and_gates_show_the_warning(make_estate, tmp_path):
    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE - 3)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    synth = run("synth", "--root", str(estate.root), "--out", str(tmp_path / "out"))
    assert synth.exit_code == 0, synth.output
    assert "warning[PF320]" in synth.output and "in 3 days" in synth.output
    gates = run("gates", "aging", "--root", str(estate.root))
    assert gates.exit_code == 0 and "in 3 days" in gates.output


def test_the_review_warns_ahead_of_time(make_estate):
    import json
    import subprocess

    rehearsed = AS_OF - dt.timedelta(days=MAX_AGE - 3)
    estate = make_estate(specs_=[PilotSpec("aging", rehearsal_date=rehearsed)])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "estate"]):
        subprocess.run(git + args, cwd=estate.root, check=True)
    result = run("review", "--root", str(estate.root), "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    banner = json.loads(result.stdout)["banner"]
    assert any("warning[PF320]" in line and "in 3 days" in line for line in banner), banner
