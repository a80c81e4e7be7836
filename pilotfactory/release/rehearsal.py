"""A rollback rehearsal, computed before anyone runs it: cutover, then rollback, in memory.

The properties that make a cutover safe are checked on the synthesized stack: the set of
Terraform resource addresses is the same before, between and after (nothing is destroyed or
recreated), and the rollback gives back the stack JSON byte for byte. The operator then gets the
exact commands to run the rehearsal for real.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.pipeline import Checked
from pilotfactory.catalog.deploy_command import deploy_command
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.tfjson.slots import addresses, diff_stack, slot_state
from pilotfactory.diagnostics.codes import Code
from pilotfactory.release.plan import Prepared, plan_switch, prepare, traffic
from pilotfactory.tfjson.stacknames import pilot_stack

__all__ = ["Rehearsal", "rehearse", "judge"]


@dataclass
class Rehearsal:
    pilot: str
    env: str
    cutover: Prepared            # the current file -> cut over
    rollback: Prepared           # the cut-over file -> rolled back
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def stack(self) -> str:
        return pilot_stack(self.pilot, self.env)

    @property
    def ok(self) -> bool:
        return not self.problems

    def script(self) -> list[str]:
        """The rehearsal as numbered steps, with the exact commands."""
        stack, pilot, env = self.stack, self.pilot, self.env
        start = json.loads(self.cutover.before_stacks[stack])
        middle = json.loads(self.cutover.after_stacks[stack])
        target = self.cutover.plan.slot
        on_demand = sorted(job["name"] for job in middle.get("resource", {}).get("databricks_job", {}).values()
                           if job.get("tags", {}).get("slot") == target)
        steps = [
            (f"Cut over: pilotfactory cutover {pilot} --env {env}",
             _indent(diff_stack(stack, start, middle).lines(), "expected change in the stack:")),
            (f"Deploy: {deploy_command(stack)}", []),
            (f"Verify the cutover in {env}:",
             [f"npx cdktf diff {stack} reports no changes", *slot_state(middle).lines(),
              *(f"run job {job} once (Run now) and check that the run succeeds" for job in on_demand)]),
            (f"Roll back: pilotfactory rollback {pilot} --env {env}",
             _indent(diff_stack(stack, middle, start).lines(), "expected change in the stack:")),
            (f"Deploy: {deploy_command(stack)}", []),
            (f"Verify the rollback in {env}:",
             [f"npx cdktf diff {stack} reports no changes", *slot_state(start).lines()]),
            (f"Record the outcome: pilotfactory rehearse {pilot} --env {env} --record pass "
             "(or --record fail)", []),
        ]
        out = []
        for n, (head, details) in enumerate(steps, 1):
            out.append(f"{n}. {head}")
            out += [f"     {line}" if line.startswith("- ") or line.endswith(":") else f"     - {line}"
                    for line in details]
        return out


def _indent(lines: list[str], title: str) -> list[str]:
    return [title, *(f"- {line}" for line in lines)]


def rehearse(root: Path, checked: Checked, typed: TypedPilot, env: str, diags: Diagnostics,
             engine: str = "cdktf") -> Rehearsal | None:
    """Cutover then rollback of `env` in memory; None (refusals in `diags`) if either is refused."""
    state = traffic(typed, env)
    if state.canary is not None:
        # The rollback of a promoted canary returns to the active slot alone, not to the canary.
        path = ("release", "canary", env)
        diags.error(Code.REHEARSAL_FAILED, f"{env} runs a canary ({state.words()}): a cutover and its "
                    "rollback would not restore it. Rehearse in an environment without a canary",
                    typed.source.where(path, key=True), path)
        return None
    cut = plan_switch(checked, typed, env, "cutover", diags)
    first = prepare(root, checked, cut, diags, engine=engine, envs=[env]) if cut else None
    if first is None:
        return None
    moved = next(t for t in first.after.resolution.pilots if t.pilot.name == typed.pilot.name)
    back = plan_switch(first.after, moved, env, "rollback", diags)
    second = prepare(root, first.after, back, diags, engine=engine, text=first.after_text,
                     envs=[env]) if back else None
    if second is None:
        return None
    result = Rehearsal(typed.pilot.name, env, first, second)
    stack = result.stack
    result.checks, result.problems = judge(
        stack, typed.file, (first.before_stacks[stack], first.after_stacks[stack], second.after_stacks[stack]),
        (first.before_text, second.after_text))
    return result


def judge(stack: str, file: str, states: tuple[str, str, str],
          texts: tuple[str, str]) -> tuple[list[str], list[str]]:
    """(checks that hold, problems) for the stack JSON before, after the cutover and after the
    rollback, and the pilot file before and after the rollback: each claim is made only when compared."""
    checks: list[str] = []
    problems: list[str] = []
    before, _, back = states
    sets = [addresses(json.loads(data)) for data in states]
    for when, found in (("after the cutover", sets[1]), ("after the rollback", sets[2])):
        if found != sets[0]:
            created, destroyed = sorted(found - sets[0]), sorted(sets[0] - found)
            problems.append(f"{stack} {when} would create {', '.join(created) or 'nothing'} "
                            f"and destroy {', '.join(destroyed) or 'nothing'}")
    if not problems:
        checks.append(f"the cutover and the rollback keep all {len(sets[0])} resource addresses "
                      f"of {stack}: nothing is created or destroyed")
    if back == before:
        checks.append(f"the rollback restores the stack JSON of {stack} byte for byte")
    else:
        paths = diff_stack(stack, json.loads(before), json.loads(back))
        problems.append(f"the rollback does not restore {stack}: " + "; ".join(paths.lines()))
    if texts[1] == texts[0]:
        checks.append(f"the rollback restores {file} byte for byte")
    else:
        problems.append(f"the rollback does not restore {file} byte for byte")
    return checks, problems
