"""Health rules, SQL alerts, inference tables and the Lakeview dashboard of a `<pilot>-<env>` stack."""
from __future__ import annotations

import copy
import json

import pytest
import sqlglot
from sqlglot import exp

from generators.lakeview_dashboard import COLUMNS
from generators.observability_sql import alert_queries, dashboard_datasets, job_names
from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check

from .conftest import ENVIRONMENTS, make_catalog, resources

WAREHOUSE = "0a1b2c3d4e5f6789"
KYC_DEV, KYC_STAGING = "kyb-document-triage-dev", "kyb-document-triage-staging"


@pytest.fixture(scope="module")
def catalog():
    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    return make_catalog(envs)


@pytest.fixture(scope="module")
def synthed(catalog, tmp_path_factory):
    from stacks import build_app
    from stacks.engine import get_engine

    app = build_app(catalog, str(tmp_path_factory.mktemp("out")), "cdktf")
    testing = get_engine("cdktf").Testing
    return {c.node.id: json.loads(testing.synth(c)) for c in app.node.children
            if type(c).__name__ == "TerraformStack"}


def _queries(catalog, estate_root):
    generated = check(estate_root).resolution.declared
    pilots = list(catalog.pilots) + list(generated.pilots)
    assert pilots
    for rp in pilots:
        for a in alert_queries(rp):
            yield rp, a.key, a.sql
        for name, _, sql in dashboard_datasets(rp):
            yield rp, name, sql


def test_every_generated_query_parses_as_databricks_sql(catalog, make_estate):
    seen = set()
    for rp, name, sql in _queries(catalog, make_estate(4).root):
        parsed = sqlglot.parse(sql, read="databricks")
        assert len(parsed) == 1 and isinstance(parsed[0], (exp.Select, exp.Union)), (rp.stack_id, name)
        seen.add(name)
    assert {"job-failure-rate", "runs_per_slot", "duration_p95", "contract_freshness", "serving",
            "audit", "scorecard", "releases"} <= seen


def test_dashboard_columns_are_the_queries_output_columns(catalog, make_estate):
    for rp, name, sql in _queries(catalog, make_estate(4).root):
        if name in COLUMNS:
            select = sqlglot.parse_one(sql, read="databricks")
            first = select.selects if isinstance(select, exp.Select) else select.left.selects
            assert tuple(e.alias_or_name for e in first) == COLUMNS[name], (rp.stack_id, name)


def test_system_table_queries_read_real_tables_and_this_environment_only(catalog):
    rp = next(p for p in catalog.pilots if p.stack_id == KYC_DEV)
    (rate,) = [a for a in alert_queries(rp) if a.key == "job-failure-rate"]
    tables = {".".join(p for p in (t.catalog, t.db, t.name) if p)
              for t in sqlglot.parse_one(rate.sql, read="databricks").find_all(exp.Table)}
    assert {"system.lakeflow.jobs", "system.lakeflow.job_run_timeline"} <= tables
    assert "tags['env'] = 'dev'" in rate.sql
    # Both slots' jobs, so a cutover never leaves the alert blind.
    assert job_names(rp) == ["kyb-document-triage-classify-blue", "kyb-document-triage-classify-green"]
    assert all(f"'{n}'" in rate.sql for n in job_names(rp))


def test_job_health_rule_is_the_template_sla_and_warns_on_call(synthed):
    # the catalog's jobs; housekeeping jobs (`<pilot>/<key>`) have no SLA of the pilot's
    jobs = [j for j in resources(synthed[KYC_DEV], "databricks_job").values() if "/" not in j["name"]]
    assert jobs
    for job in jobs:
        # agentic-workflow's default SLA is 20 minutes.
        assert job["health"] == {"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 1200}]}
        assert job["email_notifications"]["on_duration_warning_threshold_exceeded"] == ["kyc-oncall@bank.example"]


def test_alerts_on_the_environment_warehouse(synthed):
    stack = synthed[KYC_DEV]
    alerts = {a["display_name"]: a for a in resources(stack, "databricks_alert_v2").values()}
    assert set(alerts) == {f"{KYC_DEV}: kyc_documents freshness", f"{KYC_DEV}: kyc_documents completeness",
                           f"{KYC_DEV}: job failure rate (24h)",
                           f"{KYC_DEV}: serving p95 latency (1h)", f"{KYC_DEV}: serving error rate (1h)"}
    for alert in alerts.values():
        assert alert["warehouse_id"] == WAREHOUSE and alert["parent_path"] == "/pilotfactory/kyb-document-triage/dev"
        assert alert["schedule"]["pause_status"] == "UNPAUSED" and "quartz_cron_schedule" in alert["schedule"]
        (subscription,) = alert["evaluation"]["notification"]["subscriptions"]
        assert subscription.keys() == {"destination_id"}
        assert alert["evaluation"]["empty_result_state"] == "TRIGGERED"
        assert "service_principal_name" in alert["run_as"]
    fresh = alerts[f"{KYC_DEV}: kyc_documents freshness"]["evaluation"]
    assert fresh["comparison_operator"] == "GREATER_THAN" and fresh["source"] == {"name": "minutes_since_latest"}
    assert fresh["threshold"] == {"value": {"double_value": 60}}
    rate = alerts[f"{KYC_DEV}: job failure rate (24h)"]["evaluation"]
    assert rate["threshold"] == {"value": {"double_value": 0.1}}


def test_dashboard_per_pilot_and_environment(synthed):
    (dash,) = resources(synthed[KYC_DEV], "databricks_dashboard").values()
    assert dash["warehouse_id"] == WAREHOUSE and dash["parent_path"] == "/pilotfactory/kyb-document-triage/dev"
    doc = json.loads(dash["serialized_dashboard"])
    pages = {p["name"]: [w["widget"]["queries"][0]["query"]["datasetName"] for w in p["layout"]] for p in doc["pages"]}
    assert pages == {"operations": ["runs_per_slot", "duration_p95", "contract_freshness", "serving", "audit"],
                     "scorecard": ["scorecard", "releases"]}
    sql = {d["name"]: "".join(d["queryLines"]) for d in doc["datasets"]}
    assert "('case_prep_minutes', 45.0, 30.0" in sql["scorecard"]
    assert "`pilots_dev`.`kyb_document_triage`.`pilot_metrics`" in sql["scorecard"]
    assert "`pilots_dev`.`kyb_document_triage`.`inference_payload`" in sql["serving"]


def test_no_warehouse_no_sql_objects(synthed):
    for type_ in ("databricks_alert_v2", "databricks_dashboard"):
        assert not resources(synthed[KYC_STAGING], type_)


def test_serving_endpoint_captures_inference_tables(synthed):
    (endpoint,) = resources(synthed[KYC_DEV], "databricks_model_serving").values()
    assert "auto_capture_config" not in endpoint["config"]
    assert endpoint["ai_gateway"]["inference_table_config"] == {
        "enabled": True, "catalog_name": "pilots_dev", "schema_name": "kyb_document_triage",
        "table_name_prefix": "inference"}


def test_missing_warehouse_warns_once_per_environment(make_estate):
    root = make_estate(1).root
    env_file = root / "config" / "environments.yaml"
    lines = env_file.read_text().splitlines(keepends=True)
    env_file.write_text("".join(line for line in lines if "sql_warehouse_id:" not in line))
    checked = check(root)
    warned = [d for d in checked.diagnostics if d.code == Code.NO_SQL_WAREHOUSE]
    assert sorted(d.path[1] for d in warned) == sorted(checked.catalog.environments.environments)
    assert all(d.location.file == "config/environments.yaml" and d.severity.value == "warning" for d in warned)


def test_each_contract_threshold_is_one_alert_that_pages_on_call(synthed, catalog):
    """alert_v2.md:88: LESS_THAN is a comparison operator; :75 custom_description carries the runbook text."""
    rp = next(p for p in catalog.pilots if p.stack_id == KYC_DEV)
    alerts = {a["display_name"]: a for a in resources(synthed[KYC_DEV], "databricks_alert_v2").values()}
    for contract in rp.pilot.data_contracts:
        fresh = [n for n in alerts if n == f"{KYC_DEV}: {contract.name} freshness"]
        complete = [n for n in alerts if n == f"{KYC_DEV}: {contract.name} completeness"]
        # One alert per threshold the contract declares, never two for the same one.
        assert len(fresh) == (contract.freshness is not None) and len(complete) == (contract.quality is not None)
        if contract.quality is not None:
            evaluation = alerts[complete[0]]["evaluation"]
            assert evaluation["comparison_operator"] == "LESS_THAN"
            assert evaluation["source"] == {"name": "complete_share"}
            assert evaluation["threshold"] == {"value": {"double_value": contract.quality.min_completeness}}
            assert evaluation["empty_result_state"] == "TRIGGERED"
    for alert in alerts.values():
        assert alert["custom_description"] and "{{" not in alert["custom_description"]


def test_completeness_counts_rows_with_every_required_column_and_an_empty_table_as_zero():
    from generators.observability_sql import completeness_query
    from pilotfactory.catalog.model.pilot import DataContract

    contract = DataContract.model_validate({
        "name": "c", "table": "a.b.t", "producer": "p", "quality": {"min_completeness": 0.9},
        "schema": [{"name": "id", "type": "string", "nullable": False},
                   {"name": "ts", "type": "timestamp", "nullable": False},
                   {"name": "note", "type": "string"}]})
    sql = completeness_query(contract)
    select = sqlglot.parse_one(sql, read="databricks")
    assert isinstance(select, exp.Select)
    assert "count_if(`id` IS NOT NULL AND `ts` IS NOT NULL)" in sql and "`note`" not in sql
    assert "coalesce(" in sql and "nullif(count(*), 0), 0)" in sql
    loose = DataContract.model_validate({**contract.model_dump(by_alias=True),
                                         "schema": [{"name": "note", "type": "string"}]})
    # No required column: every row is complete, as the contract check counts it.
    assert "count_if(TRUE)" in completeness_query(loose)


def test_runbook_has_a_section_per_alert_with_what_to_do(tmp_path):
    from click.testing import CliRunner

    from pilotfactory.cli.app import cli
    from tests.factory import PilotSpec, write_estate

    estate = write_estate(tmp_path / "repo", [PilotSpec(name="scorer", phase="pilot", serving=True, slots=1)])
    result = CliRunner().invoke(cli, ["docs", "--root", str(estate.root)])
    assert result.exit_code == 0, result.output
    runbook = (estate.root / "docs" / "pilots" / "scorer" / "runbook.md").read_text()
    section = runbook.split("## When an alert fires", 1)[1].split("\n## ", 1)[0]
    for kind in ("inputs freshness", "inputs completeness", "job failure rate (24h)",
                 "serving p95 latency (1h)", "serving error rate (1h)"):
        body = section.split(f"### {kind}\n", 1)[1].split("\n### ", 1)[0]
        assert "Fires when" in body and "tells oncall.scorer@bank.example" in body, kind
        assert "No runbook text" not in body, kind
