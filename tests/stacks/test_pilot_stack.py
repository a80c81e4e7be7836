"""What a `<pilot>-<env>` stack must say, asserted per resource type."""
from __future__ import annotations

import base64
import json

import pytest

from .conftest import SP_DEV, SP_PROD, SP_STAGING, resources

KYC_PROD = "kyb-document-triage-prod"
KYC_DEV = "kyb-document-triage-dev"
FRAUD_STAGING = "card-fraud-ranking-staging"


def by_name(stack: dict, type_: str) -> dict[str, dict]:
    return {r["name"]: r for r in resources(stack, type_).values()}


def levels(resource: dict) -> dict[str, str]:
    out = {}
    for ac in resource["access_control"]:
        who = ac.get("service_principal_name") or ac.get("group_name") or ac.get("user_name")
        out[who] = ac["permission_level"]
    return out


def permissions_on(stack: dict, attribute: str) -> list[dict]:
    return [r for r in resources(stack, "databricks_permissions").values() if attribute in r]


# ---- provider --------------------------------------------------------------------------------


def test_provider_is_the_environment_workspace_without_credentials(synthed):
    (provider,) = synthed["kyb-document-triage-staging"]["provider"]["databricks"]
    assert provider == {"host": "https://dbc-analytics-stg.cloud.databricks.com"}
    (provider,) = synthed[KYC_PROD]["provider"]["databricks"]
    # A workspace the account stack creates: its URL comes from that stack's state, never guessed.
    assert provider == {"host": "${data.terraform_remote_state.account-state.outputs.workspace_url_prod}"}


# ---- cluster policy --------------------------------------------------------------------------


def test_policy_fixes_standards_and_tags(synthed):
    policy = by_name(synthed[KYC_PROD], "databricks_cluster_policy")[KYC_PROD]
    rules = json.loads(policy["definition"])
    assert rules["spark_version"] == {"type": "fixed", "value": "15.4.x-scala2.12"}
    assert rules["node_type_id"] == {"type": "allowlist", "values": ["m6i.xlarge", "m6i.2xlarge"],
                                     "defaultValue": "m6i.xlarge"}
    # Used only by job clusters, which take no autotermination_minutes.
    assert "autotermination_minutes" not in rules and rules["cluster_type"] == {"type": "fixed", "value": "job"}
    assert rules["data_security_mode"] == {"type": "fixed", "value": "SINGLE_USER"}
    assert rules["custom_tags.pilot"] == {"type": "fixed", "value": "kyb-document-triage"}
    assert rules["custom_tags.env"] == {"type": "fixed", "value": "prod"}
    assert rules["custom_tags.cost_center"] == {"type": "fixed", "value": "CC-4711-KYC"}
    assert rules["custom_tags.data_classification"] == {"type": "fixed", "value": "confidential"}
    assert rules["autoscale.min_workers"]["minValue"] == 1
    assert rules["autoscale.max_workers"]["maxValue"] == 4
    assert policy["definition"] == json.dumps(rules, sort_keys=True, separators=(",", ":"))


def test_policy_takes_the_pilots_tightened_workers(synthed):
    policy = by_name(synthed[FRAUD_STAGING], "databricks_cluster_policy")[FRAUD_STAGING]
    rules = json.loads(policy["definition"])
    assert (rules["autoscale.min_workers"]["minValue"], rules["autoscale.max_workers"]["maxValue"]) == (2, 6)


def test_builders_may_use_the_policy_in_dev_only(synthed):
    (dev,) = permissions_on(synthed[KYC_DEV], "cluster_policy_id")
    assert levels(dev) == {SP_DEV: "CAN_USE", "kyc-builders": "CAN_USE"}
    (prod,) = permissions_on(synthed[KYC_PROD], "cluster_policy_id")
    assert levels(prod) == {SP_PROD: "CAN_USE"}


# ---- secrets ---------------------------------------------------------------------------------


def test_secret_scope_acls(synthed):
    stack = synthed[KYC_PROD]
    assert list(by_name(stack, "databricks_secret_scope")) == [KYC_PROD]
    acls = {a["principal"]: a["permission"] for a in resources(stack, "databricks_secret_acl").values()}
    assert acls == {SP_PROD: "READ", "platform-admins": "MANAGE"}
    assert "users" not in acls


def test_no_secret_values_anywhere(synthed):
    for stack in synthed.values():
        assert resources(stack, "databricks_secret") == {}


def test_no_scope_without_declared_secrets(synthed):
    assert resources(synthed[FRAUD_STAGING], "databricks_secret_scope") == {}


# ---- jobs ------------------------------------------------------------------------------------


def test_blue_green_jobs_one_per_slot_and_only_slots_taking_traffic_unpaused(synthed):
    prod = by_name(synthed[KYC_PROD], "databricks_job")   # blue active, green on canary
    assert {n: j["schedule"]["pause_status"] for n, j in prod.items()} == {
        "kyb-document-triage-classify-blue": "UNPAUSED", "kyb-document-triage-classify-green": "UNPAUSED"}
    dev = by_name(synthed[KYC_DEV], "databricks_job")
    assert {n: j["schedule"]["pause_status"] for n, j in dev.items()} == {
        "kyb-document-triage-classify-blue": "PAUSED", "kyb-document-triage-classify-green": "UNPAUSED"}


def test_job_construct_ids_come_from_job_and_slot(synthed):
    # Logical ids are <construct path>_<hash of the path>: stable as long as the catalog keys are.
    ids = sorted(k.rsplit("_", 1)[0] for k in resources(synthed[KYC_PROD], "databricks_job"))
    assert ids == ["jobs_classify-blue", "jobs_classify-green"]
    ((logical_id, single),) = resources(synthed[FRAUD_STAGING], "databricks_job").items()
    assert logical_id.rsplit("_", 1)[0] == "jobs_score-nightly"
    assert single["name"] == "card-fraud-ranking-score-nightly"


def test_job_runs_as_service_principal_on_policy_cluster(synthed):
    job = by_name(synthed[KYC_PROD], "databricks_job")["kyb-document-triage-classify-green"]
    assert job["run_as"] == {"service_principal_name": SP_PROD}
    (cluster,) = job["job_cluster"]
    assert cluster["job_cluster_key"] == "main"
    new = cluster["new_cluster"]
    assert new["policy_id"].startswith("${databricks_cluster_policy.") and new["apply_policy_default_values"]
    assert new["autoscale"] == {"min_workers": 1, "max_workers": 4}
    assert new["node_type_id"] == "m6i.xlarge"
    assert job["tags"] == {"cost_center": "CC-4711-KYC", "pilot": "kyb-document-triage", "env": "prod",
                           "data_classification": "confidential", "slot": "green"}
    assert job["email_notifications"] == {"on_failure": ["kyc-oncall@bank.example"],
                                          "on_duration_warning_threshold_exceeded": ["kyc-oncall@bank.example"]}
    assert job["timeout_seconds"] == 3600 and job["max_concurrent_runs"] == 1
    assert "git_source" not in job  # wheel and contract tasks need no repository checkout


def test_wheel_task_uses_the_slot_version(synthed):
    jobs = by_name(synthed[KYC_PROD], "databricks_job")
    for slot, version in (("blue", "1.4.0"), ("green", "1.5.0")):
        contract, classify = jobs[f"kyb-document-triage-classify-{slot}"]["task"]
        assert classify["depends_on"] == [{"task_key": "contract_check"}]
        assert classify["python_wheel_task"]["package_name"] == "kyc_triage"
        assert classify["library"] == [
            {"whl": f"/Volumes/pilots_prod/releases/wheels/kyc_triage-{version}-py3-none-any.whl"}]
        assert contract["spark_python_task"]["source"] == "WORKSPACE"
        assert contract["spark_python_task"]["python_file"].startswith("${databricks_workspace_file.")


def test_git_tasks_pin_the_release_tag(synthed):
    (job,) = resources(synthed[FRAUD_STAGING], "databricks_job").values()
    assert job["git_source"] == {"url": "https://git.bank.example/pilots/card-fraud-ranking",
                                 "provider": "gitLabEnterpriseEdition", "tag": "v2.3.1"}
    features, score = job["task"]
    assert features["notebook_task"] == {"notebook_path": "notebooks/build_features", "source": "GIT",
                                         "base_parameters": {"as_of": "yesterday", "window_days": "90"}}
    assert score["spark_python_task"] == {"python_file": "jobs/score.py", "source": "GIT",
                                          "parameters": ["--threshold", "0.82"]}
    assert job["schedule"]["pause_status"] == "UNPAUSED"


def test_every_job_has_exactly_one_owner_the_service_principal(synthed):
    sp = {"dev": SP_DEV, "staging": SP_STAGING, "prod": SP_PROD}
    checked = 0
    for stack_id, stack in synthed.items():
        for perm in permissions_on(stack, "job_id"):
            owners = [a for a in perm["access_control"] if a["permission_level"] == "IS_OWNER"]
            assert owners == [{"permission_level": "IS_OWNER",
                               "service_principal_name": sp[stack_id.rsplit("-", 1)[1]]}]
            checked += 1
    jobs = sum(len(resources(s, "databricks_job")) for s in synthed.values())
    assert checked == jobs == 8  # kyc: 3 envs x 2 slots; fraud: 2 envs x 1


def test_job_levels_follow_the_environment(synthed):
    (dev, _) = permissions_on(synthed[KYC_DEV], "job_id")
    # on-call of a blue/green pilot: CAN_MANAGE everywhere, what the emergency rollback needs
    assert levels(dev) == {SP_DEV: "IS_OWNER", "kyc-builders": "CAN_MANAGE", "kyc-approvers": "CAN_VIEW",
                           "kyc-oncall": "CAN_MANAGE"}
    (prod, _) = permissions_on(synthed[KYC_PROD], "job_id")
    assert levels(prod) == {SP_PROD: "IS_OWNER", "kyc-builders": "CAN_VIEW",
                            "kyc-approvers": "CAN_MANAGE_RUN", "kyc-oncall": "CAN_MANAGE"}


# ---- contract checks -------------------------------------------------------------------------


def test_contract_check_script_is_generated_python(synthed):
    (wf,) = resources(synthed[KYC_PROD], "databricks_workspace_file").values()
    assert wf["path"] == "/pilotfactory/kyb-document-triage/prod/contracts/kyc_documents.py"
    script = base64.b64decode(wf["content_base64"]).decode()
    compile(script, wf["path"], "exec")
    assert "TABLE = 'main.kyc.documents'" in script
    assert "REQUIRED_COLUMNS = ['doc_id', 'received_at']" in script
    assert "MIN_COMPLETENESS = 0.98" in script and "MAX_DELAY_MINUTES = 60" in script
    assert "from catalog/pilots/kyb-document-triage.yaml" in script


# ---- model, experiment, serving --------------------------------------------------------------


def test_experiment_and_its_levels(synthed):
    assert list(by_name(synthed[KYC_DEV], "databricks_mlflow_experiment")) == [
        "/pilotfactory/kyb-document-triage/dev/experiment"]
    (dev,) = permissions_on(synthed[KYC_DEV], "experiment_id")
    assert levels(dev) == {SP_DEV: "CAN_MANAGE", "kyc-builders": "CAN_MANAGE", "kyc-approvers": "CAN_READ",
                           "kyc-oncall": "CAN_READ"}


def test_registered_model_grants_and_aliases(synthed):
    stack = synthed[KYC_PROD]
    (model,) = resources(stack, "databricks_registered_model").values()
    assert (model["catalog_name"], model["name"], model["owner"]) == ("pilots_prod", "kyc_doc_classifier", SP_PROD)
    assert {a["alias_name"]: a["version_num"] for a in model["aliases"]} == {"champion": 7, "challenger": 8}
    (schema,) = resources(stack, "databricks_schema").values()
    assert (schema["catalog_name"], schema["name"], schema["owner"]) == ("pilots_prod", "kyb_document_triage", SP_PROD)
    grants = [g for g in resources(stack, "databricks_grants").values() if "model" in g]
    assert grants[0]["grant"] == [
        {"principal": SP_PROD, "privileges": ["ALL_PRIVILEGES"]},
        {"principal": "kyc-builders", "privileges": ["EXECUTE"]},
        {"principal": "kyc-approvers", "privileges": ["EXECUTE"]},
    ]
    dev = [g for g in resources(synthed[KYC_DEV], "databricks_grants").values() if "model" in g]
    assert dev[0]["grant"][1] == {"principal": "kyc-builders", "privileges": ["APPLY_TAG", "EXECUTE"]}


def test_serving_traffic_splits_by_slot_and_sums_to_100(synthed):
    for stack_id, split in ((KYC_PROD, {"blue": 90, "green": 10}), (KYC_DEV, {"blue": 0, "green": 100})):
        (endpoint,) = resources(synthed[stack_id], "databricks_model_serving").values()
        assert endpoint["name"] == stack_id
        routes = endpoint["config"]["traffic_config"]["routes"]
        assert {r["served_entity_name"]: r["traffic_percentage"] for r in routes} == split
        assert sum(r["traffic_percentage"] for r in routes) == 100
        entities = {e["name"]: e for e in endpoint["config"]["served_entities"]}
        assert entities["blue"]["entity_version"] == "7" and entities["green"]["entity_version"] == "8"
        assert {e["entity_name"] for e in entities.values()} == {
            f"pilots_{stack_id.rsplit('-', 1)[1]}.kyb_document_triage.kyc_doc_classifier"}


def test_serving_levels(synthed):
    (prod,) = permissions_on(synthed[KYC_PROD], "serving_endpoint_id")
    assert levels(prod) == {SP_PROD: "CAN_MANAGE", "kyc-builders": "CAN_VIEW", "kyc-approvers": "CAN_QUERY",
                            "kyc-oncall": "CAN_MANAGE"}


def test_no_endpoint_without_serving(synthed):
    assert resources(synthed[FRAUD_STAGING], "databricks_model_serving") == {}
    assert len(resources(synthed[FRAUD_STAGING], "databricks_registered_model")) == 1


@pytest.mark.parametrize("type_", ["databricks_secret_scope", "databricks_schema",
                                   "databricks_registered_model", "databricks_mlflow_experiment"])
def test_protected_environment_prevents_destroy_of_stateful_resources(synthed, type_):
    (prod,) = resources(synthed[KYC_PROD], type_).values()
    assert prod["lifecycle"] == {"prevent_destroy": True}
    (dev,) = resources(synthed[KYC_DEV], type_).values()
    assert "lifecycle" not in dev
