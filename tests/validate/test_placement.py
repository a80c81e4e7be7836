"""PF223: restricted data only in catalogs approved for it (`restricted_catalog` of each reached environment)."""
from __future__ import annotations

import re

import yaml

from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check

from tests.factory import PilotSpec


def _pf223(root):
    return [d for d in check(root).diagnostics if d.code == Code.RESTRICTED_PLACEMENT]


def _mark(root, **catalogs) -> None:
    """Set `restricted_catalog` of each named environment, next to its `catalog` (text edit: quoting kept)."""
    path = root / "config" / "environments.yaml"
    text = path.read_text()
    for env, name in catalogs.items():
        text = re.sub(rf"(\n(\s+)catalog: pilots_{env}\n)(\s+restricted_catalog: .*\n)?",
                      lambda m: f"{m.group(1)}{m.group(2)}restricted_catalog: {name}\n", text, count=1)
    path.write_text(text)
    assert all(yaml.safe_load(text)["environments"][e]["restricted_catalog"] == n for e, n in catalogs.items())


def _estate(make_estate, phase: str, classification: str = "restricted"):
    estate = make_estate(specs_=[PilotSpec(name="holder", phase=phase, slots=1 if phase != "production" else 2)])
    estate.edit_pilot("holder", lambda d: d.__setitem__("data_classification", classification))
    return estate


def test_a_restricted_pilot_in_an_unmarked_catalog_is_refused_at_its_classification(make_estate):
    estate = _estate(make_estate, "pilot")
    (diag,) = _pf223(estate.root)
    assert diag.severity.value == "error" and diag.path == ("data_classification",)
    assert diag.location.file == "catalog/pilots/holder.yaml" and diag.location.line > 1
    line = estate.pilot_file("holder").read_text().splitlines()[diag.location.line - 1]
    assert line.startswith("data_classification: restricted")
    assert "`dev`" in diag.summary and "`pilots_dev`" in diag.summary and "restricted_catalog" in diag.summary
    # its stacks are withheld: nothing is built in the unapproved catalog
    assert not any(rp.name == "holder" for rp in check(estate.root).resolution.catalog.pilots)


def test_each_reached_environment_must_be_marked_and_only_those(make_estate):
    estate = _estate(make_estate, "staging")
    _mark(estate.root, dev="pilots_dev_restricted")                 # staging, also reached, is not
    assert [d.summary.split("environment ")[1].split(" ")[0] for d in _pf223(estate.root)] == ["`staging`"]
    _mark(estate.root, staging="pilots_staging_restricted")         # prod is not reached in phase staging
    assert _pf223(estate.root) == []


def test_a_marked_catalog_places_restricted_pilots_there(make_estate):
    estate = _estate(make_estate, "pilot")
    _mark(estate.root, dev="pilots_dev")                            # the whole dev catalog approved
    checked = check(estate.root)
    assert [d for d in checked.diagnostics if d.code == Code.RESTRICTED_PLACEMENT] == []
    _mark(estate.root, dev="pilots_dev_restricted")
    (rp,) = [p for p in check(estate.root).resolution.catalog.pilots if p.name == "holder"]
    assert rp.catalog == "pilots_dev_restricted" and rp.env.catalog == "pilots_dev"


def test_confidential_data_needs_no_marked_catalog_and_stays_in_the_environment_catalog(make_estate):
    estate = _estate(make_estate, "pilot", classification="confidential")
    _mark(estate.root, dev="pilots_dev_restricted")
    assert _pf223(estate.root) == []
    (rp,) = [p for p in check(estate.root).resolution.catalog.pilots if p.name == "holder"]
    assert rp.catalog == "pilots_dev"
