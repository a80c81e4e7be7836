"""Resource attributes as flat, readable paths: `task[classify].python_wheel_task.package_name`.

List elements are named by their natural key (task key, principal, alias...) rather than their
index, so inserting a task shows one new task, not every later task changed. A block that
Terraform writes as a one-element list and cdktf as an object gets the same path either way.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any, Iterator

from pilotfactory.review.changes import SENSITIVE, UNKNOWN
from pilotfactory.tfjson.policy import POLICY, policy_rules

__all__ = ["Leaf", "flatten", "normalize", "IGNORED_KEYS", "META_ARGUMENTS"]

# cdktf's bookkeeping comments, wherever they appear.
IGNORED_KEYS = frozenset({"//"})
# Terraform meta-arguments: ordering and wiring, only at a resource's top level. Deeper down the
# same names are data (a job task's `depends_on`); lifecycle.prevent_destroy is compared on its own.
META_ARGUMENTS = frozenset({"depends_on", "lifecycle", "provider", "count", "for_each"})

# Access-list entries are named after their principal: `access_control[group kyc-builders]`.
_PRINCIPAL_KEYS = {"group_name": "group", "user_name": "user", "service_principal_name": "service principal"}
# Other list elements, by the first of these they all have.
_NATURAL_KEYS = ("task_key", "job_cluster_key", "alias_name", "served_entity_name", "principal", "key",
                 "name", "whl", "jar", "egg", "requirements")

Leaf = tuple[Any, Any]   # (raw value to compare, value to display)


def normalize(resource_type: str, values: dict | None) -> dict | None:
    """Values as a reviewer reads them: a cluster policy's JSON definition becomes its rules."""
    if not values:
        return values
    if isinstance(values.get("content_base64"), str):
        values = {**values, "content_base64": _content_summary(values["content_base64"])}
    if resource_type == POLICY and isinstance(values.get("definition"), str):
        rules = policy_rules(values["definition"])
        if rules is not None:
            return {**values, "definition": rules}
    return values


def _content_summary(encoded: str) -> str:
    """A file's content as a reviewer can compare it in a table: size and digest, not base64."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except ValueError:
        return encoded
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return f"{lines} lines, sha256 {hashlib.sha256(data).hexdigest()[:12]}"


def flatten(values: Any, sensitive: Any = None, unknown: Any = None) -> dict[str, Leaf]:
    """Path -> (raw, display). `sensitive`/`unknown` are Terraform's parallel masks (true = whole subtree)."""
    out: dict[str, Leaf] = {}
    if isinstance(values, dict):
        values = {k: v for k, v in values.items() if k not in META_ARGUMENTS}
    for path, raw, shown in _walk(values, "", bool(sensitive is True), sensitive, unknown):
        out[path] = (raw, shown)
    return out


def _empty(value: Any) -> bool:
    # null, [] and {} all mean "not set": cdktf omits them where a plan writes null.
    return value is None or value == [] or value == {}


def _join(path: str, key: str) -> str:
    if any(c in key for c in ". []"):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _child(mask: Any, key: Any) -> Any:
    if isinstance(mask, dict):
        return mask.get(key)
    if isinstance(mask, list) and isinstance(key, int) and key < len(mask):
        return mask[key]
    return None


def _element_keys(items: list) -> list[tuple[str, str]] | None:
    """(name, field it comes from) per element, or None when they cannot all be named uniquely."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    keys: list[tuple[str, str]] = []
    for item in items:
        key = next(((f"{label} {item[k]}", k) for k, label in _PRINCIPAL_KEYS.items() if item.get(k)), None)
        if key is None:
            found = next((k for k in _NATURAL_KEYS if isinstance(item.get(k), (str, int))
                          and all(isinstance(i.get(k), (str, int)) for i in items)), None)
            if found is None:
                return None
            key = (str(item[found]), found)
        keys.append(key)
    return keys if len({k for k, _ in keys}) == len(keys) else None


def _walk(value: Any, path: str, hidden: bool, sensitive: Any, unknown: Any) -> Iterator[tuple[str, Any, Any]]:
    hidden = hidden or sensitive is True
    if unknown is True:
        yield path, UNKNOWN, UNKNOWN
        return
    if isinstance(value, dict):
        keys = set(value) | {k for k, v in (unknown or {}).items() if v is True and k not in value} \
            if isinstance(unknown, dict) else set(value)
        for key in sorted(keys):
            if key in IGNORED_KEYS:
                continue
            child = value.get(key)
            if _empty(child) and _child(unknown, key) is not True:
                continue
            yield from _walk(child, _join(path, key), hidden, _child(sensitive, key), _child(unknown, key))
        return
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        if len(value) == 1 and _element_keys(value) is None:
            yield from _walk(value[0], path, hidden, _child(sensitive, 0), _child(unknown, 0))
            return
        names = _element_keys(value) or [(str(i), None) for i in range(len(value))]
        for i, ((name, field), item) in enumerate(zip(names, value)):
            rest = {k: v for k, v in item.items() if k != field and k not in IGNORED_KEYS and not _empty(v)}
            if not rest:  # the element is its name alone (a dependency, a tag key): show it as present
                yield f"{path}[{name}]", name, SENSITIVE if hidden else name
                continue
            yield from _walk(rest, f"{path}[{name}]", hidden, _child(sensitive, i), _child(unknown, i))
        return
    if _empty(value):
        return
    yield path, value, SENSITIVE if hidden or _any_true(sensitive) else value


def _any_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, list):
        return any(_any_true(m) for m in mask)
    if isinstance(mask, dict):
        return any(_any_true(m) for m in mask.values())
    return False
