"""Drift's exit status under `--fail-on`, with `pilotfactory review`'s meaning of each value.

What drift cannot compare (a job missing or ambiguous, a reference it cannot resolve) is unknown,
so it fails under every value but `never` (when unsure, flag). A live group whose members differ
from config/roles.yaml changes who may approve: a governance finding, blocking like one.
"""
from __future__ import annotations

from typing import Sequence

from pilotfactory.review.changes import Review
from pilotfactory.review.classify import FAIL_ON, exit_code

__all__ = ["drift_exit"]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def drift_exit(review: Review, unmatched: Sequence[str], members: Sequence[object], fail_on: str) -> tuple[int, str]:
    """(status, reason) of a drift check: 1 when something `fail_on` names differs live, else 0."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown --fail-on value {fail_on!r}")
    drifted = len(review.changes)
    seen = (f"{_count(drifted, 'object differs', 'objects differ')} from the synthesized stacks (a hand edit "
            "in the workspace, or a deploy not yet applied)") if drifted else "no drift in the stacks"
    extra = []
    if unmatched:
        extra.append(f"{_count(len(unmatched), 'object', 'objects')} could not be compared")
    if members:
        extra.append(f"{_count(len(members), 'group membership difference', 'group membership differences')} "
                     "from config/roles.yaml")
    said = "; ".join([seen, *extra]) if drifted or extra else "no drift"
    if fail_on == "never":
        return 0, f"{said}; `--fail-on never`: drift informs, it does not block"
    status, why = exit_code(review, fail_on)
    if status or extra:
        blocking = [why] if status else []
        blocking += [e + (" (unknown, so flagged)" if "compared" in e else " (who may approve)") for e in extra]
        return 1, f"{said}: {'; '.join(blocking)} (`--fail-on {fail_on}`)"
    if drifted:
        return 0, f"{said}, none of it what `--fail-on {fail_on}` blocks"
    return 0, said
