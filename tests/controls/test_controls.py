"""The control catalog (issue 17): every gate criterion and guardrail maps to a control of
config/controls.yaml; names that do not exist are located errors; per pilot, each control shows the
evidence that satisfies it (gates --format json, the evidence pack)."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.controls.coverage import coverage, criterion_keys, guardrail_ids
from pilotfactory.controls.evidence import MET, NO_EVIDENCE, NOT_MET, control_evidence
from pilotfactory.guardrails.evaluate import Violation
from pilotfactory.pipeline import check

from tests.factory import AS_OF, make_estate  # noqa: F401  (fixture)


def full_catalog() -> dict:
    """A control catalog that maps every check: intake and gate criteria to one control, guardrails
    to another."""
    return {"apiVersion": "pilotfactory/v1", "kind": "Controls", "framework": "Test framework",
            "controls": {
                "GATE-01": {"title": "Gated promotion", "objective": "Pilots earn each phase.",
                            "owner": "compliance", "criteria": list(criterion_keys())},
                "TECH-01": {"title": "Technical baseline", "objective": "Stacks keep the standards.",
                            "owner": "security", "guardrails": list(guardrail_ids())},
            }}


def write_controls(root, data) -> None:
    (root / "config" / "controls.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def codes(checked, code):
    return [d for d in checked.diagnostics if d.code == code]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_a_complete_catalog_covers_every_check_and_reports_nothing(make_estate):
    estate = make_estate(2)
    write_controls(estate.root, full_catalog())
    checked = check(estate.root, today=AS_OF)
    assert codes(checked, "PF270") == [] and codes(checked, "PF271") == []
    found = coverage(checked.catalog)
    assert found.complete and found.unmapped_criteria == [] and found.unmapped_guardrails == []
    result = run("controls", "--check", "--root", str(estate.root))
    assert result.exit_code == 0, result.output
    total = len(criterion_keys()) + len(guardrail_ids())
    assert f"{total} of {total} checks map to a control" in result.output


def test_every_registered_criterion_and_guardrail_is_mappable():
    """The names a bank writes: each exit-gate key of the registry, each intake criterion, each PFG id."""
    from pilotfactory.gates.registry import CRITERIA
    from pilotfactory.guardrails.registry import RULES

    keys = criterion_keys()
    assert set(CRITERIA) <= set(keys)
    assert {"intake.value_score", "intake.data_readiness_score", "intake.required", "intake.model_risk_review"} <= set(keys)
    assert set(guardrail_ids()) == set(RULES)


@pytest.mark.parametrize("kind, drop", [("criteria", "security_review"), ("guardrails", "PFG050")])
def test_a_check_no_control_owns_is_a_warning_and_fails_the_coverage_check(make_estate, kind, drop):
    estate = make_estate(1)
    data = full_catalog()
    owner = "GATE-01" if kind == "criteria" else "TECH-01"
    data["controls"][owner][kind].remove(drop)
    write_controls(estate.root, data)
    checked = check(estate.root, today=AS_OF)
    warnings = codes(checked, "PF271")
    assert len(warnings) == 1 and drop in warnings[0].summary
    assert warnings[0].severity.value == "warning" and warnings[0].location.file == "config/controls.yaml"
    assert checked.ok or not checked.diagnostics.has_errors  # a gap never stops a deploy
    result = run("controls", "--check", "--root", str(estate.root))
    assert result.exit_code == 1 and f"unmapped {'criterion' if kind == 'criteria' else 'guardrail'}  {drop}" in result.output
    assert run("controls", "--root", str(estate.root)).exit_code == 0  # without --check, a report


@pytest.mark.parametrize("kind, name, suggestion", [
    ("criteria", "segregation_of_duty", "segregation_of_duties"),
    ("criteria", "intake.value", "intake.value_score"),
    ("guardrails", "PFG099", ...),   # some id is always close: the suggestion is not the point
])
def test_a_name_that_does_not_exist_is_a_located_error(make_estate, kind, name, suggestion):
    estate = make_estate(1)
    data = full_catalog()
    owner = "GATE-01" if kind == "criteria" else "TECH-01"
    data["controls"][owner][kind].append(name)
    write_controls(estate.root, data)
    checked = check(estate.root, today=AS_OF)
    errors = codes(checked, "PF270")
    assert len(errors) == 1
    err = errors[0]
    assert f"`{name}`" in err.summary and owner in err.summary
    assert err.location.file == "config/controls.yaml"
    lines = (estate.root / "config" / "controls.yaml").read_text().splitlines()
    assert name in lines[err.location.line - 1]
    if suggestion is not ...:
        assert f"did you mean `{suggestion}`" in err.summary
    assert checked.gates is None  # config errors are everyone's: nothing is built from a wrong mapping


def test_an_owner_role_roles_yaml_does_not_declare_is_an_error(make_estate):
    estate = make_estate(1)
    data = full_catalog()
    data["controls"]["TECH-01"]["owner"] = "securty"
    write_controls(estate.root, data)
    errors = codes(check(estate.root, today=AS_OF), "PF270")
    assert len(errors) == 1 and "did you mean `security`" in errors[0].summary


def test_a_malformed_control_id_is_refused_with_its_line(make_estate):
    estate = make_estate(1)
    data = full_catalog()
    data["controls"]["tech 01"] = data["controls"].pop("TECH-01")
    write_controls(estate.root, data)
    checked = check(estate.root, today=AS_OF)
    assert checked.diagnostics.has_errors
    assert any(d.location and d.location.file == "config/controls.yaml" for d in checked.diagnostics.errors)


def test_without_a_control_catalog_nothing_is_reported_and_the_check_fails(make_estate):
    estate = make_estate(1)
    checked = check(estate.root, today=AS_OF)
    assert codes(checked, "PF270") == [] and codes(checked, "PF271") == []
    result = run("controls", "--check", "--root", str(estate.root))
    assert result.exit_code == 1 and "config/controls.yaml is missing" in result.output
    gates = json.loads(run("gates", "--format", "json", "--root", str(estate.root)).output)
    assert all("controls" not in p for p in gates["pilots"])


def _pilot_gates(estate, name):
    checked = check(estate.root, today=AS_OF)
    return checked, next(p for p in checked.gates.pilots if p.pilot == name)


def _by_id(found):
    return {c["control"]: c for c in found}


def test_each_control_lists_the_gate_results_that_are_its_evidence(make_estate):
    estate = make_estate(1)          # pilot-000: production, every gate passes
    write_controls(estate.root, full_catalog())
    checked, pilot = _pilot_gates(estate, "pilot-000")
    found = _by_id(control_evidence(checked.catalog.controls, pilot))
    gate = found["GATE-01"]
    assert gate["status"] == MET
    assert {c["key"] for c in gate["criteria"]} >= {"intake.value_score", "security_review", "approvals"}
    assert all(c["passed"] and c["required"] and c["location"].startswith("catalog/pilots/") for c in gate["criteria"])
    # guardrails run at synth: not evaluated here, so that control has no evidence yet (never a silent pass)
    assert found["TECH-01"]["status"] == NO_EVIDENCE
    assert all(g["evaluated"] is False for g in found["TECH-01"]["guardrails"])


def test_a_failing_required_criterion_makes_its_control_not_met(make_estate):
    estate = make_estate(1)
    write_controls(estate.root, full_catalog())
    estate.edit_pilot("pilot-000", lambda d: d["intake"]["value"].update(score=1))
    checked, pilot = _pilot_gates(estate, "pilot-000")
    found = _by_id(control_evidence(checked.catalog.controls, pilot))
    assert found["GATE-01"]["status"] == NOT_MET
    failing = [c for c in found["GATE-01"]["criteria"] if not c["passed"]]
    assert "intake.value_score" in [c["key"] for c in failing]  # (the edit also voids the approvals)


def test_a_criterion_of_a_later_gate_does_not_count_against_an_earlier_phase(make_estate):
    estate = make_estate(3)          # pilot-002 declares `pilot`: production criteria are not yet required
    write_controls(estate.root, full_catalog())
    checked, pilot = _pilot_gates(estate, "pilot-002")
    gate = _by_id(control_evidence(checked.catalog.controls, pilot))["GATE-01"]
    later = [c for c in gate["criteria"] if c["gate"] == "production"]
    assert later and not any(c["required"] for c in later)
    assert gate["status"] == (NOT_MET if any(not c["passed"] for c in gate["criteria"] if c["required"]) else MET)


def test_a_guardrail_violation_makes_its_control_not_met(make_estate):
    from pilotfactory.guardrails.terraform import TfResource

    estate = make_estate(1)
    write_controls(estate.root, full_catalog())
    checked, pilot = _pilot_gates(estate, "pilot-000")
    clean = _by_id(control_evidence(checked.catalog.controls, pilot, []))
    assert clean["TECH-01"]["status"] == MET and all(g["passed"] for g in clean["TECH-01"]["guardrails"])
    resource = TfResource("databricks_ip_access_list", "open", "databricks_ip_access_list.open", {}, "cdk.tf.json", 3)
    hit = Violation("PFG050", "databricks_ip_access_list.open allows 0.0.0.0/0", resource, (), "prod")
    found = _by_id(control_evidence(checked.catalog.controls, pilot, [hit]))
    assert found["TECH-01"]["status"] == NOT_MET
    entry = next(g for g in found["TECH-01"]["guardrails"] if g["rule"] == "PFG050")
    assert entry["passed"] is False and "0.0.0.0/0" in entry["violations"][0]
    assert found["GATE-01"]["status"] == MET  # one control's finding is not another's


def test_gates_json_lists_each_pilots_controls(make_estate):
    estate = make_estate(2)
    write_controls(estate.root, full_catalog())
    result = run("gates", "--format", "json", "--root", str(estate.root))
    report = json.loads(result.output)
    for p in report["pilots"]:
        assert [c["control"] for c in p["controls"]] == ["GATE-01", "TECH-01"]
    assert report["pilots"][0]["controls"][0]["criteria"]


def test_a_pilots_own_errors_never_stop_the_coverage_report(make_estate):
    """Blast radius (issue 13): coverage reads config/ only; a pilot file that does not even load is
    that pilot's problem (validate reports it), while an error in config/ is everyone's."""
    estate = make_estate(2)
    write_controls(estate.root, full_catalog())
    estate.pilot_file("pilot-001").write_text("name: [unclosed\n")
    result = run("controls", "--root", str(estate.root), "--check")
    assert result.exit_code == 0, result.output
    assert "checks map to a control" in result.output
    (estate.root / "config" / "gates.yaml").write_text("name: [unclosed\n")
    stopped = run("controls", "--root", str(estate.root))
    assert stopped.exit_code == 1 and "no coverage report" in stopped.output
