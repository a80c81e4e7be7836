"""A Terraform plan (`terraform show -json <planfile>`) as ResourceChanges.

Sensitive values are shown as Terraform shows them, "(sensitive value)", and values computed at
apply as "(known after apply)"; whether a value changed is still judged on the real values.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.review.changes import ResourceChange, StackRef
from pilotfactory.review.diff import resource_change
from pilotfactory.review.labels import label

__all__ = ["ReviewInputError", "load_plan", "plan_changes", "plan_stacks"]

_ACTIONS = {("create",): "create", ("update",): "update", ("delete",): "delete",
            ("delete", "create"): "replace", ("create", "delete"): "replace"}


class ReviewInputError(PilotFactoryError):
    """A plan or git ref the review cannot read; the message names the file or ref."""


def load_plan(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReviewInputError(f"{path}: cannot read the plan ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise ReviewInputError(f"{path}: not JSON ({exc}); pass the output of "
                               "`terraform show -json <planfile>`, not the binary plan file") from exc
    if not isinstance(data, dict) or "format_version" not in data:
        raise ReviewInputError(f"{path}: not a Terraform JSON plan (no `format_version`); pass the "
                               "output of `terraform show -json <planfile>`")
    if not isinstance(data.get("resource_changes", []), list):
        raise ReviewInputError(f"{path}: `resource_changes` is not a list")
    return data


def _top_paths(paths: Any) -> set[str]:
    return {p[0] for p in paths or [] if isinstance(p, list) and p and isinstance(p[0], str)}


def plan_changes(plan: dict, stack: StackRef, source: str = "plan") -> list[ResourceChange]:
    """Managed resources the plan creates, updates, deletes or replaces; no-ops and reads are skipped."""
    out = []
    for i, rc in enumerate(plan.get("resource_changes") or []):
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change") or {}
        actions = tuple(change.get("actions") or ())
        action = _ACTIONS.get(actions)
        if action is None:
            if actions and set(actions) - {"no-op", "read", "forget"}:
                raise ReviewInputError(f"{source}: resource_changes[{i}] has unknown actions {list(actions)}")
            continue
        rtype, name = rc.get("type"), rc.get("name")
        if not isinstance(rtype, str) or not isinstance(name, str):
            raise ReviewInputError(f"{source}: resource_changes[{i}] has no `type` and `name`")
        address = rc.get("address") or f"{rtype}.{name}"
        before = change.get("before") if action != "create" else None
        after = change.get("after") if action != "delete" else None
        if after is None and action in ("update", "replace"):
            after = {}
        words = label(rtype, name, after or before, stack.name)
        result = resource_change(
            stack, rtype, name, before, after, words,
            before_masks=(change.get("before_sensitive"), None),
            after_masks=(change.get("after_sensitive"), change.get("after_unknown")),
            replace_paths=_top_paths(change.get("replace_paths")) if action == "replace" else set(),
            action=action)
        out.append(replace(result, address=address))
    return out


# Blocks that may repeat stay lists; every other one-element block list is how a plan writes a
# single block, which cdk.tf.json writes as an object.
_REPEATED = frozenset({"task", "library", "served_entities", "routes", "aliases", "grant",
                       "access_control", "tags", "job_cluster", "depends_on", "parameter"})


def _as_synthesized(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _as_synthesized(v, k) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        items = [_as_synthesized(v, key) for v in value]
        if len(items) == 1 and isinstance(items[0], dict) and key not in _REPEATED:
            return items[0]
        return items
    return value


def plan_stacks(plan: dict) -> tuple[dict, dict]:
    """The plan's before and after as two cdk.tf.json-shaped stacks, for slot comparisons."""
    before: dict = {"resource": {}}
    after: dict = {"resource": {}}
    for rc in plan.get("resource_changes") or []:
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change") or {}
        for side, key in ((before, "before"), (after, "after")):
            values = change.get(key)
            if isinstance(values, dict):
                side["resource"].setdefault(rc.get("type"), {})[rc.get("name")] = _as_synthesized(values)
    return before, after
