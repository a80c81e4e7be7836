"""A pilot's SQL alerts and Lakeview dashboard on its environment's SQL warehouse."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from generators.lakeview_dashboard import serialized_dashboard
from generators.observability_sql import alert_queries
from pilotfactory.resolved import ResolvedPilot

from .engine import Engine

__all__ = ["ObservabilityProps", "Observability", "observability_folder"]


def observability_folder(rp: ResolvedPilot) -> str:
    return f"/Shared/pilotfactory/{rp.stack_id}"


@dataclass(frozen=True, kw_only=True)
class ObservabilityProps:
    pilot: ResolvedPilot
    warehouse_id: str   # the environment's sql_warehouse_id


class Observability(Construct):
    def __init__(self, scope: Construct, id: str, props: ObservabilityProps):
        super().__init__(scope, id)
        rp, engine = props.pilot, Engine.of(self)
        query_mod, alert_mod = engine.databricks("query"), engine.databricks("alert")
        folder = observability_folder(rp)
        self.alerts = {}
        for spec in alert_queries(rp):
            holder = Construct(self, spec.key)
            query = query_mod.Query(
                holder, "Query", display_name=spec.title, query_text=spec.sql,
                warehouse_id=props.warehouse_id, parent_path=folder)
            self.alerts[spec.key] = alert_mod.Alert(
                holder, "Resource", display_name=spec.title, query_id=query.id, parent_path=folder,
                condition=alert_mod.AlertCondition(
                    op="GREATER_THAN",
                    operand=alert_mod.AlertConditionOperand(
                        column=alert_mod.AlertConditionOperandColumn(name=spec.column)),
                    threshold=alert_mod.AlertConditionThreshold(
                        value=alert_mod.AlertConditionThresholdValue(double_value=spec.threshold)),
                    # A query that returns nothing has lost its source: that is an incident too.
                    empty_result_state="TRIGGERED"),
                notify_on_ok=True)
        self.dashboard = engine.databricks("dashboard").Dashboard(
            self, "dashboard", display_name=f"{rp.stack_id} observability", parent_path=folder,
            warehouse_id=props.warehouse_id, serialized_dashboard=serialized_dashboard(rp),
            embed_credentials=False)
