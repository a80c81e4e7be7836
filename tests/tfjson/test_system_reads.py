"""Issue 17: the system tables a stack's scheduled SQL reads, read from the SQL file each job runs."""
from __future__ import annotations

import base64

from pilotfactory.tfjson.system_reads import sql_job_reads, system_tables


def test_tables_are_read_from_code_not_from_comments_or_literals():
    sql = ("-- counts system.billing.usage too\n/* and system.compute.clusters */\n"
           "SELECT 'system.access.audit' AS source, j.name FROM SYSTEM.LakeFlow.Jobs AS j\n"
           "JOIN system.lakeflow.job_run_timeline t ON t.job_id = j.job_id\n"
           "JOIN mysystem.a.b ON TRUE JOIN x.system.lakeflow ON TRUE JOIN system.lakeflow ON TRUE")
    assert system_tables(sql) == ("system.lakeflow.job_run_timeline", "system.lakeflow.jobs")
    assert system_tables("SELECT 1") == ()


def _stack(sql: str, run_as: str | None = "sp-1") -> dict:
    job = {"name": "p/pilot-metrics", "task": [{"task_key": "m", "sql_task": {"file": {
        "path": "${databricks_workspace_file.f_1.workspace_path}", "source": "WORKSPACE"}}}]}
    if run_as:
        job["run_as"] = {"service_principal_name": run_as}
    return {"resource": {"databricks_job": {"j_1": job, "other": {"name": "p/train", "task": [
        {"task_key": "t", "spark_python_task": {"python_file": "x.py"}}]}},
        "databricks_workspace_file": {"f_1": {"path": "/p/m.sql",
                                              "content_base64": base64.b64encode(sql.encode()).decode()}}}}


def test_each_sql_job_names_its_run_as_and_the_tables_its_file_reads():
    [reads] = sql_job_reads({"p-prod": _stack("SELECT * FROM system.lakeflow.jobs")})
    assert (reads.stack, reads.job, reads.run_as, reads.tables) == (
        "p-prod", "p/pilot-metrics", "sp-1", ("system.lakeflow.jobs",))
    assert sql_job_reads({"p-prod": _stack("DELETE FROM prod.p.inference WHERE TRUE")}) == []
    assert sql_job_reads({"p-prod": _stack("SELECT * FROM system.lakeflow.jobs", run_as=None)})[0].run_as is None
