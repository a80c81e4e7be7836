"""Every rule has a pass and a fail fixture; both run through our CLI and through checkov."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.guardrails import RULES

from ..conftest import REPO
from .checkov_run import checkov_failures

FIXTURES = REPO / "tests" / "guardrails" / "fixtures"


def _violations(path) -> set[str]:
    result = CliRunner().invoke(cli, ["check", str(path), "--root", str(REPO), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    assert report["errors"] == []
    return {v["rule"] for v in report["violations"]}


def test_every_rule_has_fixtures_and_every_fixture_a_rule():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(RULES)
    for rule_id in RULES:
        assert sorted(p.name for p in (FIXTURES / rule_id).iterdir()) == ["fail.tf.json", "pass.tf.json"]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_our_cli_passes_the_pass_fixture_and_fails_the_fail_fixture_with_the_rule(rule_id):
    assert _violations(FIXTURES / rule_id / "pass.tf.json") == set()
    assert _violations(FIXTURES / rule_id / "fail.tf.json") == {rule_id}


def test_checkov_with_our_policies_agrees_on_every_fixture():
    failures = checkov_failures(FIXTURES)  # one run over the folder: checkov starts slowly
    for rule_id in RULES:
        assert failures.get(f"{rule_id}/pass.tf.json") == set(), rule_id
        assert failures.get(f"{rule_id}/fail.tf.json") == {rule_id}, rule_id
