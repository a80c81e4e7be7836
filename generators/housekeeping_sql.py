"""The SQL of a pilot's two housekeeping jobs: inference-table retention, and the `pilot_metrics` rows
the sponsor scorecard reads (success-metric readings, job runs, releases and rollbacks).

Like observability_sql, every statement is built from catalog values the model has constrained;
strings still go through `_lit`. Each statement ends in `;`: a SQL task file may hold several.
"""
from __future__ import annotations

from pilotfactory.catalog.model.pilot import OutcomeDecision
from pilotfactory.catalog.resolved import ResolvedPilot

# One quoting rule and one definition of "the pilot's jobs" for alerts, dashboard and these jobs.
from generators.observability_sql import (  # noqa: F401  (shared SQL building blocks)
    _FAILED, _ident, _lit, _pilot_jobs_cte, inference_table, metrics_table,
)

__all__ = ["retention_sql", "pilot_metrics_sql", "METRICS_COLUMNS", "RUN_HISTORY_DAYS", "CHANGE_METRICS",
           "FILE_RETENTION_HOURS", "STORAGE_LAG_DAYS"]

# The table the dashboard's scorecard and releases datasets read (observability_sql._scorecard/_releases).
METRICS_COLUMNS = (("metric_name", "STRING NOT NULL"), ("value", "DOUBLE"), ("measured_at", "TIMESTAMP NOT NULL"),
                   ("source", "STRING NOT NULL"), ("detail", "STRING"))
# system.lakeflow.job_run_timeline keeps 365 days free; a scorecard looks back one pilot cycle and a half.
RUN_HISTORY_DAYS = 135
# How a recorded change counts on the scorecard: a cutover is a release; an emergency rollback a rollback.
# Releases and rollbacks come from the catalog's change records, not system.access.audit: that table holds
# every audit event of the whole account, too wide a grant for each pilot's principal (see README).
CHANGE_METRICS = {"release": "release", "cutover": "release", "rollback": "rollback", "emergency_rollback": "rollback"}


def _header(rp: ResolvedPilot, what: str) -> str:
    return (f"-- Pilot Factory: {what} of {rp.stack_id}, generated from {rp.file}.\n"
            "-- Managed file: edit the catalog and run `pilotfactory synth`, never this file.\n")


# Delta keeps a removed data file this long before VACUUM may delete it (the default
# delta.deletedFileRetentionDuration, 7 days); VACUUM refuses a shorter RETAIN than the table's own setting.
FILE_RETENTION_HOURS = 168
# A row past retention leaves storage within retention + this: the daily job deletes it (1 day), its old
# file is kept FILE_RETENTION_HOURS (7 days), and the next daily VACUUM after that removes it (1 day).
STORAGE_LAG_DAYS = 1 + FILE_RETENTION_HOURS // 24 + 1


def retention_sql(rp: ResolvedPilot, days: int) -> str:
    """Delete inference-table rows older than `days` (by the request's date), then make the deletion
    physical: purge rows deletion vectors only mark as deleted, and vacuum the files that held them."""
    table = inference_table(rp)
    return (
        _header(rp, "inference-table retention")
        + f"-- Data classification `{rp.pilot.data_classification}`: keep {days} days "
        "(config/standards.yaml `inference_retention_days`).\n"
        f"DELETE FROM {table}\n"
        f"WHERE request_date < date_sub(current_date(), {days});\n"
        "-- With deletion vectors a DELETE only marks rows; rewrite the files that still hold them.\n"
        f"REORG TABLE {table} APPLY (PURGE);\n"
        f"-- Remove files unreferenced for {FILE_RETENTION_HOURS} hours; if the table's deleted-file retention "
        "was raised above it,\n-- VACUUM refuses and the job fails (on-call is paged) rather than keep rows "
        "longer.\n"
        f"VACUUM {table} RETAIN {FILE_RETENTION_HOURS} HOURS;\n"
    )


def _readings(rp: ResolvedPilot) -> list[str]:
    rows = []
    for item in rp.pilot.evidence:
        if isinstance(item, OutcomeDecision):
            for r in item.readings:
                rows.append(f"({_lit(r.metric)}, {float(r.value)!r}, TIMESTAMP {_lit(item.date.isoformat())}, "
                            f"'outcome_decision', {_lit(f'{item.decision} by {item.decided_by}')})")
    return rows


def _changes(rp: ResolvedPilot) -> list[str]:
    change = rp.pilot.release.changes.get(rp.env_name)
    if change is None:
        return []
    detail = f"{change.action} under {change.ref}" if change.ref else f"{change.action}, change reference to follow"
    return [f"({_lit(CHANGE_METRICS[change.action])}, 1.0, TIMESTAMP {_lit(change.date.isoformat())}, "
            f"'change_record', {_lit(detail)})"]


def _job_runs(rp: ResolvedPilot) -> str:
    failed = ", ".join(_lit(s) for s in _FAILED)
    # result_state is set only on a run's last timeline row, so each finished run counts once.
    return (
        "runs AS (\n"
        "  SELECT date_trunc('DAY', t.period_end_time) AS day, count(*) AS runs,\n"
        f"    count_if(t.result_state IN ({failed})) AS failures\n"
        "  FROM system.lakeflow.job_run_timeline AS t\n"
        "  JOIN pilot_jobs AS j ON t.workspace_id = j.workspace_id AND t.job_id = j.job_id\n"
        f"  WHERE t.result_state IS NOT NULL AND t.period_end_time >= current_timestamp() - INTERVAL {RUN_HISTORY_DAYS} DAYS\n"
        "  GROUP BY 1\n"
        ")"
    )


def pilot_metrics_sql(rp: ResolvedPilot) -> str:
    """Create `pilot_metrics` if missing, then merge in this run's rows, keyed on (metric, time, source):
    a re-run corrects today's counts, and rows of earlier deploys (older change records) stay."""
    table = metrics_table(rp)
    columns = ",\n  ".join(f"{name} {kind}" for name, kind in METRICS_COLUMNS)
    static = _readings(rp) + _changes(rp)
    parts = []
    if rp.jobs:
        parts += ["SELECT 'job_runs' AS metric_name, CAST(runs AS DOUBLE) AS value, day AS measured_at, "
                  "'system.lakeflow.job_run_timeline' AS source, CAST(NULL AS STRING) AS detail FROM runs",
                  "SELECT 'job_failures', CAST(failures AS DOUBLE), day, 'system.lakeflow.job_run_timeline', "
                  "CAST(NULL AS STRING) FROM runs"]
    if static:
        rows = ",\n  ".join(static)
        parts.append(f"SELECT * FROM VALUES\n  {rows}\nAS recorded(metric_name, value, measured_at, source, detail)")
    ctes = f"WITH {_pilot_jobs_cte(rp)},\n{_job_runs(rp)}\n" if rp.jobs else ""
    body = "\nUNION ALL\n".join(parts) if parts else (
        "SELECT CAST(NULL AS STRING) AS metric_name, CAST(NULL AS DOUBLE) AS value, "
        "CAST(NULL AS TIMESTAMP) AS measured_at, CAST(NULL AS STRING) AS source, CAST(NULL AS STRING) AS detail "
        "WHERE FALSE")
    return (
        _header(rp, "the sponsor scorecard's metrics")
        + f"CREATE TABLE IF NOT EXISTS {table} (\n  {columns}\n)\n"
        f"COMMENT {_lit(f'Pilot Factory: success metrics, job runs, releases and rollbacks of {rp.stack_id}')};\n"
        f"MERGE INTO {table} AS t\n"
        "USING (\n" + "".join(f"  {line}\n" for line in (ctes + body).splitlines()) + ") AS s\n"
        "ON t.metric_name = s.metric_name AND t.measured_at = s.measured_at AND t.source = s.source\n"
        "WHEN MATCHED THEN UPDATE SET t.value = s.value, t.detail = s.detail\n"
        "WHEN NOT MATCHED THEN INSERT (metric_name, value, measured_at, source, detail)\n"
        "  VALUES (s.metric_name, s.value, s.measured_at, s.source, s.detail);\n"
    )
