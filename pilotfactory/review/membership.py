"""Who joins a group, and which workspaces a group may enter: broadening no access list shows.

A member added to a group gains every grant, permission and workspace assignment the group holds,
so the change widens access wherever the group reaches though no permissions resource changes
(the account stack fills managed groups from config/roles.yaml and assigns each to every
environment's workspace). As for access lists, a new group's members are the new object itself,
flagged only in a protected stack; a group the change does not create is an existing one.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping

from pilotfactory.review.changes import Finding, ResourceChange
from pilotfactory.tfjson.references import reference

__all__ = ["MEMBERSHIP_TYPES", "membership_findings"]

_MEMBER = "databricks_group_member"
_ASSIGNMENT = "databricks_mws_permission_assignment"
MEMBERSHIP_TYPES = (_MEMBER, _ASSIGNMENT)
# Workspace permission levels of an assignment, least first (provider docs
# resources/mws_permission_assignment.md: `"USER"` or `"ADMIN"`); an unknown one ranks highest.
_LEVELS = ("USER", "ADMIN")


def _new_group(values: Mapping[str, Any] | None, key: str, created: Collection[str]) -> bool:
    """Whether the group `key` points at is created by this same change (cdktf `${type.name.id}`)."""
    ref = reference((values or {}).get(key))
    return ref is not None and ref.address in created


def _levels(values: Mapping[str, Any] | None) -> set[str]:
    return {str(p) for p in (values or {}).get("permissions") or []}


def _rank(levels: set[str]) -> int:
    return max((_LEVELS.index(p) if p in _LEVELS else len(_LEVELS) for p in levels), default=-1)


def membership_findings(change: ResourceChange, created: Collection[str]) -> list[Finding]:
    """`created`: addresses this change creates in the same stack (to tell a new group from an old)."""
    if change.type not in MEMBERSHIP_TYPES or change.action == "delete":
        return []
    key = "group_id" if change.type == _MEMBER else "principal_id"
    new_group = _new_group(change.after, key, created)
    if new_group and not change.stack.protected:
        return []

    def finding(text: str, rule: str) -> list[Finding]:
        return [Finding("broadening", change.stack, text, change.address, rule=rule)]

    if change.type == _MEMBER:
        if change.action not in ("create", "replace"):
            return []
        if new_group:
            return finding(f"access granted: {change.label} joins a new group in a protected stack: "
                           "every grant and workspace the group is given", "PFR012")
        return finding(f"{change.label}: a new member gains every grant, permission and workspace "
                       "assignment the group already holds", "PFR014")
    # Every attribute is ForceNew (no Update: provider v1.99.0 mws/resource_mws_permission_assignment.go,
    # common/resource.go:108-122), so a new level is a replace: it widens only what the same group
    # held in the same workspace; another workspace or group is let in afresh.
    before, after = change.before or {}, change.after or {}
    same = all(before.get(k) == after.get(k) for k in ("workspace_id", "principal_id"))
    was = _levels(before) if same else set()
    now = _levels(after)
    if new_group:
        return finding(f"access granted: {change.label}: a new group enters the workspace as "
                       f"**{', '.join(sorted(now))}**", "PFR012")
    if _rank(now) > _rank(was):
        shown = ", ".join(sorted(was)) or "none"
        return finding(f"{change.label}: workspace access {shown} → **{', '.join(sorted(now))}**: every "
                       "member of the group", "PFR014")
    return []
