"""Lakehouse Monitoring of a model's predictions: inference-log profiles on the tables its predictions land in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generators.observability_sql import INFERENCE_PREFIX
from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .tf import Resource, Scope

__all__ = ["ModelMonitorProps", "ModelMonitor", "PROBLEM_TYPES", "GATEWAY_COLUMNS", "MONITOR_SCHEDULE",
           "GRANULARITIES"]

# quality_monitor.md:109: the API's names for the catalog's problem types.
PROBLEM_TYPES = {"classification": "PROBLEM_TYPE_CLASSIFICATION", "regression": "PROBLEM_TYPE_REGRESSION"}
# The AI Gateway inference table's own columns: when the request ran, which served entity answered, its answer.
GATEWAY_COLUMNS = {"timestamp_col": "request_time", "model_id_col": "served_entity_id", "prediction_col": "response"}
# Hourly refresh, so drift shows within the hour-granularity window it is computed on.
MONITOR_SCHEDULE = "0 0 * * * ?"
GRANULARITIES = ["1 hour", "1 day"]


@dataclass(frozen=True, kw_only=True)
class ModelMonitorProps:
    pilot: ResolvedPilot          # with `pilot.model.monitoring` set
    schema: Any                   # the pilot's schema resource: the output schema must exist first
    folder: Any                   # the PilotFolder; assets_dir lives below it
    endpoint: Any | None = None   # the serving endpoint whose inference table is watched, if it serves


def inference_table_name(rp: ResolvedPilot) -> str:
    """catalog.schema.table of the AI Gateway payload table (the prefix plus `_payload`)."""
    return f"{rp.catalog}.{rp.schema_name}.{INFERENCE_PREFIX}_payload"


class ModelMonitor(Scope):
    def __init__(self, scope: Scope, id: str, props: ModelMonitorProps):
        super().__init__(scope, id)
        rp = props.pilot
        monitoring = rp.pilot.model.monitoring
        problem_type = PROBLEM_TYPES[monitoring.problem_type]
        base = [props.schema, *props.folder.dependants_wait_for]
        self.monitors: dict[str, Resource] = {}

        def monitor(key: str, table: str, columns: dict[str, str], baseline: str | None, after: list) -> None:
            self.monitors[key] = Resource(Scope(self, key), "Resource", "databricks_quality_monitor", {
                "table_name": table,
                "assets_dir": f"{names.pilot_folder(rp)}/monitoring/{key}",
                # Metric tables stay beside the pilot's other objects, under its schema's grants.
                "output_schema_name": f"{rp.catalog}.{rp.schema_name}",
                "baseline_table_name": baseline,
                "inference_log": [{"granularities": GRANULARITIES, "problem_type": problem_type, **columns}],
                "schedule": [{"quartz_cron_expression": MONITOR_SCHEDULE, "timezone_id": "UTC"}],
                "notifications": [{"on_failure": [{"email_addresses": [rp.pilot.owners.on_call]}]}],
                "warehouse_id": rp.env.sql_warehouse_id,
            }, depends_on=after)

        if props.endpoint is not None:
            # The endpoint's AI Gateway config creates the payload table; the monitor cannot attach before it.
            monitor("inference", inference_table_name(rp), GATEWAY_COLUMNS, None, [*base, props.endpoint])
        if monitoring.scored_table is not None:
            columns = {"timestamp_col": monitoring.timestamp_column, "model_id_col": monitoring.model_id_column,
                       "prediction_col": monitoring.prediction_column}
            if monitoring.label_column is not None:
                columns["label_col"] = monitoring.label_column
            scored = f"{rp.catalog}.{rp.schema_name}.{monitoring.scored_table}"
            monitor("scored", scored, columns, monitoring.training_table, base)
