"""One catalog job in one release slot: a `databricks_job` on the pilot's policy, and its permissions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.model.pilot import Job, Task
from pilotfactory.catalog.resolved import ResolvedPilot, SlotRun

from . import names
from .access import pilot_access
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["JOB_CLUSTER_KEY", "PilotJobProps", "PilotJob"]

JOB_CLUSTER_KEY = "main"
_GIT_KINDS = frozenset({"notebook", "python_file"})


@dataclass(frozen=True, kw_only=True)
class PilotJobProps:
    pilot: ResolvedPilot
    job: Job
    slot: SlotRun
    policy_id: str                          # reference to the pilot's cluster policy id
    contract_paths: Mapping[str, str]       # contract name -> reference to its check's workspace path


class PilotJob(Scope):
    def __init__(self, scope: Scope, id: str, props: PilotJobProps):
        super().__init__(scope, id)
        self._props = props
        rp, job, slot = props.pilot, props.job, props.slot

        uses_git = any(t.kind in _GIT_KINDS for t in job.tasks)
        sla = rp.pilot.sla
        self.resource = Resource(self, "Resource", "databricks_job", {
            "name": names.job_name(rp, job, slot),
            "description": job.description,
            "job_cluster": [{"job_cluster_key": JOB_CLUSTER_KEY, "new_cluster": self._cluster()}],
            "task": [self._task(t) for t in job.tasks],
            "git_source": {
                "url": rp.pilot.release.repo, "provider": rp.pilot.release.git_provider,
                "tag": names.slot_version(rp, slot)} if uses_git else None,
            "schedule": {
                "quartz_cron_expression": job.schedule.cron, "timezone_id": job.schedule.timezone,
                # Explicit both ways: a slot taking traffic (active or canary) runs, an idle one never fires.
                "pause_status": "UNPAUSED" if slot.live else "PAUSED"} if job.schedule else None,
            "run_as": {"service_principal_name": rp.env.run_as.application_id},
            "max_concurrent_runs": job.max_concurrent_runs,
            "timeout_seconds": job.timeout_seconds,
            "tags": {**rp.tags, "slot": slot.name},
            "email_notifications": {
                "on_failure": [rp.pilot.owners.on_call],
                "on_duration_warning_threshold_exceeded": [rp.pilot.owners.on_call] if sla else None},
            "health": {"rules": [{
                "metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN",
                "value": sla.max_run_minutes * 60}]} if sla else None,
        })
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="job", object_id=self.resource.id, entries=pilot_access(rp, "job")))

    @property
    def job_id(self) -> str:
        return self.resource.id

    def _cluster(self) -> dict[str, Any]:
        compute = self._props.pilot.compute
        return {
            "policy_id": self._props.policy_id,
            "apply_policy_default_values": True,
            "spark_version": compute.spark_version,
            "node_type_id": compute.node_types[0],
            "autoscale": {"min_workers": compute.min_workers, "max_workers": compute.max_workers},
            "data_security_mode": compute.data_security_mode,
            "custom_tags": dict(self._props.pilot.tags),
        }

    def _task(self, task: Task) -> dict[str, Any]:
        rp, slot = self._props.pilot, self._props.slot
        kind: dict[str, Any] = {}
        if task.python_wheel is not None:
            wheel = task.python_wheel
            kind["python_wheel_task"] = {
                "package_name": wheel.package, "entry_point": wheel.entry_point,
                "parameters": list(wheel.parameters) or None}
            kind["library"] = [{"whl": names.wheel_path(rp, slot, task)}]
        elif task.notebook is not None:
            kind["notebook_task"] = {
                "notebook_path": task.notebook.path,
                "base_parameters": dict(sorted(task.notebook.parameters.items())) or None, "source": "GIT"}
        elif task.python_file is not None:
            kind["spark_python_task"] = {
                "python_file": task.python_file.path, "parameters": list(task.python_file.parameters) or None,
                "source": "GIT"}
        else:
            path = self._props.contract_paths.get(task.contract)
            if path is None:
                raise PilotFactoryError(
                    f"{rp.file}: task {task.key!r} checks contract {task.contract!r}, which the pilot does not declare")
            kind["spark_python_task"] = {"python_file": path, "source": "WORKSPACE"}
        return {
            "task_key": task.key,
            "depends_on": [{"task_key": k} for k in task.depends_on] or None,
            "job_cluster_key": JOB_CLUSTER_KEY,
            "timeout_seconds": task.timeout_seconds,
            **kind,
        }
