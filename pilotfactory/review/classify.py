"""Judging changes, risk first: access broadening, destructive changes; then the rest as it is.

Broadening is judged against what existed: a new object's access list is not broadening (the
object itself is the change), except that `users` / `account users` granted anything always is.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Collection, Iterable, Mapping, Sequence

from pilotfactory.review.allowlists import allow_list_findings, sides_of
from pilotfactory.review.baseline import baseline_findings
from pilotfactory.review.changes import ABSENT, KINDS, AttributeChange, Finding, ResourceChange, Review, StackRef
from pilotfactory.review.compute import compute_findings
from pilotfactory.review.controls import CONTROL_TYPES, control_findings
from pilotfactory.review.diff import prevents_destroy
from pilotfactory.review.flatten import normalize
from pilotfactory.review.fold import fold_access
from pilotfactory.review.job_controls import job_control_findings
from pilotfactory.review.membership import membership_findings
from pilotfactory.review.policy import classification_lowered, cost_ceiling, format_ceiling, loosenings
from pilotfactory.tfjson.objects import SECRET_ACL_LEVELS, is_everyone, object_of_values, rank

__all__ = ["FAIL_ON", "build_review", "exit_code", "blocking"]

# --fail-on value -> finding kinds that make the exit status 1 (None: any change at all).
# `broadening` (the default) also blocks destroying or replacing anything in a protected environment.
FAIL_ON: dict[str, tuple[str, ...] | None] = {
    "broadening": ("governance", "broadening"),
    "destructive": ("governance", "broadening", "destructive"),
    "any": None,
    "never": (),
}

def _object_of(change: ResourceChange) -> str:
    """`job `classify-green`` from `permissions on job `classify-green``."""
    return change.label.split(" on ", 1)[1] if " on " in change.label else change.label


def _bold(value: str) -> str:
    return f"**{value}**"


def _acl_entries(values: Mapping[str, Any] | None) -> dict[str, str]:
    out = {}
    for entry in (values or {}).get("access_control") or []:
        if not isinstance(entry, Mapping):
            continue
        for key, noun in (("group_name", "group"), ("user_name", "user"),
                          ("service_principal_name", "service principal")):
            if entry.get(key):
                out[f"{noun} `{entry[key]}`"] = str(entry.get("permission_level"))
    return out


def _grant_entries(values: Mapping[str, Any] | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entry in (values or {}).get("grant") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("principal"), str):
            out.setdefault(entry["principal"], set()).update(str(p) for p in entry.get("privileges") or [])
    return out


def _single_grant(values: Mapping[str, Any] | None) -> dict[str, set[str]]:
    return _grant_entries({"grant": [values]} if values else None)


def _everyone(principal_words: str) -> bool:
    name = principal_words.split("`")[1] if "`" in principal_words else principal_words
    return is_everyone(name)


def _access_findings(change: ResourceChange) -> list[Finding]:
    """Access widened on an existing object; on a new object, access granted in a protected
    environment (a renamed or newly promoted pilot) or to everyone anywhere."""
    if change.action == "delete":
        return []
    out: list[Finding] = []
    new_object = change.before is None
    granted = new_object and change.stack.protected
    target = _object_of(change)

    def add(kind: str, text: str, who: str, rule: str | None = None, was: str = "none", now: str = "none") -> None:
        if kind == "broadening":
            rule = "PFR011" if _everyone(who) else "PFR012" if new_object else rule or "PFR010"
        out.append(Finding(kind, change.stack, text, change.address, rule=rule,
                           fold=(shown(who), was, now), target=target))

    def shown(who: str) -> str:
        return who if "`" in who else f"`{who}`"

    if change.type == "databricks_permissions":
        after = change.after or {}
        kind_of = object_of_values(after)
        old, new = _acl_entries(change.before), _acl_entries(change.after)
        for who, level in new.items():
            was = old.get(who)
            if was is None and new_object and (granted or _everyone(who)):
                add("broadening", f"access granted: {who} on new {target}: {_bold(level)}", who, now=level)
            elif was is None and not new_object:
                add("broadening", f"{who} on {target}: none → {_bold(level)}", who, now=level)
            elif was is not None and rank(level, kind_of) > rank(was, kind_of):
                add("broadening", f"{who} on {target}: {was} → {_bold(level)}", who, was=was, now=level)
            elif was is not None and rank(level, kind_of) < rank(was, kind_of):
                add("narrowing", f"{who} on {target}: {was} → {level}", who, was=was, now=level)
        for who, was in old.items():
            if who not in new and not new_object:
                add("narrowing", f"{who} on {target}: {was} → none", who, was=was)
    elif change.type in ("databricks_grants", "databricks_grant"):
        entries = _grant_entries if change.type == "databricks_grants" else _single_grant
        old, new = entries(change.before), entries(change.after)
        for who, privileges in new.items():
            added = sorted(privileges - old.get(who, set()))
            if added and new_object and (granted or is_everyone(str(who))):
                add("broadening", f"access granted: `{who}` on new {target}: {_bold(', '.join(added))}", who,
                    now=', '.join(added))
            elif added and not new_object:
                add("broadening", f"`{who}` on {target}: {_bold('+ ' + ', '.join(added))}", who,
                    was="+", now=', '.join(added))
        for who, privileges in old.items():
            removed = sorted(privileges - new.get(who, set()))
            if removed and not new_object:
                add("narrowing", f"`{who}` on {target}: - {', '.join(removed)}", who, was="-", now=', '.join(removed))
    elif change.type == "databricks_secret_acl":
        b, a = change.before or {}, change.after or {}
        who_b, who_a = b.get("principal"), a.get("principal")
        level_a = str(a.get("permission"))
        scope = target
        if who_a != who_b or new_object:
            if new_object and (granted or is_everyone(str(who_a))):
                add("broadening", f"access granted: `{who_a}` on new {scope}: {_bold(level_a)}", str(who_a), now=level_a)
            elif not new_object:
                add("broadening", f"`{who_a}` on {scope}: none → {_bold(level_a)}", str(who_a), "PFR013", now=level_a)
            if who_b is not None:
                add("narrowing", f"`{who_b}` on {scope}: {b.get('permission')} → none", str(who_b),
                    was=str(b.get("permission")))
        elif level_a in SECRET_ACL_LEVELS and str(b.get("permission")) in SECRET_ACL_LEVELS:
            order = SECRET_ACL_LEVELS.index(level_a) - SECRET_ACL_LEVELS.index(str(b.get("permission")))
            if order > 0:
                add("broadening", f"`{who_a}` on {scope}: {b.get('permission')} → {_bold(level_a)}", str(who_a),
                    "PFR013", was=str(b.get("permission")), now=level_a)
            elif order < 0:
                add("narrowing", f"`{who_a}` on {scope}: {b.get('permission')} → {level_a}", str(who_a),
                    was=str(b.get("permission")), now=level_a)
    return out


def _rules(values: Mapping[str, Any] | None) -> dict | None:
    definition = (normalize("databricks_cluster_policy", dict(values)) or {}).get("definition") if values else None
    return definition if isinstance(definition, dict) else None


def _policy(change: ResourceChange, rates: Mapping[str, float]) -> tuple[ResourceChange, list[Finding]]:
    """Loosenings as findings; the cost ceiling before → after added to the change's attributes."""
    before, after = _rules(change.before), _rules(change.after)
    if before == after:
        return change, []
    ceiling_b = format_ceiling(cost_ceiling(before, rates)) if before is not None else ABSENT
    ceiling_a = format_ceiling(cost_ceiling(after, rates)) if after is not None else ABSENT
    # an unchanged ceiling says nothing: it is neither a note nor a row
    moved = ceiling_b != ceiling_a
    note = f"ceiling {ceiling_b} → {ceiling_a}" if before is not None and after is not None and moved else None
    findings = []
    if before is not None and after is not None:
        for loose in loosenings(before, after):
            findings.append(Finding("broadening", change.stack,
                                    f"{change.label}: {loose.what} {loose.before} → {_bold(loose.after)}",
                                    change.address, note, rule="PFR020"))
        lowered = classification_lowered(before, after)
        if lowered:
            findings.append(Finding("broadening", change.stack,
                                    f"{change.label}: data classification {lowered[0]} → {_bold(lowered[1])}: "
                                    "its data is placed and kept as less sensitive (restricted catalogs, "
                                    "inference-table retention)", change.address, rule="PFR037"))
    if not moved:
        return change, findings
    ceiling = AttributeChange("cost ceiling", ceiling_b, ceiling_a)
    return replace(change, attributes=(*change.attributes, ceiling)), findings


# What Terraform does with lifecycle.prevent_destroy (developer.hashicorp.com, "The lifecycle
# meta-argument"): it is read from the configuration, so it stops a plan that destroys a resource
# still declared with it, but not one whose resource block was removed along with the setting.
_REFUSED = ("prevent_destroy in the new configuration makes `terraform plan` fail on this; "
            "it needs an explicit decommission")
_NOT_REFUSED = ("its prevent_destroy goes with the removed resource block, so Terraform destroys it "
                "without refusing")


def _protected_note(change: ResourceChange) -> str | None:
    env = change.stack.env or change.stack.pilot
    was = prevents_destroy(change.before)
    now = prevents_destroy(change.after)
    parts = [f"protected environment `{env}`"] if change.stack.protected else []
    if change.action == "delete" and was:
        parts.append(_NOT_REFUSED)
    elif change.action == "replace" and now:
        parts.append(_REFUSED)
    elif change.action == "replace" and was:
        parts.append("prevent_destroy is removed in the same change, so nothing refuses it")
    return "; ".join(parts) or None


def _destructive(change: ResourceChange) -> list[Finding]:
    out = []
    if change.action in ("update", "replace") and prevents_destroy(change.before) and not prevents_destroy(change.after):
        out.append(Finding("broadening", change.stack,
                           f"{change.label}: lifecycle.prevent_destroy true → {_bold('removed')}: a later change "
                           "can destroy it and Terraform will not refuse", change.address, rule="PFR040"))
    if change.action == "delete":
        out.append(Finding("destructive", change.stack, f"deletes {change.label}", change.address,
                           _protected_note(change), rule="PFR050"))
    if change.action == "replace":
        forcing = [a for a in change.attributes if a.forces_replacement]
        why = "; ".join(f"{a.path} {_plain(a.before)} → {_plain(a.after)}" for a in forcing)
        out.append(Finding("destructive", change.stack,
                           f"replaces {change.label} (destroyed, then created again)"
                           + (f": {why} forces a new one" if why else ""), change.address,
                           _protected_note(change), rule="PFR051"))
    return out


def _plain(value: Any) -> str:
    if value is ABSENT:
        return "none"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _jobs(n: int) -> str:
    return f"{n} job keeps" if n == 1 else f"{n} jobs keep"


def _removed_stack(stack: StackRef, changes: Sequence[ResourceChange]) -> Finding:
    names = ", ".join(c.label for c in changes[:5]) + (f", and {len(changes) - 5} more" if len(changes) > 5 else "")
    jobs = sum(1 for c in changes if c.type == "databricks_job")
    guarded = sum(1 for c in changes if prevents_destroy(c.before))
    parts = []
    if stack.protected:
        parts.append(f"protected environment `{stack.env or stack.pilot}`: this needs an explicit decommission")
    if guarded:
        parts.append(f"{guarded} of them had prevent_destroy, which goes with the removed configuration: "
                     "Terraform does not refuse")
    parts.append("the stack disappears from the catalog: only a planned destroy of it removes its resources; "
                 "if nobody applies one" + (f", its {_jobs(jobs)} running unmanaged"
                                              if jobs else ", they stay in the workspace unmanaged"))
    return Finding("destructive", stack,
                   f"stack `{stack.name}` disappears: its {len(changes)} resources are to be destroyed ({names})",
                   None, "; ".join(parts), rule="PFR052")


def _top_differences(old: ResourceChange, new: ResourceChange) -> list[str]:
    b, a = old.before or {}, new.after or {}
    return sorted(k for k in set(b) | set(a) if k not in ("//", "lifecycle", "depends_on") and b.get(k) != a.get(k))


def _resource_renames(changes: Sequence[ResourceChange], removed: set[str]) -> dict[str, Finding]:
    """Old address -> a rename finding, where a stack deletes one resource of a type and creates one."""
    out: dict[str, Finding] = {}
    by_stack: dict[tuple[str, str], dict[str, list[ResourceChange]]] = {}
    for c in changes:
        if c.action in ("delete", "create") and c.stack.name not in removed:
            by_stack.setdefault((c.stack.name, c.type), {}).setdefault(c.action, []).append(c)
    for (_, _), actions in by_stack.items():
        gone, made = actions.get("delete", []), actions.get("create", [])
        if len(gone) != 1 or len(made) != 1:
            continue
        old, new = gone[0], made[0]
        moved = _top_differences(old, new)
        out[old.address] = Finding(
            "destructive", old.stack,
            f"renames {old.label} → {new.label} (`{old.address}` → `{new.address}`): Terraform destroys the "
            "old one and creates the new, it does not move it" + (f"; what changes: {', '.join(moved)}" if moved else ""),
            old.address, _protected_note(old), rule="PFR090")
    return out


def _stack_rename(stack: StackRef, gone: Sequence[ResourceChange], new_stack: StackRef,
                  made: Sequence[ResourceChange]) -> Finding:
    kinds: dict[str, int] = {}
    for c in gone:
        kinds[c.label.split(" `")[0]] = kinds.get(c.label.split(" `")[0], 0) + 1
    what = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    stateful = [c.label for c in gone if c.type in ("databricks_secret_scope", "databricks_schema",
                                                      "databricks_registered_model", "databricks_mlflow_experiment")]
    lost = f"; {', '.join(stateful)} lose what they hold (secrets, tables, model versions, runs)" if stateful else ""
    return Finding("destructive", stack,
                   f"stack `{stack.name}` → `{new_stack.name}` is a rename: its {len(gone)} resources ({what}) are "
                   f"destroyed and {len(made)} created again under the new name{lost}", None,
                   _removed_stack(stack, gone).note, rule="PFR090")


def build_review(base: str, head: str, changes: Iterable[ResourceChange], *,
                 rates: Mapping[str, float], removed_stacks: Iterable[str] = (),
                 releases: Iterable[Finding] = (), gates: Iterable[Finding] = (),
                 governance: Iterable[Finding] = (), lts: Collection[str] = (),
                 stacks: Mapping[str, tuple[Mapping | None, Mapping | None]] | None = None,
                 libraries: Mapping[str, tuple[str, ...]] | None = None) -> Review:
    """Findings for every change, riskiest first; changes keep their stack order.

    `stacks`: stack -> (base, head) documents, for what is judged over a whole workspace (its IP
    allow lists together); without them only the changed lists are added up. `libraries`:
    environment -> where its jobs may install library files from besides the pilot's folder."""
    removed = set(removed_stacks)
    changes = list(changes)
    created: dict[str, set[str]] = {}
    for c in changes:
        if c.action == "create":
            created.setdefault(c.stack.name, set()).add(c.address)
    review = Review(base, head)
    findings: list[Finding] = []
    by_removed: dict[str, list[ResourceChange]] = {}
    for change in changes:
        if change.type == "databricks_cluster_policy":
            change, policy_findings = _policy(change, rates)
            findings += policy_findings
        findings += _access_findings(change)
        findings += membership_findings(change, created.get(change.stack.name, set()))
        findings += baseline_findings(change)
        findings += compute_findings(change, lts)
        findings += job_control_findings(change, (libraries or {}).get(change.stack.env or "", ()))
        if change.stack.name not in removed:   # a removed stack's monitors go with its pilot: PFR052 says so
            findings += control_findings(change)
        if change.stack.name in removed and change.action == "delete":
            by_removed.setdefault(change.stack.name, []).append(change)
        elif not (change.action == "delete" and change.type in CONTROL_TYPES):   # its own finding says more
            findings += _destructive(change)
        review.changes.append(change)
        if change.stack not in review.stacks:
            review.stacks.append(change.stack)
    sides = stacks if stacks is not None else sides_of(review.changes)
    listed = {c.stack.name: c.stack for c in review.changes if c.type == "databricks_ip_access_list"}
    for name, stack in listed.items():
        findings += allow_list_findings(stack, *sides.get(name, (None, None)))
    renames = _resource_renames(review.changes, removed)
    findings = [f for f in findings if not (f.rule_id == "PFR050" and f.resource in renames)] + list(renames.values())
    created = {}
    for c in review.changes:
        created.setdefault(c.stack.name, []).append(c)
    new_stacks = {n: cs for n, cs in created.items() if n not in removed and all(c.action == "create" for c in cs)}
    for stack_changes in by_removed.values():
        stack = stack_changes[0].stack
        twins = [n for n, cs in new_stacks.items() if cs[0].stack.env == stack.env]
        if len(twins) == 1 and sum(1 for s in by_removed.values() if s[0].stack.env == stack.env) == 1:
            findings.append(_stack_rename(stack, stack_changes, new_stacks[twins[0]][0].stack, new_stacks[twins[0]]))
        else:
            findings.append(_removed_stack(stack, stack_changes))
    findings = fold_access(findings) + list(governance) + list(releases) + list(gates)
    order = {s.name: i for i, s in enumerate(review.stacks)}
    review.findings = sorted(findings, key=lambda f: (KINDS.index(f.kind), order.get(f.stack.name, len(order))))
    return review


def _blocks(finding: Finding, fail_on: str) -> bool:
    if finding.waived:
        return False
    if fail_on == "broadening":
        return finding.blocks_by_default
    kinds = FAIL_ON[fail_on]
    return kinds is not None and finding.kind in kinds


def blocking(review: Review, fail_on: str) -> list[Finding] | None:
    """Findings that fail the run under `fail_on`; for `any`, None stands for "every change"."""
    if FAIL_ON[fail_on] is None:
        return None
    return [f for f in review.findings if _blocks(f, fail_on)]


def exit_code(review: Review, fail_on: str) -> tuple[int, str]:
    """(status, reason): 1 when the review holds something `--fail-on` names, else 0."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown --fail-on value {fail_on!r}")
    if review.errors:
        held = f"; {len(review.withheld)} stack{'s' * (len(review.withheld) != 1)} withheld" if review.withheld else ""
        return 1, (f"the head catalog has {review.errors} error{'s' * (review.errors != 1)} "
                   f"(`pilotfactory gates` lists them){held}: it cannot be deployed as it is")
    kinds = FAIL_ON[fail_on]
    if kinds is None:
        count = len(review.changes) + sum(1 for f in review.findings if f.kind in ("gate", "governance"))
        if count:
            return 1, f"{count} change{'s' * (count != 1)} and `--fail-on any`"
        return 0, "no changes"
    hits = blocking(review, fail_on) or []
    if hits:
        named = [k for k in KINDS if any(f.kind == k for f in hits)]
        what = " and ".join(("protected-environment destructive" if k == "destructive" and fail_on == "broadening"
                             else k) for k in named)
        return 1, (f"{len(hits)} {what} finding{'s' * (len(hits) != 1)} "
                   f"need{'s' * (len(hits) == 1)} a reviewer's acceptance "
                   f"(`--fail-on {fail_on}`)")
    if fail_on == "never":
        return 0, "`--fail-on never`: the review informs, it does not block"
    return 0, f"nothing that `--fail-on {fail_on}` blocks"
