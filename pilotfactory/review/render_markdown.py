"""The review as a pull-request comment: summary table first, each stack's details folded.

Never longer than GitHub's 65,536-character comment limit: what does not fit is counted and the
reader is pointed to the JSON, which always holds everything.
"""
from __future__ import annotations

import json
from typing import Any

from pilotfactory.review.changes import ABSENT, KINDS, Finding, ResourceChange, Review, StackRef

__all__ = ["COMMENT_LIMIT", "review_markdown"]

COMMENT_LIMIT = 65_536
_VALUE_WIDTH = 120
_ICONS = {"governance": "🏛 governance", "broadening": "🔓 broadening", "destructive": "🗑 destructive", "release": "🚀 release",
          "gate": "🚦 gate", "narrowing": "🔒 narrowing"}
_ACTIONS = {"create": "created", "update": "updated", "delete": "deleted", "replace": "replaced"}


def _size(text: str) -> int:
    # UTF-8 bytes: never fewer than characters, so the limit holds however GitHub counts.
    return len(text.encode("utf-8"))


def _escape(text: str) -> str:
    """Safe inside a table cell: no pipe, no line break, no HTML."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("\r", " ").replace("\n", " "))


def _text(value: Any) -> str:
    if value is ABSENT:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def _cell(value: Any) -> str:
    text = _text(value)
    if len(text) > _VALUE_WIDTH:
        text = text[: _VALUE_WIDTH - 1] + "…"
    return _escape(text).replace("`", "\\`")


def _cells(before: Any, after: Any) -> tuple[str, str]:
    """Both sides of a long value cut around where they first differ, so they never read the same."""
    old, new = _text(before), _text(after)
    if max(len(old), len(new)) <= _VALUE_WIDTH or before is ABSENT or after is ABSENT:
        return _cell(before), _cell(after)
    start = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(0, start - 20)

    def window(text: str) -> str:
        part = text[start:start + _VALUE_WIDTH - 2]
        return ("…" if start else "") + part + ("…" if start + len(part) < len(text) else "")
    return (_escape(window(old)).replace("`", "\\`"), _escape(window(new)).replace("`", "\\`"))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _ids(findings: list[Finding]) -> str:
    return ", ".join(sorted({f.rule_id for f in findings}))


def _headline(review: Review) -> str:
    governance = review.of_kind("governance")
    broadening, destructive = review.of_kind("broadening"), review.of_kind("destructive")
    parts = []
    if governance:
        approvers = {"PFR001", "PFR002", "PFR003", "PFR004", "PFR005"}
        about = ("to who may approve production" if all(f.rule_id in approvers for f in governance)
                 else "to who may approve production or how changes are controlled")
        parts.append(f"**🏛 {_plural(len(governance), 'governance change')} {about} ({_ids(governance)})**")
    if broadening:
        n = len(broadening)
        parts.append(f"**⚠ {_plural(n, 'change')} need{'s' * (n == 1)} a security reviewer ({_ids(broadening)})**")
    if destructive:
        protected = [f for f in destructive if f.stack.protected]
        where = f", {len(protected)} in a protected environment" if protected else ""
        parts.append(f"**{_plural(len(destructive), 'destructive change')}{where} ({_ids(destructive)})**")
    for kind, word in (("release", "release fact"), ("gate", "gate change"), ("narrowing", "narrowing")):
        if review.of_kind(kind):
            parts.append(_plural(len(review.of_kind(kind)), word))
    if review.changes:
        parts.append(f"{_plural(len(review.changes), 'resource change')} in {_plural(len(review.stacks), 'stack')}")
    return " · ".join(parts) if parts else "No infrastructure changes."


def _finding_row(f: Finding) -> str:
    what = _escape(f.text) + (f" ({_escape(f.note)})" if f.note else "")
    if f.source:
        what += f" — `{_escape(f.source)}`"
    if f.waived:
        what += f" — waived: {_escape(f.waived)}"
    return (f"| {_ICONS[f.kind]} | {f.rule_id} {f.severity} | {_escape(f.stack.pilot)} | "
            f"{_escape(f.stack.env or '—')} | {what} |")


def _summary(stack: StackRef, changes: list[ResourceChange]) -> str:
    counts = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    detail = ", ".join(f"{n} {_ACTIONS[a]}" for a, n in counts.items())
    protected = " · protected" if stack.protected else ""
    return f"{_escape(stack.where)} — {_plural(len(changes), 'change')} ({detail}){protected}"


def _rows(change: ResourceChange) -> list[str]:
    name = f"{_escape(change.label)} ({_ACTIONS[change.action]})"
    # A deleted resource's every old value is noise here: the finding says it goes; the JSON has them.
    attributes = change.attributes if change.action != "delete" else ()
    if not attributes:
        return [f"| {name} | | | |"]
    rows = []
    for i, a in enumerate(attributes):
        path = _escape(a.path) + (" ⚠ forces replacement" if a.forces_replacement else "")
        before, after = _cells(a.before, a.after)
        rows.append(f"| {name if i == 0 else ''} | {path} | {before} | {after} |")
    return rows


def _section(stack: StackRef, changes: list[ResourceChange], budget: int) -> tuple[str, int]:
    """The folded details of one stack within `budget` characters, and how many changes it left out."""
    head = (f"<details><summary>{_summary(stack, changes)}</summary>\n\n"
            f"stack `{stack.name}`\n\n| resource | attribute | before | after |\n|---|---|---|---|\n")
    tail = "\n</details>\n"
    body, shown = [], 0
    used = _size(head) + _size(tail)
    for change in changes:
        rows = "\n".join(_rows(change)) + "\n"
        more = f"\n… {_plural(len(changes) - shown, 'more change')} in this stack: see the JSON\n"
        if used + _size(rows) + _size(more) > budget:
            body.append(more)
            break
        body.append(rows)
        used += _size(rows)
        shown += 1
    if shown == 0:
        return "", len(changes)
    return head + "".join(body) + tail, len(changes) - shown


def review_markdown(review: Review, status: int, reason: str, *, limit: int = COMMENT_LIMIT,
                    json_hint: str = "pilotfactory review --format json") -> str:
    banner = "\n>\n".join(f"> {_escape(line)}" for line in review.banner) + "\n\n" if review.banner else ""
    header = f"### Pilot Factory review — `{review.base}` → `{review.head}`\n\n{banner}{_headline(review)}\n\n"
    footer = f"\nExit status: {status} — {_escape(reason)}\n"
    reserve = 600  # room for the truncation note
    budget = limit - _size(header) - _size(footer) - reserve
    parts: list[str] = []
    findings = [f for kind in KINDS for f in review.findings if f.kind == kind]
    omitted_findings = 0
    if findings:
        table = "| | rule | pilot | env | what |\n|---|---|---|---|---|\n"
        rows = []
        for i, f in enumerate(findings):
            row = _finding_row(f) + "\n"
            if _size(table) + sum(map(_size, rows)) + _size(row) > budget // 2:
                omitted_findings = len(findings) - i
                rows.append(f"| … | | | | {_plural(omitted_findings, 'more finding')}: see the JSON |\n")
                break
            rows.append(row)
        parts.append(table + "".join(rows) + "\n")
        budget -= _size(parts[-1])
    omitted_changes, omitted_stacks = 0, 0
    for stack in review.stacks:
        changes = review.changes_in(stack)
        if budget <= 0:
            omitted_changes += len(changes)
            omitted_stacks += 1
            continue
        text, left_out = _section(stack, changes, budget)
        if text:
            parts.append(text)
            budget -= _size(text)
        else:
            omitted_stacks += 1
            budget = 0
        omitted_changes += left_out
    if omitted_findings or omitted_changes:
        left = [_plural(n, word) for n, word in ((omitted_findings, "finding"), (omitted_changes, "change"))
                if n]
        whole = f" ({_plural(omitted_stacks, 'whole stack')})" if omitted_stacks else ""
        parts.append(
            f"\n**Truncated** to fit the {limit:,}-character comment limit: {' and '.join(left)}{whole} "
            f"not shown. The full review is in the JSON: `{json_hint}`.\n")
    return header + "".join(parts) + footer
