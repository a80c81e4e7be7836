"""What a release-slot change does to a synthesized stack, in the words a reviewer uses.

Works on the Terraform JSON of one stack before and after (`cdk.tf.json` as a dict), so it knows
nothing of cdktf and can compare any two syntheses: which job schedules pause or unpause, which
code versions jobs run, how serving traffic and served model versions move, where the model
aliases point, and which resources are created, destroyed or changed in other ways.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterator

from pilotfactory.tfjson.references import is_reference, resolve_literal

__all__ = ["SlotState", "StackChange", "addresses", "slot_state", "diff_stack", "pause_status", "routes",
           "served_entities", "model_aliases"]

# Attribute paths a slot switch or release is expected to change, per resource type.
_SLOT_PATHS = {
    "databricks_job": re.compile(r"^(schedule\.pause_status|git_source\.tag|task\[\d+\]\.library.*)$"),
    "databricks_model_serving": re.compile(r"^config\.(traffic_config|served_entities)\b.*$"),
    "databricks_registered_model": re.compile(r"^aliases\b.*$"),
}
# Champion first: the alias that serves is the one a reviewer looks for.
_ALIAS_ORDER = {"champion": 0, "challenger": 1}


def addresses(stack: dict) -> set[str]:
    """Every Terraform resource address of the stack: `resource.<type>.<name>`."""
    return {f"resource.{type_}.{name}"
            for type_, items in stack.get("resource", {}).items() for name in items}


@dataclass(frozen=True)
class SlotState:
    """What runs and serves in one stack: the facts a cutover moves."""

    schedules: dict[str, str]                  # job name -> PAUSED / UNPAUSED
    code: dict[str, str]                       # job name -> git tag or wheel files it runs
    traffic: dict[str, dict[str, int]]         # endpoint -> served entity -> percent
    served: dict[str, dict[str, str]]          # endpoint -> served entity -> model version
    aliases: dict[str, dict[str, int]]         # model -> alias -> version

    def lines(self) -> list[str]:
        """The state as checks an operator can make in the workspace."""
        out = [f"job {job}: schedule {status}" for job, status in sorted(self.schedules.items())]
        for endpoint, routes in sorted(self.traffic.items()):
            served = self.served.get(endpoint, {})
            shares = ", ".join(f"{entity} {pct}% (model version {served.get(entity, '?')})"
                               for entity, pct in sorted(routes.items()))
            out.append(f"endpoint {endpoint}: traffic {shares}")
        for model, aliases in sorted(self.aliases.items()):
            pointing = ", ".join(f"{alias} -> version {aliases[alias]}" for alias in _aliases(aliases))
            out.append(f"model {model}: {pointing}")
        return out


# --- the slot facts of one resource's values: every reader of stack JSON asks these ---

def pause_status(job: dict) -> str | None:
    """A databricks_job's schedule: PAUSED or UNPAUSED (the provider's default); None: no schedule."""
    schedule = job.get("schedule")
    return schedule.get("pause_status", "UNPAUSED") if schedule else None


def routes(endpoint: dict) -> dict[str, Any]:
    """A databricks_model_serving's traffic: served entity -> percent, in route order."""
    config = endpoint.get("config") or {}
    return {r["served_entity_name"]: r["traffic_percentage"]
            for r in (config.get("traffic_config") or {}).get("routes") or []}


def served_entities(endpoint: dict) -> dict[str, dict]:
    """A databricks_model_serving's served entities by name, in declaration order."""
    return {e["name"]: e for e in (endpoint.get("config") or {}).get("served_entities") or []}


def model_aliases(model: dict) -> dict[str, Any]:
    """A databricks_registered_model's aliases: alias -> version."""
    return {a["alias_name"]: a["version_num"] for a in model.get("aliases") or []}


def _resources(stack: dict, type_: str) -> dict[str, dict]:
    return stack.get("resource", {}).get(type_, {})


def _model_name(stack: dict, model: dict) -> str:
    schema = model.get("schema_name", "")
    # the schema is a reference to the stack's own schema resource: show its name
    schema = resolve_literal(schema, stack.get("resource", {}))
    return ".".join(str(p) for p in (model.get("catalog_name"), schema, model.get("name")) if p)


def _job_code(job: dict) -> str:
    parts = []
    if job.get("git_source", {}).get("tag"):
        parts.append(f"git tag {job['git_source']['tag']}")
    wheels = sorted({PurePosixPath(lib["whl"]).name for task in job.get("task", [])
                     for lib in task.get("library", []) if "whl" in lib})
    if wheels:
        parts.append(f"wheel{'s' * (len(wheels) > 1)} {', '.join(wheels)}")
    return "; ".join(parts)


def slot_state(stack: dict) -> SlotState:
    schedules, code, traffic, served, aliases = {}, {}, {}, {}, {}
    for job in _resources(stack, "databricks_job").values():
        name = job.get("name", "?")
        if pause_status(job) is not None:
            schedules[name] = pause_status(job)
        if _job_code(job):
            code[name] = _job_code(job)
    for endpoint in _resources(stack, "databricks_model_serving").values():
        name = endpoint.get("name", "?")
        traffic[name] = routes(endpoint)
        served[name] = {n: str(e.get("entity_version")) for n, e in served_entities(endpoint).items()}
    for model in _resources(stack, "databricks_registered_model").values():
        aliases[_model_name(stack, model)] = model_aliases(model)
    return SlotState(schedules, code, traffic, served, aliases)


def _leaf_diffs(a: Any, b: Any, path: str = "") -> Iterator[str]:
    """Attribute paths (`task[1].library[0].whl`) whose values differ; `//` metadata is ignored."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key != "//":
                yield from _leaf_diffs(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _leaf_diffs(x, y, f"{path}[{i}]")
    elif a != b:
        yield path


def _label(stack: dict, address: str) -> str:
    _, type_, name = address.split(".", 2)
    shown = _resources(stack, type_).get(name, {}).get("name")
    return f"{type_} `{shown}`" if isinstance(shown, str) and not is_reference(shown) else address


def _aliases(names) -> list[str]:
    return sorted(names, key=lambda a: (_ALIAS_ORDER.get(a, len(_ALIAS_ORDER)), a))


def _moved(before: dict[str, Any], after: dict[str, Any], fmt=str, order=sorted) -> list[str]:
    """`key old -> new` for every key whose value differs; `none` where a side lacks it."""
    show = lambda v: "none" if v is None else fmt(v)  # noqa: E731
    return [f"{key} {show(before.get(key))} -> {show(after.get(key))}"
            for key in order(set(before) | set(after)) if before.get(key) != after.get(key)]


@dataclass
class StackChange:
    """The difference between two syntheses of one stack."""

    stack: str
    created: list[str] = field(default_factory=list)      # addresses
    destroyed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)      # changed in place
    facts: list[str] = field(default_factory=list)        # slot facts that moved, in words
    other: list[str] = field(default_factory=list)        # `address: attribute` a slot switch does not explain

    @property
    def changed(self) -> bool:
        return bool(self.created or self.destroyed or self.updated)

    @property
    def in_place(self) -> bool:
        """Nothing is created or destroyed: every change is an update of an existing resource."""
        return not (self.created or self.destroyed)

    def lines(self) -> list[str]:
        out = list(self.facts)
        out += [f"creates {a}" for a in self.created]
        out += [f"destroys {a}" for a in self.destroyed]
        out += [f"also changes {o}" for o in self.other]
        if not self.changed:
            return ["no change"]
        summary = f"{len(self.updated)} resource{'s' * (len(self.updated) != 1)} updated in place"
        if self.in_place:
            summary += "; nothing created or destroyed"
        return out + [summary]


def diff_stack(name: str, before: dict, after: dict) -> StackChange:
    """How `after` differs from `before`, slot facts first, in plain words."""
    change = StackChange(name)
    old, new = addresses(before), addresses(after)
    change.created = [f"{a} ({_label(after, a)})" for a in sorted(new - old)]
    change.destroyed = [f"{a} ({_label(before, a)})" for a in sorted(old - new)]
    for address in sorted(old & new):
        _, type_, res = address.split(".", 2)
        paths = list(_leaf_diffs(_resources(before, type_)[res], _resources(after, type_)[res]))
        if paths:
            change.updated.append(address)
        expected = _SLOT_PATHS.get(type_)
        change.other += [f"{address}: {p}" for p in paths if not (expected and expected.match(p))]

    a, b = slot_state(before), slot_state(after)
    for job in sorted(set(a.schedules) & set(b.schedules)):
        was, now = a.schedules[job], b.schedules[job]
        if was != now:
            what = "runs on its schedule" if now == "UNPAUSED" else "runs only on demand"
            change.facts.append(f"job {job}: schedule {was} -> {now} ({what})")
    for job in sorted(set(a.code) & set(b.code)):
        if a.code[job] != b.code[job]:
            change.facts.append(f"job {job}: code {a.code[job]} -> {b.code[job]}")
    for endpoint in sorted(set(a.traffic) & set(b.traffic)):
        moved = _moved(a.traffic[endpoint], b.traffic[endpoint], lambda p: f"{p}%")
        if moved:
            change.facts.append(f"endpoint {endpoint}: traffic {', '.join(moved)}")
        served = _moved(a.served[endpoint], b.served[endpoint])
        if served:
            change.facts.append(f"endpoint {endpoint}: served model version {', '.join(served)}")
    for model in sorted(set(a.aliases) & set(b.aliases)):
        moved = _moved(a.aliases[model], b.aliases[model], order=_aliases)
        if moved:
            change.facts.append(f"model {model}: alias {', '.join(moved)}")
    return change
