"""An environment's controls no stack shows (PFR007): whether it is protected, the lowest phase it
takes, and its change control. Removing prod's change control changed no stack, so `review`
said "No infrastructure changes" and passed; every such change is now a governance finding,
blocking by default, that says whether it weakens."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pilotfactory.review.governance import governance_findings

CONTROL = """\
    change_control:
      timezone: Europe/London
      windows:
        - {days: [tue, wed, thu], start: "10:00", end: "16:00"}
      freezes:
        - {from: 2026-12-18, to: 2027-01-04, reason: Year-end change freeze}
      ticket_pattern: "^CHG[0-9]{7}$"
"""
ENVIRONMENTS = """\
apiVersion: pilotfactory/v1
kind: Environments
environments:
  dev:
    min_phase: pilot
  prod:
    min_phase: production
    protected: true
""" + CONTROL


def _findings(tmp_path: Path, base: str, head: str) -> list:
    for side, text in (("base", base), ("head", head)):
        (tmp_path / side / "config").mkdir(parents=True)
        (tmp_path / side / "config" / "environments.yaml").write_text(text)
    return [f for f in governance_findings(tmp_path / "base", tmp_path / "head") if f.rule_id == "PFR007"]


@pytest.mark.parametrize("old,new,verdict,words", [
    (CONTROL, "", "**weaker**", "change control removed"),
    ("    protected: true\n", "", "**weaker**", "protected: true → false"),
    ("    protected: true\n", "    protected: false\n", "**weaker**", "protected: true → false"),
    ("    min_phase: production\n    protected", "    min_phase: staging\n    protected", "**weaker**",
     "lowest phase deployed: production → staging"),
    ('days: [tue, wed, thu], start: "10:00"', 'days: [mon, tue, wed, thu], start: "10:00"', "**weaker**",
     "open 360 more minutes a week"),
    ('end: "16:00"', 'end: "15:00"', "stricter", "close 180 more minutes a week"),
    # an overnight window: 22:00 to 02:00 the next day opens hours the base kept closed
    ('start: "10:00", end: "16:00"', 'start: "22:00", end: "02:00"', "**weaker**", "more minutes a week"),
    ("to: 2027-01-04", "to: 2027-01-02", "**weaker**", "2 frozen days open (2027-01-03 to 2027-01-04)"),
    ("to: 2027-01-04", "to: 2027-01-06", "stricter", "2 more frozen days"),
    ('      ticket_pattern: "^CHG[0-9]{7}$"\n', "", "**weaker**", "change reference pattern"),
    ('ticket_pattern: "^CHG[0-9]{7}$"', 'ticket_pattern: "^CHG.*$"', "**changed**", "`^CHG.*$`"),
    ("timezone: Europe/London", "timezone: America/New_York", "**changed**", "read in Europe/London → America/New_York"),
])
def test_each_control_change_is_flagged_with_whether_it_weakens(tmp_path, old, new, verdict, words):
    assert old in ENVIRONMENTS
    [found] = _findings(tmp_path, ENVIRONMENTS, ENVIRONMENTS.replace(old, new, 1))
    assert found.kind == "governance" and found.blocks_by_default
    assert "environment `prod`" in found.text and verdict in found.text and words in found.text, found.text
    assert found.source.startswith("config/environments.yaml:")


def test_nothing_is_flagged_when_the_controls_mean_the_same(tmp_path):
    # windows reordered and a freeze split in two: the same minutes open, the same days frozen
    same = ENVIRONMENTS.replace(
        '        - {days: [tue, wed, thu], start: "10:00", end: "16:00"}\n',
        '        - {days: [thu, tue], start: "10:00", end: "16:00"}\n'
        '        - {days: [wed], start: "10:00", end: "16:00"}\n').replace(
        "        - {from: 2026-12-18, to: 2027-01-04, reason: Year-end change freeze}\n",
        "        - {from: 2026-12-18, to: 2026-12-31, reason: Year-end change freeze}\n"
        "        - {from: 2027-01-01, to: 2027-01-04, reason: New year}\n")
    assert same != ENVIRONMENTS and _findings(tmp_path, ENVIRONMENTS, same) == []


def test_an_environment_removed_takes_its_controls_and_a_new_one_is_shown(tmp_path):
    without_prod = ENVIRONMENTS[:ENVIRONMENTS.index("  prod:")]
    removed = _findings(tmp_path / "removed", ENVIRONMENTS, without_prod)
    assert any("environment `prod`: protected: true → false" in f.text and "**weaker**" in f.text for f in removed)
    [added] = _findings(tmp_path / "added", without_prod, ENVIRONMENTS)
    assert "environment `prod` added: protected true, lowest phase production, with change control" in added.text
    assert "**changed**" in added.text and added.blocks_by_default


def test_the_cli_review_fails_when_prod_loses_its_change_control(tmp_path, monkeypatch):
    """End to end, on a catalog of its own: the change touches no stack and still blocks."""
    import subprocess

    from click.testing import CliRunner

    from pilotfactory.cli.app import cli
    from tests.factory import specs, write_estate

    root = write_estate(tmp_path / "estate", specs(2)).root
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@bank.example", "-c", "commit.gpgsign=false",
                  "commit", "-q", "-m", "estate"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    path = root / "config" / "environments.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    controlled = [env for env in config["environments"].values() if "change_control" in env]
    assert controlled
    for env in controlled:
        del env["change_control"]
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["review", "--base", "HEAD"])
    assert result.exit_code == 1, result.output
    assert "PFR007" in result.output and "change control removed" in result.output
