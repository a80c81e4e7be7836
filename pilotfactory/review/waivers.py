"""Waivers: a finding a policy accepts, by rule id, with a recorded reason, approver and expiry.

Read from `config/review-waivers.yaml` at the *base* of a review, so a pull request cannot waive
its own findings; a change to the file is itself a governance finding (PFR005).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.review.changes import Finding
from pilotfactory.review.rules import REVIEW_RULES
from pilotfactory.yamlio.source import load_yaml_file

__all__ = ["WAIVERS_FILE", "Waiver", "load_waivers", "apply_waivers"]

WAIVERS_FILE = "config/review-waivers.yaml"


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int
    stack: str | None = None      # exact stack name; None: any
    resource: str | None = None   # exact address; None: any

    def covers(self, finding: Finding, today: dt.date) -> bool:
        return (finding.rule_id == self.rule and today <= self.expires and finding.kind != "governance"
                and self.stack in (None, finding.stack.name) and self.resource in (None, finding.resource))


def load_waivers(root: Path | None) -> tuple[list[Waiver], list[str]]:
    """(waivers, problems): an entry without a known rule, a reason, an approver and a date is refused."""
    path = root / WAIVERS_FILE if root else None
    if path is None or not path.is_file() or path.is_symlink():
        return [], []
    source = load_yaml_file(path, WAIVERS_FILE, Diagnostics())
    entries = (source.data or {}).get("waivers") if source and isinstance(source.data, dict) else None
    out, problems = [], []
    for i, entry in enumerate(entries or []):
        line = source.where(("waivers", i)).line
        try:
            expires = dt.date.fromisoformat(str(entry.get("expires")))
        except (AttributeError, ValueError):
            expires = None
        if not isinstance(entry, dict) or entry.get("rule") not in REVIEW_RULES or expires is None \
                or not str(entry.get("reason") or "").strip() or not str(entry.get("approved_by") or "").strip():
            problems.append(f"{WAIVERS_FILE}:{line}: a waiver needs a known `rule`, a `reason`, `approved_by` and "
                            "`expires` (YYYY-MM-DD); this one waives nothing")
            continue
        out.append(Waiver(entry["rule"], str(entry["reason"]).strip(), str(entry["approved_by"]).strip(), expires,
                          line, entry.get("stack"), entry.get("resource")))
    return out, problems


def apply_waivers(findings: Iterable[Finding], waivers: list[Waiver], today: dt.date) -> list[Finding]:
    out = []
    for f in findings:
        w = next((w for w in waivers if w.covers(f, today)), None)
        out.append(replace(f, waived=f"{w.reason} (approved by {w.approved_by}, until {w.expires}; "
                                      f"{WAIVERS_FILE}:{w.line})") if w else f)
    return out
