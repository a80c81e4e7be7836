"""The review as JSON: the same content as the Markdown, never truncated, for CI and tools."""
from __future__ import annotations

from typing import Any

from pilotfactory.review.changes import ABSENT, KINDS, Finding, Review

__all__ = ["FORMAT", "review_json"]

FORMAT = "pilotfactory-review/1"


def _value(value: Any) -> Any:
    return None if value is ABSENT else value


def _finding(f: Finding) -> dict[str, Any]:
    return {"kind": f.kind, "rule": f.rule_id, "severity": f.severity, "pilot": f.stack.pilot,
            "env": f.stack.env, "stack": f.stack.name if f.kind not in ("gate", "governance") else None,
            "text": f.text.replace("**", ""), "note": f.note, "resource": f.resource, "source": f.source,
            "blocks_by_default": f.blocks_by_default, "waived": f.waived}


def review_json(review: Review, fail_on: str, status: int, reason: str) -> dict[str, Any]:
    summary: dict[str, Any] = {kind: len(review.of_kind(kind)) for kind in KINDS}
    summary["changes"] = len(review.changes)
    summary["stacks"] = len(review.stacks)
    return {
        "format": FORMAT,
        "base": review.base,
        "head": review.head,
        "summary": summary,
        "exit": {"fail_on": fail_on, "status": status, "reason": reason},
        "banner": list(review.banner),
        "withheld": list(review.withheld),
        "findings": [_finding(f) for f in review.findings],
        "stacks": [
            {"stack": s.name, "pilot": s.pilot, "env": s.env, "protected": s.protected,
             "changes": [
                 {"resource": c.label, "address": c.address, "type": c.type, "action": c.action,
                  "attributes": [{"path": a.path, "before": _value(a.before), "after": _value(a.after),
                                  "forces_replacement": a.forces_replacement} for a in c.attributes]}
                 for c in review.changes_in(s)]}
            for s in review.stacks],
    }
