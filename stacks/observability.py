"""A pilot's SQL alerts and Lakeview dashboard on its environment's SQL warehouse."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generators.lakeview_dashboard import serialized_dashboard
from generators.observability_sql import alert_queries
from pilotfactory.catalog.resolved import ResolvedPilot

from .tf import Resource, Scope

__all__ = ["ObservabilityProps", "Observability"]


@dataclass(frozen=True, kw_only=True)
class ObservabilityProps:
    pilot: ResolvedPilot
    warehouse_id: str   # the environment's sql_warehouse_id
    folder: Any         # the PilotFolder the alerts and the dashboard live in


# Every 15 minutes: within the tightest freshness window a contract may declare in practice.
ALERT_SCHEDULE = "0 0/15 * * * ?"


class Observability(Scope):
    def __init__(self, scope: Scope, id: str, props: ObservabilityProps):
        super().__init__(scope, id)
        rp = props.pilot
        folder, after = props.folder.path, props.folder.dependants_wait_for
        # On-call is a rota's mailing list, not a workspace user: alerts reach it through a destination.
        self.on_call = Resource(self, "on-call", "databricks_notification_destination", {
            "display_name": f"{rp.stack_id} on-call",
            "config": {"email": {"addresses": [rp.pilot.owners.on_call]}}})
        self.alerts = {}
        for spec in alert_queries(rp):
            # Alerts v2 carry their own schedule and subscribers: an alert nobody hears is no alert.
            self.alerts[spec.key] = Resource(Scope(self, spec.key), "Resource", "databricks_alert_v2", {
                "display_name": spec.title, "query_text": spec.sql, "custom_description": spec.runbook,
                "warehouse_id": props.warehouse_id, "parent_path": folder,
                "schedule": {"quartz_cron_schedule": ALERT_SCHEDULE, "timezone_id": "UTC", "pause_status": "UNPAUSED"},
                "run_as": {"service_principal_name": rp.env.run_as.application_id},
                "evaluation": {
                    "comparison_operator": spec.operator,
                    "source": {"name": spec.column},
                    "threshold": {"value": {"double_value": spec.threshold}},
                    # A query that returns nothing has lost its source: that is an incident too.
                    "empty_result_state": "TRIGGERED",
                    "notification": {"notify_on_ok": True,
                                     "subscriptions": [{"destination_id": self.on_call.id}]},
                },
            }, depends_on=after)
        self.dashboard = Resource(self, "dashboard", "databricks_dashboard", {
            "display_name": f"{rp.stack_id} observability", "parent_path": folder,
            "warehouse_id": props.warehouse_id, "serialized_dashboard": serialized_dashboard(rp),
            "embed_credentials": False}, depends_on=after)
