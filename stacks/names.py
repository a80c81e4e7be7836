"""Names of Databricks objects and construct ids, derived only from catalog keys so they never drift."""
from __future__ import annotations

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.model.pilot import Job, Task
from pilotfactory.catalog.resolved import ResolvedPilot, SlotRun
from pilotfactory.tfjson.stacknames import ACCOUNT, platform_stack
from pilotfactory.tfjson.workspace_paths import WORKSPACE_ROOT, pilot_folder_of

__all__ = [
    "ACCOUNT_STACK", "WORKSPACE_ROOT", "platform_stack", "workspace_url_output", "job_id", "job_name", "pilot_object_name",
    "pilot_folder", "experiment_name", "contract_file_path", "wheel_path", "model_full_name", "slot_version",
    "housekeeping_job_name", "housekeeping_file_path",
]

ACCOUNT_STACK = ACCOUNT


def workspace_url_output(env_name: str) -> str:
    """The `account` stack output holding the URL of the workspace it creates for `env_name`."""
    return f"workspace_url_{env_name}"


def pilot_object_name(rp: ResolvedPilot) -> str:
    """Name of the pilot's per-environment objects: cluster policy, secret scope, serving endpoint."""
    return rp.stack_id


def job_id(rp: ResolvedPilot, job: Job, slot: SlotRun) -> str:
    """Construct id of a job: blue and green keep their own id across every cutover."""
    return f"{job.name}-{slot.name}" if rp.blue_green else job.name


def job_name(rp: ResolvedPilot, job: Job, slot: SlotRun) -> str:
    return f"{rp.name}-{job_id(rp, job, slot)}"


def pilot_folder(rp: ResolvedPilot) -> str:
    """The folder the pilot stack creates in one environment; its experiment, alerts, dashboard and files live below."""
    return pilot_folder_of(rp.name, rp.env_name)


def experiment_name(rp: ResolvedPilot) -> str:
    """An experiment is a workspace object of its own: it cannot share the folder's path."""
    return f"{pilot_folder(rp)}/experiment"


def contract_file_path(rp: ResolvedPilot, contract: str) -> str:
    """Workspace path of a generated contract check (the provider adds the /Workspace prefix)."""
    return f"{pilot_folder(rp)}/contracts/{contract}.py"


def housekeeping_job_name(rp: ResolvedPilot, key: str) -> str:
    """`<pilot>/<key>`: a slash no job of the catalog can have (job names are slugs), so never a clash."""
    return f"{rp.name}/{key}"


def housekeeping_file_path(rp: ResolvedPilot, key: str) -> str:
    """Workspace path of a housekeeping job's SQL file (the provider adds the /Workspace prefix)."""
    return f"{pilot_folder(rp)}/housekeeping/{key}.sql"


def model_full_name(rp: ResolvedPilot) -> str:
    return f"{rp.catalog}.{rp.schema_name}.{rp.pilot.model.name}"


def slot_version(rp: ResolvedPilot, slot: SlotRun, task: Task | None = None) -> str:
    """The slot's release tag; validation (PF215) should already have refused a missing one."""
    if slot.slot.version is None:
        what = f"task {task.key!r}" if task else "a git task"
        raise PilotFactoryError(
            f"{rp.file}: slot {slot.name!r} has no `version`, but {what} needs released code in {rp.env_name}")
    return slot.slot.version


def wheel_path(rp: ResolvedPilot, slot: SlotRun, task: Task) -> str:
    version = slot_version(rp, slot, task).removeprefix("v")
    return f"{rp.env.artifacts.rstrip('/')}/{task.python_wheel.package}-{version}-py3-none-any.whl"
