"""The library allow list of config/standards.yaml: cluster policy `libraries` and the metastore's artifact allowlist.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0:
  AA = docs/resources/artifact_allowlist.md, AG = catalog/resource_artifact_allowlist.go
  CP = docs/resources/cluster_policy.md
"""
from __future__ import annotations

import copy

import pytest

from pilotfactory.catalog.model.config import Environments

from .conftest import ENVIRONMENTS, STANDARDS, make_catalog, resources, synth_catalog

LIBRARIES = {"pypi": ["databricks-sdk==0.38.0"], "maven": ["com.databricks:spark-xml_2.12:0.18.0"],
             "jar": ["/Volumes/platform/libraries/approved/udfs-1.0.0.jar"]}


@pytest.fixture(scope="module")
def synthed(tmp_path_factory):
    catalog = make_catalog(standards={**STANDARDS, "libraries": LIBRARIES})
    return synth_catalog(catalog, tmp_path_factory.mktemp("out"))


def test_every_policy_installs_the_allow_list(synthed):
    """CP:153-155: one `libraries` block per library, installed on the policy's clusters."""
    expected = [{"pypi": {"package": "databricks-sdk==0.38.0"}},
                {"maven": {"coordinates": "com.databricks:spark-xml_2.12:0.18.0"}},
                {"jar": "/Volumes/platform/libraries/approved/udfs-1.0.0.jar"}]
    seen = 0
    for stack_id, stack in synthed.items():
        for policy in resources(stack, "databricks_cluster_policy").values():
            seen += 1
            assert policy["libraries"] == expected, stack_id
    assert seen >= 4  # pilot job policies and platform tier policies


def test_the_artifact_allowlist_lives_in_the_production_platform_stack_only(synthed):
    """AA:10 workspace-level provider only (not `account`); AA:47 one object per metastore and type,
    AA:8 all of a type in one resource: so exactly one stack holds each type."""
    owners = {sid: resources(s, "databricks_artifact_allowlist") for sid, s in synthed.items()}
    holding = [sid for sid, r in owners.items() if r]
    assert holding == ["platform-prod"]
    lists = {v["artifact_type"]: v for v in owners["platform-prod"].values()}
    # AA:28: LIBRARY_JAR and LIBRARY_MAVEN are the library types; AA:33 PREFIX_MATCH is the only match type.
    assert lists == {
        "LIBRARY_MAVEN": {"artifact_type": "LIBRARY_MAVEN", "artifact_matcher": [
            {"artifact": "com.databricks:spark-xml_2.12:0.18.0", "match_type": "PREFIX_MATCH"}]},
        "LIBRARY_JAR": {"artifact_type": "LIBRARY_JAR", "artifact_matcher": [
            {"artifact": "/Volumes/platform/libraries/approved/udfs-1.0.0.jar", "match_type": "PREFIX_MATCH"}]},
    }
    # AG:21 metastore_id is computed; AG:33 a set one must equal the workspace's: never set it here.
    assert all("metastore_id" not in v for v in lists.values())


def test_an_empty_type_is_left_unmanaged_and_no_list_means_no_policy_libraries(tmp_path_factory):
    catalog = make_catalog(standards={**STANDARDS, "libraries": {"pypi": ["a==1"]}})
    stacks = synth_catalog(catalog, tmp_path_factory.mktemp("out"))
    assert not any(resources(s, "databricks_artifact_allowlist") for s in stacks.values())
    plain = synth_catalog(make_catalog(), tmp_path_factory.mktemp("out"))
    for stack in plain.values():
        assert all("libraries" not in p for p in resources(stack, "databricks_cluster_policy").values())


def test_allowlist_environment_is_the_highest_phase_then_protected():
    from stacks.artifact_allowlist import allowlist_environment

    envs = copy.deepcopy(ENVIRONMENTS)
    assert allowlist_environment(Environments.model_validate(envs)) == "prod"
    # Two production environments: the protected one owns it.
    envs["environments"]["dr"] = {**copy.deepcopy(envs["environments"]["prod"]), "protected": False}
    envs["environments"]["dr"]["catalog"] = "pilots_dr"
    assert allowlist_environment(Environments.model_validate(envs)) == "prod"
