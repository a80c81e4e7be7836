"""Registered models carry their inventory id and model-risk tier (in `comment`: the provider's
registered_model has no tags in 1.99 or 1.138)."""
from __future__ import annotations

from .conftest import resources


def test_registered_model_names_its_inventory_id_and_risk_tier(synthed, catalog):
    for rp in catalog.pilots:
        if rp.pilot.model is None:
            continue
        (model,) = resources(synthed[rp.stack_id], "databricks_registered_model").values()
        assert model["comment"].startswith(
            f"pilotfactory_inventory_id={rp.pilot.name}/{rp.pilot.model.name}; "
            f"model_risk_tier={rp.pilot.intake.risk.model_risk_tier}; ")
