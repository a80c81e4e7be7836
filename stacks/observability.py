"""A pilot's SQL alerts and Lakeview dashboard on its environment's SQL warehouse."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from generators.lakeview_dashboard import serialized_dashboard
from generators.observability_sql import alert_queries
from pilotfactory.catalog.resolved import ResolvedPilot

from .engine import Engine

__all__ = ["ObservabilityProps", "Observability"]


@dataclass(frozen=True, kw_only=True)
class ObservabilityProps:
    pilot: ResolvedPilot
    warehouse_id: str   # the environment's sql_warehouse_id
    folder: Any         # the PilotFolder the alerts and the dashboard live in


# Every 15 minutes: within the tightest freshness window a contract may declare in practice.
ALERT_SCHEDULE = "0 0/15 * * * ?"


class Observability(Construct):
    def __init__(self, scope: Construct, id: str, props: ObservabilityProps):
        super().__init__(scope, id)
        rp, engine = props.pilot, Engine.of(scope, child=self)
        alert_mod = engine.databricks("alert_v2")
        folder, after = props.folder.path, props.folder.dependants_wait_for
        # On-call is a rota's mailing list, not a workspace user: alerts reach it through a destination.
        destination = engine.databricks("notification_destination")
        self.on_call = destination.NotificationDestination(
            self, "on-call", display_name=f"{rp.stack_id} on-call",
            config=destination.NotificationDestinationConfigA(
                email=destination.NotificationDestinationConfigEmail(addresses=[rp.pilot.owners.on_call])))
        self.alerts = {}
        for spec in alert_queries(rp):
            # Alerts v2 carry their own schedule and subscribers: an alert nobody hears is no alert.
            self.alerts[spec.key] = alert_mod.AlertV2(
                Construct(self, spec.key), "Resource", display_name=spec.title, query_text=spec.sql,
                custom_description=spec.runbook,
                warehouse_id=props.warehouse_id, parent_path=folder, depends_on=after,
                schedule=alert_mod.AlertV2Schedule(quartz_cron_schedule=ALERT_SCHEDULE, timezone_id="UTC",
                                                   pause_status="UNPAUSED"),
                run_as=alert_mod.AlertV2RunAs(service_principal_name=rp.env.run_as.application_id),
                evaluation=alert_mod.AlertV2Evaluation(
                    comparison_operator=spec.operator,
                    source=alert_mod.AlertV2EvaluationSource(name=spec.column),
                    threshold=alert_mod.AlertV2EvaluationThreshold(
                        value=alert_mod.AlertV2EvaluationThresholdValue(double_value=spec.threshold)),
                    # A query that returns nothing has lost its source: that is an incident too.
                    empty_result_state="TRIGGERED",
                    notification=alert_mod.AlertV2EvaluationNotification(
                        notify_on_ok=True,
                        subscriptions=[alert_mod.AlertV2EvaluationNotificationSubscriptions(
                            destination_id=self.on_call.id)])))
        self.dashboard = engine.databricks("dashboard").Dashboard(
            self, "dashboard", display_name=f"{rp.stack_id} observability", parent_path=folder,
            warehouse_id=props.warehouse_id, serialized_dashboard=serialized_dashboard(rp),
            embed_credentials=False, depends_on=after)
