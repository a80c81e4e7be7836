"""A pilot's Unity Catalog schema and registered model, with grants and champion/challenger aliases."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pilotfactory.catalog.resolved import ResolvedPilot

from .access import model_privileges
from .engine import Engine

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


class ModelRegistry(Construct):
    def __init__(self, scope: Construct, id: str, props: ModelRegistryProps):
        super().__init__(scope, id)
        rp = props.pilot
        engine = Engine.of(scope, child=self)
        owner = rp.env.run_as.application_id
        # Schema and model hold versions and lineage that Terraform cannot recreate.
        lifecycle = engine.TerraformResourceLifecycle(prevent_destroy=True) if rp.env.protected else None

        self.schema = engine.databricks("schema").Schema(
            self, "Schema", catalog_name=rp.catalog, name=rp.schema_name, owner=owner,
            comment=f"Pilot Factory: {rp.pilot.title}", lifecycle=lifecycle)
        mod = engine.databricks("registered_model")
        aliases = [mod.RegisteredModelAliases(alias_name=a, version_num=v) for a, v in model_aliases(rp)]
        self.resource = mod.RegisteredModel(
            self, "Resource", catalog_name=rp.catalog, schema_name=self.schema.name,
            name=rp.pilot.model.name, owner=owner, aliases=aliases or None, lifecycle=lifecycle,
            comment=model_comment(rp))

        grants = engine.databricks("grants")
        groups = (rp.pilot.owners.builders, rp.pilot.owners.approvers)
        # Without USE_SCHEMA the model privileges below would be unusable.
        schema_grants = [grants.GrantsGrant(principal=group, privileges=["USE_SCHEMA"]) for group in groups]
        if props.prunes_inference_table:
            schema_grants.insert(0, grants.GrantsGrant(principal=owner, privileges=list(RETENTION_PRIVILEGES)))
        self.schema_grants = grants.Grants(self, "SchemaGrants", schema=self.schema.id, grant=schema_grants)
        self.grants = grants.Grants(
            self, "Grants", model=self.resource.id,
            grant=[grants.GrantsGrant(principal=p, privileges=list(privs)) for p, privs in model_privileges(rp)])
