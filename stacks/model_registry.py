"""A pilot's Unity Catalog schema and registered model, with grants and champion/challenger aliases."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.resolved import ResolvedPilot

from .access import model_privileges
from .pilot_schema import schema_resource
from .tf import Resource, Scope

__all__ = ["ModelRegistryProps", "ModelRegistry", "model_aliases", "model_comment", "RETENTION_PRIVILEGES"]


# What the retention job's DELETE needs on the inference table, inherited from the schema.
RETENTION_PRIVILEGES = ("USE_SCHEMA", "SELECT", "MODIFY")


@dataclass(frozen=True, kw_only=True)
class ModelRegistryProps:
    pilot: ResolvedPilot   # with `pilot.model` set
    # The run-as principal deletes old inference-table rows: the endpoint's creator owns that table, and a
    # schema owner holds no table privileges by itself, so the schema grants it SELECT and MODIFY.
    prunes_inference_table: bool = False


def model_aliases(rp: ResolvedPilot) -> list[tuple[str, int]]:
    """`champion` is the active slot's model version, `challenger` the other slot's (canary or idle);
    slots without one are skipped."""
    out = []
    for slot in rp.slots:
        if slot.slot.model_version is not None:
            out.append(("champion" if slot.active else "challenger", slot.slot.model_version))
    return sorted(out)


def model_comment(rp: ResolvedPilot) -> str:
    """The model inventory id and risk tier, as `key=value` pairs: registered models take no tags in
    provider 1.99 (nor 1.138), and entity tag assignments cover catalogs to volumes, not models."""
    return (f"pilotfactory_inventory_id={rp.pilot.inventory_id}; "
            f"model_risk_tier={rp.pilot.intake.risk.model_risk_tier}; {rp.pilot.title}")


class ModelRegistry(Scope):
    def __init__(self, scope: Scope, id: str, props: ModelRegistryProps):
        super().__init__(scope, id)
        rp = props.pilot
        owner = rp.env.run_as.application_id
        self.schema = schema_resource(self, "Schema", rp)
        # The model holds versions and lineage that Terraform cannot recreate.
        self.resource = Resource(self, "Resource", "databricks_registered_model", {
            "catalog_name": rp.catalog, "schema_name": self.schema.attr("name"), "name": rp.pilot.model.name,
            "owner": owner,
            "aliases": [{"alias_name": a, "version_num": v} for a, v in model_aliases(rp)] or None,
            "comment": model_comment(rp)}, prevent_destroy=rp.env.protected)

        groups = (rp.pilot.owners.builders, rp.pilot.owners.approvers)
        # Without USE_SCHEMA the model privileges below would be unusable.
        schema_grants = [{"principal": group, "privileges": ["USE_SCHEMA"]} for group in groups]
        if props.prunes_inference_table:
            schema_grants.insert(0, {"principal": owner, "privileges": list(RETENTION_PRIVILEGES)})
        self.schema_grants = Resource(self, "SchemaGrants", "databricks_grants", {
            "schema": self.schema.id, "grant": schema_grants})
        self.grants = Resource(self, "Grants", "databricks_grants", {
            "model": self.resource.id,
            "grant": [{"principal": p, "privileges": list(privs)} for p, privs in model_privileges(rp)]})
