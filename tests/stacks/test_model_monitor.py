"""Lakehouse Monitoring of a model's predictions, and the serving alerts on its inference table.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0:
  QM  = docs/resources/quality_monitor.md
  GO  = internal/providers/pluginfw/products/qualitymonitor/resource_quality_monitor.go
  TF  = internal/service/catalog_tf/legacy_model.go (the schema the resource is built from, GO:86)
"""
from __future__ import annotations

import copy

import pytest
import sqlglot
from sqlglot import exp

from generators.observability_sql import alert_queries, inference_table

from .conftest import ENVIRONMENTS, FRAUD, KYC, make_catalog, resources, synth_catalog

WAREHOUSE = "0a1b2c3d4e5f6789"
TRAINING = "main.ml.cnp_fraud_training"


def _catalog(kyc_monitoring: dict | None, fraud_monitoring: dict | None, serving: dict | None = None):
    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    kyc, fraud = copy.deepcopy(KYC), copy.deepcopy(FRAUD)
    if serving is not None:
        kyc["model"]["serving"].update(serving)
    if kyc_monitoring is not None:
        kyc["model"]["monitoring"] = kyc_monitoring
    if fraud_monitoring is not None:
        fraud["model"]["monitoring"] = fraud_monitoring
    return make_catalog(envs, (kyc, fraud))


@pytest.fixture(scope="module")
def synthed(tmp_path_factory):
    catalog = _catalog(
        {"problem_type": "classification"},
        {"problem_type": "regression", "scored_table": "cnp_scores", "training_table": TRAINING,
         "timestamp_column": "scored_at", "prediction_column": "fraud_score", "model_id_column": "model_version",
         "label_column": "confirmed_fraud"},
        serving={"max_p95_latency_ms": 250, "max_error_rate": 0.02})
    return synth_catalog(catalog, tmp_path_factory.mktemp("out"))


def _monitors(stack: dict) -> dict[str, dict]:
    # Logical ids are monitoring_<key>_<hash>: the construct path stacks/model_monitor.py gives them.
    return {k.split("_")[1]: v for k, v in resources(stack, "databricks_quality_monitor").items()}


def _depends(stack: dict, monitor: dict, type_: str) -> list[str]:
    return [d for d in monitor.get("depends_on", []) if d.startswith(f"{type_}.")]


def test_serving_pilot_monitors_its_ai_gateway_inference_table(synthed):
    stack = synthed["kyb-document-triage-dev"]
    (endpoint,) = resources(stack, "databricks_model_serving").values()
    table = endpoint["ai_gateway"]["inference_table_config"]
    monitor = _monitors(stack)["inference"]
    # The payload table is `<prefix>_payload` in the endpoint's catalog and schema.
    assert monitor["table_name"] == f"{table['catalog_name']}.{table['schema_name']}.{table['table_name_prefix']}_payload"
    # QM:109: problem_type is one of the two API enum names; QM:104-110 the inference_log columns.
    (log,) = monitor["inference_log"]
    assert log == {"granularities": ["1 hour", "1 day"], "problem_type": "PROBLEM_TYPE_CLASSIFICATION",
                   "timestamp_col": "request_time", "model_id_col": "served_entity_id", "prediction_col": "response"}
    # The training set has no request/response JSON: no baseline on the raw inference table (QM:92-93).
    assert "baseline_table_name" not in monitor
    # The monitor attaches to a table the endpoint's AI Gateway config creates: it waits for the endpoint.
    assert _depends(stack, monitor, "databricks_model_serving")


def test_inference_log_columns_are_columns_of_the_gateway_table():
    from stacks.model_monitor import GATEWAY_COLUMNS
    from tests.deploy.test_inference_tables import GATEWAY_COLUMNS as TABLE_COLUMNS

    assert set(GATEWAY_COLUMNS.values()) <= TABLE_COLUMNS


def test_monitor_has_every_argument_the_provider_requires(synthed):
    """QM:90-92 and GO:88: table_name, assets_dir and output_schema_name are required; TF:22253-22259
    makes granularities, model_id_col, prediction_col, problem_type and timestamp_col required in
    inference_log; TF:22047-22048 quartz_cron_expression and timezone_id in schedule."""
    seen = 0
    for stack in synthed.values():
        for monitor in resources(stack, "databricks_quality_monitor").values():
            seen += 1
            assert monitor["table_name"].count(".") == 2
            assert monitor["assets_dir"].startswith("/")
            # TF:22367-22368: output schema in 2-level format {catalog}.{schema}.
            assert monitor["output_schema_name"].count(".") == 1
            (log,) = monitor["inference_log"]
            assert {"granularities", "model_id_col", "prediction_col", "problem_type", "timestamp_col"} <= log.keys()
            (schedule,) = monitor["schedule"]
            assert schedule.keys() == {"quartz_cron_expression", "timezone_id"}
            # GO:94: pause_status is read-only in this provider; setting it would fail the plan.
            assert "pause_status" not in schedule
    assert seen >= 3


def test_output_schema_is_the_pilots_schema_created_first(synthed):
    for stack_id, stack in synthed.items():
        for monitor in _monitors(stack).values():
            (schema,) = resources(stack, "databricks_schema").values()
            assert monitor["output_schema_name"] == f"{schema['catalog_name']}.{schema['name']}", stack_id
            # The output schema must exist before the monitor writes metric tables into it.
            assert _depends(stack, monitor, "databricks_schema"), stack_id
            # assets_dir is below the pilot folder, which exists (with its access list) first.
            (folder,) = [v for v in resources(stack, "databricks_directory").values()]
            assert monitor["assets_dir"].startswith(folder["path"] + "/"), stack_id
            assert _depends(stack, monitor, "databricks_directory"), stack_id


def test_batch_pilot_monitors_its_scored_table_against_the_training_set(synthed):
    stack = synthed["card-fraud-ranking-dev"]
    monitors = _monitors(stack)
    assert set(monitors) == {"scored"}          # no endpoint, so no inference table
    monitor = monitors["scored"]
    assert monitor["table_name"] == "pilots_dev.card_fraud_ranking.cnp_scores"
    # QM:92: baseline_table_name is where drift is computed from.
    assert monitor["baseline_table_name"] == TRAINING
    (log,) = monitor["inference_log"]
    assert log == {"granularities": ["1 hour", "1 day"], "problem_type": "PROBLEM_TYPE_REGRESSION",
                   "timestamp_col": "scored_at", "model_id_col": "model_version", "prediction_col": "fraud_score",
                   "label_col": "confirmed_fraud"}


def test_monitor_failure_tells_on_call_and_dashboard_uses_the_warehouse(synthed):
    stack = synthed["kyb-document-triage-dev"]
    monitor = _monitors(stack)["inference"]
    # QM:115-116: on_failure.email_addresses.
    assert monitor["notifications"] == [{"on_failure": [{"email_addresses": ["kyc-oncall@bank.example"]}]}]
    assert monitor["warehouse_id"] == WAREHOUSE
    staging = _monitors(synthed["kyb-document-triage-staging"])["inference"]
    # QM:123: without warehouse_id the first running warehouse is used, so none is invented.
    assert "warehouse_id" not in staging


def test_no_monitoring_key_no_monitor(tmp_path_factory):
    stacks = synth_catalog(_catalog(None, None), tmp_path_factory.mktemp("out"))
    assert not any(resources(s, "databricks_quality_monitor") for s in stacks.values())


def test_serving_alerts_read_the_inference_table_and_page_on_call(synthed):
    stack = synthed["kyb-document-triage-dev"]
    alerts = {a["display_name"]: a for a in resources(stack, "databricks_alert_v2").values()}
    latency = alerts["kyb-document-triage-dev: serving p95 latency (1h)"]
    errors = alerts["kyb-document-triage-dev: serving error rate (1h)"]
    assert latency["evaluation"]["threshold"] == {"value": {"double_value": 250}}
    assert latency["evaluation"]["source"] == {"name": "p95_latency_ms"}
    assert errors["evaluation"]["threshold"] == {"value": {"double_value": 0.02}}
    assert errors["evaluation"]["source"] == {"name": "error_rate"}
    (destination,) = resources(stack, "databricks_notification_destination").values()
    for alert in (latency, errors):
        assert alert["evaluation"]["comparison_operator"] == "GREATER_THAN"
        (sub,) = alert["evaluation"]["notification"]["subscriptions"]
        assert "databricks_notification_destination" in sub["destination_id"]
    assert destination["config"]["email"]["addresses"] == ["kyc-oncall@bank.example"]
    # A batch pilot has no endpoint and no serving alerts.
    batch = resources(synthed["card-fraud-ranking-dev"], "databricks_alert_v2").values()
    assert not [a for a in batch if "serving" in a["display_name"]]


def test_serving_alert_sql_counts_server_errors_over_the_last_hour():
    rp = next(p for p in _catalog(None, None).pilots if p.stack_id == "kyb-document-triage-dev")
    queries = {a.key: a for a in alert_queries(rp)}
    for key in ("serving-latency", "serving-error-rate"):
        select = sqlglot.parse_one(queries[key].sql, read="databricks")
        (table,) = list(select.find_all(exp.Table))
        assert f"`{table.catalog}`.`{table.db}`.`{table.name}`" == inference_table(rp)
        assert "request_time >= current_timestamp() - INTERVAL 1 HOUR" in queries[key].sql
    assert "status_code >= 500" in queries["serving-error-rate"].sql
    assert "status_code >= 400" not in queries["serving-error-rate"].sql
    # Default thresholds when the catalog names none.
    assert queries["serving-latency"].threshold == 1000.0 and queries["serving-error-rate"].threshold == 0.01
