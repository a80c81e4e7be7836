"""The review's rule ids: one stable id per kind of finding, with its class and severity.

A reviewer filters on them and a policy waives one by id (`config/review-waivers.yaml`); ids
are never renumbered or reused.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReviewRule", "REVIEW_RULES", "SEVERITIES", "rule_of"]

# Most severe first.
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class ReviewRule:
    id: str
    kind: str        # one of changes.KINDS
    severity: str    # one of SEVERITIES
    title: str


_TABLE = [
    ("PFR001", "governance", "critical", "approval-gates-weakened"),
    ("PFR002", "governance", "critical", "approver-or-control-group-changed"),
    ("PFR003", "governance", "critical", "codeowners-changed"),
    ("PFR004", "governance", "critical", "stack-withheld-by-errors"),
    ("PFR005", "governance", "critical", "review-waivers-changed"),
    ("PFR006", "governance", "high", "protected-release-without-change-reference"),
    ("PFR007", "governance", "critical", "environment-control-changed"),
    ("PFR009", "governance", "critical", "evidence-record-rewritten"),
    ("PFR008", "governance", "critical", "approval-signing-keys-changed"),
    ("PFR010", "broadening", "high", "access-level-raised"),
    ("PFR011", "broadening", "critical", "access-to-everyone"),
    ("PFR012", "broadening", "high", "access-on-new-object"),
    ("PFR013", "broadening", "high", "secret-acl-raised"),
    ("PFR014", "broadening", "high", "group-membership-widened"),
    ("PFR020", "broadening", "high", "cluster-policy-loosened"),
    ("PFR021", "broadening", "high", "access-mode-weakened"),
    ("PFR022", "broadening", "high", "non-lts-runtime"),
    ("PFR023", "broadening", "high", "run-as-person"),
    ("PFR024", "broadening", "high", "task-dependency-removed"),
    ("PFR025", "broadening", "high", "cluster-policy-swapped"),
    ("PFR026", "broadening", "high", "task-code-elsewhere"),
    ("PFR030", "broadening", "critical", "workspace-baseline-weakened"),
    ("PFR031", "broadening", "critical", "ip-access-list-opened"),
    ("PFR032", "broadening", "critical", "workspace-baseline-setting-removed"),
    ("PFR033", "broadening", "critical", "audit-log-delivery-removed"),
    ("PFR034", "broadening", "high", "quality-monitor-removed"),
    ("PFR035", "broadening", "high", "artifact-allowlist-weakened"),
    ("PFR036", "broadening", "high", "policy-libraries-removed"),
    ("PFR037", "broadening", "high", "data-classification-lowered"),
    ("PFR038", "broadening", "high", "inference-logging-disabled"),
    ("PFR039", "broadening", "high", "inference-retention-weakened"),
    ("PFR040", "broadening", "high", "prevent-destroy-removed"),
    ("PFR041", "broadening", "critical", "state-backend-weakened"),
    ("PFR050", "destructive", "high", "resource-destroyed"),
    ("PFR051", "destructive", "high", "resource-replaced"),
    ("PFR052", "destructive", "high", "stack-removed"),
    ("PFR060", "release", "medium", "release-fact"),
    ("PFR061", "release", "info", "change-reference"),
    ("PFR070", "gate", "medium", "gate-changed"),
    ("PFR071", "gate", "medium", "stack-withheld"),
    ("PFR080", "narrowing", "low", "access-narrowed"),
    ("PFR090", "destructive", "high", "resource-renamed"),
]

REVIEW_RULES: dict[str, ReviewRule] = {i: ReviewRule(i, k, s, t) for i, k, s, t in _TABLE}

# The rule a finding gets when its producer names none: one per kind.
_DEFAULT = {"governance": "PFR002", "broadening": "PFR010", "destructive": "PFR050",
            "release": "PFR060", "gate": "PFR070", "narrowing": "PFR080"}


def rule_of(kind: str, rule: str | None = None) -> ReviewRule:
    """The rule named, or the kind's default; a rule of another kind is a bug."""
    found = REVIEW_RULES[rule or _DEFAULT[kind]]
    if found.kind != kind:
        raise AssertionError(f"rule {found.id} is a {found.kind} rule, not {kind}")
    return found
