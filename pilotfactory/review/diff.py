"""Two syntheses compared stack by stack, resource by resource, attribute by attribute."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from pilotfactory.review.changes import ABSENT, AttributeChange, ResourceChange, StackRef
from pilotfactory.review.flatten import flatten, normalize
from pilotfactory.review.identity import forces_replacement
from pilotfactory.review.labels import label
from pilotfactory.tfjson.stacknames import ACCOUNT, environments_of, parse_stack

__all__ = ["stack_ref", "resource_change", "diff_stacks", "stack_labels", "prevents_destroy"]

# Stack-level settings a reviewer must see too: where state lives, which workspace a stack targets.
_PSEUDO = {"terraform": ("(terraform)", "state backend"), "provider": ("(provider)", "provider settings")}


def stack_ref(name: str, environments: Mapping[str, bool]) -> StackRef:
    """Pilot and environment of a stack id (`account`, `platform-<env>`, `<pilot>-<env>`)."""
    parsed = parse_stack(name, environments)
    if parsed.owner == ACCOUNT:
        return StackRef(name, ACCOUNT, None, any(environments.values()))
    if parsed.env is None:  # an environment the config does not know counts as protected
        return StackRef(name, name, None, True)
    # `x-pre-prod` may be `x-pre` in prod: protected when any environment it could belong to is.
    return StackRef(name, parsed.owner, parsed.env,
                    any(environments[env] for env in environments_of(name, environments)))


def stack_labels(stack: Mapping[str, Any] | None, stack_name: str) -> dict[tuple[str, str], str]:
    """(type, name) -> reviewer words, for every resource of a stack; referenced objects first."""
    resources = (stack or {}).get("resource", {})
    out: dict[tuple[str, str], str] = {}
    # Two passes: permissions and grants name the object they point at, which needs its label.
    for second in (False, True):
        for rtype, items in resources.items():
            for name, values in items.items():
                if (rtype in ("databricks_permissions", "databricks_grants", "databricks_secret_acl")) == second:
                    out[(rtype, name)] = label(rtype, name, values, stack_name, out)
    return out


def prevents_destroy(values: Mapping[str, Any] | None) -> bool:
    """Whether a resource's configuration sets lifecycle.prevent_destroy (an object or a one-block list)."""
    lifecycle = (values or {}).get("lifecycle") if isinstance(values, Mapping) else None
    if isinstance(lifecycle, list):
        lifecycle = lifecycle[0] if lifecycle else None
    return bool(isinstance(lifecycle, Mapping) and lifecycle.get("prevent_destroy"))


def resource_change(stack: StackRef, rtype: str, name: str, before: dict | None, after: dict | None,
                    resource_label: str, *, before_masks: tuple = (None, None),
                    after_masks: tuple = (None, None), replace_paths: set[str] | None = None,
                    action: str | None = None) -> ResourceChange | None:
    """One resource's change; None when nothing a reviewer approves differs.

    Masks are Terraform's (sensitive, unknown) trees for each side; `replace_paths` the top-level
    attributes a plan says force replacement (synth mode uses the provider's identity fields).
    """
    old = flatten(normalize(rtype, before), *before_masks) if before is not None else {}
    new = flatten(normalize(rtype, after), *after_masks) if after is not None else {}
    attributes = []
    for path in sorted(set(old) | set(new)):
        raw_b, shown_b = old.get(path, (ABSENT, ABSENT))
        raw_a, shown_a = new.get(path, (ABSENT, ABSENT))
        if raw_b == raw_a and before is not None and after is not None:
            continue
        top = path.split(".", 1)[0].split("[", 1)[0]
        forcing = before is not None and after is not None and (
            top in replace_paths if replace_paths is not None else forces_replacement(rtype, path))
        attributes.append(AttributeChange(path, shown_b, shown_a, forcing))
    if before is not None and after is not None and prevents_destroy(before) != prevents_destroy(after):
        attributes.append(AttributeChange("lifecycle.prevent_destroy", prevents_destroy(before),
                                          prevents_destroy(after)))
    if action is None:
        if before is None:
            action = "create"
        elif after is None:
            action = "delete"
        elif not attributes:
            return None
        else:
            action = "replace" if any(a.forces_replacement for a in attributes) else "update"
    return ResourceChange(stack, f"{rtype}.{name}", rtype, resource_label, action, before, after,
                          tuple(attributes), prevents_destroy(before) or prevents_destroy(after))


def diff_stacks(base: Mapping[str, dict], head: Mapping[str, dict],
                ref: Callable[[str], StackRef]) -> list[ResourceChange]:
    """Every change from `base` to `head` (stack id -> cdk.tf.json dict), head's stack order first."""
    order = list(head) + [s for s in base if s not in head]
    out: list[ResourceChange] = []
    for stack_name in order:
        b, h = base.get(stack_name), head.get(stack_name)
        if b == h:
            continue
        stack = ref(stack_name)
        out += _pseudo_changes(stack, b, h)
        labels_b, labels_h = stack_labels(b, stack_name), stack_labels(h, stack_name)
        rb, rh = (b or {}).get("resource", {}), (h or {}).get("resource", {})
        keys = [(t, n) for t in rh for n in rh[t]] + [(t, n) for t in rb for n in rb[t] if n not in rh.get(t, {})]
        for rtype, name in keys:
            before, after = rb.get(rtype, {}).get(name), rh.get(rtype, {}).get(name)
            words = labels_h.get((rtype, name)) or labels_b.get((rtype, name)) or f"{rtype}.{name}"
            change = resource_change(stack, rtype, name, before, after, words)
            if change is not None:
                out.append(change)
    return out


def _pseudo_changes(stack: StackRef, base: dict | None, head: dict | None) -> list[ResourceChange]:
    if base is None or head is None:
        return []  # a stack created or removed says so through its resources
    out = []
    for key, (rtype, words) in _PSEUDO.items():
        if base.get(key) is None and head.get(key) is None:
            continue
        change = resource_change(stack, rtype, key, base.get(key), head.get(key), words)
        if change is not None:
            out.append(change)
    return out
