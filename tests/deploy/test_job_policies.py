"""Item 9: job clusters and their policies; compute security profile node types.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import json

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.guardrails.rules.clusters import autotermination
from pilotfactory.validate.security import CSP_INSTANCE_FAMILIES, check_security, instance_family

from .conftest import pilot_stacks, resources


def _policy_of(stack: dict, reference: str) -> dict:
    name = reference.removeprefix("${databricks_cluster_policy.").removesuffix(".id}")
    return json.loads(resources(stack, "databricks_cluster_policy")[name]["definition"])


def test_job_clusters_neither_set_autotermination_nor_use_a_policy_that_fixes_it(stacks):
    """docs/resources/job.md:151 and :407: `autotermination_minutes` isn't supported on job clusters."""
    seen = 0
    for stack_id, stack in pilot_stacks(stacks).items():
        for job in resources(stack, "databricks_job").values():
            for cluster in job.get("job_cluster", []):
                seen += 1
                new = cluster["new_cluster"]
                assert "autotermination_minutes" not in new, stack_id
                rules = _policy_of(stack, new["policy_id"])
                assert "autotermination_minutes" not in rules, stack_id
                assert rules["cluster_type"] == {"type": "fixed", "value": "job"}, stack_id
    assert seen


def test_all_purpose_baselines_keep_autotermination_fixed(catalog_and_stacks):
    """docs/resources/cluster.md:47: interactive clusters stop after `autotermination_minutes` idle."""
    catalog, stacks = catalog_and_stacks
    for env_name in catalog.environments.environments:
        for policy in resources(stacks[f"platform-{env_name}"], "databricks_cluster_policy").values():
            rules = json.loads(policy["definition"])
            assert rules["cluster_type"] == {"type": "fixed", "value": "all-purpose"}
            assert rules["autotermination_minutes"] == {"type": "fixed", "value": catalog.standards.autotermination_minutes}


class _Policy:
    type = "databricks_cluster_policy"

    def __init__(self, rules: dict):
        self.values = {"definition": json.dumps(rules)}


def test_pfg003_refuses_a_job_policy_that_sets_autotermination():
    job = {"cluster_type": {"type": "fixed", "value": "job"}}
    assert list(autotermination(_Policy(job), None)) == []
    assert list(autotermination(_Policy({**job, "autotermination_minutes": {"type": "fixed", "value": 30}}), None))
    assert list(autotermination(_Policy({**job, "autotermination_minutes": {"type": "range", "maxValue": 30}}), None))
    assert list(autotermination(_Policy({**job, "autotermination_minutes": {
        "type": "range", "maxValue": 30, "isOptional": True}}), None)) == []


def test_profile_node_types_are_checked_only_where_the_profile_is_on(repo_copy):
    """PF242 names each tier with a node type the compliance security profile does not run."""
    import yaml

    from pilotfactory.catalog.load import load_catalog

    standards = repo_copy / "config" / "standards.yaml"
    data = yaml.safe_load(standards.read_text())
    supported = sorted(f"{f}.xlarge" for f in ("m6id", "r6id", "i4i"))
    data["node_types"] = {n: {"dbu_per_hour": 1.0} for n in supported + ["m5d.xlarge"]}
    data["sizes"] = {"small": {"min_workers": 1, "max_workers": 2, "node_types": supported},
                     "odd": {"min_workers": 1, "max_workers": 2, "node_types": ["m5d.xlarge"]}}
    standards.write_text(yaml.safe_dump(data))
    diags = Diagnostics()
    catalog = load_catalog(repo_copy, diags)
    check_security(catalog, diags)
    assert [(d.code, d.path) for d in diags.warnings] == [("PF242", ("sizes", "odd", "node_types"))]

    envs = repo_copy / "config" / "environments.yaml"
    data = yaml.safe_load(envs.read_text())
    for env in data["environments"].values():
        env.get("security", {}).pop("compliance_standards", None)
    envs.write_text(yaml.safe_dump(data))
    diags = Diagnostics()
    check_security(load_catalog(repo_copy, diags), diags)
    assert [d for d in diags.warnings if d.code == "PF242"] == []


def test_profile_families_exclude_the_families_without_encryption_in_transit():
    assert {instance_family(n) for n in ("m5d.xlarge", "r5d.2xlarge", "i3.xlarge")} & CSP_INSTANCE_FAMILIES == set()
    assert instance_family("M6ID.XLARGE") in CSP_INSTANCE_FAMILIES
