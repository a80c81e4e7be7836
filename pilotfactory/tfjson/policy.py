"""Cluster policy definitions: the JSON string a `databricks_cluster_policy` holds, read once.

A definition is a JSON object of attribute path -> rule (`{"type": "fixed", "value": ...}`,
`range`, `allowlist`, `blocklist`, `unlimited`, ...), as docs/resources/cluster_policy.md of
terraform-provider-databricks v1.99.0 and the Databricks policy definition reference describe it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["POLICY", "Definition", "parse_definition", "policy_rules", "fixed_value", "attribute_in_words",
           "rule_in_words", "policy_in_words"]

POLICY = "databricks_cluster_policy"


@dataclass(frozen=True)
class Definition:
    rules: dict[str, Any] | None     # None: the definition is missing, not JSON, or not an object
    problem: str | None = None       # why `rules` is None, in words
    duplicates: tuple[str, ...] = ()  # attributes with more than one rule (only the last counts)


def parse_definition(text: Any) -> Definition:
    """The rules of a definition string, with what is wrong with it."""
    duplicates: list[str] = []

    def pairs(items):  # called once per JSON object, so duplicates are counted per object
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(items)

    if not isinstance(text, str):
        return Definition(None, "has no policy definition")
    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except ValueError as exc:
        return Definition(None, f"definition is not JSON ({exc.args[0].split(':')[0]})")
    if not isinstance(data, dict):
        return Definition(None, "definition must be a JSON object of attribute rules")
    return Definition(data, None, tuple(sorted(set(duplicates))))


def policy_rules(text: Any) -> dict[str, Any] | None:
    """The rules of a definition string, or None when it is not a JSON object."""
    return parse_definition(text).rules


def fixed_value(rules: dict, attribute: str) -> Any:
    """The value a `fixed` rule pins `attribute` to, or None."""
    entry = rules.get(attribute)
    if isinstance(entry, dict) and entry.get("type") == "fixed":
        return entry.get("value")
    return None


# What each policed attribute is called, for reviewers and auditors alike.
_ATTRIBUTE_WORDS = {
    "spark_version": "Databricks Runtime",
    "node_type_id": "node type",
    "driver_node_type_id": "driver node type",
    "autotermination_minutes": "idle minutes before a cluster stops",
    "data_security_mode": "data security mode",
    "autoscale.min_workers": "minimum workers",
    "autoscale.max_workers": "maximum workers",
    "num_workers": "workers",
}


def attribute_in_words(key: str) -> str:
    """`maximum workers` for `autoscale.max_workers`, `tag `cost_center`` for `custom_tags.cost_center`."""
    if key.startswith("custom_tags."):
        return f"tag `{key.removeprefix('custom_tags.')}`"
    return _ATTRIBUTE_WORDS.get(key, f"`{key}`")


def rule_in_words(rule: Any) -> str:
    """What one rule of a definition allows, in words; `no rule` when there is none."""
    if not isinstance(rule, dict):
        return "no rule"
    kind = rule.get("type")
    if kind == "fixed":
        return f"fixed at `{rule.get('value')}`"
    if kind in ("allowlist", "blocklist"):
        values = ", ".join(f"`{v}`" for v in rule.get("values", []))
        default = f" (default `{rule['defaultValue']}`)" if "defaultValue" in rule else ""
        return f"{'one' if kind == 'allowlist' else 'none'} of {values}{default}"
    if kind == "range":
        bounds = [f"at least {rule['minValue']}"] if "minValue" in rule else []
        bounds += [f"at most {rule['maxValue']}"] if "maxValue" in rule else []
        return " and ".join(bounds) or "unbounded"
    if kind == "unlimited":
        return "must be set by whoever creates the cluster" if rule.get("isOptional") is False else "anything"
    return f"`{json.dumps(rule, sort_keys=True)}`"


def policy_in_words(rules: dict[str, dict]) -> list[str]:
    """One plain sentence per rule of a cluster policy definition."""
    out = []
    for key in sorted(rules):
        what = attribute_in_words(key)
        out.append(f"{what[0].upper()}{what[1:]}: {rule_in_words(rules[key])}.")
    return out
