"""The published JSON Schemas are generated from the model and must be current."""
from __future__ import annotations

import json

from pilotfactory.catalog.schema import SCHEMAS, render_schemas, write_schemas

from tests.conftest import REPO


def test_committed_schemas_are_current():
    stale = write_schemas(REPO / "schema", check_only=True)
    assert stale == [], f"run `pilotfactory schema`: {stale} are stale"


def test_a_changed_model_makes_the_schema_stale(tmp_path):
    write_schemas(tmp_path / "schema")
    (tmp_path / "schema" / "pilot.schema.json").write_text("{}\n")
    (tmp_path / "docs" / "catalog-reference.md").write_text("old\n")
    assert write_schemas(tmp_path / "schema", check_only=True) == [
        "schema/pilot.schema.json", "docs/catalog-reference.md"]


def test_the_reference_documents_every_pilot_key():
    text = (REPO / "docs" / "catalog-reference.md").read_text()
    for key in ("apiVersion", "owners", "data_contracts", "release", "canary", "overrides"):
        assert f"| `{key}` |" in text, key


def test_schema_names_the_catalog_keys():
    pilot = json.loads(render_schemas()["pilot.schema.json"])
    assert {"apiVersion", "name", "phase", "owners", "release", "jobs"} <= set(pilot["properties"])
    assert pilot["additionalProperties"] is False
