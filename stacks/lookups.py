"""What a pilot stack uses but does not own, read through data sources so a plan stops early.

A missing run-as principal, group, catalog or SQL warehouse then fails `terraform plan` with the
provider's own message, instead of an apply failing halfway with half the objects made.
"""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.resolved import ResolvedPilot

from .tf import DataSource, Scope

__all__ = ["LookupsProps", "Lookups"]


@dataclass(frozen=True, kw_only=True)
class LookupsProps:
    pilot: ResolvedPilot


class Lookups(Scope):
    def __init__(self, scope: Scope, id: str, props: LookupsProps):
        super().__init__(scope, id)
        rp = props.pilot
        self.run_as = DataSource(self, "run-as", "databricks_service_principal",
                                 {"application_id": rp.env.run_as.application_id})
        # Ids are the group names (catalog keys); sorted so the file never reorders.
        owners = rp.pilot.owners
        names = sorted({owners.builders, owners.approvers, rp.platform_admins, owners.on_call_group} - {None})
        self.groups = {name: DataSource(self, f"group-{name}", "databricks_group", {"display_name": name})
                       for name in names}
        self.catalog = DataSource(self, "catalog", "databricks_catalog", {"name": rp.catalog})
        self.warehouse = None
        if rp.env.sql_warehouse_id is not None:
            self.warehouse = DataSource(self, "warehouse", "databricks_sql_warehouse", {"id": rp.env.sql_warehouse_id})
