"""Live job settings and permissions against the synthesized ones, judged by the review step.

The workspace is the `head` of a review whose `base` is the synthesized stacks: a hand edit that
grants a group more reads as broadening, a job moved to another cluster policy or a task pointed
at a file outside the pilot's folder as a weakened control, a removed schedule as any other
change, in the words of `pilotfactory review`. References (`${databricks_cluster_policy.x.id}`)
are resolved to what they are live first (live/references.py); one that cannot be is reported as
not compared. Only what the stacks set is compared (plus the settings people edit by hand that
the stacks leave unset), so API defaults never read as drift.
"""
from __future__ import annotations

from typing import Any, Mapping

from pilotfactory.review import Review, build_review
from pilotfactory.review.changes import ResourceChange
from pilotfactory.review.diff import resource_change, stack_labels, stack_ref
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.controls import control_changes
from pilotfactory.live.expected import Expected, ExpectedJob
from pilotfactory.tfjson.references import is_reference
from pilotfactory.live.references import References
from pilotfactory.live.verify import live_jobs

__all__ = ["drift"]

# Job settings edited in the UI that a stack may leave unset: set live, they are drift all the same.
_HAND_EDITED = ("schedule", "trigger", "continuous", "email_notifications", "webhook_notifications",
                "notification_settings", "health", "tags", "timeout_seconds", "max_concurrent_runs", "run_as")
_EMPTY = (None, {}, [], "", 0, False)
# Maps people add keys to by hand: compared whole, not cut to the keys the stack sets.
_WHOLE = frozenset({"tags", "custom_tags", "spark_conf", "spark_env_vars", "base_parameters",
                    "email_notifications", "webhook_notifications"})


def _project(synth: Any, live: Any, top: bool = False) -> tuple[Any, Any]:
    """(synth, live) cut to what the stack manages; Terraform-only tokens dropped on both sides."""
    if isinstance(synth, Mapping):
        live_map = live if isinstance(live, Mapping) else {}
        out_s, out_l = {}, {}
        keys = [k for k in synth if k != "//" and k != "depends_on" and k != "lifecycle"]
        if top:
            keys += [k for k in _HAND_EDITED if k not in synth and live_map.get(k) not in _EMPTY]
        for key in keys:
            if key in _WHOLE:
                out_s[key] = synth.get(key)
                if _clean(live_map.get(key)) not in _EMPTY:
                    out_l[key] = _clean(live_map.get(key))
                continue
            s, l_ = _project(synth.get(key), live_map.get(key))
            if s is _DROP:
                continue
            out_s[key] = s
            if l_ not in _EMPTY:
                out_l[key] = l_
        return out_s, out_l
    if isinstance(synth, list):
        live_list = live if isinstance(live, list) else []
        key = _element_key(synth)
        if key is not None:
            # Tasks and clusters pair by their key: the API may list them in another order.
            by_key = {x.get(key): x for x in live_list if isinstance(x, Mapping)}
            wanted = {x.get(key) for x in synth}
            live_list = [by_key.get(x.get(key)) for x in synth] + [x for k, x in by_key.items() if k not in wanted]
        pairs = [_project(s, live_list[i] if i < len(live_list) else None) for i, s in enumerate(synth)]
        extra = [_clean(x) for x in live_list[len(synth):]]
        return [s for s, _ in pairs if s is not _DROP], [l_ for s, l_ in pairs if s is not _DROP] + extra
    if is_reference(synth):
        return _DROP, _DROP
    return synth, _clean(live)


def _element_key(items: list) -> str | None:
    for key in ("task_key", "job_cluster_key"):
        if items and all(isinstance(x, Mapping) and key in x for x in items):
            return key
    return None


# The Jobs API names repeated blocks in the plural, Terraform in the singular.
_TERRAFORM_NAMES = {"tasks": "task", "job_clusters": "job_cluster", "libraries": "library",
                    "environments": "environment"}


_GIT_NAMES = {"git_url": "url", "git_provider": "provider", "git_tag": "tag", "git_branch": "branch",
              "git_commit": "commit"}


def _terraform_shape(value: Any, names: Mapping[str, str] = _TERRAFORM_NAMES) -> Any:
    if isinstance(value, Mapping):
        return {names.get(k, k): _terraform_shape(v, _GIT_NAMES if k == "git_source" else _TERRAFORM_NAMES)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_terraform_shape(v) for v in value]
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in _EMPTY}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


_DROP = object()


def _live_acl(permissions: Any) -> list[dict[str, str]]:
    """The directly granted entries of a job's ACL, in Terraform's shape; inherited ones are the workspace's."""
    out = []
    for entry in permissions.access_control_list or []:
        principal = {k: v for k, v in (("group_name", entry.group_name), ("user_name", entry.user_name),
                                       ("service_principal_name", entry.service_principal_name)) if v}
        for perm in entry.all_permissions or []:
            if not perm.inherited and perm.permission_level is not None:
                out.append({**principal, "permission_level": perm.permission_level.value})
    return out


def _acl_key(entry: Mapping[str, Any]) -> tuple:
    return tuple(sorted(entry.items()))


def _job_changes(ws: Workspace, job: ExpectedJob, live: Any, labels: Mapping, envs: Mapping[str, bool],
                 refs: References, resources: Mapping[str, Any], missing: list[str]) -> list[ResourceChange]:
    stack = stack_ref(job.stack, envs)
    words = labels.get(("databricks_job", job.resource), f"job `{job.name}`")
    full = ws.call(f"jobs get {live.job_id} (`{job.name}`)", ws.client.jobs.get, live.job_id)
    settings = refs.shown_live(_terraform_shape(full.settings.as_dict()) if full.settings else {})
    wanted, unresolved = refs.resolve(dict(job.settings), resources)
    missing += [f"job `{job.name}`: `{u.path}` is {u.token}, which cannot be resolved ({u.why}): not compared"
                for u in unresolved]
    synth, seen = _project(wanted, settings, top=True)
    out = []
    change = resource_change(stack, "databricks_job", job.resource, synth, seen, words)
    if change is not None:
        out.append(change)
    if job.permissions is not None:
        acl = ws.call(f"permissions of job {live.job_id} (`{job.name}`)", ws.client.jobs.get_permissions,
                      str(live.job_id))
        perm_name = job.permissions_resource
        want = {"access_control": sorted(job.permissions.get("access_control") or [], key=_acl_key)}
        have = {"access_control": sorted(_live_acl(acl), key=_acl_key)}
        change = resource_change(stack, "databricks_permissions", perm_name, want, have,
                                 labels.get(("databricks_permissions", perm_name), f"permissions on {words}"))
        if change is not None:
            out.append(change)
    return out


def drift(ws: Workspace, expected: Expected, stacks: Mapping[str, Mapping[str, Any]],
          envs: Mapping[str, bool]) -> tuple[Review, list[str]]:
    """(review of every job, quality monitor and artifact allowlist that differs from its synthesis,
    what could not be compared)."""
    jobs = live_jobs(ws)
    refs = References(ws)
    labels = {name: stack_labels(stack, name) for name, stack in stacks.items()}
    changes: list[ResourceChange] = []
    missing: list[str] = []
    for job in expected.jobs:
        found = jobs.get(job.name, [])
        if len(found) != 1:
            missing.append(f"job `{job.name}`: " + ("not in the workspace" if not found
                                                    else f"{len(found)} jobs have this name"))
            continue
        try:
            changes += _job_changes(ws, job, found[0], labels[job.stack], envs, refs,
                                    stacks[job.stack].get("resource", {}), missing)
        except LiveError as err:
            if err.fatal:
                raise
            missing.append(f"job `{job.name}`: {err}")
    changes += control_changes(ws, stacks, envs, labels, missing)
    return build_review("synthesized", "workspace", changes, rates={}), missing
