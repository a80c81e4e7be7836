"""The outcome decision (issue 17): leaving `pilot` needs the executive sponsor's recorded decision to
scale, on a reading of every success metric; iterate and stop keep the pilot where it is."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from pilotfactory.pipeline import check

from tests.factory import AS_OF, PilotSpec, make_estate  # noqa: F401  (fixture)

NAME = "scoring"
SPONSOR = f"sponsor.{NAME}@bank.example"


def outcome(**over) -> dict:
    entry = {"kind": "outcome_decision", "date": AS_OF - dt.timedelta(days=30), "decided_by": SPONSOR,
             "decision": "scale", "readings": [{"metric": "cycle_minutes", "value": 29}],
             "rationale": "At target."}
    entry.update(over)
    return entry


@pytest.fixture
def estate(make_estate):
    est = make_estate(specs_=[PilotSpec(NAME, phase="staging")])
    path = est.root / "config" / "gates.yaml"
    gates = yaml.safe_load(path.read_text())
    gates["exits"]["staging"]["outcome_decision"] = True
    path.write_text(yaml.safe_dump(gates, sort_keys=False))
    return est


def criterion(estate):
    checked = check(estate.root, today=AS_OF)
    assert checked.gates is not None, [d.render() for d in checked.diagnostics.errors]
    (pilot,) = checked.gates.pilots
    staging = next(g for g in pilot.gates if g.phase == "staging")
    (found,) = [c for c in staging.criteria if c.name == "outcome_decision"]
    return pilot, found


def with_outcome(estate, *entries):
    estate.edit_pilot(NAME, lambda d: d["evidence"].extend(entries))


def test_without_a_decision_the_pilot_cannot_leave_the_pilot_phase(estate):
    pilot, found = criterion(estate)
    assert not found.passed and found.code == "PF321" and "no outcome_decision" in found.reason
    assert pilot.earned == "pilot" and not pilot.ok


def test_the_sponsors_decision_to_scale_on_every_metric_passes(estate):
    with_outcome(estate, outcome())
    pilot, found = criterion(estate)
    assert found.passed, found.reason
    assert "1 of 1 metrics at target" in found.reason and "cycle_minutes 29 (baseline 45, target 30)" in found.reason
    assert pilot.ok and found.key == "outcome_decision"


@pytest.mark.parametrize("value, at_target", [(30, True), (30.5, False), (12, True)])
def test_a_metric_that_improves_downwards_is_at_target_at_or_below_it(estate, value, at_target):
    with_outcome(estate, outcome(readings=[{"metric": "cycle_minutes", "value": value}]))
    _, found = criterion(estate)
    assert found.passed and (f"{int(at_target)} of 1 metrics at target" in found.reason)


@pytest.mark.parametrize("decision, words", [("iterate", "another pilot cycle"), ("stop", "decommission")])
def test_iterate_and_stop_keep_the_pilot_where_it_is(estate, decision, words):
    with_outcome(estate, outcome(decision=decision))
    pilot, found = criterion(estate)
    assert not found.passed and words in found.reason and pilot.earned == "pilot"


def test_only_the_executive_sponsor_decides(estate):
    with_outcome(estate, outcome(decided_by=f"builder.{NAME}@bank.example"))
    _, found = criterion(estate)
    assert not found.passed and "not the executive sponsor" in found.reason
    assert found.path[-1] == "decided_by"


def test_every_success_metric_needs_a_reading_and_only_those(estate):
    estate.edit_pilot(NAME, lambda d: d["intake"]["success_metrics"].append(
        {"name": "rework_rate", "baseline": 0.2, "target": 0.1}))
    with_outcome(estate, outcome())
    _, found = criterion(estate)
    assert not found.passed and "no reading of success metric rework_rate" in found.reason
    with_outcome(estate, outcome(date=AS_OF - dt.timedelta(days=1), readings=[
        {"metric": "cycle_minutes", "value": 29}, {"metric": "rework_rate", "value": 0.1},
        {"metric": "nps", "value": 3}]))
    _, found = criterion(estate)
    assert not found.passed and "`nps`, which is not a success metric" in found.reason


def test_the_latest_decision_counts(estate):
    with_outcome(estate, outcome(), outcome(date=AS_OF - dt.timedelta(days=2), decision="stop"))
    _, found = criterion(estate)
    assert not found.passed and "stop" in found.reason


def test_a_decision_dated_in_the_future_is_refused(estate):
    with_outcome(estate, outcome(date=AS_OF + dt.timedelta(days=1)))
    _, found = criterion(estate)
    assert not found.passed and "in the future" in found.reason
