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
    assert [(e["stack"], e["destroy_order"], e["destroy_after"]) for e in removed] == [
        ("retired-prod", 0, None), ("retired-staging", 1, "retired-prod"), ("retired-dev", 2, "retired-staging")]
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


def test_atlantis_destroys_a_decommissioned_pilot_in_order_and_stops_at_a_failure(make_estate):
    """Atlantis (runatlantis/atlantis runatlantis.io/docs/repo-level-atlantis-yaml.md at 078d0a8): projects run
    by `execution_order_group` ("Projects will be sorted by this field before planning/applying", :486);
    `abort_on_execution_order_fail: true` aborts the following groups when one fails (:320-336); a
    project's `depends_on` refuses its apply "unless you apply its dependencies" (:338-378), which also
    holds for a single-project apply, where groups are ignored; a workflow's plan step takes
    `extra_args` (:98-100), here `-destroy`."""
    import yaml

    estate = _estate(make_estate)
    before = CliRunner().invoke(cli, ["atlantis", "--root", str(estate.root)])
    assert before.exit_code == 0, before.output
    plain = yaml.safe_load((estate.root / "atlantis.yaml").read_text())
    assert "workflows" not in plain and "abort_on_execution_order_fail" not in plain
    _retire(estate)
    result = CliRunner().invoke(cli, ["atlantis", "--root", str(estate.root)])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((estate.root / "atlantis.yaml").read_text())
    projects = {p["name"]: p for p in config["projects"]}
    destroys = [p for p in config["projects"] if p.get("workflow") == "pilotfactory-destroy"]
    assert [(p["name"], p["execution_order_group"], p.get("depends_on")) for p in destroys] == [
        ("retired-prod", 1, None), ("retired-staging", 2, ["retired-prod"]), ("retired-dev", 3, ["retired-staging"])]
    assert all(p["dir"] == f"base.out/stacks/{p['name']}" and p["apply_requirements"] == ["approved", "mergeable",
                                                                                            "undiverged"]
               for p in destroys)
    assert destroys[0]["autoplan"]["when_modified"] == ["../../../catalog/pilots/retired.yaml"]
    assert config["abort_on_execution_order_fail"] is True
    assert config["workflows"]["pilotfactory-destroy"]["plan"]["steps"] == ["init", {"plan": {"extra_args": ["-destroy"]}}]
    # the other pilot's projects run first (group 0, the default) and do not change
    assert all(projects[n] == p for n, p in {p["name"]: p for p in plain["projects"]}.items() if n.startswith("keeper"))
    assert CliRunner().invoke(cli, ["atlantis", "--root", str(estate.root), "--check"]).exit_code == 0


def test_the_review_gives_the_exact_state_rm_for_what_prevent_destroy_keeps(make_estate):
    """Terraform refuses a plan that destroys a resource with lifecycle.prevent_destroy
    (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle); `terraform state rm` forgets a
    resource without destroying it (developer.hashicorp.com/terraform/cli/commands/state/rm). Only the
    protected environment's stack carries prevent_destroy, so only it gets the step."""
    estate = _estate(make_estate)
    _retire(estate)
    result = CliRunner().invoke(cli, ["review", "--root", str(estate.root), "--base", "main", "--format", "json"])
    review = json.loads(result.stdout)
    steps = [b for b in review["banner"] if b.startswith("🔒")]
    assert len(steps) == 1 and "`retired-prod`" in steps[0] and "base.out/stacks/retired-prod" in steps[0]
    command = steps[0].split("`terraform state rm ", 1)[1].split("`", 1)[0]
    addresses = [a.strip("'") for a in command.split()]
    assert addresses and all("." in a for a in addresses)
    # exactly the guarded resources of the base's prod stack
    from pilotfactory.review.diff import prevents_destroy
    from pilotfactory.review.source import export_ref, load_side
    from pilotfactory.synth.cache import StackCache
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        root, _ = export_ref(estate.root, "main", Path(tmp) / "tree")
        side = load_side("main", root, "cdktf", StackCache(Path(tmp) / "cache"), Path(tmp) / "scratch")
        stack = side.stacks["retired-prod"]
    guarded = sorted(f"{k}.{n}" for k, rs in stack["resource"].items() for n, v in rs.items() if prevents_destroy(v))
    assert addresses == guarded and any(a.startswith("databricks_registered_model.") for a in guarded)


def test_each_pilot_starts_its_own_destroy_chain(make_estate):
    estate = _estate(make_estate)
    estate.pilot_file("retired").unlink()
    estate.pilot_file("keeper").unlink()
    data = json.loads(CliRunner().invoke(cli, ["ci-matrix", "--root", str(estate.root), "--base", "main"]).stdout)
    chain = {e["stack"]: e["destroy_after"] for e in data["removed"]}
    assert chain == {"keeper-prod": None, "keeper-staging": "keeper-prod", "keeper-dev": "keeper-staging",
                     "retired-prod": None, "retired-staging": "retired-prod", "retired-dev": "retired-staging"}
