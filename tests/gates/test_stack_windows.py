"""Issue 17: the change window each protected stack deploys under, named in ci-matrix and the review."""
from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from pilotfactory.catalog.model.config import Environments
from pilotfactory.cli.app import cli
from pilotfactory.gates.stack_windows import stack_window

from tests.factory import PilotSpec, environments

UTC = dt.timezone.utc


def _envs(**prod_change_control) -> Environments:
    data = environments()
    data["environments"]["prod"]["change_control"] = {
        "timezone": "Europe/London", "windows": [{"days": ["tue", "wed", "thu"], "start": "10:00", "end": "16:00"}],
        **prod_change_control}
    return Environments.model_validate(data)


WED_NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)          # inside Wednesday's window (GMT)
WED_LATE = dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC)          # the instant it closes
THU_OPEN = dt.datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_a_protected_stack_inside_its_window_is_deployable_until_it_closes():
    w = stack_window("scorer-prod", _envs(), WED_NOON)
    assert w.open and w.env == "prod" and w.closes == WED_LATE
    assert w.words().startswith("deployable now (`prod`: in the window")


def test_at_the_closing_instant_it_waits_for_the_next_opening():
    w = stack_window("scorer-prod", _envs(), WED_LATE)
    assert not w.open and w.next_open == THU_OPEN
    assert "next window opens 2026-11-26T10:00:00+00:00" in w.words()
    assert stack_window("scorer-prod", _envs(), WED_LATE - dt.timedelta(minutes=1)).open


def test_a_freeze_names_its_reason_and_the_first_opening_after_it():
    envs = _envs(freezes=[{"from": "2026-11-25", "to": "2026-11-26", "reason": "Quarter-end"}])
    w = stack_window("scorer-prod", envs, WED_NOON)
    assert not w.open and "Quarter-end" in w.reason
    assert w.next_open == dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)      # the next Tuesday


def test_unprotected_stacks_have_no_window_and_unknown_environments_are_never_deployable_now():
    envs = _envs()
    assert stack_window("scorer-dev", envs, WED_NOON) is None
    assert stack_window("platform-staging", envs, WED_NOON) is None
    unknown = stack_window("scorer-qa", envs, WED_NOON)
    assert unknown is not None and not unknown.open and unknown.env is None and "treated as protected" in unknown.reason
    # the account stack creates the last environment's workspace: it waits for that window
    assert stack_window("account", envs, WED_LATE).env == "prod" and not stack_window("account", envs, WED_LATE).open
    assert stack_window("platform-prod", envs, WED_NOON).open


def test_a_protected_environment_without_windows_is_deployable_and_says_why():
    data = environments()
    del data["environments"]["prod"]["change_control"]
    w = stack_window("scorer-prod", Environments.model_validate(data), WED_NOON)
    assert w.open and "declares no change windows" in w.reason


def test_ci_matrix_names_the_window_of_each_protected_stack(make_estate, monkeypatch):
    import pilotfactory.gates.clock

    estate = make_estate(specs_=[PilotSpec(name="scorer", phase="production")])
    path = estate.root / "config" / "environments.yaml"
    text = path.read_text()
    # prod opens Tue-Thu 10:00-16:00 London instead of the factory's always-open window
    start = text.index("    change_control:")
    end = text.index("\n", text.index("end:", start))
    path.write_text(text[:start] + "    change_control:\n      timezone: Europe/London\n      windows:\n"
                    "      - days: [tue, wed, thu]\n        start: '10:00'\n        end: '16:00'" + text[end:])
    monkeypatch.setattr(pilotfactory.gates.clock, "now", lambda: WED_LATE)
    result = CliRunner().invoke(cli, ["ci-matrix", "--root", str(estate.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    windows = {e["stack"]: e["window"] for e in data["include"]}
    assert windows["scorer-dev"] is None and windows["scorer-staging"] is None
    assert windows["scorer-prod"] == {"env": "prod", "open": False, "reason": "`prod`: outside every change window",
                                      "next_open": "2026-11-26T10:00:00+00:00", "closes": None}
    assert windows["platform-prod"]["open"] is False and windows["account"]["env"] == "prod"
    assert "note: stack `scorer-prod` is not deployable now" in result.stderr
    monkeypatch.setattr(pilotfactory.gates.clock, "now", lambda: WED_NOON)
    data = json.loads(CliRunner().invoke(cli, ["ci-matrix", "--root", str(estate.root)]).stdout)
    prod = next(e["window"] for e in data["include"] if e["stack"] == "scorer-prod")
    assert prod["open"] is True and prod["closes"] == "2026-11-25T16:00:00+00:00"


def test_the_review_names_the_window_of_each_changed_protected_stack_only(make_estate, monkeypatch):
    import subprocess

    import pilotfactory.gates.clock

    estate = make_estate(specs_=[PilotSpec(name="scorer", phase="production")])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "estate"]):
        subprocess.run(git + args, cwd=estate.root, check=True)
    # a change every environment's stack sees: the pilot's cost centre tag
    estate.edit_pilot("scorer", lambda d: d.__setitem__("cost_center", "CC-2000"))
    estate.sign()
    monkeypatch.setattr(pilotfactory.gates.clock, "now", lambda: WED_NOON)
    result = CliRunner().invoke(cli, ["review", "--root", str(estate.root), "--base", "main", "--format", "json",
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    banner = json.loads(result.stdout)["banner"]
    windows = [line for line in banner if line.startswith("🕒")]
    # the factory's prod is always open; dev and staging are unprotected, so they are not named
    assert windows and all("`scorer-prod`" in line for line in windows), banner
    assert "deployable now" in windows[0] and "closes 2026-11-26T00:00:00+00:00" in windows[0]
