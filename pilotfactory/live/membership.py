"""Who is really in each group of config/roles.yaml: the live SCIM members compared with the file.

The file is what the gates trust when they decide who may approve, review or validate; a
difference either way is a governance finding. Nested groups and service principals cannot be
compared person by person, so they are findings too.
"""
from __future__ import annotations

from typing import Any

from pilotfactory.catalog.model import Roles
from pilotfactory.catalog.model.config import Group
from pilotfactory.live.checks import Check
from pilotfactory.live.client import Workspace

__all__ = ["scim_filter", "find_group", "compare_members", "membership"]


def scim_filter(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def find_group(ws: Workspace, group: str) -> Any | None:
    """The live SCIM group named `group`, with its members, or None."""
    found = ws.call(f"SCIM group `{group}`", lambda: ws.client.groups.list(
        filter=f'displayName eq "{scim_filter(group)}"', attributes="id,displayName,members"))
    return next((g for g in found if g.display_name == group), None)


def compare_members(ws: Workspace, group: str, spec: Group, live: Any) -> list[Check]:
    """One finding per difference between `live`'s members and the file's, or one passing check."""
    users: set[str] = set()
    others: list[str] = []
    for member in live.members or []:
        if not (member.ref or "").startswith("Users/"):
            others.append(f"{member.display or member.value} ({(member.ref or '?').split('/')[0]})")
            continue
        user = ws.call(f"SCIM user `{member.value}`", lambda v=member.value: ws.client.users.get(
            v, attributes="id,userName"))
        users.add((user.user_name or "").lower())
    listed = {m.lower() for m in spec.members}
    checks = [Check("membership", group, False, f"{person} is in the live group but not in config/roles.yaml: "
                    "the gates do not know they hold this role") for person in sorted(users - listed)]
    checks += [Check("membership", group, False, f"{person} is listed in config/roles.yaml but not in the "
                     "live group") for person in sorted(listed - users)]
    checks += [Check("membership", group, False, f"{other} is a member that is not a user: its people cannot "
                     "be compared with config/roles.yaml") for other in sorted(others)]
    return checks or [Check("membership", group, True, f"{len(users)} members, as config/roles.yaml lists")]


def membership(ws: Workspace, roles: Roles) -> list[Check]:
    """Every group config/roles.yaml lists members for, compared with the live group."""
    checks: list[Check] = []
    for group, spec in sorted(roles.groups.items()):
        live = find_group(ws, group)
        if live is None:
            source = "the platform stack creates it" if spec.managed else "it is synced from the identity provider"
            checks.append(Check("membership", group, False, f"not in the workspace ({source}): its members "
                                "cannot be compared"))
            continue
        checks += compare_members(ws, group, spec, live)
    return checks
