"""Releases in plain words: which slot goes live, and every slot fact that moves (pilotfactory.tfjson.slots)."""
from __future__ import annotations

from typing import Mapping

from pilotfactory.tfjson.slots import SlotState, diff_stack, slot_state
from pilotfactory.review.changes import Finding, StackRef

__all__ = ["release_findings", "cutover_sentence", "change_record_findings"]


def _live(stack: Mapping, state: SlotState) -> tuple[set[str], dict[str, str]]:
    """Slots whose scheduled jobs run, and the code each slot runs (jobs carry a `slot` tag)."""
    live: set[str] = set()
    code: dict[str, str] = {}
    for job in (stack.get("resource", {}).get("databricks_job") or {}).values():
        slot = (job.get("tags") or {}).get("slot") if isinstance(job, Mapping) else None
        if not slot:
            continue
        if state.schedules.get(job.get("name")) == "UNPAUSED":
            live.add(slot)
        if job.get("name") in state.code:
            code.setdefault(slot, state.code[job["name"]])
    return _active(live, state), code


def _active(live: set[str], state: SlotState) -> set[str]:
    """Of the running slots, the active one: a canary runs too, but takes the smaller share of traffic."""
    if len(live) <= 1:
        return live
    shares: dict[str, int] = {}
    for routes in state.traffic.values():
        for slot, pct in routes.items():
            shares[slot] = shares.get(slot, 0) + pct
    first, second, *_ = sorted(live, key=lambda s: -shares.get(s, 0))
    return {first} if shares.get(first, 0) > shares.get(second, 0) else live


def cutover_sentence(base: Mapping, head: Mapping) -> str | None:
    """`switches from blue (git tag v1.4.0) to green (git tag v1.5.0); canary 10% on blue`, or None."""
    sb, sh = slot_state(dict(base)), slot_state(dict(head))
    (live_b, code_b), (live_h, code_h) = _live(base, sb), _live(head, sh)
    if len(live_b) != 1 or len(live_h) != 1 or live_b == live_h:
        return None
    [was], [now] = live_b, live_h
    shown = lambda slot, code: f"{slot} ({code[slot]})" if slot in code else slot  # noqa: E731
    sentence = f"switches from {shown(was, code_b)} to {shown(now, code_h)}"
    canary = [f"{pct}% on {entity}" for routes in sh.traffic.values()
              for entity, pct in sorted(routes.items()) if entity != now and pct]
    return sentence + (f"; canary {', '.join(canary)}" if canary else "")


def release_findings(stack: StackRef, base: Mapping | None, head: Mapping | None) -> list[Finding]:
    """The cutover first, then one finding per slot fact that moved (schedules, code, traffic, aliases).

    A stack created or removed has no release to describe: its resources say it all.
    """
    if base is None or head is None:
        return []
    out = []
    sentence = cutover_sentence(base, head)
    if sentence:
        out.append(Finding("release", stack, f"{stack.pilot} {sentence}"))
    change = diff_stack(stack.name, dict(base), dict(head))
    return out + [Finding("release", stack, fact) for fact in change.facts]


def _record_words(record) -> str:
    ref = f"`{record.ref}`" if record.ref else "no reference yet (emergency)"
    return (f"change {ref}: {record.action.replace('_', ' ')} on {record.date.isoformat()}"
            + (", outside the change windows" if record.outside_window else ""))


def change_record_findings(stack: StackRef, base_record, head_record, source: str | None = None) -> list[Finding]:
    """For a stack whose release facts move: the change it is made under. In a protected environment a
    move under no new change record is flagged: a hand edit of `release` would bypass the ticket."""
    if head_record is not None and head_record != base_record:
        return [Finding("release", stack, f"{stack.pilot} {_record_words(head_record)}", rule="PFR061",
                        source=source)]
    if not stack.protected:
        return []
    why = ("no change record" if head_record is None
           else f"the change record is unchanged ({_record_words(head_record)})")
    return [Finding("governance", stack, f"release facts move in protected `{stack.env}` under {why}: "
                    f"make the change with `pilotfactory release|cutover|rollback {stack.pilot} --env "
                    f"{stack.env} --change REF`", rule="PFR006", source=source)]
