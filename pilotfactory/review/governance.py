"""Governance changes: who may approve production, read from config/gates.yaml, config/roles.yaml
and CODEOWNERS on both sides of a review.

Every change to them is a finding of its own class, shown first: fewer approvals or a weaker
criterion, a new member of an approvers or control-function group, a different code owner.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.review.changes import Finding, StackRef
from pilotfactory.yamlio.source import Source, load_yaml_file

__all__ = ["governance_findings", "CODEOWNERS_PATHS"]

# Where GitHub looks for the file, in its order.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_GATES, _ROLES = "config/gates.yaml", "config/roles.yaml"


def _load(root: Path, name: str) -> Source | None:
    path = root / name
    if not path.is_file() or path.is_symlink():
        return None
    return load_yaml_file(path, name, Diagnostics())


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Scalars by path; a list of scalars is one leaf (a set of names or tiers)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, path + (key,))
    elif isinstance(value, list) and not all(isinstance(v, (str, int, float, bool)) for v in value):
        for i, child in enumerate(value):
            yield from _leaves(child, path + (i,))
    else:
        yield path, value


def _dotted(path: tuple) -> str:
    return ".".join(map(str, path))


def _weaker(path: tuple, before: Any, after: Any) -> bool | None:
    """True: the gate asks for less; False: for more; None: cannot tell (flagged all the same)."""
    name = str(path[-1]) if path else ""
    if after is None:
        return True
    if before is None:
        return False
    if isinstance(before, bool) and isinstance(after, bool):
        return before and not after
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        if name.startswith("min_"):
            return after < before
        if name.startswith("max_") or name.endswith("_above"):
            return after > before
        return None
    if isinstance(before, list) and isinstance(after, list):
        if set(map(str, before)) - set(map(str, after)):
            return True
        return False
    return None


def _gates(base: Source | None, head: Source | None) -> list[Finding]:
    old = dict(_leaves(base.data if base else {}))
    new = dict(_leaves(head.data if head else {}))
    out = []
    for path in list(new) + [p for p in old if p not in new]:
        if path[:1] in (("apiVersion",), ("kind",)):
            continue
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        verdict = _weaker(path, before, after)
        word = {True: "**weaker**", False: "stricter", None: "**changed**"}[verdict]
        where = (head if path in new and head else base).where(path)
        out.append(_finding("PFR001", _GATES, f"`{_dotted(path)}`: {_shown(before)} → {_shown(after)} "
                            f"({word}: who may approve production, and on what evidence)", where))
    return out


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _finding(rule: str, file: str, text: str, where=None, source: str | None = None) -> Finding:
    stack = StackRef("governance", file, None)
    source = source or (f"{where.file}:{where.line}" if where is not None else file)
    return Finding("governance", stack, text, None, rule=rule, source=source)


def _approving_groups(roles: dict, approvers: Iterable[str]) -> set[str]:
    """Groups whose members sign off: control functions, platform admins, pilots' approvers."""
    out = {str(g) for g in (roles.get("roles") or {}).values()}
    if roles.get("platform_admins"):
        out.add(str(roles["platform_admins"]))
    out.update(approvers)
    # When no catalog says who approves, a group named for approving is taken as one (safe by default).
    out.update(g for g in roles.get("groups") or {} if "approver" in str(g))
    return out


def _roles(base: Source | None, head: Source | None, approvers: Iterable[str]) -> list[Finding]:
    old = (base.data if base else None) or {}
    new = (head.data if head else None) or {}
    out = []
    src = head or base
    if old.get("platform_admins") != new.get("platform_admins"):
        out.append(_finding("PFR002", _ROLES, f"platform admins: `{old.get('platform_admins')}` → "
                            f"**`{new.get('platform_admins')}`**", src.where(("platform_admins",)) if src else None))
    roles_b, roles_a = old.get("roles") or {}, new.get("roles") or {}
    for role in list(roles_a) + [r for r in roles_b if r not in roles_a]:
        if roles_b.get(role) != roles_a.get(role):
            out.append(_finding("PFR002", _ROLES, f"sign-off role `{role}`: group `{roles_b.get(role)}` → "
                                f"**`{roles_a.get(role)}`**", src.where(("roles", role)) if src else None))
    watched = _approving_groups(old, approvers) | _approving_groups(new, approvers)
    groups_b, groups_a = old.get("groups") or {}, new.get("groups") or {}
    for group in sorted(watched):
        members_b = set((groups_b.get(group) or {}).get("members") or [])
        members_a = (groups_a.get(group) or {}).get("members") or []
        for i, member in enumerate(members_a):
            if member not in members_b:
                where = head.where(("groups", group, "members", i)) if head else None
                out.append(_finding("PFR002", _ROLES, f"**{member}** joins `{group}`, whose members sign off "
                                    "production", where))
        managed_b = (groups_b.get(group) or {}).get("managed")
        managed_a = (groups_a.get(group) or {}).get("managed")
        if group in groups_b and group in groups_a and managed_b != managed_a:
            out.append(_finding("PFR002", _ROLES, f"`{group}` managed: {_shown(managed_b)} → "
                                f"**{_shown(managed_a)}** (who controls its membership changes)",
                                head.where(("groups", group)) if head else None))
    return out


def _codeowners(root: Path | None) -> tuple[str, dict[str, tuple[str, int]]]:
    """(file, pattern -> (owners, line)) of the first CODEOWNERS GitHub would read."""
    for name in CODEOWNERS_PATHS:
        path = root / name if root else None
        if path is not None and path.is_file() and not path.is_symlink():
            rules: dict[str, tuple[str, int]] = {}
            for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                text = line.split("#", 1)[0].strip()
                if text:
                    pattern, *owners = text.split()
                    rules[pattern] = (" ".join(owners), n)
            return name, rules
    return CODEOWNERS_PATHS[0], {}


def _owners(base_root: Path | None, head_root: Path | None) -> list[Finding]:
    name_b, old = _codeowners(base_root)
    name_a, new = _codeowners(head_root)
    out = []
    if name_b != name_a and old and new:
        out.append(_finding("PFR003", name_a, f"code owners move from `{name_b}` to `{name_a}`"))
    for pattern in list(new) + [p for p in old if p not in new]:
        was, now = old.get(pattern, ("none", 0))[0], new.get(pattern, ("none", 0))[0]
        if was != now:
            line = (new.get(pattern) or old.get(pattern))[1]
            out.append(_finding("PFR003", name_a, f"`{pattern}` owned by {was or 'nobody'} → **{now or 'nobody'}** "
                                "(who must approve changes there)",
                                source=f"{name_a if pattern in new else name_b}:{line}"))
    return out


def _waivers(base_root: Path | None, head_root: Path | None) -> list[Finding]:
    """A waiver added, changed or removed: it decides which findings stop blocking."""
    from pilotfactory.review.waivers import WAIVERS_FILE

    def entries(root: Path | None) -> dict[str, tuple[str, int]]:
        source = _load(root, WAIVERS_FILE) if root else None
        items = (source.data or {}).get("waivers") if source and isinstance(source.data, dict) else None
        out = {}
        for i, item in enumerate(items or []):
            if isinstance(item, dict):
                text = ", ".join(f"{k}: {v}" for k, v in item.items())
                out[text] = (str(item.get("rule")), source.where(("waivers", i)).line)
        return out
    old, new = entries(base_root), entries(head_root)
    out = []
    for text, (rule, line) in new.items():
        if text not in old:
            out.append(_finding("PFR005", WAIVERS_FILE, f"a waiver of **{rule}** is added or changed ({text}): "
                                "it takes effect once merged, after this review", source=f"{WAIVERS_FILE}:{line}"))
    for text, (rule, line) in old.items():
        if text not in new:
            out.append(_finding("PFR005", WAIVERS_FILE, f"a waiver of {rule} is removed ({text})",
                                source=f"{WAIVERS_FILE}:{line}"))
    return out


def governance_findings(base_root: Path | None, head_root: Path | None,
                        approvers: Iterable[str] = ()) -> list[Finding]:
    """Every change to who may approve: gates first, then roles, then code owners.

    `approvers`: the pilots' approvers groups on either side (owners.approvers in the catalog).
    """
    approvers = list(approvers)
    load = lambda root, name: _load(root, name) if root else None  # noqa: E731
    # a file both sides hold byte for byte says nothing new (roles.yaml grows with the catalog)
    gates = [] if _same_file(base_root, head_root, _GATES) else \
        _gates(load(base_root, _GATES), load(head_root, _GATES))
    roles = [] if _same_file(base_root, head_root, _ROLES) else \
        _roles(load(base_root, _ROLES), load(head_root, _ROLES), approvers)
    return gates + roles + _owners(base_root, head_root) + _waivers(base_root, head_root)


def _same_file(base_root: Path | None, head_root: Path | None, name: str) -> bool:
    """Whether both sides hold `name` as a regular file with the same bytes."""
    def raw(root: Path) -> bytes | None:
        path = root / name
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    if base_root is None or head_root is None:
        return False
    old = raw(base_root)
    return old is not None and old == raw(head_root)
