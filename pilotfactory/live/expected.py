"""What a deploy leaves live, read from synthesized stacks (plain cdk.tf.json dicts, no CDK).

The stacks are the single source: verify, drift and the emergency rollback compare the workspace
with exactly what `cdktf deploy` would make, not with a second reading of the catalog.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pilotfactory.tfjson.references import reference, resolve_literal
from pilotfactory.tfjson.slots import model_aliases, pause_status, routes, served_entities
from pilotfactory.tfjson.system_reads import SqlJobReads, sql_job_reads

__all__ = ["ExpectedJob", "ExpectedServing", "ExpectedModel", "Expected", "expected_of"]



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
    sql_reads: tuple[SqlJobReads, ...] = ()   # system tables each scheduled SQL job reads, and as whom


def expected_of(stacks: Mapping[str, Mapping[str, Any]]) -> Expected:
    jobs, serving, models = [], [], []
    for stack_name, stack in stacks.items():
        resources = stack.get("resource", {})
        perms = {}
        for pname, values in resources.get("databricks_permissions", {}).items():
            target = reference(values.get("job_id"))
            if target and target.type == "databricks_job":
                perms[target.name] = (pname, values)
        for rname, values in resources.get("databricks_job", {}).items():
            jobs.append(ExpectedJob(stack_name, rname, values["name"], pause_status(values), values, perms.get(rname, (None, None))[1], perms.get(rname, (None, None))[0]))
        for values in resources.get("databricks_model_serving", {}).values():
            serving.append(ExpectedServing(
                stack_name, values["name"], {entity: int(percent) for entity, percent in routes(values).items()},
                tuple(served_entities(values).values())))
        for values in resources.get("databricks_registered_model", {}).values():
            schema = resolve_literal(values.get("schema_name"), resources)
            full = f"{values['catalog_name']}.{schema}.{values['name']}"
            models.append(ExpectedModel(stack_name, full, {alias: int(version)
                                                           for alias, version in model_aliases(values).items()}))
    return Expected(tuple(jobs), tuple(serving), tuple(models), tuple(sql_job_reads(stacks)))
