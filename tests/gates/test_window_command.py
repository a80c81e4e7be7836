"""`pilotfactory window`: the deploy job asks whether an environment takes a change, and waits if not."""
from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.cli.commands.change import WAIT


def _estate_with_windows(make_estate):
    estate = make_estate(count=1)
    path = estate.root / "config" / "environments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["environments"]["prod"]["change_control"] = {
        "timezone": "Europe/London",
        "windows": [{"days": ["tue", "wed", "thu"], "start": "10:00", "end": "16:00"}],
        "freezes": [{"from": "2026-12-18", "to": "2027-01-04", "reason": "Year-end change freeze"}]}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return estate


def _run(root, *args):
    return CliRunner().invoke(cli, ["window", "--root", str(root), *args])


def test_inside_a_window_every_environment_is_open_and_the_exit_is_zero(make_estate):
    estate = _estate_with_windows(make_estate)
    result = _run(estate.root, "--at", "2026-12-01T11:00Z")   # a Tuesday, 11:00 GMT
    assert result.exit_code == 0, result.output
    assert "prod: open: in the window Tue 2026-12-01 10:00 GMT" in result.output
    assert "dev: open: no change control" in result.output


def test_in_a_freeze_the_deploy_waits_and_is_told_the_next_window(make_estate):
    estate = _estate_with_windows(make_estate)
    result = _run(estate.root, "--env", "prod", "--at", "2026-12-22T11:00Z", "--format", "json")
    assert result.exit_code == WAIT
    (row,) = json.loads(result.output)["environments"]
    assert row["open"] is False and row["reason"].endswith("Year-end change freeze")
    assert row["next_open"] == "2027-01-05T10:00:00+00:00"


def test_asking_only_about_an_environment_without_change_control_never_waits(make_estate):
    estate = _estate_with_windows(make_estate)
    assert _run(estate.root, "--env", "dev", "--at", "2026-12-22T11:00Z").exit_code == 0


def test_an_unknown_environment_or_an_instant_without_offset_is_a_usage_error(make_estate):
    estate = _estate_with_windows(make_estate)
    unknown = _run(estate.root, "--env", "prd")
    assert unknown.exit_code == 2 and "did you mean `prod`?" in unknown.output
    naive = _run(estate.root, "--at", "2026-12-22T11:00")
    assert naive.exit_code == 2 and "give the offset too" in naive.output


def test_a_broken_pilot_does_not_stop_the_window_check(make_estate):
    estate = _estate_with_windows(make_estate)
    estate.break_pilot(estate.specs[0].name)
    result = _run(estate.root, "--env", "prod", "--at", "2026-12-01T11:00Z")
    assert result.exit_code == 0, result.output
    assert "prod: open" in result.output
