"""The `<pilot>-<env>` stack: everything one pilot needs in one environment."""
from __future__ import annotations

from typing import Any

from generators.housekeeping_sql import pilot_metrics_sql, retention_sql
from pilotfactory.catalog.resolved import ResolvedPilot
from pilotfactory.tfjson.retention import RETENTION_KEY

from . import names
from .access import pilot_access
from .backend import add_backend
from .contract_check import ContractCheck, ContractCheckProps
from .experiment import Experiment, ExperimentProps
from .folder import PilotFolder, PilotFolderProps
from .job import PilotJob, PilotJobProps
from .lookups import Lookups, LookupsProps
from .model_monitor import ModelMonitor, ModelMonitorProps
from .model_registry import ModelRegistry, ModelRegistryProps
from .observability import Observability, ObservabilityProps
from .pilot_schema import PilotSchema, PilotSchemaProps
from .scheduled_sql import ScheduledSql, ScheduledSqlProps
from .policy import ClusterPolicy, ClusterPolicyProps, PolicyRules
from .secret_scope import SecretScope, SecretScopeProps
from .serving import ServingEndpoint, ServingEndpointProps
from .tf import Scope, Stack
from .workspace_host import workspace_host

__all__ = ["define_pilot_stack", "METRICS_JOB", "RETENTION_JOB", "METRICS_CRON", "RETENTION_CRON"]

METRICS_JOB, RETENTION_JOB = "pilot-metrics", RETENTION_KEY
# Early UTC morning, after the night's batch runs have finished and before the sponsor's working day.
METRICS_CRON = "0 30 5 * * ?"
# Daily: a row is never kept more than a day past its classification's retention.
RETENTION_CRON = "0 0 4 * * ?"


def define_pilot_stack(app: Any, rp: ResolvedPilot) -> Any:
    stack = Stack(app, rp.stack_id)
    add_backend(stack, rp.env.backend, rp.stack_id)
    # No credentials here, ever: the Databricks SDK/CLI environment supplies them at plan time.
    stack.provider({"host": workspace_host(stack, rp.env_name, rp.env, rp.account_backend)})

    Lookups(stack, "lookups", LookupsProps(pilot=rp))
    folder = PilotFolder(stack, "folder", PilotFolderProps(pilot=rp))
    policy = ClusterPolicy(stack, "policy", ClusterPolicyProps(
        name=names.pilot_object_name(rp),
        description=f"Pilot Factory: {rp.name} in {rp.env_name} ({rp.file})",
        rules=PolicyRules.for_compute(rp.compute, rp.tags),
        access=pilot_access(rp, "cluster_policy"),
        libraries=rp.compute.libraries,
    ))

    if rp.pilot.secrets is not None:
        SecretScope(stack, "secrets", SecretScopeProps(
            name=names.pilot_object_name(rp), reader=rp.env.run_as.application_id,
            admins=rp.platform_admins, protected=rp.env.protected))

    # Only contracts a task checks get a script; declared-but-unchecked ones deploy nothing.
    checked = {t.contract for j in rp.jobs for t in j.tasks if t.contract is not None}
    contracts = Scope(stack, "contracts")
    contract_paths = {
        c.name: ContractCheck(contracts, c.name, ContractCheckProps(
            contract=c, path=names.contract_file_path(rp, c.name), source=rp.file, folder=folder)).workspace_path
        for c in rp.pilot.data_contracts if c.name in checked
    }

    jobs = Scope(stack, "jobs")
    # A slot with no version yet has no code to run: its jobs appear once a release stages one.
    ready = [slot for slot in rp.slots if slot.slot.version is not None or not rp.blue_green]
    for job in rp.jobs:
        for slot in ready:
            PilotJob(jobs, names.job_id(rp, job, slot), PilotJobProps(
                pilot=rp, job=job, slot=slot, policy_id=policy.policy_id, contract_paths=contract_paths))

    warehouse = rp.env.sql_warehouse_id
    serves = rp.pilot.model is not None and rp.pilot.model.serving is not None
    # The provider sets no retention on an inference table: a daily job deletes what is past it.
    prunes = serves and rp.inference_retention_days is not None and warehouse is not None
    if rp.pilot.model is not None:
        Experiment(stack, "experiment", ExperimentProps(pilot=rp, folder=folder))
        registry = ModelRegistry(stack, "model", ModelRegistryProps(pilot=rp, prunes_inference_table=prunes))
        endpoint = None
        if rp.pilot.model.serving is not None:
            endpoint = ServingEndpoint(stack, "serving", ServingEndpointProps(pilot=rp, model=registry.resource)).resource
        if rp.pilot.model.monitoring is not None:
            ModelMonitor(stack, "monitoring", ModelMonitorProps(
                pilot=rp, schema=registry.schema, folder=folder, endpoint=endpoint))
    # Without a warehouse there is nothing to run SQL on; validate warns (PF241) once per environment.
    if warehouse is not None:
        Observability(stack, "observability", ObservabilityProps(pilot=rp, warehouse_id=warehouse, folder=folder))
        housekeeping = Scope(stack, "housekeeping")
        if rp.pilot.model is None:  # pilot_metrics lives in the pilot's schema; a model brings one
            PilotSchema(stack, "schema", PilotSchemaProps(pilot=rp))
        ScheduledSql(housekeeping, METRICS_JOB, ScheduledSqlProps(
            pilot=rp, key=METRICS_JOB, sql=pilot_metrics_sql(rp), cron=METRICS_CRON, warehouse_id=warehouse,
            folder=folder, description="Writes the sponsor scorecard's rows (success-metric readings, job runs, "
                                       "releases and rollbacks) into pilot_metrics."))
        if prunes:
            ScheduledSql(housekeeping, RETENTION_JOB, ScheduledSqlProps(
                pilot=rp, key=RETENTION_JOB, sql=retention_sql(rp, rp.inference_retention_days), cron=RETENTION_CRON,
                warehouse_id=warehouse, folder=folder,
                description=f"Deletes inference-table rows older than {rp.inference_retention_days} days "
                            f"(data classification {rp.pilot.data_classification})."))
    return stack.close()
