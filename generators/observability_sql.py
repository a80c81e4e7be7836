"""The SQL behind a pilot's alerts and dashboard, against real system-table and inference-table columns.

Every statement is plain Databricks SQL built from catalog values that the model has already
constrained to identifiers, slugs and e-mails; strings are still quoted through `_lit`.
"""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.model.pilot import DataContract, Sla
from pilotfactory.catalog.resolved import ResolvedPilot

__all__ = [
    "AlertQuery", "FRESHNESS_COLUMN", "FAILURE_RATE_COLUMN", "METRICS_TABLE", "INFERENCE_PREFIX",
    "job_names", "freshness_query", "failure_rate_query", "alert_queries", "dashboard_datasets",
    "metrics_table", "inference_table", "max_failure_rate", "LATENCY_COLUMN", "ERROR_RATE_COLUMN",
    "serving_latency_query", "serving_error_rate_query", "COMPLETENESS_COLUMN", "completeness_query",
]

FRESHNESS_COLUMN = "minutes_since_latest"
FAILURE_RATE_COLUMN = "failure_rate"
# The pilot writes its success metrics here, and its release pipeline one `release` or `rollback` row per deploy.
METRICS_TABLE = "pilot_metrics"
INFERENCE_PREFIX = "inference"
COMPLETENESS_COLUMN = "complete_share"
LATENCY_COLUMN = "p95_latency_ms"
ERROR_RATE_COLUMN = "error_rate"
# The serving alerts judge the last hour of requests: long enough for a p95, short enough to page on.
_SERVING_WINDOW = "INTERVAL 1 HOUR"
# Run states that count as a failure in system.lakeflow.job_run_timeline.result_state.
_FAILED = ("FAILED", "ERROR", "TIMED_OUT")


@dataclass(frozen=True, kw_only=True)
class AlertQuery:
    key: str          # construct id and stable name: catalog keys only
    title: str
    sql: str
    column: str       # the value the alert compares
    threshold: float  # alert when `column <operator> threshold`
    runbook: str      # what on-call does when it fires: the alert's description and its runbook section
    operator: str = "GREATER_THAN"


def _lit(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ident(*parts: str) -> str:
    return ".".join(f"`{p}`" for p in parts)


def job_names(rp: ResolvedPilot) -> list[str]:
    """Every job name the stack can create for this pilot, in both slots, whether deployed yet or not."""
    suffixes = [s.name for s in rp.slots] if rp.blue_green else [""]
    return sorted(f"{rp.name}-{j.name}-{s}" if s else f"{rp.name}-{j.name}" for j in rp.jobs for s in suffixes)


def max_failure_rate(rp: ResolvedPilot) -> float:
    sla = rp.pilot.sla
    return sla.max_failure_rate if sla is not None else Sla.model_fields["max_failure_rate"].default


def metrics_table(rp: ResolvedPilot) -> str:
    return _ident(rp.catalog, rp.schema_name, METRICS_TABLE)


def inference_table(rp: ResolvedPilot) -> str:
    """The AI Gateway inference table: Databricks appends `_payload` to the configured prefix."""
    return _ident(rp.catalog, rp.schema_name, f"{INFERENCE_PREFIX}_payload")


def freshness_query(contract: DataContract) -> str:
    column = contract.freshness.column
    # An empty table has no newest row: it counts as stale, not as fresh.
    return (
        f"SELECT {_lit(contract.name)} AS contract,\n"
        f"  coalesce(timestampdiff(MINUTE, max({_ident(column)}), current_timestamp()), 2147483647) AS {FRESHNESS_COLUMN},\n"
        f"  {contract.freshness.max_delay_minutes} AS max_delay_minutes\n"
        f"FROM {_ident(*contract.table.split('.'))}"
    )


def completeness_query(contract: DataContract) -> str:
    """Share of rows with every non-nullable column set, as the contract check counts it."""
    required = [c.name for c in contract.schema_ if not c.nullable]
    complete = " AND ".join(f"{_ident(c)} IS NOT NULL" for c in required) or "TRUE"
    # An empty table reads 0: the contract check fails on it too.
    return (
        f"SELECT {_lit(contract.name)} AS contract, count(*) AS row_count,\n"
        f"  coalesce(count_if({complete}) / nullif(count(*), 0), 0) AS {COMPLETENESS_COLUMN},\n"
        f"  {contract.quality.min_completeness!r} AS min_completeness\n"
        f"FROM {_ident(*contract.table.split('.'))}"
    )


def _pilot_jobs_cte(rp: ResolvedPilot) -> str:
    """The pilot's jobs in this environment: latest settings row per job, matched by name and by its tags."""
    names = ", ".join(_lit(n) for n in job_names(rp))
    # Job names repeat across workspaces; the stack's tags (env among them) tell the environments apart.
    tags = "".join(f"\n    AND tags[{_lit(k)}] = {_lit(v)}" for k, v in sorted(rp.tags.items()))
    return (
        "pilot_jobs AS (\n"
        "  SELECT workspace_id, job_id, name FROM system.lakeflow.jobs\n"
        f"  WHERE name IN ({names}){tags}\n"
        "  QUALIFY row_number() OVER (PARTITION BY workspace_id, job_id ORDER BY change_time DESC) = 1\n"
        ")"
    )


def _finished_runs_cte(days: int) -> str:
    # result_state is set only on a run's last timeline row, so each finished run counts once.
    return (
        "finished AS (\n"
        "  SELECT j.name, t.run_id, t.result_state, t.period_end_time\n"
        "  FROM system.lakeflow.job_run_timeline AS t\n"
        "  JOIN pilot_jobs AS j ON t.workspace_id = j.workspace_id AND t.job_id = j.job_id\n"
        f"  WHERE t.result_state IS NOT NULL AND t.period_end_time >= current_timestamp() - INTERVAL {days} DAYS\n"
        ")"
    )


def failure_rate_query(rp: ResolvedPilot) -> str:
    failed = ", ".join(_lit(s) for s in _FAILED)
    return (
        f"WITH {_pilot_jobs_cte(rp)},\n{_finished_runs_cte(1)}\n"
        f"SELECT count(*) AS runs, count_if(result_state IN ({failed})) AS failed_runs,\n"
        f"  coalesce(count_if(result_state IN ({failed})) / nullif(count(*), 0), 0) AS {FAILURE_RATE_COLUMN}\n"
        "FROM finished"
    )


def serving_latency_query(rp: ResolvedPilot) -> str:
    # No request in the window is no latency breach: the aggregate's one row then reads 0.
    return (
        f"SELECT count(*) AS requests,\n"
        f"  coalesce(percentile_approx(execution_duration_ms, 0.95), 0) AS {LATENCY_COLUMN}\n"
        f"FROM {inference_table(rp)}\n"
        f"WHERE request_time >= current_timestamp() - {_SERVING_WINDOW}"
    )


def serving_error_rate_query(rp: ResolvedPilot) -> str:
    # 5xx only: a 4xx is the caller's malformed request, not the endpoint failing.
    return (
        f"SELECT count(*) AS requests, count_if(status_code >= 500) AS server_errors,\n"
        f"  coalesce(count_if(status_code >= 500) / nullif(count(*), 0), 0) AS {ERROR_RATE_COLUMN}\n"
        f"FROM {inference_table(rp)}\n"
        f"WHERE request_time >= current_timestamp() - {_SERVING_WINDOW}"
    )


def _checked_by(rp: ResolvedPilot, contract: str) -> str:
    jobs = sorted({j.name for j in rp.jobs for t in j.tasks if t.contract == contract})
    if not jobs:
        return "no job checks it, so nothing downstream is held back"
    return (f"the `contract_check` task of job{'s' if len(jobs) > 1 else ''} {', '.join(f'`{j}`' for j in jobs)} "
            "fails meanwhile and holds the tasks after it")


def alert_queries(rp: ResolvedPilot) -> list[AlertQuery]:
    """Per data contract, an alert on its freshness and one on its completeness; one on the jobs'
    failure rate over 24 hours; a serving pilot's p95 latency and error rate over the last hour."""
    alerts: list[AlertQuery] = []
    for c in rp.pilot.data_contracts:
        if c.freshness is not None:
            alerts.append(AlertQuery(
                key=f"freshness-{c.name}", title=f"{rp.stack_id}: {c.name} freshness",
                sql=freshness_query(c), column=FRESHNESS_COLUMN, threshold=float(c.freshness.max_delay_minutes),
                runbook=(f"The newest `{c.freshness.column}` in `{c.table}` is more than "
                         f"{c.freshness.max_delay_minutes} minutes old. Ask the producer ({c.producer}) whether its "
                         f"load is late or failed; {_checked_by(rp, c.name)}. It clears by itself once fresh "
                         "rows land (on-call is told when it is OK again).")))
        if c.quality is not None:
            required = ", ".join(f"`{col.name}`" for col in c.schema_ if not col.nullable) or "none declared"
            alerts.append(AlertQuery(
                key=f"completeness-{c.name}", title=f"{rp.stack_id}: {c.name} completeness",
                sql=completeness_query(c), column=COMPLETENESS_COLUMN, operator="LESS_THAN",
                threshold=c.quality.min_completeness,
                runbook=(f"Fewer than {c.quality.min_completeness!r} of the rows of `{c.table}` have every "
                         f"required column set (required: {required}), or the table is empty. Count the nulls "
                         f"per required column, send the producer ({c.producer}) the offending load; "
                         f"{_checked_by(rp, c.name)}. Do not relax `min_completeness` to silence it: that is "
                         "a reviewed change to the contract.")))
    if rp.jobs:
        alerts.append(AlertQuery(
            key="job-failure-rate", title=f"{rp.stack_id}: job failure rate (24h)",
            sql=failure_rate_query(rp), column=FAILURE_RATE_COLUMN, threshold=max_failure_rate(rp),
            runbook=(f"More than {max_failure_rate(rp)!r} of the pilot's job runs failed over 24 hours. Open "
                     "the failed runs in the workspace (Jobs, run history) and read the first failing task; "
                     "a failed `contract_check` points at the data, anything else at the release: roll back "
                     "as rollback-plan.md says if it started with a release.")))
    if _serves(rp):
        serving = rp.pilot.model.serving
        alerts.append(AlertQuery(
            key="serving-latency", title=f"{rp.stack_id}: serving p95 latency (1h)",
            sql=serving_latency_query(rp), column=LATENCY_COLUMN, threshold=float(serving.max_p95_latency_ms),
            runbook=(f"The endpoint answered slower than {serving.max_p95_latency_ms} ms at p95 "
                     "over the last hour. Check its served entities' state and events (a scale-from-zero cold "
                     "start, too small a workload size, a slow new model version); if a canary or a release "
                     "started it, roll its traffic back (`pilotfactory rollback`).")))
        alerts.append(AlertQuery(
            key="serving-error-rate", title=f"{rp.stack_id}: serving error rate (1h)",
            sql=serving_error_rate_query(rp), column=ERROR_RATE_COLUMN, threshold=serving.max_error_rate,
            runbook=(f"More than {serving.max_error_rate!r} of the endpoint's requests got a 5xx "
                     "over the last hour. Read the served entities' logs and the inference table's "
                     "`status_code`/`logging_error_codes`; if a model version change started it, roll back "
                     "(`pilotfactory rollback`), then tell the product owner.")))
    return alerts


def _runs_per_slot(rp: ResolvedPilot) -> str:
    failed = ", ".join(_lit(s) for s in _FAILED)
    return (
        f"WITH {_pilot_jobs_cte(rp)},\n{_finished_runs_cte(30)}\n"
        "SELECT date_trunc('DAY', period_end_time) AS day,\n"
        "  coalesce(nullif(regexp_extract(name, '-(blue|green)$', 1), ''), 'main') AS slot,\n"
        f"  count(*) AS runs, count_if(result_state IN ({failed})) AS failures\n"
        "FROM finished GROUP BY 1, 2 ORDER BY 1, 2"
    )


def _duration_p95(rp: ResolvedPilot) -> str:
    return (
        f"WITH {_pilot_jobs_cte(rp)},\n"
        "runs AS (\n"
        "  SELECT j.name, t.run_id, timestampdiff(SECOND, min(t.period_start_time), max(t.period_end_time)) AS seconds\n"
        "  FROM system.lakeflow.job_run_timeline AS t\n"
        "  JOIN pilot_jobs AS j ON t.workspace_id = j.workspace_id AND t.job_id = j.job_id\n"
        "  WHERE t.period_start_time >= current_timestamp() - INTERVAL 30 DAYS\n"
        "  GROUP BY j.name, t.run_id\n"
        ")\n"
        "SELECT name AS job, percentile_approx(seconds, 0.95) AS p95_seconds, count(*) AS runs\n"
        "FROM runs GROUP BY name ORDER BY name"
    )


def _serving(rp: ResolvedPilot) -> str:
    return (
        # AI Gateway rows name the served entity by id; its slot name and version live in system.serving.
        "WITH entities AS (\n"
        "  SELECT served_entity_id, served_entity_name, entity_version FROM system.serving.served_entities\n"
        f"  WHERE endpoint_name = {_lit(rp.stack_id)}\n"
        "  QUALIFY row_number() OVER (PARTITION BY served_entity_id ORDER BY change_time DESC) = 1\n"
        ")\n"
        "SELECT date_trunc('HOUR', i.request_time) AS hour,\n"
        "  e.served_entity_name AS slot, e.entity_version AS model_version,\n"
        "  count(*) AS requests,\n"
        "  percentile_approx(i.execution_duration_ms, 0.5) AS p50_ms,\n"
        "  percentile_approx(i.execution_duration_ms, 0.95) AS p95_ms,\n"
        "  count_if(i.status_code >= 400) / count(*) AS error_rate\n"
        f"FROM {inference_table(rp)} AS i\n"
        "LEFT JOIN entities AS e ON e.served_entity_id = i.served_entity_id\n"
        "WHERE i.request_date >= date_sub(current_date(), 7)\n"
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )


def _audit(rp: ResolvedPilot) -> str:
    # Most services name objects in request_params; jobs only by id, so those match through pilot_jobs.
    markers = [rp.stack_id, f"{rp.catalog}.{rp.schema_name}", f"/pilotfactory/{rp.name}/"]
    match = " OR ".join(f"contains(v, {_lit(m)})" for m in markers)
    return (
        f"WITH {_pilot_jobs_cte(rp)}\n"
        "SELECT a.event_time, a.service_name, a.action_name, a.user_identity.email AS user_email,\n"
        "  a.response.status_code AS status_code, a.request_params\n"
        "FROM system.access.audit AS a\n"
        "WHERE a.event_date >= date_sub(current_date(), 30)\n"
        f"  AND (exists(map_values(a.request_params), v -> {match})\n"
        "    OR a.request_params['job_id'] IN (SELECT cast(job_id AS STRING) FROM pilot_jobs))\n"
        "ORDER BY a.event_time DESC\n"
        "LIMIT 1000"
    )


def _scorecard(rp: ResolvedPilot) -> str:
    rows = ",\n    ".join(
        f"({_lit(m.name)}, {float(m.baseline)!r}, {float(m.target)!r}, {_lit(m.unit or '')})"
        for m in rp.pilot.intake.success_metrics)
    return (
        "WITH intake AS (\n"
        f"  SELECT * FROM VALUES\n    {rows}\n  AS intake(metric_name, baseline, target, unit)\n"
        "),\n"
        "latest AS (\n"
        f"  SELECT metric_name, value, measured_at FROM {metrics_table(rp)}\n"
        "  QUALIFY row_number() OVER (PARTITION BY metric_name ORDER BY measured_at DESC) = 1\n"
        ")\n"
        "SELECT i.metric_name, i.unit, i.baseline, i.target, l.value AS latest, l.measured_at,\n"
        "  CASE WHEN l.value IS NULL THEN 'not measured'\n"
        "       WHEN (i.target - i.baseline) * (l.value - i.target) >= 0 THEN 'target met'\n"
        "       ELSE 'below target' END AS status\n"
        "FROM intake AS i LEFT JOIN latest AS l ON l.metric_name = i.metric_name\n"
        "ORDER BY i.metric_name"
    )


def _releases(rp: ResolvedPilot) -> str:
    # Deploys are not visible in system tables by slot, so the release pipeline records them here.
    return (
        "SELECT date_trunc('MONTH', measured_at) AS month,\n"
        "  count_if(metric_name = 'release') AS releases,\n"
        "  count_if(metric_name = 'rollback') AS rollbacks\n"
        f"FROM {metrics_table(rp)}\n"
        "WHERE metric_name IN ('release', 'rollback')\n"
        "GROUP BY 1 ORDER BY 1"
    )


def _freshness_all(rp: ResolvedPilot) -> str | None:
    parts = [freshness_query(c) for c in rp.pilot.data_contracts if c.freshness is not None]
    return "\nUNION ALL\n".join(parts) if parts else None


def dashboard_datasets(rp: ResolvedPilot) -> list[tuple[str, str, str]]:
    """(name, title, sql) of every dataset the pilot's dashboard shows, in page order."""
    sets: list[tuple[str, str, str | None]] = [
        ("runs_per_slot", "Runs and failures per slot (30 days)", _runs_per_slot(rp) if rp.jobs else None),
        ("duration_p95", "Run duration p95 (30 days)", _duration_p95(rp) if rp.jobs else None),
        ("contract_freshness", "Data contract freshness", _freshness_all(rp)),
        ("serving", "Serving latency and error rate (7 days)", _serving(rp) if _serves(rp) else None),
        ("audit", "Audit events on the pilot's objects (30 days)", _audit(rp)),
        ("scorecard", "Success metrics against baseline and target", _scorecard(rp)),
        ("releases", "Releases and rollbacks per month", _releases(rp)),
    ]
    return [(n, t, q) for n, t, q in sets if q is not None]


def _serves(rp: ResolvedPilot) -> bool:
    return rp.pilot.model is not None and rp.pilot.model.serving is not None
