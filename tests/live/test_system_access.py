"""Issue 17: preflight proves each run-as principal can read the system tables its housekeeping SQL
reads (the SQL the synthesized stacks deploy), through the real databricks-sdk.

Facts, as cited:
- System tables must be enabled by an account admin, per schema; listing the states is
  `GET /api/2.1/unity-catalog/metastores/{metastore_id}/systemschemas`, "The caller must be an account
  admin or a metastore admin"; ENABLE_COMPLETED = enabled, MANAGED = Databricks enables it, AVAILABLE =
  can be enabled (docs.databricks.com/en/administration-guide/system-tables/index.html;
  docs.databricks.com/api/gcp/workspace/systemschemas; databricks-sdk 0.162 service/catalog.py:12389-12396,
  :20664-20668).
- To read a table a principal needs USE CATALOG on its catalog, USE SCHEMA on its schema and SELECT on
  it; privileges granted on a catalog or schema are inherited by its children
  (docs.databricks.com/data-governance/unity-catalog/access-control/privileges-reference;
  docs.databricks.com/sql/language-manual/sql-ref-privileges.html, "Inheritance model").
- `grants.get_effective` "Includes inherited permissions from any parent securables"
  (databricks-sdk 0.162 service/catalog.py:17394-17403).
"""
from __future__ import annotations

from tests.live.test_live_commands import run


def _rows(result, status: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(status)]


def _sp(example_checked):
    return example_checked.resolution.catalog.environments.environments["staging"].run_as


def test_the_fixture_grants_pass_and_every_privilege_is_shown(workspace, example_checked):
    sp = _sp(example_checked)
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    ok = [line for line in _rows(result, "ok") if "system" in line]
    assert any("system schema" in line and "system.lakeflow" in line and "enabled" in line for line in ok)
    for what in ("USE CATALOG system", "USE SCHEMA system.lakeflow", "SELECT system.lakeflow.jobs",
                 "SELECT system.lakeflow.job_run_timeline"):
        assert any(f"{sp.display_name} ({sp.application_id}) {what}" in line for line in ok), (what, ok)


def test_a_missing_select_names_the_principal_the_table_the_job_and_the_grant(workspace, example_checked):
    sp = _sp(example_checked)
    # SELECT on one table only, no longer on the whole schema
    workspace.uc_privileges["system.lakeflow"][sp.application_id] = ["USE_SCHEMA"]
    workspace.uc_privileges["system.lakeflow.jobs"] = {sp.application_id: ["SELECT"]}
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    [line] = [line for line in _rows(result, "FAIL") if "system" in line]
    assert f"{sp.display_name} ({sp.application_id}) SELECT system.lakeflow.job_run_timeline" in line
    assert "/pilot-metrics read" in line and "an account admin grants it" in line
    assert f"GRANT SELECT ON TABLE system.lakeflow.job_run_timeline TO `{sp.application_id}`" in line


def test_use_catalog_and_use_schema_are_each_required(workspace, example_checked):
    sp = _sp(example_checked)
    workspace.uc_privileges["system"][sp.application_id] = []
    fails = _rows(run("preflight", "--env", "staging"), "FAIL")
    assert [line for line in fails if "system" in line] and all("USE CATALOG system " in line
                                                                for line in fails if "system" in line)
    workspace.uc_privileges["system"][sp.application_id] = ["USE_CATALOG"]
    workspace.uc_privileges["system.lakeflow"][sp.application_id] = ["SELECT"]
    fails = [line for line in _rows(run("preflight", "--env", "staging"), "FAIL") if "system" in line]
    assert len(fails) == 1 and "USE SCHEMA system.lakeflow" in fails[0]


def test_a_grant_to_a_group_of_the_principal_or_all_privileges_counts_but_not_anothers(workspace, example_checked):
    sp = _sp(example_checked)
    for name in ("system", "system.lakeflow"):
        workspace.uc_privileges[name] = {"pilot-runners": workspace.uc_privileges[name].pop(sp.application_id)}
    assert run("preflight", "--env", "staging").exit_code == 1          # the group is not (yet) the principal's
    workspace.sp_groups[sp.application_id] = ["pilot-runners"]
    assert run("preflight", "--env", "staging").exit_code == 0
    workspace.sp_groups.clear()
    workspace.uc_privileges["system"][sp.application_id] = ["ALL_PRIVILEGES"]
    workspace.uc_privileges["system.lakeflow"][sp.application_id] = ["ALL_PRIVILEGES"]
    assert run("preflight", "--env", "staging").exit_code == 0


def test_a_system_schema_not_enabled_fails_and_says_who_enables_it(workspace):
    workspace.system_schemas["lakeflow"] = "AVAILABLE"
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    fails = [line for line in _rows(result, "FAIL") if "system" in line]
    [state] = [line for line in fails if line.split(None, 1)[1].startswith("system schema")]
    assert "system.lakeflow" in state and "AVAILABLE: not enabled" in state and "account admin enables" in state
    assert f"system-schemas enable {workspace.metastore_id} lakeflow" in state
    # its grants cannot be read either: the schema does not exist until enabled
    assert any("USE SCHEMA system.lakeflow" in line and "not found (404)" in line for line in fails)


def test_without_metastore_admin_enablement_is_shown_by_the_grants_not_assumed(workspace):
    workspace.metastore_admin = False
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert any("system schema" in line and "system.lakeflow" in line and "listing refused" in line
               for line in _rows(result, "ok"))
    workspace.system_schemas["lakeflow"] = "ENABLE_INITIALIZED"          # not done yet: no schema
    fails = [line for line in _rows(run("preflight", "--env", "staging"), "FAIL") if "system" in line]
    assert any(line.split(None, 1)[1].startswith("system schema") and "cannot be shown enabled" in line
               for line in fails), fails
