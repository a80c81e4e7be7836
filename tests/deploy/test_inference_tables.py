"""Item 4: inference tables through AI Gateway, and the dashboard reading that table's columns.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import json
import re

from .conftest import pilot_stacks, resources

# Columns of the AI Gateway inference table: Databricks docs "Monitor served models using AI
# Gateway-enabled inference tables", section "AI Gateway-enabled inference table schema"
# (https://docs.databricks.com/ai-gateway/inference-tables.html, found with the search tool; its
# stored excerpt ends before the schema table, so the page cannot be line-cited here). The same
# twelve names, with Databricks' own column comments, are the CREATE TABLE of a live `<prefix>_payload`
# table in a public repository (code search, find_string "logging_error_codes"). The provider only
# configures the table: docs/resources/model_serving.md:84-86 (`ai_gateway.inference_table_config`,
# `table_name_prefix`), :261; the `_payload` suffix is Databricks' naming, as generators/observability_sql.py says.
GATEWAY_COLUMNS = frozenset({
    "request_date", "databricks_request_id", "client_request_id", "request_time", "status_code",
    "sampling_fraction", "execution_duration_ms", "request", "response", "served_entity_id",
    "logging_error_codes", "requester",
})
# Columns only the legacy auto-capture payload table has.
LEGACY_COLUMNS = ("timestamp_ms", "execution_time_ms", "request_metadata", "`date`")


def _endpoints(stacks):
    for stack_id, stack in pilot_stacks(stacks).items():
        for endpoint in resources(stack, "databricks_model_serving").values():
            yield stack_id, stack, endpoint


def test_endpoints_log_through_ai_gateway_not_auto_capture(stacks):
    """docs/resources/model_serving.md:84 `ai_gateway.inference_table_config`;
    serving/resource_model_serving.go:313-315 creates the endpoint from the whole configuration
    (CreateServingEndpoint, ai_gateway included), :383-385 and :122-129 send a changed ai_gateway with
    PutAiGateway; :266-270 auto_capture_config is the legacy block (force-new on catalog, schema and
    prefix). model_serving.md:132 still says AI Gateway serves only external-model endpoints, and
    :260-261 swap the descriptions of usage_tracking_config and inference_table_config: the docs lag
    the code, which sends the block for any endpoint."""
    seen = 0
    for stack_id, _, endpoint in _endpoints(stacks):
        seen += 1
        assert "auto_capture_config" not in endpoint["config"], stack_id
        table = endpoint["ai_gateway"]["inference_table_config"]
        assert table["enabled"] is True and table["catalog_name"] and table["schema_name"] and \
            table["table_name_prefix"], stack_id
    assert seen, "no serving endpoint synthesized: the test proves nothing"


def test_dashboard_reads_the_gateway_table_by_its_columns(stacks):
    for stack_id, stack, endpoint in _endpoints(stacks):
        table = endpoint["ai_gateway"]["inference_table_config"]
        payload = f"`{table['catalog_name']}`.`{table['schema_name']}`.`{table['table_name_prefix']}_payload`"
        for dash in resources(stack, "databricks_dashboard").values():
            datasets = {d["name"]: "".join(d["queryLines"]) for d in json.loads(dash["serialized_dashboard"])["datasets"]}
            sql = datasets["serving"]
            assert payload in sql, stack_id
            for legacy in LEGACY_COLUMNS:
                assert legacy not in sql, (stack_id, legacy)
            used = set(re.findall(r"\bi\.([a-z_]+)", sql))
            assert used and used <= GATEWAY_COLUMNS, used - GATEWAY_COLUMNS
            assert f"endpoint_name = '{endpoint['name']}'" in sql


# Spark SQL words the generated queries use; any other bare word in a query over the payload table
# must be one of its documented columns (or an alias the query defines).
_SQL_WORDS = frozenset({
    "select", "from", "where", "as", "and", "or", "not", "in", "is", "null", "interval", "hour", "day",
    "minute", "count", "count_if", "coalesce", "nullif", "percentile_approx", "current_timestamp",
    "current_date", "date_trunc", "date_sub", "group", "by", "order", "left", "join", "on", "with",
    "limit", "desc", "asc", "sum", "avg", "max", "min", "case", "when", "then", "else", "end",
})


def _columns(sql: str, table: str) -> set[str]:
    """The payload table's columns a query reads: `i.<col>` where it is aliased `AS i`, else every
    bare word that is neither SQL, nor an alias the query defines, nor a name in quotes."""
    if f"{table} AS i" in sql:
        return set(re.findall(r"\bi\.([A-Za-z_][A-Za-z0-9_]*)", sql))
    text = re.sub(r"'[^']*'|`[^`]*`", " ", sql)
    aliases = set(re.findall(r"\bAS\s+([A-Za-z_][A-Za-z0-9_]*)", text, flags=re.IGNORECASE))
    words = set(re.findall(r"(?<![.\w])([A-Za-z_][A-Za-z0-9_]*)\b", text))
    return {w for w in words if w.lower() not in _SQL_WORDS and w not in aliases}


def _payload_queries(stack: dict, table: str):
    """(what, SQL) of every alert and dashboard dataset that reads the payload table."""
    for name, alert in resources(stack, "databricks_alert_v2").items():
        if table in alert["query_text"]:
            yield f"alert {name}", alert["query_text"]
    for dash in resources(stack, "databricks_dashboard").values():
        for d in json.loads(dash["serialized_dashboard"])["datasets"]:
            sql = "".join(d["queryLines"])
            if table in sql:
                yield f"dataset {d['name']}", sql


def test_every_column_the_generated_sql_reads_is_documented(stacks):
    """Alerts, dashboard datasets and the quality monitor read only GATEWAY_COLUMNS of the payload table."""
    kinds, expected = set(), set()
    for stack_id, stack, endpoint in _endpoints(stacks):
        # a serving stack with alerts or a dashboard watches its endpoint: those must read the table
        expected |= {"alert"} if resources(stack, "databricks_alert_v2") else set()
        expected |= {"dataset"} if resources(stack, "databricks_dashboard") else set()
        table = endpoint["ai_gateway"]["inference_table_config"]
        payload = f"`{table['catalog_name']}`.`{table['schema_name']}`.`{table['table_name_prefix']}_payload`"
        for what, sql in _payload_queries(stack, payload):
            kinds.add(what.split()[0])
            used = _columns(sql, payload)
            assert used, (stack_id, what, sql)
            assert used <= GATEWAY_COLUMNS, (stack_id, what, sorted(used - GATEWAY_COLUMNS))
        plain = payload.replace("`", "")
        for monitor in resources(stack, "databricks_quality_monitor").values():
            if monitor["table_name"] == plain:
                kinds.add("monitor")
                log = monitor["inference_log"]
                log = log[0] if isinstance(log, list) else log
                cols = {log[k] for k in ("timestamp_col", "model_id_col", "prediction_col", "label_col") if k in log}
                assert cols <= GATEWAY_COLUMNS, (stack_id, sorted(cols - GATEWAY_COLUMNS))
    assert expected <= kinds, (expected, kinds)


def test_the_column_reader_sees_an_undocumented_column():
    """The check above can fail: a legacy or misspelt column is read as a column, not skipped."""
    table = "`c`.`s`.`inference_payload`"
    sql = (f"SELECT count(*) AS requests, coalesce(percentile_approx(latency_ms, 0.95), 0) AS p95\n"
           f"FROM {table}\nWHERE timestamp_ms >= current_timestamp() - INTERVAL 1 HOUR AND status = 'x'")
    assert _columns(sql, table) == {"latency_ms", "timestamp_ms", "status"}
    assert _columns(f"SELECT i.execution_time_ms FROM {table} AS i", table) == {"execution_time_ms"}
