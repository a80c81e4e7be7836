"""What a pilot stack uses but does not own, read through data sources so a plan stops early.

A missing run-as principal, group, catalog or SQL warehouse then fails `terraform plan` with the
provider's own message, instead of an apply failing halfway with half the objects made.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pilotfactory.catalog.resolved import ResolvedPilot

from .engine import Engine

__all__ = ["LookupsProps", "Lookups"]


@dataclass(frozen=True, kw_only=True)
class LookupsProps:
    pilot: ResolvedPilot


class Lookups(Construct):
    def __init__(self, scope: Construct, id: str, props: LookupsProps):
        super().__init__(scope, id)
        rp, engine = props.pilot, Engine.of(scope, child=self)
        self.run_as = engine.databricks("data_databricks_service_principal").DataDatabricksServicePrincipal(
            self, "run-as", application_id=rp.env.run_as.application_id)
        group = engine.databricks("data_databricks_group").DataDatabricksGroup
        # Ids are the group names (catalog keys); sorted so the file never reorders.
        owners = rp.pilot.owners
        names = sorted({owners.builders, owners.approvers, rp.platform_admins, owners.on_call_group} - {None})
        self.groups = {name: group(self, f"group-{name}", display_name=name) for name in names}
        self.catalog = engine.databricks("data_databricks_catalog").DataDatabricksCatalog(
            self, "catalog", name=rp.catalog)
        self.warehouse = None
        if rp.env.sql_warehouse_id is not None:
            self.warehouse = engine.databricks("data_databricks_sql_warehouse").DataDatabricksSqlWarehouse(
                self, "warehouse", id=rp.env.sql_warehouse_id)
