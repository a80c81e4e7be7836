"""The rules as a Markdown table, for README.md (`pilotfactory rules --format markdown`)."""
from __future__ import annotations

from pilotfactory.guardrails.registry import RULES

__all__ = ["rules_table"]


def rules_table() -> str:
    rows = ["| id | rule | applies to | why |", "|---|---|---|---|"]
    for rule_id in sorted(RULES):
        r = RULES[rule_id]
        types = ", ".join(f"`{t}`" for t in r.resource_types)
        rows.append(f"| {rule_id} | `{r.title}` | {types} | {r.rationale} |")
    return "\n".join(rows) + "\n"
