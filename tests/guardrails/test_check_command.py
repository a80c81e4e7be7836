"""`pilotfactory check`: text, JSON and SARIF, on configuration files and on plans."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.guardrails import RULES

from ..conftest import REPO, ESTATE

FIXTURES = REPO / "tests" / "guardrails" / "fixtures"
SP = "5d2b9f0e-8a47-4c36-91d8-f6e3a0c2b758"


def run(*args):
    return CliRunner().invoke(cli, ["check", *map(str, args), "--root", str(ESTATE)])


def test_text_names_file_line_and_rule(tmp_path):
    target = tmp_path / "fail.tf.json"
    shutil.copy(FIXTURES / "PFG013" / "fail.tf.json", target)
    result = run(target)
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(target.read_text().splitlines(), 1) if '"job": {' in text)
    assert f"fail.tf.json:{line}:1: error[PFG013]: databricks_job.job must set `max_concurrent_runs`" in result.output


def test_clean_files_exit_zero_and_say_so():
    result = run(FIXTURES / "PFG013" / "pass.tf.json")
    assert result.exit_code == 0
    assert f"every guardrail holds ({len(RULES)} rules)" in result.output


def test_sarif_is_sarif_2_1_0_with_rules_results_and_regions():
    fail = FIXTURES / "PFG050" / "fail.tf.json"
    result = run(fail, "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.output)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = sarif["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    (res,) = sarif_run["results"]
    assert res["ruleId"] == "PFG050" and res["level"] == "error" and "0.0.0.0/0" in res["message"]["text"]
    assert rules[res["ruleIndex"]]["id"] == "PFG050"
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("PFG050/fail.tf.json")
    line = fail.read_text().splitlines()[location["region"]["startLine"] - 1]
    assert line.strip() == '"office": {'


def _plan(owner: dict) -> dict:
    job = {"name": "score", "run_as": [{"service_principal_name": SP}], "max_concurrent_runs": 1,
           "tags": {"cost_center": "CC-1", "pilot": "p", "env": "prod", "data_classification": "internal"},
           "job_cluster": [{"job_cluster_key": "main", "new_cluster": [{"policy_id": "123"}]}]}
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "databricks_job.score", "mode": "managed", "type": "databricks_job", "name": "score",
             "values": job},
            {"address": "databricks_permissions.score", "mode": "managed", "type": "databricks_permissions",
             "name": "score", "values": {"access_control": [{"permission_level": "IS_OWNER", **owner}]}},
        ]}},
        "resource_changes": [
            {"address": "databricks_secret.key", "mode": "managed", "type": "databricks_secret", "name": "key",
             "change": {"actions": ["create"], "after": {"key": "k", "scope": "s", "string_value": "abc"}}},
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "databricks_permissions.score", "mode": "managed", "type": "databricks_permissions",
             "name": "score", "expressions": {"job_id": {"references": ["databricks_job.score.id", "databricks_job.score"]}}},
            {"address": "databricks_secret.key", "mode": "managed", "type": "databricks_secret", "name": "key",
             "expressions": {"string_value": {"references": ["var.key"]}}},
        ]}},
    }


def test_plans_are_read_from_planned_values_resource_changes_and_configuration(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_plan({"service_principal_name": SP}), indent=2))
    assert run(good, "--env", "prod").exit_code == 0

    bad = tmp_path / "bad.json"
    plan = _plan({"user_name": "someone@bank.example"})
    plan["configuration"]["root_module"]["resources"][1]["expressions"]["string_value"] = {"constant_value": "abc"}
    bad.write_text(json.dumps(plan, indent=2))
    result = run(bad, "--env", "prod", "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert {(v["rule"], v["resource"]) for v in report["violations"]} == {
        ("PFG011", "databricks_job.score"), ("PFG030", "databricks_secret.key")}
    secret = next(v for v in report["violations"] if v["rule"] == "PFG030")
    assert "abc" not in secret["message"]  # findings never echo a secret
    lines = bad.read_text().splitlines()
    assert '"address": "databricks_secret.key"' in lines[secret["line"]]


def test_unreadable_input_is_a_located_error_not_a_traceback(tmp_path):
    broken = tmp_path / "broken.tf.json"
    broken.write_text('{"resource": {\n  "x": }\n')
    result = run(broken)
    assert result.exit_code == 1
    assert "broken.tf.json:2:" in result.output and "not JSON" in result.output
    assert "Traceback" not in result.output


def test_standards_come_from_the_config_folder_given(tmp_path):
    shutil.copytree(ESTATE / "config", tmp_path / "config")
    standards = tmp_path / "config" / "standards.yaml"
    standards.write_text(standards.read_text().replace("max_concurrent_runs: 3", "max_concurrent_runs: 1")
                         .replace("autotermination_minutes: 60", "autotermination_minutes: 20"))
    result = CliRunner().invoke(cli, ["check", str(FIXTURES / "PFG003" / "pass.tf.json"),
                                      "--config", str(tmp_path / "config")])
    assert result.exit_code == 1 and "PFG003" in result.output and "between 1 and 20" in result.output
    missing = CliRunner().invoke(cli, ["check", str(FIXTURES / "PFG003" / "pass.tf.json"),
                                       "--config", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "environments.yaml" in missing.output
