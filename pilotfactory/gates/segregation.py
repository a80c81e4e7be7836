"""Segregation of duties from config/roles.yaml: no maker checks their own work.

People are compared by email, case-insensitively, since identity providers do not agree on case.
"""
from __future__ import annotations

from pilotfactory.catalog.model import Pilot, Roles
from pilotfactory.catalog.model.pilot import Approval

__all__ = ["members", "shared_members", "approval_problem", "assign_distinct"]


def members(roles: Roles, group: str) -> set[str]:
    entry = roles.groups.get(group)
    return {m.lower() for m in entry.members} if entry else set()


def shared_members(roles: Roles, pilot: Pilot) -> list[str]:
    """People in both the pilot's builders and approvers groups, sorted."""
    return sorted(members(roles, pilot.owners.builders) & members(roles, pilot.owners.approvers))


def approval_problem(roles: Roles, pilot: Pilot, approval: Approval) -> str | None:
    """Why this person may not approve as this role for this pilot, or None."""
    who = approval.approver.lower()
    group = roles.roles.get(approval.role)
    if group is None:
        return f"role `{approval.role}` is not declared under `roles` in config/roles.yaml"
    if who not in members(roles, group):
        return (f"{approval.approver} is not a member of `{group}`, the group of role "
                f"`{approval.role}` in config/roles.yaml")
    if who in members(roles, pilot.owners.builders):
        return (f"{approval.approver} is a builder of this pilot (`{pilot.owners.builders}`): "
                "a maker may not approve their own change")
    if who == pilot.owners.product_owner.lower():
        return f"{approval.approver} is the pilot's product owner, who may never approve its releases"
    return None


def assign_distinct(candidates: dict[str, list[str]]) -> dict[str, str]:
    """Give each role one of its candidate people, no person twice; roles left out could not be
    filled by a distinct person. Augmenting paths: a handful of roles and people, exact answer."""
    holder: dict[str, str] = {}  # person -> role

    def place(role: str, seen: set[str]) -> bool:
        for person in candidates[role]:
            if person in seen:
                continue
            seen.add(person)
            if person not in holder or place(holder[person], seen):
                holder[person] = role
                return True
        return False

    for role in candidates:
        place(role, set())
    return {role: person for person, role in holder.items()}
