"""A job's controls as a risk class: the cluster policy it runs under, and where its code comes from.

A job moved to another policy (or to none) runs outside the limits its own policy set; a task whose
notebook or Python file lies outside the pilot's folder, or in another repository, runs code nobody
reviewed with the pilot. Judged on values, so a catalog review, a plan and drift read the same.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from pilotfactory.review.changes import ABSENT, UNKNOWN, Finding, ResourceChange
from pilotfactory.review.task_libraries import library_findings
from pilotfactory.tfjson.references import reference
from pilotfactory.tfjson.workspace_paths import inside, pilot_folder_of

__all__ = ["job_control_findings", "code_origin"]

# Task kinds that run a file, (block path, path key), and what an empty `source` means for each:
# provider v1.99.0 docs/resources/job.md:214 (notebook: GIT when the job has git_source, else
# WORKSPACE), :264 (python file: WORKSPACE when unset), :292-293 (SQL file, as the notebook).
_CODE = ((("notebook_task",), "notebook_path", True), (("spark_python_task",), "python_file", False),
         (("sql_task", "file"), "path", True))

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # s3:/, abfss:/, gs:/, dbfs:/ (docs/resources/job.md:263)


def _block(value: Any) -> Mapping[str, Any]:
    """A nested block written as an object (cdktf, the API) or a one-element list (plans)."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, Mapping) else {}


def _tasks(values: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    tasks = (values or {}).get("task")
    tasks = [tasks] if isinstance(tasks, Mapping) else tasks if isinstance(tasks, list) else []
    return {str(t.get("task_key")): t for t in tasks if isinstance(t, Mapping)}


def code_origin(task: Mapping[str, Any], job: Mapping[str, Any] | None, folder: str | None) -> tuple[str, bool] | None:
    """(where the task's code is, whether that is the pilot's own); None for a task that runs no file."""
    has_git = bool(_block((job or {}).get("git_source")).get("url"))
    for blocks, key, git_by_default in _CODE:
        block = _block(task.get(blocks[0]))
        for inner in blocks[1:]:
            block = _block(block.get(inner))
        path = block.get(key)
        if path is None:
            continue
        if reference(path) is not None:
            return f"{path} (an object of this stack)", True
        if not isinstance(path, str) or path == UNKNOWN:
            return f"{path} (not known before apply)", False
        source = block.get("source") or ("GIT" if git_by_default and has_git else "WORKSPACE")
        if source == "GIT":
            # relative paths in the job's own repository; that repository is judged on its own
            return f"`{path}` in the job's repository", has_git and not path.startswith("/") and ".." not in path.split("/")
        if _URI.match(path):
            return f"`{path}` (cloud storage)", False
        return f"`{path}` in the workspace", folder is not None and inside(path, folder)
    return None


def _shown(value: Any) -> str:
    return "none" if value is ABSENT else str(value)


def _policies(change: ResourceChange) -> list[Finding]:
    out = []
    for a in change.attributes:
        if a.path.split(".")[-1] != "policy_id" or a.before is ABSENT:
            continue
        after = "**none**: nothing limits the cluster" if a.after is ABSENT else f"**{_shown(a.after)}**"
        out.append(Finding("broadening", change.stack, f"{change.label}: cluster policy {_shown(a.before)} → "
                           f"{after} (`{a.path}`)", change.address,
                           "the policy is the control on what the cluster may be; another one sets other limits",
                           rule="PFR025"))
    return out


def _code(change: ResourceChange) -> list[Finding]:
    stack = change.stack
    folder = pilot_folder_of(stack.pilot, stack.env) if stack.env else None
    before, after = change.before or {}, change.after or {}
    out = []
    was_tasks = _tasks(change.before)
    for key, task in _tasks(change.after).items():
        now = code_origin(task, after, folder)
        if now is None or now[1]:
            continue
        was = code_origin(was_tasks[key], before, folder) if key in was_tasks else None
        if was is not None and was[0] == now[0]:
            continue
        home = f"outside the pilot's folder `{folder}`" if folder else "outside any pilot's folder"
        out.append(Finding("broadening", stack, f"{change.label}: task `{key}` runs {now[0]}, {home}"
                           + (f" (was {was[0]})" if was else ""), change.address,
                           "code from elsewhere was not reviewed with the pilot, and can change without it",
                           rule="PFR026"))
    url_b = _block(before.get("git_source")).get("url")
    url_a = _block(after.get("git_source")).get("url")
    if change.before is not None and url_b and url_a != url_b:
        out.append(Finding("broadening", stack, f"{change.label}: code repository {url_b} → **{url_a or 'none'}**",
                           change.address, "the job's git tasks now run another repository's code",
                           rule="PFR026"))
    return out


def job_control_findings(change: ResourceChange, places: Iterable[str] = ()) -> list[Finding]:
    """Policy swaps on a job or cluster; task code or libraries from outside the pilot's folder or
    repository (`places`: the environment's vetted library locations)."""
    if change.action == "delete" or change.type not in ("databricks_job", "databricks_cluster"):
        return []
    out = _policies(change) if change.before is not None else []
    if change.type == "databricks_job":
        out += _code(change) + library_findings(change, places)
    return out
