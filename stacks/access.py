"""Who gets which permission level on each kind of object, from a group's job level."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pilotfactory.catalog.resolved import ResolvedPilot
from pilotfactory.catalog.emergency_access import EMERGENCY_LEVEL
from pilotfactory.tfjson.objects import object_of_key, rank

__all__ = [
    "VALID_LEVELS", "RUN_AS_LEVEL", "FROM_JOB_LEVEL", "MODEL_PRIVILEGES", "EMERGENCY_LEVEL", "Principal", "AccessEntry",
    "PROTECTED_FOLDER_LEVEL", "level_for", "merged", "pilot_access", "folder_access", "model_privileges",
]

# Levels Databricks accepts on each object type we grant on; anything else fails at apply, so we refuse it at synth.
VALID_LEVELS: dict[str, frozenset[str]] = {
    key: frozenset(object_of_key(key).levels)
    for key in ("job", "cluster_policy", "experiment", "serving_endpoint", "directory")}

# The run-as service principal owns the jobs and manages everything else it runs.
RUN_AS_LEVEL: dict[str, str] = {
    "job": "IS_OWNER",
    "cluster_policy": "CAN_USE",
    "experiment": "CAN_MANAGE",
    "serving_endpoint": "CAN_MANAGE",
    "directory": "CAN_MANAGE",
}

# A group's or person's job level (environments.yaml `access`) carried over to the other objects; None: no entry.
FROM_JOB_LEVEL: dict[str, dict[str, str | None]] = {
    "CAN_MANAGE":     {"job": "CAN_MANAGE", "cluster_policy": "CAN_USE", "experiment": "CAN_MANAGE",
                       "serving_endpoint": "CAN_MANAGE", "directory": "CAN_MANAGE"},
    "CAN_MANAGE_RUN": {"job": "CAN_MANAGE_RUN", "cluster_policy": None, "experiment": "CAN_READ",
                       "serving_endpoint": "CAN_QUERY", "directory": "CAN_READ"},
    "CAN_VIEW":       {"job": "CAN_VIEW", "cluster_policy": None, "experiment": "CAN_READ",
                       "serving_endpoint": "CAN_VIEW", "directory": "CAN_READ"},
}

# Unity Catalog privileges on the registered model, by job level; the run-as principal gets ALL_PRIVILEGES.
MODEL_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "CAN_MANAGE": ("APPLY_TAG", "EXECUTE"),
    "CAN_MANAGE_RUN": ("EXECUTE",),
    "CAN_VIEW": ("EXECUTE",),
}


def level_for(job_level: str, object_type: str) -> str | None:
    """The level a principal with `job_level` on jobs gets on `object_type`, or None for none."""
    level = FROM_JOB_LEVEL[job_level][object_type]
    if level is not None and level not in VALID_LEVELS[object_type]:
        raise AssertionError(f"{level} is not a valid level on {object_type}")
    return level


@dataclass(frozen=True, kw_only=True)
class Principal:
    kind: Literal["user", "group", "service_principal"]
    name: str  # email, group display name, or application id


@dataclass(frozen=True, kw_only=True)
class AccessEntry:
    principal: Principal
    level: str


def merged(entries: list[AccessEntry], object_type: str) -> tuple[AccessEntry, ...]:
    """One entry per principal, at the highest level any of its roles gives, in first-seen order.

    The permissions API keeps one level per principal, so two entries for one group never converge
    (terraform-provider-databricks#1750; tests/deploy/test_access_lists.py)."""
    kind = object_of_key(object_type)
    best: dict[Principal, AccessEntry] = {}
    for entry in entries:
        held = best.get(entry.principal)
        if held is None or rank(entry.level, kind) > rank(held.level, kind):
            best[entry.principal] = entry
    return tuple(best.values())


def pilot_access(rp: ResolvedPilot, object_type: str, *, emergency: bool = True) -> tuple[AccessEntry, ...]:
    """Entries on one pilot object: run-as principal first, then builders, approvers, on-call.
    `emergency=False`: an object the emergency rollback never touches (a housekeeping job)."""
    access = rp.env.job_access
    owners = rp.pilot.owners
    entries = [AccessEntry(principal=Principal(kind="service_principal", name=rp.env.run_as.application_id),
                           level=RUN_AS_LEVEL[object_type])]
    groups = [("builders", owners.builders, access.builders), ("approvers", owners.approvers, access.approvers)]
    # On-call acts through its rota's group; `on_call` is a paging address no workspace knows.
    if owners.on_call_group is not None:
        groups.append(("on_call", owners.on_call_group, access.on_call))
    for role, group, job_level in groups:
        level = level_for(job_level, object_type)
        if role == "on_call" and rp.blue_green and emergency:
            # The runbook's emergency rollback runs as on-call: exactly what it needs (pilotfactory.catalog.emergency_access).
            level = EMERGENCY_LEVEL.get(object_type, level)
        if level is not None:
            entries.append(AccessEntry(principal=Principal(kind="group", name=group), level=level))
    return merged(entries, object_type)


# In a protected environment nobody but the run-as principal and the platform admins may change
# what lies in the pilot folder: its files run as the service principal.
PROTECTED_FOLDER_LEVEL = "CAN_READ"


def folder_access(rp: ResolvedPilot) -> tuple[AccessEntry, ...]:
    """Entries on the pilot folder: run-as principal and platform admins manage, the rest per job level."""
    admins = AccessEntry(principal=Principal(kind="group", name=rp.platform_admins), level="CAN_MANAGE")
    run_as, *others = pilot_access(rp, "directory")
    if rp.env.protected:
        others = [AccessEntry(principal=e.principal, level=PROTECTED_FOLDER_LEVEL) for e in others]
    return merged([run_as, admins, *others], "directory")


def model_privileges(rp: ResolvedPilot) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(principal, privileges) on the pilot's registered model; the run-as principal holds everything."""
    access = rp.env.job_access
    owners = rp.pilot.owners
    return (
        (rp.env.run_as.application_id, ("ALL_PRIVILEGES",)),
        (owners.builders, MODEL_PRIVILEGES[access.builders]),
        (owners.approvers, MODEL_PRIVILEGES[access.approvers]),
    )
