"""The pilot's model serving endpoint: one served entity per slot, traffic split by slot."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generators.observability_sql import INFERENCE_PREFIX
from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import pilot_access
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["ServingEndpointProps", "ServingEndpoint", "traffic_routes"]


@dataclass(frozen=True, kw_only=True)
class ServingEndpointProps:
    pilot: ResolvedPilot      # with `pilot.model.serving` set
    model: Resource           # the registered model, so the endpoint waits for it


def traffic_routes(rp: ResolvedPilot) -> list[tuple[str, int]]:
    """(slot, percent) for every slot that serves a model version; they must add up to 100."""
    routes = [(s.name, s.traffic_percent) for s in rp.slots if s.slot.model_version is not None]
    unserved = [s.name for s in rp.slots if s.slot.model_version is None and s.traffic_percent]
    total = sum(p for _, p in routes)
    if not routes or unserved or total != 100:
        raise PilotFactoryError(
            f"{rp.file}: serving in {rp.env_name} needs a model_version on every slot that takes traffic "
            f"and routes adding up to 100 (served: {routes or 'none'}, unserved with traffic: {unserved or 'none'})")
    return routes


class ServingEndpoint(Scope):
    def __init__(self, scope: Scope, id: str, props: ServingEndpointProps):
        super().__init__(scope, id)
        rp = props.pilot
        serving = rp.pilot.model.serving
        versions = {s.name: s.slot.model_version for s in rp.slots}
        routes = traffic_routes(rp)
        self.resource = Resource(self, "Resource", "databricks_model_serving", {
            "name": names.pilot_object_name(rp),
            "config": {
                "served_entities": [
                    {"name": slot, "entity_name": names.model_full_name(rp), "entity_version": str(versions[slot]),
                     "workload_size": serving.workload_size, "scale_to_zero_enabled": serving.scale_to_zero}
                    for slot, _ in routes
                ],
                "traffic_config": {"routes": [
                    {"served_entity_name": slot, "traffic_percentage": pct} for slot, pct in routes]},
            },
            # Inference tables through AI Gateway: the legacy auto_capture_config is no longer accepted.
            "ai_gateway": {"inference_table_config": {
                "enabled": True, "catalog_name": rp.catalog, "schema_name": rp.schema_name,
                "table_name_prefix": INFERENCE_PREFIX}},
            "tags": [{"key": k, "value": v} for k, v in rp.tags.items()],
        }, depends_on=[props.model])
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="serving_endpoint", object_id=self.resource.attr("serving_endpoint_id"),
            entries=pilot_access(rp, "serving_endpoint")))
