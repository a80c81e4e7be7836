"""Folding the noise: one principal given the same change on many objects is one finding.

A principal swap (one group loses exactly what another gains, on the same objects) is one
finding too, not a row per object and side.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from pilotfactory.review.changes import Finding

__all__ = ["fold_access"]

_SHOWN = 5


def _objects(targets: list[str]) -> str:
    shown = ", ".join(targets[:_SHOWN])
    return shown + (f", and {len(targets) - _SHOWN} more" if len(targets) > _SHOWN else "")


def fold_access(findings: Iterable[Finding]) -> list[Finding]:
    """Findings with a `fold` key (principal, before, after) merged per stack, rule and key; the rest as they are."""
    findings = list(findings)
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.fold is not None and f.target is not None:
            groups.setdefault((f.kind, f.rule_id, f.stack.name, f.fold), []).append(f)
    merged: dict[tuple, Finding] = {}
    for key, members in groups.items():
        if len(members) == 1:
            continue
        who, before, after = key[3]
        first = members[0]
        targets = [m.target for m in members]
        change = f"{before} {after}" if before in ("+", "-") else f"{before} → {after}"
        if first.kind == "broadening":
            change = f"**+ {after}**" if before == "+" else f"{before} → **{after}**"
        merged[key] = replace(first, text=f"{who} on {len(members)} objects: {change} ({_objects(targets)})",
                              resource=None, fold=(who, before, after, tuple(targets)))
    swaps = _swaps(merged, groups)
    out: list[Finding] = []
    done: set[tuple] = set()
    for f in findings:
        key = (f.kind, f.rule_id, f.stack.name, f.fold) if f.fold is not None and f.target is not None else None
        if key is None:
            out.append(f)
        elif key in done:
            continue
        elif key in swaps:
            done.add(key)
            if swaps[key] is not None:
                out.append(swaps[key])
        elif key in merged:
            done.add(key)
            out.append(merged[key])
        else:
            out.append(f)
    return out


def _swaps(merged: dict[tuple, Finding], groups: dict[tuple, list[Finding]]) -> dict[tuple, Finding | None]:
    """Gained-by-one, lost-by-another pairs on the same objects with the same level: one finding."""
    out: dict[tuple, Finding | None] = {}
    gains = [k for k in groups if k[0] == "broadening" and k[3][1] == "none"]
    losses = [k for k in groups if k[0] == "narrowing" and k[3][2] == "none"]
    for gain in gains:
        targets = sorted(m.target for m in groups[gain])
        for loss in losses:
            if loss in out or loss[2] != gain[2] or loss[3][1] != gain[3][2]:
                continue
            if sorted(m.target for m in groups[loss]) != targets:
                continue
            first = groups[gain][0]
            level = gain[3][2]
            out[gain] = replace(first, resource=None, fold=None,
                                text=f"access moves from {loss[3][0]} to **{gain[3][0]}** ({level}) on "
                                     f"{len(targets)} object{'s' * (len(targets) != 1)} ({_objects(targets)})")
            out[loss] = None
            break
    return out
