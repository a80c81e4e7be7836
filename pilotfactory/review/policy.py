"""Cluster policy rules: when a change loosens them, and what a policy can cost at most.

The ceiling is max workers x the DBU rate of the priciest node type the policy allows, with the
rates `config/standards.yaml` records; unlimited workers or an unknown node type mean no ceiling.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, get_args

from pilotfactory.catalog.model.pilot import DataClassification
from pilotfactory.tfjson.policy import attribute_in_words, rule_in_words

__all__ = ["Loosening", "loosenings", "classification_lowered", "cost_ceiling", "format_ceiling"]

# The pilot's data classification, as the policy fixes it on every cluster; least sensitive first.
_CLASSIFICATION_RULE = "custom_tags.data_classification"
_CLASSIFICATIONS: tuple[str, ...] = get_args(DataClassification)

# Rules whose numeric value rising means more cost or longer-lived clusters.
_RISING_IS_LOOSER = ("autotermination_minutes", "autoscale.max_workers", "num_workers")
_WORKER_RULES = ("autoscale.max_workers", "num_workers")


@dataclass(frozen=True)
class Loosening:
    rule: str
    what: str      # "maximum workers", "node type", "required tag `cost_center`"
    before: str
    after: str


def _bound(rule: Mapping[str, Any]) -> str:
    high = _upper(rule)
    return "unbounded" if high is None else f"{high:g}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _upper(rule: Mapping[str, Any] | None) -> float | None:
    """The highest value a rule allows; None: no bound."""
    if not rule:
        return None
    if rule.get("type") == "fixed":
        return _number(rule.get("value"))
    if rule.get("type") == "range":
        return _number(rule.get("maxValue"))
    return None


def loosenings(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Loosening]:
    """Every way `after` allows more than `before`; tightenings and new rules are not listed."""
    out: list[Loosening] = []
    for key in sorted(before):
        b, a = before.get(key), after.get(key)
        if not isinstance(b, Mapping):
            continue
        what = attribute_in_words(key)
        if not isinstance(a, Mapping):
            required = key.startswith("custom_tags.") and (b.get("type") == "fixed" or b.get("isOptional") is False)
            out.append(Loosening(key, f"required {what} removed" if required else f"rule {what} removed",
                                 rule_in_words(b), "no rule"))
            continue
        bt, at = b.get("type"), a.get("type")
        if bt == "fixed" and at != "fixed":
            out.append(Loosening(key, what, rule_in_words(b), rule_in_words(a)))
        elif bt == "allowlist" and at == "allowlist":
            added = [v for v in a.get("values", []) if v not in b.get("values", [])]
            if added:
                out.append(Loosening(key, f"{what} allowlist", f"{len(b.get('values', []))} allowed",
                                     f"+ {', '.join(map(str, added))}"))
        elif bt == "allowlist" and at not in ("fixed", "allowlist"):
            out.append(Loosening(key, what, rule_in_words(b), rule_in_words(a)))
        elif bt == "blocklist" and at == "blocklist":
            dropped = [v for v in b.get("values", []) if v not in a.get("values", [])]
            if dropped:
                out.append(Loosening(key, f"{what} blocklist", f"{len(b.get('values', []))} blocked",
                                     f"- {', '.join(map(str, dropped))}"))
        elif bt == "range" and at in ("unlimited", "regex"):
            out.append(Loosening(key, what, rule_in_words(b), rule_in_words(a)))
        elif b.get("isOptional") is False and a.get("isOptional") is not False and at == "unlimited":
            out.append(Loosening(key, f"{what} no longer required", rule_in_words(b), rule_in_words(a)))
        if key in _RISING_IS_LOOSER and at in ("fixed", "range") and bt in ("fixed", "range"):
            hb, ha = _upper(b), _upper(a)
            if hb is not None and (ha is None or ha > hb) and not (bt == "fixed" and at != "fixed"):
                out.append(Loosening(key, what, _bound(b), _bound(a)))
    return out


def classification_lowered(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, str] | None:
    """(was, now) when the fixed classification tag falls: placement and retention follow it, so the
    data is treated as less sensitive. A move from or to a value outside the known levels counts."""
    b, a = before.get(_CLASSIFICATION_RULE), after.get(_CLASSIFICATION_RULE)
    if not (isinstance(b, Mapping) and isinstance(a, Mapping) and b.get("type") == a.get("type") == "fixed"):
        return None   # a rule removed or loosened is a loosening already
    was, now = str(b.get("value")), str(a.get("value"))
    if was == now:
        return None
    known = was in _CLASSIFICATIONS and now in _CLASSIFICATIONS
    if known and _CLASSIFICATIONS.index(now) > _CLASSIFICATIONS.index(was):
        return None
    return was, now


def cost_ceiling(rules: Mapping[str, Any] | None, rates: Mapping[str, float]) -> float | None:
    """DBU/h at most: max workers x the priciest allowed node's rate; None when nothing bounds it."""
    if not rules:
        return None
    workers = next((_upper(rules.get(k)) for k in _WORKER_RULES if isinstance(rules.get(k), Mapping)), None)
    node_rule = rules.get("node_type_id")
    if workers is None or not isinstance(node_rule, Mapping):
        return None
    if node_rule.get("type") == "fixed":
        nodes = [node_rule.get("value")]
    elif node_rule.get("type") == "allowlist":
        nodes = list(node_rule.get("values", []))
    else:
        return None
    known = [rates[n] for n in nodes if n in rates]
    if not known or len(known) != len(nodes):
        return None
    return round(workers * max(known), 2)


def format_ceiling(value: float | None) -> str:
    if value is None:
        return "unbounded"
    return f"{value:g} DBU/h"
