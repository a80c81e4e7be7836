"""The catalog factory itself: what it writes earns every declared phase, and its knobs take effect."""
from __future__ import annotations

from pilotfactory.pipeline import check
from tests.factory import PilotSpec


def test_every_generated_pilot_earns_its_declared_phase(make_estate):
    estate = make_estate(7)
    checked = check(estate.root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    assert {p.pilot: p.declared for p in checked.gates.pilots if p.ok} == {s.name: s.phase for s in estate.specs}
    stacks = {rp.stack_id for rp in checked.resolution.catalog.pilots}
    assert "pilot-000-prod" in stacks and "pilot-001-staging" in stacks and "pilot-002-staging" not in stacks


def test_knobs_reach_the_resolved_pilot(make_estate):
    estate = make_estate(specs_=[PilotSpec("one-slot", phase="staging", slots=1, serving=True),
                                 PilotSpec("canaried", canary_percent=20, serving=True)])
    by_stack = {rp.stack_id: rp for rp in check(estate.root).resolution.catalog.pilots}
    assert [s.name for s in by_stack["one-slot-staging"].slots] == ["main"]
    assert by_stack["one-slot-staging"].pilot.model.serving is not None
    assert {s.name: s.traffic_percent for s in by_stack["canaried-prod"].slots} == {"blue": 20, "green": 80}


def test_break_pilot_is_an_error_in_that_pilot_file_only(make_estate):
    estate = make_estate(3)
    estate.break_pilot("pilot-001")
    files = {d.location.file for d in check(estate.root).diagnostics.errors}
    assert files == {"catalog/pilots/pilot-001.yaml"}


def test_an_edit_without_new_approvals_loses_production(make_estate):
    estate = make_estate(specs_=[PilotSpec("edited")])
    estate.edit_pilot("edited", lambda d: d.update(title="A new title"))
    assert check(estate.root).gates.pilots[0].earned == "staging"
    estate.sign("edited")
    assert check(estate.root).gates.pilots[0].earned == "production"
