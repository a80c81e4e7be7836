"""Governance changes: who may approve production and when it may change, read from
config/gates.yaml, config/roles.yaml, config/environments.yaml and CODEOWNERS on both sides of a
review.

Every change to them is a finding of its own class, shown first: fewer approvals or a weaker
criterion, a new member of an approvers or control-function group, a different code owner, an
environment's protection, lowest phase or change control (windows, freezes, change references).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from pilotfactory.catalog.allowed_signers import SignerKey, read_keys
from pilotfactory.catalog.model.config import ApprovalPolicy
from pilotfactory.catalog.phases import PHASES
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.review.changes import Finding, StackRef
from pilotfactory.yamlio.source import Source, load_yaml_file

__all__ = ["governance_findings", "evidence_findings", "CODEOWNERS_PATHS"]

# Where GitHub looks for the file, in its order.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_GATES, _ROLES, _ENVIRONMENTS = "config/gates.yaml", "config/roles.yaml", "config/environments.yaml"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


# Settings whose values rank from weakest to strongest (config.ApprovalPolicy.verify: what makes an
# approval the approver's own act: nothing but the file, the commit's author, the approver's signature).
_RANKED = {("approvals", "verify"): ("none", "author", "signature")}


def _weaker(path: tuple, before: Any, after: Any) -> bool | None:
    """True: the gate asks for less; False: for more; None: cannot tell (flagged all the same)."""
    name = str(path[-1]) if path else ""
    ranked = _RANKED.get(tuple(path[-2:]))
    if ranked and before in ranked and after in ranked:
        return ranked.index(after) < ranked.index(before)
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


def _minutes(time: Any) -> int:
    hours, minutes = str(time).split(":")
    return int(hours) * 60 + int(minutes)


def _open_minutes(windows: Any) -> set[tuple[int, int]]:
    """(weekday, minute of the day) of every minute the windows open; an end at or before the
    start runs past midnight into the next day (config.ChangeWindow)."""
    out: set[tuple[int, int]] = set()
    for window in windows or []:
        start, end = _minutes(window["start"]), _minutes(window["end"])
        length = end - start if end > start else end + 24 * 60 - start
        for day in window["days"]:
            first = _DAYS.index(day) * 24 * 60 + start
            out.update(divmod((first + m) % (7 * 24 * 60), 24 * 60) for m in range(length))
    return out


def _frozen_days(freezes: Any) -> set[str]:
    import datetime as dt

    out: set[str] = set()
    for freeze in freezes or []:
        first, last = dt.date.fromisoformat(str(freeze["from"])), dt.date.fromisoformat(str(freeze["to"]))
        out.update(str(first + dt.timedelta(days=n)) for n in range((last - first).days + 1))
    return out


def _compared(more_open: bool, less_open: bool) -> bool | None:
    """Weaker when the head opens anything the base kept closed; stricter when it only closes."""
    return True if more_open else False if less_open else None


def _control_changes(before: dict, after: dict) -> list[tuple[tuple, str, bool | None]]:
    """(path below the environment, what changed, weaker?) for each control that differs."""
    out: list[tuple[tuple, str, bool | None]] = []
    if bool(before.get("protected")) != bool(after.get("protected")):
        out.append((("protected",), f"protected: {_shown(bool(before.get('protected')))} → "
                    f"{_shown(bool(after.get('protected')))} (destroys without a decommission, no prevent_destroy)",
                    bool(before.get("protected"))))
    phases = [before.get("min_phase"), after.get("min_phase")]
    if phases[0] != phases[1]:
        rank = [PHASES.index(p) if p in PHASES else None for p in phases]
        weaker = None if None in rank else rank[1] < rank[0]
        out.append((("min_phase",), f"lowest phase deployed: {phases[0]} → {phases[1]}", weaker))
    old, new = before.get("change_control"), after.get("change_control")
    if old == new:
        return out
    if not isinstance(new, dict):
        out.append((("change_control",), "change control removed: changes deploy at any time, "
                    "without a change reference", True))
        return out
    if not isinstance(old, dict):
        out.append((("change_control",), "change control added", False))
        return out
    if old.get("timezone") != new.get("timezone"):
        out.append((("change_control", "timezone"), f"change windows read in {old.get('timezone')} → "
                    f"{new.get('timezone')} (every window and freeze moves)", None))
    try:
        was, now = _open_minutes(old.get("windows")), _open_minutes(new.get("windows"))
        if was != now:
            out.append((("change_control", "windows"), "change windows " + (
                f"open {len(now - was)} more minutes a week" if now - was else
                f"close {len(was - now)} more minutes a week"), _compared(bool(now - was), bool(was - now))))
    except (KeyError, ValueError, TypeError, AttributeError):
        if old.get("windows") != new.get("windows"):
            out.append((("change_control", "windows"), "change windows changed", None))
    try:
        was, now = _frozen_days(old.get("freezes")), _frozen_days(new.get("freezes"))
        if was != now:
            thawed = sorted(was - now)
            out.append((("change_control", "freezes"), (
                f"{len(thawed)} frozen days open ({thawed[0]} to {thawed[-1]})" if thawed else
                f"{len(now - was)} more frozen days"), _compared(bool(thawed), bool(now - was))))
    except (KeyError, ValueError, TypeError, AttributeError):
        if old.get("freezes") != new.get("freezes"):
            out.append((("change_control", "freezes"), "freezes changed", None))
    if old.get("ticket_pattern") != new.get("ticket_pattern"):
        pattern_was, pattern_now = old.get("ticket_pattern"), new.get("ticket_pattern")
        out.append((("change_control", "ticket_pattern"),
                    f"change reference pattern `{pattern_was}` → `{pattern_now}`",
                    True if pattern_now is None else False if pattern_was is None else None))
    return out


def _environments(base: Source | None, head: Source | None) -> list[Finding]:
    """An environment's controls that no stack shows: whether it is protected, the lowest phase it
    takes, and its change control. Stricter changes are shown too (who may change production, and
    when, is the reviewers' to see); an environment removed takes its controls with it."""
    def envs(source: Source | None) -> dict:
        data = source.data if source and isinstance(source.data, dict) else {}
        found = data.get("environments")
        return {str(k): v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}
    old, new = envs(base), envs(head)
    out = []
    for env in [e for e in new if e not in old]:
        after = new[env]
        controls = "with change control" if isinstance(after.get("change_control"), dict) else "no change control"
        out.append(_finding("PFR007", _ENVIRONMENTS, f"environment `{env}` added: protected "
                            f"{_shown(bool(after.get('protected')))}, lowest phase {after.get('min_phase')}, "
                            f"{controls} (**changed**: what may deploy there, and when)",
                            head.where(("environments", env)) if head else None))
    for env in [e for e in new if e in old] + [e for e in old if e not in new]:
        before, after = old[env], new.get(env, {})
        for path, text, weaker in _control_changes(before, after):
            source = head if env in new and head else base
            where = source.where(("environments", env, *path)) if env in new else \
                source.where(("environments", env))
            word = {True: "**weaker**", False: "stricter", None: "**changed**"}[weaker]
            out.append(_finding("PFR007", _ENVIRONMENTS, f"environment `{env}`: {text} ({word})", where))
    return out


_DEFAULT_SIGNERS = ApprovalPolicy.model_fields["allowed_signers"].default


def _signers_file(root: Path, gates: Source | None) -> tuple[str, list[SignerKey]]:
    """(path, key lines) of the allowed-signers file config/gates.yaml names on that side; a file
    outside the tree or absent has no keys (validate reports it)."""
    approvals = (gates.data or {}).get("approvals") if gates and isinstance(gates.data, dict) else None
    name = approvals.get("allowed_signers") if isinstance(approvals, dict) else None
    name = name if isinstance(name, str) and name else _DEFAULT_SIGNERS
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return name, []
    return name, read_keys(path.read_text(encoding="utf-8", errors="replace"))


def _signers(base_root: Path | None, head_root: Path | None,
             base_gates: Source | None, head_gates: Source | None) -> list[Finding]:
    """A key that may sign approvals added, given other principals, other options, or removed: a
    commit signed by a key listed for a person counts as that person's approval (gates verify with
    this file), so whoever adds a key can approve as anyone it names."""
    if base_root is None or head_root is None:
        return []
    name_b, old = _signers_file(base_root, base_gates)
    name_a, new = _signers_file(head_root, head_gates)
    by_key_b = {k.key: k for k in old}
    by_key_a = {k.key: k for k in new}
    out = []

    def who(principals) -> str:
        names = ", ".join(f"**{p}**" for p in principals)
        patterns = [p for p in principals if any(c in p for c in "*?!")]
        return names + (f" (a pattern: **anyone matching {', '.join(patterns)}**)" if patterns else "")
    for key in new:
        was = by_key_b.get(key.key)
        where = f"{name_a}:{key.line}"
        if was is None:
            out.append(_finding("PFR008", name_a, f"new signing key `{key.short}` for {who(key.principals)}: "
                                "a commit it signs counts as their approval (**weaker**)", source=where))
            continue
        gained = [p for p in key.principals if p not in was.principals]
        lost = [p for p in was.principals if p not in key.principals]
        if gained:
            out.append(_finding("PFR008", name_a, f"signing key `{key.short}` now also signs for {who(gained)} "
                                "(**weaker**)", source=where))
        if lost:
            out.append(_finding("PFR008", name_a, f"signing key `{key.short}` no longer signs for "
                                f"{', '.join(lost)} (stricter)", source=where))
        if key.options != was.options:
            out.append(_finding("PFR008", name_a, f"signing key `{key.short}` of {who(key.principals)}: options "
                                f"`{was.options or 'none'}` → `{key.options or 'none'}` (**changed**)", source=where))
    for key in old:
        if key.key not in by_key_a:
            out.append(_finding("PFR008", name_a, f"signing key `{key.short}` of {', '.join(key.principals)} "
                                "removed: approvals it signed no longer verify (stricter)",
                                source=f"{name_b}:{key.line}"))
    return out


def _record(entry: Any) -> str:
    """A recorded `evidence` entry in a few words: its kind, date and who decided or signed."""
    if not isinstance(entry, dict):
        return f"`{entry}`"
    who = next((entry[k] for k in ("decided_by", "reviewer", "approver", "signed_by", "by") if entry.get(k)), None)
    return f"`{entry.get('kind', '?')}` of {entry.get('date', '?')}" + (f" by {who}" if who else "")


def evidence_findings(base: Mapping[str, Source], head: Mapping[str, Source]) -> list[Finding]:
    """A pilot file's recorded evidence is appended to, never rewritten: an entry of the base that
    the head no longer holds as it was (edited or removed) is a governance finding. Pilot file ->
    its parsed source, for the files on both sides."""
    out = []
    for file in sorted(base.keys() & head.keys()):
        was = (base[file].data or {}).get("evidence") if isinstance(base[file].data, dict) else None
        now = (head[file].data or {}).get("evidence") if isinstance(head[file].data, dict) else None
        remaining = list(now) if isinstance(now, list) else []
        for i, entry in enumerate(was if isinstance(was, list) else []):
            if entry in remaining:
                remaining.remove(entry)
                continue
            out.append(_finding("PFR009", file, f"{file}: recorded evidence {_record(entry)} is **edited or "
                                "removed**: a record of what happened is appended to, never rewritten",
                                base[file].where(("evidence", i))))
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
    environments = [] if _same_file(base_root, head_root, _ENVIRONMENTS) else \
        _environments(load(base_root, _ENVIRONMENTS), load(head_root, _ENVIRONMENTS))
    signers = [] if _signers_unchanged(base_root, head_root) else \
        _signers(base_root, head_root, load(base_root, _GATES), load(head_root, _GATES))
    return gates + roles + environments + signers + _owners(base_root, head_root) + _waivers(base_root, head_root)


def _signers_unchanged(base_root: Path | None, head_root: Path | None) -> bool:
    """Both sides name the default allowed-signers file (gates.yaml the same bytes, no path of its
    own in it) and hold it with the same bytes, or both lack it: nothing to compare, nothing parsed."""
    if base_root is None or head_root is None or not _same_file(base_root, head_root, _GATES):
        return False
    if b"allowed_signers" in (base_root / _GATES).read_bytes():
        return False   # a path of its own: read gates.yaml for it
    if any((root / _DEFAULT_SIGNERS).is_symlink() for root in (base_root, head_root)):
        return False   # compared where it leads (_signers_file)
    return _raw(base_root, _DEFAULT_SIGNERS) == _raw(head_root, _DEFAULT_SIGNERS)


def _same_file(base_root: Path | None, head_root: Path | None, name: str) -> bool:
    """Whether both sides hold `name` as a regular file with the same bytes."""
    if base_root is None or head_root is None:
        return False
    old = _raw(base_root, name)
    return old is not None and old == _raw(head_root, name)


def _raw(root: Path, name: str) -> bytes | None:
    """The bytes of `name` under `root` when it is a regular file (no symlink), else None."""
    path = root / name
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None
