"""Issue 17: data classification drives placement and inference-table retention; a `pilot_metrics` job
feeds the sponsor scorecard. Both housekeeping jobs are SQL files run by a `databricks_job` sql_task.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0:
  MS = docs/resources/model_serving.md        JOB = docs/resources/job.md
  GO = internal/service/serving_tf/model.go
and to the Databricks docs for system tables:
  SYS = https://docs.databricks.com/admin/system-tables/jobs.html (system.lakeflow.jobs / job_run_timeline)
"""
from __future__ import annotations

import base64
import copy
import json

import pytest
import sqlglot
from sqlglot import exp

from .conftest import ENVIRONMENTS, FRAUD, KYC, STANDARDS, SP_DEV, make_catalog, resources

WAREHOUSE = "0a1b2c3d4e5f6789"
RETENTION = {"public": 400, "internal": 200, "confidential": 100, "restricted": 7}
CLASSES = tuple(RETENTION)


def _pilot(classification: str) -> dict:
    pilot = copy.deepcopy(KYC)
    pilot["name"] = f"kyc-{classification}"
    pilot["data_classification"] = classification
    return pilot


@pytest.fixture(scope="module")
def synthed(tmp_path_factory):
    from stacks import build_app
    from stacks.engine import get_engine

    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    envs["environments"]["dev"]["restricted_catalog"] = "pilots_dev_restricted"
    standards = {**copy.deepcopy(STANDARDS), "inference_retention_days": RETENTION}
    catalog = make_catalog(envs, tuple(_pilot(c) for c in CLASSES) + (FRAUD,), standards=standards)
    app = build_app(catalog, str(tmp_path_factory.mktemp("out")), "cdktf")
    testing = get_engine("cdktf").Testing
    return {c.node.id: json.loads(testing.synth(c)) for c in app.node.children
            if type(c).__name__ == "TerraformStack"}


def _job(stack: dict, key: str) -> dict:
    (job,) = [j for j in resources(stack, "databricks_job").values() if j["name"].endswith(f"/{key}")]
    return job


def _sql(stack: dict, job: dict) -> str:
    ref = job["task"][0]["sql_task"]["file"]["path"]      # ${databricks_workspace_file.<id>.workspace_path}
    name = ref.removeprefix("${databricks_workspace_file.").split(".")[0]
    return base64.b64decode(resources(stack, "databricks_workspace_file")[name]["content_base64"]).decode()


def test_the_inference_table_config_has_no_retention_setting_so_a_job_is_needed(synthed):
    """MS:227-232 (auto_capture_config) and MS:261-262 (ai_gateway.inference_table_config) list no retention;
    GO:752-766 (AiGatewayInferenceTableConfig) holds only catalog_name, enabled, schema_name, table_name_prefix."""
    (endpoint,) = resources(synthed["kyc-restricted-dev"], "databricks_model_serving").values()
    config = endpoint["ai_gateway"]["inference_table_config"]
    assert set(config) == {"catalog_name", "enabled", "schema_name", "table_name_prefix"}


@pytest.mark.parametrize("classification", CLASSES)
def test_each_classification_gets_its_own_retention(synthed, classification):
    stack = synthed[f"kyc-{classification}-dev"]
    sql = _sql(stack, _job(stack, "inference-retention"))
    days = RETENTION[classification]
    # sqlglot knows DELETE, not Databricks' REORG and VACUUM (checked in the test below)
    (delete,) = sqlglot.parse(sql[:sql.index(";") + 1], read="databricks")
    assert isinstance(delete, exp.Delete)
    catalog = "pilots_dev_restricted" if classification == "restricted" else "pilots_dev"
    assert f"DELETE FROM `{catalog}`.`kyc_{classification}`.`inference_payload`" in sql
    assert f"WHERE request_date < date_sub(current_date(), {days});" in sql
    # no other classification's number sneaks in
    assert not any(f"current_date(), {other})" in sql for c, other in RETENTION.items() if c != classification)


def _statements(sql: str) -> list[str]:
    code = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return [" ".join(part.split()) for part in code.split(";") if part.strip()]


def test_deleted_rows_leave_storage_purged_then_vacuumed_within_a_stated_lag(synthed):
    """A DELETE leaves the rows in storage until their files go: "REORG TABLE ... APPLY (PURGE)" rewrites
    the files holding rows deletion vectors only mark deleted, "After running APPLY (PURGE), the
    soft-deleted data may still exist in the old files. You can run VACUUM to physically delete the old
    files" (docs.databricks.com/sql/language-manual/delta-reorg-table.html); VACUUM deletes data files
    removed from the log longer ago than the retention threshold, "The default threshold is 7 days", and
    "On Delta tables, Databricks does not automatically trigger VACUUM" (delta-vacuum.html; predictive
    optimization may, on its own schedule: docs.databricks.com/delta/vacuum.html). A RETAIN below the
    table's delta.deletedFileRetentionDuration trips Delta's safety check, so the job fails loudly instead
    of keeping files longer."""
    from generators.housekeeping_sql import FILE_RETENTION_HOURS, STORAGE_LAG_DAYS

    stack = synthed["kyc-confidential-dev"]
    table = "`pilots_dev`.`kyc_confidential`.`inference_payload`"
    delete, reorg, vacuum = _statements(_sql(stack, _job(stack, "inference-retention")))
    assert delete.startswith(f"DELETE FROM {table} WHERE")
    assert reorg == f"REORG TABLE {table} APPLY (PURGE)"
    assert vacuum == f"VACUUM {table} RETAIN 168 HOURS" and FILE_RETENTION_HOURS == 7 * 24
    # the job's daily cadence, the 7 days of file retention, and the next daily VACUUM after them
    assert STORAGE_LAG_DAYS == 9 and _job(stack, "inference-retention")["schedule"]["quartz_cron_expression"] == "0 0 4 * * ?"


def test_the_retention_job_runs_daily_as_the_run_as_principal_on_the_warehouse(synthed):
    """JOB:275-293: sql_task needs warehouse_id and takes a `file` with source WORKSPACE and an absolute path;
    JOB:382-388: run_as.service_principal_name; JOB:411-415: schedule quartz_cron_expression, timezone_id."""
    stack = synthed["kyc-restricted-dev"]
    job = _job(stack, "inference-retention")
    (task,) = job["task"]
    assert task["sql_task"]["warehouse_id"] == WAREHOUSE and task["sql_task"]["file"]["source"] == "WORKSPACE"
    assert task["sql_task"]["file"]["path"].endswith(".workspace_path}")
    assert job["run_as"] == {"service_principal_name": SP_DEV}
    assert job["schedule"] == {"quartz_cron_expression": "0 0 4 * * ?", "timezone_id": "UTC", "pause_status": "UNPAUSED"}
    assert job["max_concurrent_runs"] == 1 and job["timeout_seconds"] > 0
    assert job["tags"]["data_classification"] == "restricted" and job["tags"]["env"] == "dev"
    # the SQL file lives in the pilot's folder, which only the run-as principal and admins may change in protected envs
    (file,) = [f for f in resources(stack, "databricks_workspace_file").values() if "inference-retention" in f["path"]]
    assert file["path"] == "/pilotfactory/kyc-restricted/dev/housekeeping/inference-retention.sql"


def test_the_run_as_principal_may_delete_from_the_inference_table_through_its_schema(synthed):
    """A schema owner holds no table privileges by itself (docs.databricks.com/data/manage-ownership.html,
    "Owner privileges"): the endpoint's creator owns the inference table, so the schema grants the rest."""
    grants = resources(synthed["kyc-restricted-dev"], "databricks_grants")
    (schema,) = [g for g in grants.values() if "schema" in g]
    mine = [g for g in schema["grant"] if g["principal"] == SP_DEV]
    assert mine == [{"principal": SP_DEV, "privileges": ["USE_SCHEMA", "SELECT", "MODIFY"]}]


def test_no_retention_job_without_an_inference_table_or_a_warehouse(synthed):
    # FRAUD here is a batch pilot: no endpoint, no inference table, no retention job (and no MODIFY grant)
    batch = FRAUD["name"]
    assert "serving" not in FRAUD["model"]
    jobs = [j["name"] for j in resources(synthed[f"{batch}-dev"], "databricks_job").values()]
    assert f"{batch}/pilot-metrics" in jobs and not any(n.endswith("/inference-retention") for n in jobs)
    grants = resources(synthed[f"{batch}-dev"], "databricks_grants")
    assert all(g["principal"] != SP_DEV for v in grants.values() if "schema" in v for g in v["grant"])
    # staging has no warehouse in these environments: no SQL jobs at all
    staging = [j["name"] for j in resources(synthed["kyc-restricted-staging"], "databricks_job").values()]
    assert staging and not any("/" in n for n in staging)


def test_restricted_data_is_placed_in_the_restricted_catalog(synthed):
    for classification in CLASSES:
        stack = synthed[f"kyc-{classification}-dev"]
        (schema,) = resources(stack, "databricks_schema").values()
        (model,) = resources(stack, "databricks_registered_model").values()
        (endpoint,) = resources(stack, "databricks_model_serving").values()
        want = "pilots_dev_restricted" if classification == "restricted" else "pilots_dev"
        assert schema["catalog_name"] == model["catalog_name"] == want
        assert endpoint["ai_gateway"]["inference_table_config"]["catalog_name"] == want
        (lookup,) = stack["data"]["databricks_catalog"].values()
        assert lookup["name"] == want


def test_without_retention_in_the_standards_no_job_deletes_anything(tmp_path_factory):
    from stacks import build_app
    from stacks.engine import get_engine

    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    catalog = make_catalog(envs, (KYC,))
    app = build_app(catalog, str(tmp_path_factory.mktemp("out")), "cdktf")
    stack = next(c for c in app.node.children if c.node.id == f"{KYC['name']}-dev")
    synthed = json.loads(get_engine("cdktf").Testing.synth(stack))
    names = [j["name"] for j in resources(synthed, "databricks_job").values()]
    assert f"{KYC['name']}/pilot-metrics" in names
    assert not any(n.endswith("/inference-retention") for n in names)


# ---- pilot_metrics --------------------------------------------------------------------------------

def test_the_metrics_job_writes_the_table_the_dashboard_reads(synthed):
    """SYS: system.lakeflow.job_run_timeline has workspace_id, job_id, run_id, period_end_time and
    result_state (set on a run's last row); system.lakeflow.jobs has workspace_id, job_id, name, tags, change_time."""
    stack = synthed["kyc-confidential-dev"]
    job = _job(stack, "pilot-metrics")
    sql = _sql(stack, job)
    create, merge = sqlglot.parse(sql, read="databricks")
    assert isinstance(create, exp.Create) and isinstance(merge, exp.Merge)
    table = "`pilots_dev`.`kyc_confidential`.`pilot_metrics`"
    assert f"CREATE TABLE IF NOT EXISTS {table}" in sql and f"MERGE INTO {table}" in sql
    # the dashboard's scorecard and releases datasets read exactly this table and these columns
    (dash,) = resources(stack, "databricks_dashboard").values()
    datasets = {d["name"]: "".join(d["queryLines"]) for d in json.loads(dash["serialized_dashboard"])["datasets"]}
    assert table in datasets["scorecard"] and table in datasets["releases"]
    for column in ("metric_name", "value", "measured_at"):
        assert f"{column} " in sql.split("MERGE")[0]
    tables = {".".join(p for p in (t.catalog, t.db, t.name) if p) for t in merge.find_all(exp.Table)}
    assert {"system.lakeflow.jobs", "system.lakeflow.job_run_timeline"} <= tables
    assert "tags['env'] = 'dev'" in sql and "'kyc-confidential-classify-blue'" in sql
    assert job["run_as"] == {"service_principal_name": SP_DEV}
    assert job["schedule"]["quartz_cron_expression"] == "0 30 5 * * ?" and job["task"][0]["sql_task"]["warehouse_id"] == WAREHOUSE


def test_the_metrics_rows_carry_the_outcome_readings_and_the_recorded_change(tmp_path_factory):
    from generators.housekeeping_sql import pilot_metrics_sql

    pilot = copy.deepcopy(KYC)
    pilot["evidence"] = [{"kind": "outcome_decision", "date": "2026-09-02", "decided_by": "kyc-sponsor@bank.example",
                          "decision": "scale", "readings": [{"metric": "case_prep_minutes", "value": 28.5}],
                          "rationale": "Met the target."}]
    pilot["release"] = {**pilot["release"], "changes": {"dev": {"ref": "CHG0000042", "action": "rollback",
                                                                "date": "2026-11-20"}}}
    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    catalog = make_catalog(envs, (pilot,))
    by_env = {rp.env_name: pilot_metrics_sql(rp) for rp in catalog.pilots}
    dev = by_env["dev"]
    assert ("('case_prep_minutes', 28.5, TIMESTAMP '2026-09-02', 'outcome_decision', "
            "'scale by kyc-sponsor@bank.example')") in dev
    assert "('rollback', 1.0, TIMESTAMP '2026-11-20', 'change_record', 'rollback under CHG0000042')" in dev
    # the change recorded for dev is dev's alone
    assert "change_record" not in by_env["staging"]
    # keyed so a re-run corrects a day's counts instead of doubling them
    assert "ON t.metric_name = s.metric_name AND t.measured_at = s.measured_at AND t.source = s.source" in dev


def test_on_call_keeps_its_plain_level_on_housekeeping_jobs(synthed):
    """The emergency rollback's CAN_MANAGE for on-call (blue/green) is for the slot jobs it moves, not these."""
    stack = synthed["kyc-restricted-dev"]
    perms = resources(stack, "databricks_permissions")
    levels = {}
    for p in perms.values():
        ref = str(p.get("job_id", ""))
        for key in ("housekeeping_inference-retention", "jobs_classify-blue"):
            if key in ref:
                levels[key] = {a.get("group_name"): a["permission_level"] for a in p["access_control"]}
    assert levels["jobs_classify-blue"]["kyc-oncall"] == "CAN_MANAGE"
    assert levels["housekeeping_inference-retention"]["kyc-oncall"] == "CAN_VIEW"


# ---- a pilot without a model --------------------------------------------------------------------

def test_a_pilot_without_a_model_gets_its_schema_and_its_scorecard_rows(tmp_path_factory):
    """SCHEMA = docs/resources/schema.md (v1.99.0): catalog_name and name are required, owner optional.
    Without a model nothing else creates the pilot's schema, so the stack does, owned by the run-as
    principal that creates pilot_metrics in it; the metrics job writes job runs and the recorded change."""
    from stacks import build_app
    from stacks.engine import get_engine

    pilot = copy.deepcopy(FRAUD)
    pilot["name"] = "batch-nomodel"
    pilot["phase"] = "production"
    del pilot["model"]
    pilot["release"] = {"repo": pilot["release"]["repo"], "slots": {"main": {"version": "v2.3.1"}},
                        "changes": {"dev": {"ref": "CHG0000043", "action": "release", "date": "2026-11-20"}}}
    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["sql_warehouse_id"] = WAREHOUSE
    envs["environments"]["dev"]["restricted_catalog"] = "pilots_dev_restricted"
    envs["environments"]["prod"]["sql_warehouse_id"] = WAREHOUSE
    envs["environments"]["prod"]["restricted_catalog"] = "pilots_prod_restricted"
    catalog = make_catalog(envs, (pilot,))
    app = build_app(catalog, str(tmp_path_factory.mktemp("out")), "cdktf")
    synth = lambda name: json.loads(get_engine("cdktf").Testing.synth(  # noqa: E731
        next(c for c in app.node.children if c.node.id == name)))
    stack = synth("batch-nomodel-dev")
    # in a protected environment the scorecard's history outlives a stray destroy, as a model's schema does
    (prod_schema,) = resources(synth("batch-nomodel-prod"), "databricks_schema").values()
    assert prod_schema["lifecycle"] == {"prevent_destroy": True}
    assert "databricks_registered_model" not in stack["resource"]
    (schema,) = resources(stack, "databricks_schema").values()
    assert schema["catalog_name"] == "pilots_dev_restricted" and schema["owner"] == SP_DEV
    assert "lifecycle" not in schema          # dev is not protected
    job = _job(stack, "pilot-metrics")
    sql = _sql(stack, job)
    table = f"`pilots_dev_restricted`.`{schema['name']}`.`pilot_metrics`"
    assert f"CREATE TABLE IF NOT EXISTS {table}" in sql
    assert "system.lakeflow.job_run_timeline" in sql and "'batch-nomodel-score-nightly" in sql
    assert "('release', 1.0, TIMESTAMP '2026-11-20', 'change_record', 'release under CHG0000043')" in sql
    (dash,) = resources(stack, "databricks_dashboard").values()
    datasets = {d["name"]: "".join(d["queryLines"]) for d in json.loads(dash["serialized_dashboard"])["datasets"]}
    assert table in datasets["scorecard"] and table in datasets["releases"]
    # still no inference table to prune
    assert not any(j["name"].endswith("/inference-retention") for j in resources(stack, "databricks_job").values())
