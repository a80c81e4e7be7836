"""Validate rules on the tasks of each job: unique keys, known dependencies and contracts, no cycle."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule

__all__ = ["find_cycle"]


def _first_index(job) -> dict[str, int]:
    """Task key -> index of the first task with that key."""
    keys: dict[str, int] = {}
    for t, task in enumerate(job.tasks):
        keys.setdefault(task.key, t)
    return keys


@pilot_rule(Code.DUPLICATE_NAME)
def task_keys_are_unique(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """No two tasks of one job share a key."""
    for j, job in enumerate(typed.pilot.jobs):
        seen: set[str] = set()
        for t, task in enumerate(job.tasks):
            path = ("jobs", j, "tasks", t, "key")
            if task.key in seen:
                diags.error(Code.DUPLICATE_NAME, f"job `{job.name}` has two tasks `{task.key}`",
                            typed.source.where(path), path)
            seen.add(task.key)


@pilot_rule(Code.UNKNOWN_CONTRACT)
def contract_checks_name_declared_contracts(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A task's `contract` is one of the pilot's `data_contracts`."""
    contracts = {c.name for c in typed.pilot.data_contracts}
    for j, job in enumerate(typed.pilot.jobs):
        for t, task in enumerate(job.tasks):
            if task.contract is not None and task.contract not in contracts:
                path = ("jobs", j, "tasks", t, "contract")
                diags.error(Code.UNKNOWN_CONTRACT, f"task `{task.key}` checks contract "
                            f"`{task.contract}`, which the pilot does not declare under "
                            f"`data_contracts`{suggest(task.contract, contracts)}",
                            typed.source.where(path), path)


@pilot_rule(Code.UNKNOWN_TASK, Code.TASK_CYCLE)
def depends_on_names_another_task(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Each `depends_on` entry is another task of the same job."""
    for j, job in enumerate(typed.pilot.jobs):
        keys = _first_index(job)
        for t, task in enumerate(job.tasks):
            for d, dep in enumerate(task.depends_on):
                path = ("jobs", j, "tasks", t, "depends_on", d)
                if dep not in keys:
                    diags.error(Code.UNKNOWN_TASK, f"task `{task.key}` depends on `{dep}`, which is "
                                f"not a task of job `{job.name}`{suggest(dep, keys)}",
                                typed.source.where(path), path)
                elif dep == task.key:
                    diags.error(Code.TASK_CYCLE, f"task `{task.key}` depends on itself",
                                typed.source.where(path), path)


@pilot_rule(Code.TASK_CYCLE)
def tasks_depend_on_each_other_without_a_cycle(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """The tasks of a job form no cycle longer than a self-dependency (reported above)."""
    for j, job in enumerate(typed.pilot.jobs):
        keys = _first_index(job)
        cycle = find_cycle({t.key: [d for d in t.depends_on if d in keys] for t in job.tasks})
        if cycle and len(cycle) > 2:
            path = ("jobs", j, "tasks", keys[cycle[0]], "depends_on")
            diags.error(Code.TASK_CYCLE, f"tasks of job `{job.name}` depend on each other in a "
                        f"cycle: {' -> '.join(cycle)}", typed.source.where(path), path)


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of `graph` as a closed path [a, b, ..., a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
