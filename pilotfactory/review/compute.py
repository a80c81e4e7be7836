"""Compute and identity changes that widen what runs: access mode, runtime, run-as.

Judged on the flattened attribute paths, so a job cluster, a task cluster and a cluster policy's
`definition.<attr>.value` read the same way.
"""
from __future__ import annotations

import re
from typing import Any, Collection

from pilotfactory.review.changes import ABSENT, SENSITIVE, UNKNOWN, Finding, ResourceChange

__all__ = ["compute_findings", "ISOLATED_MODES"]

# One identity per cluster: what PFG002 demands. Every other mode shares the cluster or drops Unity Catalog.
ISOLATED_MODES = frozenset({"SINGLE_USER", "DATA_SECURITY_MODE_DEDICATED"})
_MODE_WORDS = {"USER_ISOLATION": "STANDARD (shared)", "DATA_SECURITY_MODE_STANDARD": "STANDARD (shared)",
               "NONE": "NONE (no isolation, no Unity Catalog)", "LEGACY_SINGLE_USER": "legacy single user",
               "LEGACY_TABLE_ACL": "legacy table ACL", "LEGACY_PASSTHROUGH": "legacy passthrough",
               "LEGACY_SINGLE_USER_STANDARD": "legacy single user"}


def _field(path: str) -> str | None:
    """`data_security_mode` for `job_cluster[main].new_cluster.data_security_mode` and for a policy's
    `definition.data_security_mode.value`."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "definition" and parts[-1] == "value":
        return parts[-2]
    if parts[0] == "definition":
        return None
    return parts[-1]


# `task[classify].depends_on[contract_check]`: one dependency of one task (flatten names both by key).
_DEPENDENCY = re.compile(r"task\[([^\]]+)\]\.depends_on\[([^\]]+)\]")


def _has_task(values: Any, key: str) -> bool:
    tasks = values.get("task") if isinstance(values, dict) else None
    tasks = [tasks] if isinstance(tasks, dict) else tasks or []
    return any(isinstance(t, dict) and t.get("task_key") == key for t in tasks)


def _known(value: Any) -> bool:
    return value not in (ABSENT, SENSITIVE, UNKNOWN)


def compute_findings(change: ResourceChange, lts: Collection[str]) -> list[Finding]:
    """`lts`: the runtimes config/standards.yaml allows; empty when unknown (then every runtime change is flagged)."""
    if change.action == "delete" or change.type not in ("databricks_job", "databricks_cluster_policy",
                                                        "databricks_cluster"):
        return []
    out: list[Finding] = []

    def add(rule: str, text: str) -> None:
        out.append(Finding("broadening", change.stack, f"{change.label}: {text}", change.address, rule=rule))

    for a in change.attributes:
        dep = _DEPENDENCY.fullmatch(a.path)
        if change.type == "databricks_job" and dep and a.before is not ABSENT and a.after is ABSENT \
                and change.after is not None:
            task, on = dep.groups()
            if _has_task(change.after, task):
                add("PFR024", f"task `{task}` no longer waits for `{on}`: it runs even when `{on}` "
                    "(a check it relied on) fails or has not run")
    was_sp = next((a.before for a in change.attributes if a.path == "run_as.service_principal_name"), ABSENT)
    for a in change.attributes:
        field = _field(a.path)
        if field == "data_security_mode" and _known(a.after):
            if a.after not in ISOLATED_MODES and (a.before in ISOLATED_MODES or change.before is None
                                                  or a.before is ABSENT):
                add("PFR021", f"access mode {a.before if _known(a.before) else 'unset'} → "
                    f"**{_MODE_WORDS.get(str(a.after), a.after)}** (`{a.path}`)")
        elif field == "spark_version" and _known(a.after) and a.after != a.before:
            if str(a.after) not in lts:
                why = "not a standard LTS runtime" if lts else "not checked against an LTS list"
                add("PFR022", f"runtime {a.before if _known(a.before) else 'unset'} → **{a.after}** ({why}; "
                    f"`{a.path}`)")
        elif change.type == "databricks_job" and a.path == "run_as.user_name" and _known(a.after):
            instead = f" instead of service principal {was_sp}" if _known(was_sp) else ""
            add("PFR023", f"runs as the person **{a.after}**{instead}: with their rights, and it stops "
                "when they leave")
    return out
