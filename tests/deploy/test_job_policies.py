"""Item 9: job clusters and their policies; compute security profile node types.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import json

from pilotfactory.guardrails.rules.clusters import autotermination
from pilotfactory.catalog.model.security import CSP_INSTANCE_FAMILIES, instance_family

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


# Databricks docs "Compliance security profile" (https://docs.databricks.com/security/privacy/security-profile.html,
# found with the search tool): the profile "enables ... enforced instance types for inter-node encryption";
# the stored excerpt ends before the page's own list of families, so that list is not line-cited here.
# The inter-node encryption it enforces is AWS's (docs.aws.amazon.com/AWSEC2/latest/UserGuide/
# data-protection.html#encryption-transit): these families, the earliest AWS named for it (as
# cloudposse/terraform-aws-service-control-policies catalog/ec2-policies.yaml lists them), minus
# Graviton `c6gn` and AMD-GPU `g4ad`, which the profile's list was not checked for.
AWS_ENCRYPTION_IN_TRANSIT = ("c5a", "c5ad", "c5n", "d3", "d3en", "g4dn", "i3en", "m5dn", "m5n", "m5zn",
                             "p3dn", "p4d", "r5dn", "r5n")


def test_profile_families_exclude_the_families_without_encryption_in_transit():
    assert {instance_family(n) for n in ("m5d.xlarge", "r5d.2xlarge", "i3.xlarge")} & CSP_INSTANCE_FAMILIES == set()
    assert instance_family("M6ID.XLARGE") in CSP_INSTANCE_FAMILIES


def test_profile_families_keep_every_family_aws_encrypts_between_nodes():
    assert set(AWS_ENCRYPTION_IN_TRANSIT) <= CSP_INSTANCE_FAMILIES


def test_every_node_type_a_tier_allows_runs_under_the_profile(catalog_and_stacks):
    """The example's and the built catalog's tiers: what prod may pick is what the profile starts."""
    catalog, _ = catalog_and_stacks
    tiers = catalog.standards.sizes
    families = {instance_family(n) for tier in tiers.values() for n in tier.node_types}
    assert families and families <= CSP_INSTANCE_FAMILIES, sorted(families - CSP_INSTANCE_FAMILIES)
