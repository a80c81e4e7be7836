"""Reviewer words for a resource: `job classify-green`, `cluster policy kyc-document-triage-prod`.

The construct path (from cdktf's metadata, or recovered from the logical id in a plan) names the
catalog object; the resource's own `name` names the Databricks object where it has one.
"""
from __future__ import annotations

import re
from typing import Any

from pilotfactory.tfjson.objects import GRANT_SECURABLES, NAME_ATTRIBUTES, OBJECTS
from pilotfactory.tfjson.objects import noun as noun_of
from pilotfactory.tfjson.references import is_reference
from pilotfactory.tfjson.references import reference as whole_reference

__all__ = ["construct_parts", "label", "reference"]

# The attribute of a permissions / grants / secret ACL resource that points at the object it governs.
_TARGETS = {**{a: o.noun for o in OBJECTS for a in o.arguments}, **GRANT_SECURABLES,
            "scope": noun_of("databricks_secret_scope")}

_OPAQUE = re.compile(r"^(?=.*[0-9])[0-9A-Fa-f-]+$|^/[a-z-]+/[0-9]+$")  # ids, not names
_HASH = re.compile(r"_[0-9A-F]{8}$")


def construct_parts(resource_name: str, values: dict | None, stack: str) -> list[str]:
    """The construct path below the stack, without the trailing `Resource`."""
    meta = (values or {}).get("//", {}).get("metadata", {}) if isinstance(values, dict) else {}
    path = meta.get("path") if isinstance(meta, dict) else None
    if isinstance(path, str) and "/" in path:
        parts = path.split("/")[1:]
    else:  # a plan: cdktf's logical id is the path joined by `_`, plus a hash
        parts = _HASH.sub("", resource_name).split("_")
    return parts[:-1] if len(parts) > 1 and parts[-1] == "Resource" else parts


def reference(value: Any) -> tuple[str, str] | None:
    """(type, name) of a `${type.name.attr}` token, the way cdktf writes one resource pointing at another."""
    ref = whole_reference(value)
    return (ref.type, ref.name) if ref else None


def label(resource_type: str, resource_name: str, values: dict | None, stack: str,
          labels: dict[tuple[str, str], str] | None = None) -> str:
    """Reviewer words for one resource; `labels` resolves references to other resources of the stack."""
    values = values or {}
    noun = noun_of(resource_type)
    parts = construct_parts(resource_name, values, stack)
    name_attr = NAME_ATTRIBUTES.get(resource_type)
    own_name = values.get(name_attr) if name_attr else None
    if isinstance(own_name, str) and own_name and reference(own_name) is None:
        return f"{noun} `{own_name}`"
    if resource_type in ("databricks_permissions", "databricks_grants", "databricks_grant",
                         "databricks_secret_acl"):
        target = _target(values, labels or {}, parts)
        if resource_type == "databricks_secret_acl":
            principal = values.get("principal")
            who = f" for `{principal}`" if isinstance(principal, str) else f" {parts[-1]}"
            return f"secret ACL{who} on {target}"
        return f"{noun} on {target}"
    if resource_type == "databricks_job" and len(parts) > 1:
        return f"{noun} `{parts[-1]}`"
    return f"{noun} `{'/'.join(parts) or resource_name}`"


def _target(values: dict, labels: dict[tuple[str, str], str], parts: list[str]) -> str:
    owner = [p for p in parts if p not in ("Permissions", "Grants", "SchemaGrants")]
    for attr, noun in _TARGETS.items():
        if attr not in values:
            continue
        value = values[attr]   # None in a plan when the object is created in the same apply
        ref = reference(value)
        if ref is not None and ref in labels:
            return labels[ref]
        # A readable name (a scope, a UC full name) beats the construct path; a numeric id does not.
        if ref is None and isinstance(value, str) and not is_reference(value) and not _OPAQUE.match(value):
            return f"{noun} `{value}`"
        return f"{noun} `{owner[-1]}`" if owner else noun
    return f"`{'/'.join(owner)}`" if owner else "an object"
