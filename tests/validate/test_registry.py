"""The validate registry: adding a rule is one decorated function, and each rule declares its codes honestly."""
from __future__ import annotations

import ast
import inspect
import textwrap
from types import SimpleNamespace

import pytest

from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import RULES, catalog_rule, pilot_rule
from pilotfactory.validate.run import validate


def _codes_used(fn) -> set[str]:
    """The `Code.X` values a function's body reports."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    body = tree.body[0]
    body.decorator_list = []
    return {getattr(Code, n.attr) for n in ast.walk(body)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Code"}


@pytest.fixture
def empty_registry():
    saved = dict(RULES)
    RULES.clear()
    yield RULES
    RULES.clear()
    RULES.update(saved)


def test_every_rule_declares_exactly_the_codes_it_reports():
    mismatched = {name: (sorted(rule.codes), sorted(_codes_used(rule.check)))
                  for name, rule in RULES.items() if set(rule.codes) != _codes_used(rule.check)}
    assert RULES and mismatched == {}


def test_the_code_check_sees_an_undeclared_code(empty_registry):
    @pilot_rule(Code.BAD_CRON)
    def reports_another(catalog, typed, diags):
        """Reports a code it did not declare."""
        diags.error(Code.UNKNOWN_TIMEZONE, "x")

    with pytest.raises(AssertionError):
        test_every_rule_declares_exactly_the_codes_it_reports()


def test_every_rule_has_a_one_line_summary_and_a_unique_name():
    assert all(rule.summary for rule in RULES.values())
    assert all(name == f"{rule.check.__module__.rsplit('.', 1)[-1]}.{rule.check.__name__}"
               for name, rule in RULES.items())


def test_a_rule_registered_twice_or_without_codes_or_docstring_is_refused(empty_registry):
    def twice(catalog, typed, diags):
        """Once."""

    pilot_rule(Code.BAD_CRON)(twice)
    with pytest.raises(AssertionError, match="registered twice"):
        pilot_rule(Code.BAD_CRON)(twice)

    def undocumented(catalog, typed, diags):
        pass

    with pytest.raises(AssertionError, match="docstring"):
        pilot_rule(Code.BAD_CRON)(undocumented)

    def uncoded(catalog, typed, diags):
        """No codes."""

    with pytest.raises(AssertionError, match="codes"):
        catalog_rule()(uncoded)


def test_one_new_function_is_all_a_rule_needs(empty_registry):
    """A catalog rule runs once, a pilot rule once per pilot in catalog order; both report into diags."""
    calls = []

    @catalog_rule(Code.ENV_LAYOUT)
    def whole(catalog, resolution, diags):
        """Runs once."""
        calls.append(("catalog", len(resolution.pilots)))
        diags.warning(Code.ENV_LAYOUT, "whole catalog")

    @pilot_rule(Code.BAD_CRON)
    def each(catalog, typed, diags):
        """Runs per pilot."""
        calls.append(("pilot", typed.name))
        diags.error(Code.BAD_CRON, f"pilot {typed.name}")

    diags = Diagnostics()
    resolution = SimpleNamespace(pilots=[SimpleNamespace(name="b"), SimpleNamespace(name="a")])
    validate(SimpleNamespace(), resolution, diags)
    assert calls == [("catalog", 2), ("pilot", "b"), ("pilot", "a")]
    assert [(d.code, d.summary) for d in diags] == [("PF217", "whole catalog"), ("PF209", "pilot b"),
                                                    ("PF209", "pilot a")]
