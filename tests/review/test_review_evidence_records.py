"""Recorded evidence is appended to, never rewritten (PFR009): a builder named themselves sponsor
and rewrote the recorded outcome decision as their own (`decided_by`), and `review` exited 0 (no
stack changed; the gate still passed). Any entry of the base's `evidence:` the head no longer holds
as it was is a governance finding; appending, or reordering, is not."""
from __future__ import annotations

import datetime as dt
import subprocess

import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.review.governance import evidence_findings
from pilotfactory.yamlio.source import load_yaml_text
from tests.factory import specs, write_estate

PILOT = """\
name: p
evidence:
  - {kind: security_review, date: 2026-11-02, reviewer: aisha.okafor@bank.example, result: pass}
  - kind: outcome_decision
    date: 2026-10-15
    decided_by: mark.sutherland@bank.example
    decision: scale
"""


def _found(base: str, head: str) -> list:
    source = lambda text: load_yaml_text(text, "catalog/pilots/p.yaml", Diagnostics())  # noqa: E731
    return evidence_findings({"catalog/pilots/p.yaml": source(base)}, {"catalog/pilots/p.yaml": source(head)})


def test_an_edited_record_is_flagged_at_its_base_line():
    [found] = _found(PILOT, PILOT.replace("decided_by: mark.sutherland", "decided_by: nora.fischer"))
    assert found.rule_id == "PFR009" and found.kind == "governance" and found.blocks_by_default
    assert "`outcome_decision` of 2026-10-15 by mark.sutherland@bank.example" in found.text
    assert found.source == "catalog/pilots/p.yaml:4"


def test_a_removed_record_is_flagged_and_appending_or_reordering_is_not():
    [removed] = _found(PILOT, PILOT.split("  - kind: outcome_decision")[0])
    assert "`outcome_decision` of 2026-10-15" in removed.text
    appended = PILOT + "  - {kind: security_review, date: 2026-11-20, reviewer: x@bank.example, result: pass}\n"
    assert _found(PILOT, appended) == []
    lines = PILOT.splitlines(keepends=True)
    reordered = "".join(lines[:2] + lines[3:] + lines[2:3])
    assert reordered != PILOT and _found(PILOT, reordered) == []


def test_the_cli_review_fails_on_a_rewritten_record(tmp_path, monkeypatch):
    estate = write_estate(tmp_path / "estate", specs(2))
    root = estate.root
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@bank.example", "-c", "commit.gpgsign=false",
                  "commit", "-q", "-m", "estate"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    path = estate.pilot_file("pilot-000")
    pilot = yaml.safe_load(path.read_text(encoding="utf-8"))
    record = next(e for e in pilot["evidence"] if e["kind"] == "security_review")
    record["date"] -= dt.timedelta(days=1)   # still valid evidence: only the record of it changed
    path.write_text(yaml.safe_dump(pilot, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["review", "--base", "HEAD"])
    assert "PFR009" in result.output and "`security_review` of" in result.output, result.output
    assert result.exit_code == 1
