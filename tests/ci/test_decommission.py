"""Issue 17: a stopped pilot is decommissioned as one reviewed change. The sponsor's `stop` lets the
pilot be marked `decommission`; synth then builds none of its stacks, ci-matrix plans their destruction
last environment first, the review says it is deliberate and recorded (and still flags each protected
destroy), and the pilot file and its evidence stay."""
from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check

from tests.factory import AS_OF, PilotSpec

SPONSOR = "sponsor.retired@bank.example"


def _decide(decision: str, by: str = SPONSOR):
    return {"kind": "outcome_decision", "date": AS_OF.isoformat(), "decided_by": by, "decision": decision,
            "readings": [{"metric": "cycle_minutes", "value": 44}], "rationale": "No better than the baseline."}


def _estate(make_estate):
    estate = make_estate(specs_=[PilotSpec(name="retired", phase="production"),
                                 PilotSpec(name="keeper", phase="production")])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "estate"]):
        subprocess.run(git + args, cwd=estate.root, check=True)
    return estate


def _retire(estate, decision: str = "stop", by: str = SPONSOR, ref: str | None = "CHG0000001") -> None:
    def change(d):
        d["evidence"].append(_decide(decision, by))
        d["decommission"] = {"date": AS_OF.isoformat(), **({"ref": ref} if ref else {})}
    estate.edit_pilot("retired", change)


def _codes(root, code):
    return [d for d in check(root).diagnostics if d.code == code]


def test_a_decommission_needs_the_sponsors_stop(make_estate):
    estate = _estate(make_estate)
    _retire(estate, decision="iterate")
    (diag,) = _codes(estate.root, Code.DECOMMISSION)
    assert diag.path == ("decommission",) and diag.location.file == "catalog/pilots/retired.yaml"
    assert "`iterate`" in diag.summary and SPONSOR in diag.summary


def test_a_stop_by_someone_else_is_no_sponsors_decision(make_estate):
    estate = _estate(make_estate)
    _retire(estate, by="someone.else@bank.example")
    assert [d.path for d in _codes(estate.root, Code.DECOMMISSION)] == [("decommission",)]


def test_a_protected_environment_needs_a_change_reference_for_it(make_estate):
    estate = _estate(make_estate)
    _retire(estate, ref=None)
    (diag,) = _codes(estate.root, Code.BAD_CHANGE_REF)
    assert diag.path == ("decommission",) and "`prod` is protected" in diag.summary
    assert "decommission.ref" in diag.summary


def test_a_stopped_and_decommissioned_pilot_builds_no_stack_and_keeps_its_evidence(make_estate):
    estate = _estate(make_estate)
    _retire(estate)
    checked = check(estate.root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    assert {rp.name for rp in checked.resolution.catalog.pilots} == {"keeper"}
    assert not any(w.pilot == "retired" for w in checked.withheld())
    assert (estate.root / "evidence" / "retired").is_dir()


def test_ci_matrix_plans_the_destruction_last_environment_first(make_estate):
    estate = _estate(make_estate)
    _retire(estate)
    result = CliRunner().invoke(cli, ["ci-matrix", "--root", str(estate.root), "--base", "main"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    removed = data["removed"]
    assert [(e["stack"], e["destroy_order"]) for e in removed] == [
        ("retired-prod", 0), ("retired-staging", 1), ("retired-dev", 2)]
    assert all(e["decommission"] is True and e["destroy"] is True for e in removed)
    assert data["include"] == removed     # the other pilot did not change
    assert "note: stack `retired-prod`: its pilot is decommissioned" in result.stderr


def test_a_removed_pilot_without_a_decommission_is_not_called_one(make_estate):
    estate = _estate(make_estate)
    estate.pilot_file("retired").unlink()
    data = json.loads(CliRunner().invoke(cli, ["ci-matrix", "--root", str(estate.root), "--base", "main"]).stdout)
    assert [e["stack"] for e in data["removed"]] == ["retired-prod", "retired-staging", "retired-dev"]
    assert all(e["decommission"] is False for e in data["removed"])


def test_the_review_shows_a_deliberate_recorded_decommission_and_still_flags_the_protected_destroy(make_estate):
    estate = _estate(make_estate)
    _retire(estate)
    result = CliRunner().invoke(cli, ["review", "--root", str(estate.root), "--base", "main", "--format", "json"])
    review = json.loads(result.stdout)
    (line,) = [b for b in review["banner"] if b.startswith("🗑")]
    assert "deliberate decommission of `retired`" in line and "change CHG0000001" in line
    assert f"{SPONSOR}'s `stop` decision" in line and "catalog/pilots/retired.yaml:" in line
    assert line.index("`retired-prod`") < line.index("`retired-staging`") < line.index("`retired-dev`")
    # still a destroy in a protected environment: the default fails until it is signed off
    assert result.exit_code == 1
    (prod,) = [f for f in review["findings"] if "`retired-prod` disappears" in f["text"]]
    assert prod["kind"] == "destructive" and prod["rule"] == "PFR052"
