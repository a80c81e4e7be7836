"""PF222: a model's monitoring has a table to watch, and a baseline only where it can be compared."""
from __future__ import annotations

from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check

from tests.factory import PilotSpec


def _pf222(root):
    return [d for d in check(root).diagnostics if d.code == Code.MONITOR_WITHOUT_TABLE]


def _estate(make_estate, serving: bool):
    return make_estate(specs_=[PilotSpec(name="scorer", phase="pilot", serving=serving, slots=1)])


def _monitor(estate, **monitoring):
    estate.edit_pilot("scorer", lambda d: d["model"].__setitem__("monitoring", monitoring))


def test_batch_monitoring_without_scored_table_is_located_at_monitoring(make_estate):
    estate = _estate(make_estate, serving=False)
    _monitor(estate, problem_type="classification")
    (diag,) = _pf222(estate.root)
    assert diag.severity.value == "error" and diag.path == ("model", "monitoring")
    assert diag.location.file == "catalog/pilots/scorer.yaml" and diag.location.line > 1
    assert "scored_table" in diag.summary


def test_training_baseline_without_scored_table_is_refused_even_when_serving(make_estate):
    estate = _estate(make_estate, serving=True)
    _monitor(estate, problem_type="regression", training_table="main.ml.training")
    (diag,) = _pf222(estate.root)
    assert diag.path == ("model", "monitoring", "training_table")
    assert "training_table" in diag.summary


def test_serving_monitoring_needs_no_scored_table(make_estate):
    estate = _estate(make_estate, serving=True)
    _monitor(estate, problem_type="classification")
    assert _pf222(estate.root) == []


def test_batch_monitoring_with_scored_table_and_baseline_is_valid(make_estate):
    estate = _estate(make_estate, serving=False)
    _monitor(estate, problem_type="classification", scored_table="scores", training_table="main.ml.training")
    assert _pf222(estate.root) == []
