"""What a deploy leaves live, read from synthesized stacks (plain cdk.tf.json dicts, no CDK).

The stacks are the single source: verify, drift and the emergency rollback compare the workspace
with exactly what `cdktf deploy` would make, not with a second reading of the catalog.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["ExpectedJob", "ExpectedServing", "ExpectedModel", "Expected", "expected_of", "is_token"]

_TOKEN = re.compile(r"^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$")


def is_token(value: Any) -> bool:
    """`${databricks_x.name.attr}`: a value only Terraform knows, so never compared with live state."""
    return isinstance(value, str) and value.startswith("${")


@dataclass(frozen=True)
class ExpectedJob:
    stack: str
    resource: str                        # resource name in the stack, e.g. jobs_classify-blue_DFA8890E
    name: str                            # job name in the workspace
    pause_status: str | None             # None: no schedule
    settings: Mapping[str, Any]          # the databricks_job values
    permissions: Mapping[str, Any] | None  # the databricks_permissions values on it
    permissions_resource: str | None = None


@dataclass(frozen=True)
class ExpectedServing:
    stack: str
    name: str
    routes: Mapping[str, int]            # served entity -> traffic percent
    entities: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class ExpectedModel:
    stack: str
    full_name: str                       # catalog.schema.model
    aliases: Mapping[str, int]           # alias -> version


@dataclass(frozen=True)
class Expected:
    jobs: tuple[ExpectedJob, ...]
    serving: tuple[ExpectedServing, ...]
    models: tuple[ExpectedModel, ...]


def _resolve(value: Any, resources: Mapping[str, Mapping[str, Any]]) -> Any:
    """A token pointing at a literal attribute of another resource of the stack, replaced by it."""
    match = _TOKEN.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    rtype, name, attr = match.groups()
    return resources.get(rtype, {}).get(name, {}).get(attr, value)


def expected_of(stacks: Mapping[str, Mapping[str, Any]]) -> Expected:
    jobs, serving, models = [], [], []
    for stack_name, stack in stacks.items():
        resources = stack.get("resource", {})
        perms = {}
        for pname, values in resources.get("databricks_permissions", {}).items():
            target = _TOKEN.match(values.get("job_id") or "")
            if target and target.group(1) == "databricks_job":
                perms[target.group(2)] = (pname, values)
        for rname, values in resources.get("databricks_job", {}).items():
            schedule = values.get("schedule") or {}
            jobs.append(ExpectedJob(stack_name, rname, values["name"],
                                    schedule.get("pause_status", "UNPAUSED") if schedule else None,
                                    values, perms.get(rname, (None, None))[1], perms.get(rname, (None, None))[0]))
        for values in resources.get("databricks_model_serving", {}).values():
            config = values.get("config") or {}
            routes = (config.get("traffic_config") or {}).get("routes") or []
            serving.append(ExpectedServing(
                stack_name, values["name"],
                {r["served_entity_name"]: int(r["traffic_percentage"]) for r in routes},
                tuple(config.get("served_entities") or ())))
        for values in resources.get("databricks_registered_model", {}).values():
            schema = _resolve(values.get("schema_name"), resources)
            full = f"{values['catalog_name']}.{schema}.{values['name']}"
            models.append(ExpectedModel(stack_name, full, {a["alias_name"]: int(a["version_num"])
                                                           for a in values.get("aliases") or []}))
    return Expected(tuple(jobs), tuple(serving), tuple(models))
