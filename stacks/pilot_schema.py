"""The pilot's Unity Catalog schema: the home of its registered model (ModelRegistry) and of
`pilot_metrics`, so a batch or analytics pilot's scorecard has rows too (PilotSchema)."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.resolved import ResolvedPilot

from .tf import Resource, Scope

__all__ = ["PilotSchemaProps", "PilotSchema", "schema_resource"]


def schema_resource(scope: Scope, id: str, rp: ResolvedPilot) -> Resource:
    """The `databricks_schema`, owned by the run-as principal (which creates and merges into
    pilot_metrics there); its model versions, lineage and scorecard history cannot be recreated,
    so a protected environment never loses it to a destroy."""
    return Resource(scope, id, "databricks_schema", {
        "catalog_name": rp.catalog, "name": rp.schema_name, "owner": rp.env.run_as.application_id,
        "comment": f"Pilot Factory: {rp.pilot.title}"}, prevent_destroy=rp.env.protected)


@dataclass(frozen=True, kw_only=True)
class PilotSchemaProps:
    pilot: ResolvedPilot


class PilotSchema(Scope):
    """The schema of a pilot without a model (a model's ModelRegistry makes it otherwise)."""

    def __init__(self, scope: Scope, id: str, props: PilotSchemaProps):
        super().__init__(scope, id)
        self.resource = schema_resource(self, "Resource", props.pilot)
