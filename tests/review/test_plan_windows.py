"""Issue 17: `review --plan` names each protected stack's change window as catalog-mode review does
(pilotfactory.gates.stack_windows), at a pinned instant; the estate's prod opens Tue-Thu 10:00-16:00
Europe/London and freezes 2026-12-18..2027-01-04 (tests/estate/config/environments.yaml)."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from pilotfactory.cli.app import cli

from tests.conftest import ESTATE

UTC = dt.timezone.utc
RECORDED = Path(__file__).parent / "review_plans" / "kyc-document-triage-prod.json"


def _plan_as(tmp_path: Path, stack: str) -> Path:
    """The recorded plan, named for `stack` (the review reads the stack, so its environment, from the name)."""
    path = tmp_path / f"{stack}.json"
    shutil.copy(RECORDED, path)
    return path


def _windows(monkeypatch, at: dt.datetime, *plans: Path) -> list[str]:
    import pilotfactory.gates.clock

    monkeypatch.setattr(pilotfactory.gates.clock, "now", lambda: at)
    args = [a for p in plans for a in ("--plan", str(p))]
    result = CliRunner().invoke(cli, ["review", "--root", str(ESTATE), *args, "--format", "json",
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return [line for line in json.loads(result.stdout)["banner"] if line.startswith("🕒")]


def test_inside_a_window_the_plan_is_deployable_until_it_closes(monkeypatch, tmp_path):
    # Wednesday 25 Nov 2026 12:00 UTC = 12:00 GMT, inside 10:00-16:00
    [line] = _windows(monkeypatch, dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC), RECORDED)
    assert line.startswith("🕒 stack `kyc-document-triage-prod` is deployable now (`prod`: in the window")
    assert "closes 2026-11-25T16:00:00+00:00" in line


def test_outside_every_window_the_plan_names_the_next_opening(monkeypatch):
    # Wednesday 16:00 GMT is the closing instant: the next opening is Thursday 10:00
    [line] = _windows(monkeypatch, dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC), RECORDED)
    assert "is not deployable now (`prod`: outside every change window)" in line
    assert line.endswith("next window opens 2026-11-26T10:00:00+00:00")


def test_in_a_freeze_the_plan_names_its_reason_and_the_first_opening_after_it(monkeypatch):
    # Tuesday 22 Dec 2026 12:00 would be inside a window, but the year-end freeze runs to 4 Jan 2027
    [line] = _windows(monkeypatch, dt.datetime(2026, 12, 22, 12, 0, tzinfo=UTC), RECORDED)
    assert "not deployable now" in line and "Year-end change freeze" in line
    assert line.endswith("next window opens 2027-01-05T10:00:00+00:00")       # the first Tuesday after


def test_unprotected_plans_get_no_line_and_an_unknown_environment_is_never_deployable(monkeypatch, tmp_path):
    dev, unknown = _plan_as(tmp_path, "kyc-document-triage-dev"), _plan_as(tmp_path, "kyc-document-triage-qa")
    lines = _windows(monkeypatch, dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC), dev, unknown)
    assert len(lines) == 1 and "`kyc-document-triage-qa`" in lines[0], lines
    assert "not deployable now" in lines[0] and "treated as protected" in lines[0]


def test_the_markdown_review_of_a_plan_shows_the_window_too(monkeypatch):
    import pilotfactory.gates.clock

    monkeypatch.setattr(pilotfactory.gates.clock, "now", lambda: dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    result = CliRunner().invoke(cli, ["review", "--root", str(ESTATE), "--plan", str(RECORDED), "--format", "markdown",
                                      "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert "> 🕒 stack `kyc-document-triage-prod` is not deployable now" in result.stdout
