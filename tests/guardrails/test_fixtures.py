"""Every rule has a pass and a fail fixture; both run through our CLI and through checkov."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.guardrails import RULES

from ..conftest import REPO, ESTATE
from .checkov_run import checkov_failures

FIXTURES = REPO / "tests" / "guardrails" / "fixtures"


def _violations(path) -> set[str]:
    result = CliRunner().invoke(cli, ["check", str(path), "--root", str(ESTATE), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    assert report["errors"] == []
    return {v["rule"] for v in report["violations"]}


def _cases() -> list[tuple[str, str]]:
    """(rule id, fixture file): `pass.tf.json`, `fail.tf.json`, and boundary cases `pass-*` / `fail-*`."""
    return [(rule_id, p.name) for rule_id in sorted(RULES) for p in sorted((FIXTURES / rule_id).iterdir())]


def test_every_rule_has_fixtures_and_every_fixture_a_rule():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(RULES)
    for rule_id in RULES:
        names = sorted(p.name for p in (FIXTURES / rule_id).iterdir())
        assert {"fail.tf.json", "pass.tf.json"} <= set(names), rule_id
        assert all(n.startswith(("pass", "fail")) and n.endswith(".tf.json") for n in names), names


@pytest.mark.parametrize("rule_id,fixture", _cases())
def test_our_cli_passes_the_pass_fixture_and_fails_the_fail_fixture_with_the_rule(rule_id, fixture):
    expected = {rule_id} if fixture.startswith("fail") else set()
    assert _violations(FIXTURES / rule_id / fixture) == expected


def test_boundary_cases_have_failing_fixtures():
    """Token lifetime 0, autotermination 0, two owners, `::/0`, split open ranges, manage rights to
    everyone outside a protected environment, an unknown environment (checked as protected)."""
    cases = set(_cases())
    for case in [("PFG031", "fail-zero-lifetime.tf.json"), ("PFG003", "fail-zero-autotermination.tf.json"),
                 ("PFG011", "fail-two-owners.tf.json"), ("PFG050", "fail-ipv6-open.tf.json"),
                 ("PFG050", "fail-split-halves.tf.json"), ("PFG050", "fail-halves-in-two-lists.tf.json"),
                 ("PFG050", "pass-slash-8.tf.json"), ("PFG021", "fail-manage-to-users-in-dev.tf.json"),
                 ("PFG021", "fail-unknown-environment.tf.json")]:
        assert case in cases, case


def test_checkov_with_our_policies_agrees_on_every_fixture():
    failures = checkov_failures(FIXTURES)  # one run over the folder: checkov starts slowly
    for rule_id, fixture in _cases():
        expected = {rule_id} if fixture.startswith("fail") else set()
        assert failures.get(f"{rule_id}/{fixture}") == expected, (rule_id, fixture)
