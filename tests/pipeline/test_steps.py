"""The pipeline: steps in order, each diagnostic stamped with its step, no step changing an earlier result."""
from __future__ import annotations

import json
import pytest

from pilotfactory import pipeline
from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError
from pilotfactory.pipeline import STEPS, check


def test_the_steps_are_listed_in_order_as_named_functions():
    assert STEPS == ("load", "resolve", "validate", "gates", "synth")
    assert all(callable(getattr(pipeline, step)) for step in STEPS)


def test_each_diagnostic_carries_the_step_that_reported_it():
    diags = Diagnostics()
    with diags.step("load"):
        diags.error("PF006", "syntax")
        with diags.step("validate"):
            diags.warning("PF241", "inner")
        inner = Diagnostics()
        inner.error("PF001", "from elsewhere")
        diags.extend(inner)
    diags.error("PF999", "outside every step")
    assert [d.step for d in diags] == ["load", "validate", "load", None]
    assert json.loads(json.dumps([d.as_dict() for d in diags]))[0]["step"] == "load"


def test_each_step_of_check_stamps_its_own_diagnostics(make_estate):
    estate = make_estate(1)
    estate.edit_pilot("pilot-000", lambda d: d["jobs"][0]["schedule"].update(timezone="Mars/Base"))
    (estate.root / "catalog" / "pilots" / "extra.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    steps = {d.code: d.step for d in check(estate.root).diagnostics}
    assert steps["PF218"] == "validate" and steps["PF006"] == "load"
    assert None not in steps.values()


def test_gates_return_a_new_resolution_and_leave_the_resolve_result_untouched(make_estate, monkeypatch):
    """The gates step withholds unearned environments in a new Resolution; the resolve step's own
    result still holds every environment the phases declare."""
    seen = {}
    original = pipeline.resolve

    def spy(catalog, diags):
        seen["resolution"] = original(catalog, diags)
        seen["stacks"] = [rp.stack_id for rp in seen["resolution"].catalog.pilots]
        return seen["resolution"]

    monkeypatch.setattr(pipeline, "resolve", spy)
    estate = make_estate(1)
    estate.edit_pilot("pilot-000", lambda d: d.update(title="Changed since its approvals"))
    checked = check(estate.root)
    resolved = seen["resolution"]
    assert checked.gates.pilots[0].earned == "staging"
    assert checked.resolution is not resolved and resolved.declared is None
    assert [rp.stack_id for rp in resolved.catalog.pilots] == seen["stacks"]
    assert "pilot-000-prod" in seen["stacks"]
    assert checked.resolution.declared is resolved.catalog
    assert [rp.stack_id for rp in checked.resolution.catalog.pilots] == [s for s in seen["stacks"]
                                                                       if s != "pilot-000-prod"]


def test_synth_refuses_a_catalog_with_errors(make_estate, tmp_path):
    estate = make_estate(1)
    estate.break_pilot("pilot-000")
    with pytest.raises(DiagnosticsError):
        pipeline.synth(check(estate.root), tmp_path / "out", "cdktf")
    assert not (tmp_path / "out").exists()
