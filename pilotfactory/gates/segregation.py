"""Segregation of duties from config/roles.yaml: no maker checks their own work.

People are compared by email, case-insensitively, since identity providers do not agree on case.
"""
from __future__ import annotations

from pilotfactory.catalog.model import Pilot, Roles
from pilotfactory.catalog.model.pilot import Approval

__all__ = ["members", "shared_members", "signer_problem", "approval_problem", "assign_distinct"]


def members(roles: Roles, group: str) -> set[str]:
    entry = roles.groups.get(group)
    return {m.lower() for m in entry.members} if entry else set()


def shared_members(roles: Roles, pilot: Pilot) -> list[str]:
    """People in both the pilot's builders and approvers groups, sorted."""
    return sorted(members(roles, pilot.owners.builders) & members(roles, pilot.owners.approvers))


def signer_problem(roles: Roles, pilot: Pilot, who: str, role: str) -> str | None:
    """Why `who` may not sign for control role `role` on this pilot (approve it, review its
    security, validate its model), or None: a current member of the role's group, and never a
    builder or the product owner of the pilot."""
    person = who.lower()
    group = roles.roles.get(role)
    if group is None:
        return f"role `{role}` is not declared under `roles` in config/roles.yaml"
    if person not in members(roles, group):
        return f"{who} is not a member of `{group}`, the group of role `{role}` in config/roles.yaml"
    if person in members(roles, pilot.owners.builders):
        return (f"{who} is a builder of this pilot (`{pilot.owners.builders}`): "
                "a maker may not check their own change")
    if person == pilot.owners.product_owner.lower():
        return f"{who} is the pilot's product owner, who may never sign off their own pilot"
    return None


def approval_problem(roles: Roles, pilot: Pilot, approval: Approval) -> str | None:
    """Why this person may not approve as this role for this pilot, or None."""
    return signer_problem(roles, pilot, approval.approver, approval.role)


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
