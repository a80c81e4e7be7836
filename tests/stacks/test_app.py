"""The app as a whole: which stacks exist, the account and platform stacks, determinism."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from stacks import build_app, stack_names
from stacks.engine import get_engine

from .conftest import ACCOUNT_ID, ENVIRONMENTS, FRAUD, KYC, ROLES, make_catalog, resources


def test_stack_names_in_deploy_order(catalog):
    assert stack_names(catalog) == [
        "account", "platform-dev", "platform-staging", "platform-prod",
        "kyb-document-triage-dev", "kyb-document-triage-staging", "kyb-document-triage-prod",
        "card-fraud-ranking-dev", "card-fraud-ranking-staging",
    ]


def test_synthesized_stacks_match_stack_names(catalog, synthed):
    assert sorted(synthed) == sorted(stack_names(catalog))


def test_a_pilot_named_platform_collides_with_platform_stacks():
    clash = {**FRAUD, "name": "platform", "release": {**FRAUD["release"]}}
    with pytest.raises(PilotFactoryError, match="stack ids collide: platform-dev, platform-staging"):
        stack_names(make_catalog(pilots=(clash,)))


def test_account_stack_creates_only_new_workspaces(synthed):
    stack = synthed["account"]
    assert stack["provider"]["databricks"] == [{"host": "https://accounts.cloud.databricks.com",
                                                "account_id": ACCOUNT_ID}]
    workspaces = resources(stack, "databricks_mws_workspaces")
    assert list(workspaces) == ["prod"]  # construct id: the environment name
    (prod,) = workspaces.values()
    assert prod["deployment_name"] == "bank-analytics-prod" and prod["aws_region"] == "eu-west-2"
    assert prod["pricing_tier"] == "ENTERPRISE" and "network_id" not in prod
    assert prod["lifecycle"] == {"prevent_destroy": True}


def test_account_stack_is_empty_without_account_or_new_workspace(tmp_path):
    environments = copy.deepcopy(ENVIRONMENTS)
    del environments["account"]
    environments["environments"]["prod"]["workspace"] = {"host": "https://dbc-analytics-prd.cloud.databricks.com"}
    roles = copy.deepcopy(ROLES)
    for group in roles["groups"].values():
        group.pop("managed", None)
    app = build_app(make_catalog(environments, (), roles), str(tmp_path))
    stack = json.loads(get_engine().Testing.synth(app.node.find_child("account")))
    assert "resource" not in stack and "provider" not in stack
    # Managed groups are account-level objects: without the account they cannot be made.
    with pytest.raises(PilotFactoryError, match="`account`.*managed groups compliance-officers, security-review"):
        build_app(make_catalog(environments, ()), str(tmp_path / "again"))


def test_assigning_managed_groups_needs_each_existing_workspace_id(tmp_path):
    environments = copy.deepcopy(ENVIRONMENTS)
    del environments["environments"]["staging"]["workspace"]["id"]
    with pytest.raises(PilotFactoryError, match="staging needs `workspace.id`"):
        build_app(make_catalog(environments, ()), str(tmp_path))


def test_a_new_workspace_needs_the_metastore(tmp_path):
    environments = copy.deepcopy(ENVIRONMENTS)
    del environments["account"]["metastore_id"]
    with pytest.raises(PilotFactoryError, match="metastore_id.*prod"):
        build_app(make_catalog(environments, ()), str(tmp_path))


def test_creating_a_workspace_needs_the_account(tmp_path):
    environments = copy.deepcopy(ENVIRONMENTS)
    del environments["account"]
    with pytest.raises(PilotFactoryError, match="`account`.*prod"):
        build_app(make_catalog(environments, ()), str(tmp_path))


def test_platform_baseline_policies_per_tier(synthed):
    policies = {p["name"]: json.loads(p["definition"])
                for p in resources(synthed["platform-staging"], "databricks_cluster_policy").values()}
    assert sorted(policies) == ["platform-staging-medium", "platform-staging-small"]
    medium = policies["platform-staging-medium"]
    assert medium["custom_tags.env"] == {"type": "fixed", "value": "staging"}
    for tag in ("cost_center", "pilot", "data_classification"):
        assert medium[f"custom_tags.{tag}"] == {"type": "unlimited", "isOptional": False}
    assert medium["node_type_id"]["values"] == ["m6i.2xlarge", "r6i.2xlarge"]
    assert medium["autoscale.max_workers"]["maxValue"] == 8


def test_only_the_account_stack_creates_groups_and_only_managed_ones(synthed):
    assert not resources(synthed["platform-dev"], "databricks_group")
    groups = {g["display_name"] for g in resources(synthed["account"], "databricks_group").values()}
    assert groups == {"security-review", "compliance-officers"}


def test_serving_without_a_served_version_is_refused(tmp_path):
    pilot = copy.deepcopy(KYC)
    pilot["release"]["slots"]["blue"] = {"version": "v1.4.0"}
    with pytest.raises(PilotFactoryError, match="model_version on every slot that takes traffic"):
        build_app(make_catalog(pilots=(pilot,)), str(tmp_path))


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synth_is_byte_identical_and_free_of_local_paths(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    build_app(make_catalog(), str(first)).synth()
    build_app(make_catalog(), str(second)).synth()
    a, b = _tree(first), _tree(second)
    assert a == b
    assert "stacks/kyb-document-triage-prod/cdk.tf.json" in a
    assert not any(str(tmp_path).encode() in content for content in a.values())
