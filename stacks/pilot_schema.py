"""The pilot's Unity Catalog schema when no model brings one (ModelRegistry creates it for model
pilots): the home of `pilot_metrics`, so a batch or analytics pilot's scorecard has rows too."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pilotfactory.catalog.resolved import ResolvedPilot

from .engine import Engine

__all__ = ["PilotSchemaProps", "PilotSchema"]


@dataclass(frozen=True, kw_only=True)
class PilotSchemaProps:
    pilot: ResolvedPilot


class PilotSchema(Construct):
    def __init__(self, scope: Construct, id: str, props: PilotSchemaProps):
        super().__init__(scope, id)
        rp = props.pilot
        engine = Engine.of(self)
        # pilot_metrics is the scorecard's history: a protected environment never loses it to a destroy.
        lifecycle = engine.TerraformResourceLifecycle(prevent_destroy=True) if rp.env.protected else None
        # Owned by the run-as principal, which creates and merges into pilot_metrics there.
        self.resource = engine.databricks("schema").Schema(
            self, "Resource", catalog_name=rp.catalog, name=rp.schema_name, owner=rp.env.run_as.application_id,
            comment=f"Pilot Factory: {rp.pilot.title}", lifecycle=lifecycle)
