"""The README's guardrail table is generated from the registry and must match it."""
from __future__ import annotations

from pilotfactory.guardrails import RULES
from pilotfactory.guardrails.table import rules_table

from ..conftest import REPO


def test_readme_lists_every_rule_with_its_rationale_as_the_registry_says():
    text = (REPO / "README.md").read_text()
    start, end = text.index("<!-- rules:start -->\n"), text.index("<!-- rules:end -->")
    current = text[start + len("<!-- rules:start -->\n"):end]
    assert current == rules_table(), "run `pilotfactory rules --format markdown` and paste it into README.md"
    for rule_id, rule in RULES.items():
        assert f"| {rule_id} | `{rule.title}` |" in current and rule.rationale in current
