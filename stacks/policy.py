"""A cluster policy: the standards a pilot's clusters cannot step outside of."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

from pilotfactory.catalog.model.config import Libraries, SizeTier, Standards
from pilotfactory.catalog.resolved import EffectiveCompute

from .access import AccessEntry
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["PolicyRules", "ClusterPolicyProps", "ClusterPolicy", "policy_libraries"]


@dataclass(frozen=True, kw_only=True)
class PolicyRules:
    """What a policy enforces; `definition()` renders the Databricks policy JSON."""

    spark_version: str
    node_types: tuple[str, ...]            # the first is the default
    autotermination_minutes: int
    data_security_mode: str
    min_workers: int
    max_workers: int
    fixed_tags: Mapping[str, str] = field(default_factory=dict)
    required_tags: tuple[str, ...] = ()    # must be set by whoever creates the cluster
    for_jobs: bool = False                 # job clusters only: they take no autotermination_minutes

    @classmethod
    def for_compute(cls, compute: EffectiveCompute, tags: Mapping[str, str]) -> "PolicyRules":
        """A pilot's policy, which only its jobs' clusters use."""
        return cls(
            spark_version=compute.spark_version,
            node_types=compute.node_types,
            autotermination_minutes=compute.autotermination_minutes,
            data_security_mode=compute.data_security_mode,
            min_workers=compute.min_workers,
            max_workers=compute.max_workers,
            fixed_tags=dict(tags),
            for_jobs=True,
        )

    @classmethod
    def baseline(cls, standards: Standards, tier: SizeTier, env_name: str) -> "PolicyRules":
        """An environment's policy for one size tier: env tag fixed, the other required tags demanded."""
        return cls(
            spark_version=standards.spark_versions[0],
            node_types=tuple(tier.node_types),
            autotermination_minutes=standards.autotermination_minutes,
            data_security_mode=standards.data_security_mode,
            min_workers=tier.min_workers,
            max_workers=tier.max_workers,
            fixed_tags={"env": env_name} if "env" in standards.required_tags else {},
            required_tags=tuple(t for t in standards.required_tags if t != "env"),
        )

    def rules(self) -> dict[str, dict]:
        rules: dict[str, dict] = {
            "spark_version": {"type": "fixed", "value": self.spark_version},
            "node_type_id": {"type": "allowlist", "values": list(self.node_types),
                             "defaultValue": self.node_types[0]},
            "data_security_mode": {"type": "fixed", "value": self.data_security_mode},
            "autoscale.min_workers": {"type": "range", "minValue": self.min_workers,
                                      "defaultValue": self.min_workers},
            "autoscale.max_workers": {"type": "range", "maxValue": self.max_workers,
                                      "defaultValue": self.max_workers},
        }
        if self.for_jobs:
            # A job cluster ends with its run and rejects autotermination_minutes, so a job policy leaves it out.
            rules["cluster_type"] = {"type": "fixed", "value": "job"}
        else:
            rules["cluster_type"] = {"type": "fixed", "value": "all-purpose"}
            rules["autotermination_minutes"] = {"type": "fixed", "value": self.autotermination_minutes}
        for tag, value in self.fixed_tags.items():
            rules[f"custom_tags.{tag}"] = {"type": "fixed", "value": value}
        for tag in self.required_tags:
            rules[f"custom_tags.{tag}"] = {"type": "unlimited", "isOptional": False}
        return rules

    def definition(self) -> str:
        return json.dumps(self.rules(), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class ClusterPolicyProps:
    name: str
    rules: PolicyRules
    description: str
    access: tuple[AccessEntry, ...] = ()   # CAN_USE entries; none: only admins can use it
    libraries: Libraries | None = None     # config/standards.yaml `libraries`: installed on every cluster of the policy


def policy_libraries(libraries: Libraries | None) -> list[dict]:
    """One `libraries` block per library (cluster_policy.md:155), in the standards' order."""
    if libraries is None:
        return []
    return ([{"pypi": {"package": p}} for p in libraries.pypi]
            + [{"maven": {"coordinates": m}} for m in libraries.maven]
            + [{"jar": j} for j in libraries.jar])


class ClusterPolicy(Scope):
    def __init__(self, scope: Scope, id: str, props: ClusterPolicyProps):
        super().__init__(scope, id)
        self.resource = Resource(self, "Resource", "databricks_cluster_policy", {
            "name": props.name, "description": props.description,
            "definition": props.rules.definition(), "libraries": policy_libraries(props.libraries) or None})
        self.permissions = None
        if props.access:
            self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
                object_type="cluster_policy", object_id=self.resource.id, entries=props.access))

    @property
    def policy_id(self) -> str:
        return self.resource.id
