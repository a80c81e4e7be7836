"""`pilotfactory templates` and `pilotfactory new`, end to end, failures included."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.catalog.load import load_catalog
from pilotfactory.cli.app import cli
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.pipeline import check
from pilotfactory.scaffold.render import parameter_values, render_skeleton
from pilotfactory.synth.build import synthesize

from tests.conftest import ESTATE

REQUIRED = {
    "title": "Loan application triage", "cost_center": "CC-1234",
    "executive_sponsor": "head.of.lending@bank.example", "product_owner": "lending.product@bank.example",
    "builders": "kyc-builders", "approvers": "kyc-approvers", "on_call": "lending-oncall@bank.example",
    "on_call_group": "kyc-oncall",
}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def sets(values: dict[str, str]) -> list[str]:
    return [arg for k, v in values.items() for arg in ("--set", f"{k}={v}")]


def add_groups(root: Path, *groups: str) -> None:
    """Declare template-default groups in roles.yaml (groups: is its last mapping)."""
    roles = root / "config" / "roles.yaml"
    text = roles.read_text()
    for i, group in enumerate(groups):
        text += f"\n  {group}:\n    managed: true\n    members: [person{i}.{group}@bank.example]\n"
    roles.write_text(text)


def test_templates_lists_each_template_with_version_and_parameters():
    result = run("templates", "--root", str(ESTATE))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "agentic-workflow 1.1.0: Agentic workflow" in lines
    assert "batch-scoring 1.1.0: Batch scoring" in lines
    assert any(line.startswith("  cost_center (string, required; a cost centre like CC-4120) [default: CC-4120]: ")
               for line in lines)
    assert any(line.startswith("  value_score (integer; 1..5) [default: 3]") for line in lines)


def test_new_renders_validates_and_writes_the_pilot(repo_copy):
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets(REQUIRED))
    assert result.exit_code == 0, result.output
    written = repo_copy / "catalog" / "pilots" / "loan-triage.yaml"
    text = written.read_text()
    assert "name: loan-triage\n" in text
    assert "template: agentic-workflow\ntemplate_version: \"1.1.0\"\n" in text
    assert 'title: "Loan application triage"' in text
    assert "# Rendered from catalog/templates/agentic-workflow (1.1.0)." in text
    checked = check(repo_copy)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    assert any(rp.stack_id == "loan-triage-dev" for rp in checked.resolution.catalog.pilots)


def test_new_refuses_an_existing_pilot(repo_copy):
    existing = repo_copy / "catalog" / "pilots" / "card-fraud-scoring.yaml"
    before = existing.read_bytes()
    result = run("new", "card-fraud-scoring", "--template", "realtime-serving", "--root", str(repo_copy),
                 *sets(REQUIRED))
    assert result.exit_code == 1
    assert ("catalog/pilots/card-fraud-scoring.yaml:1:1: error[PF505]: pilot `card-fraud-scoring` already "
            "exists") in result.stderr
    assert existing.read_bytes() == before


@pytest.mark.parametrize("key, value, message", [
    ("cost_center", "4120", "template.yaml:33:3: error[PF501]: --set cost_center=4120: `4120` is not a cost centre like CC-4120"),
    ("value_score", "7", "error[PF501]: --set value_score=7: 7 is above the maximum 5"),
    ("value_score", "high", "error[PF501]: --set value_score=high: should be a whole number, not `high`"),
    ("data_classification", "confidental", "`confidental` is not one of public, internal, confidential, restricted; did you mean `confidential`?"),
    ("metric_baseline", "lots", "--set metric_baseline=lots: should be a number, not `lots`"),
    ("title", "two\nlines", "line breaks and control characters are not allowed"),
    ("colour", "blue", "error[PF503]: template `agentic-workflow` has no parameter `colour`"),
])
def test_new_rejects_a_bad_parameter_and_writes_nothing(repo_copy, key, value, message):
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets({**REQUIRED, key: value}))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "nothing written" in result.stderr
    assert not (repo_copy / "catalog" / "pilots" / "loan-triage.yaml").exists()


def test_new_lists_every_missing_parameter_when_not_in_a_terminal(repo_copy):
    given = {k: v for k, v in REQUIRED.items() if k not in ("title", "on_call")}
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy), *sets(given))
    assert result.exit_code == 1
    assert ("error[PF502]: template `agentic-workflow` needs 2 more parameters and there is no terminal "
            "to ask: title, on_call; give each with --set KEY=VALUE") in result.stderr
    assert not (repo_copy / "catalog" / "pilots" / "loan-triage.yaml").exists()


def test_new_asks_for_missing_parameters_in_a_terminal(repo_copy, monkeypatch):
    monkeypatch.setattr("pilotfactory.cli.commands.scaffold._interactive", lambda: True)
    given = {k: v for k, v in REQUIRED.items() if k != "cost_center"}
    # The first answer breaks the pattern and is asked again; the second is kept.
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets(given), input="4120\nCC-9876\n")
    assert result.exit_code == 0, result.output
    assert "`4120` is not a cost centre like CC-4120" in result.output
    assert "cost_center: CC-9876\n" in (repo_copy / "catalog" / "pilots" / "loan-triage.yaml").read_text()


def test_new_refuses_a_pilot_that_does_not_validate(repo_copy):
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets({**REQUIRED, "builders": "lending-builders"}))
    assert result.exit_code == 1
    assert ("catalog/pilots/loan-triage.yaml:19:13: error[PF219]: group `lending-builders` is not declared "
            "in config/roles.yaml") in result.stderr
    assert not (repo_copy / "catalog" / "pilots" / "loan-triage.yaml").exists()


def test_new_names_an_unknown_template_with_a_suggestion(repo_copy):
    result = run("new", "loan-triage", "--template", "batch-scoreing", "--root", str(repo_copy))
    assert result.exit_code == 1
    assert "error[PF212]: no template `batch-scoreing` in catalog/templates/; did you mean `batch-scoring`?" in result.stderr


def test_new_rejects_a_name_that_is_not_a_slug(repo_copy):
    result = run("new", "../Escape", "--template", "batch-scoring", "--root", str(repo_copy))
    assert result.exit_code == 1
    assert "pilot name `../Escape` is not a slug" in result.stderr


def test_a_broken_skeleton_is_located(repo_copy):
    skeleton = repo_copy / "catalog" / "templates" / "batch-scoring" / "pilot.yaml.j2"
    skeleton.write_text(skeleton.read_text().replace("{{ cost_center }}", "{{ cost_centre }}"))
    result = run("new", "loan-scoring", "--template", "batch-scoring", "--root", str(repo_copy), *sets(REQUIRED))
    assert result.exit_code == 1
    assert ("catalog/templates/batch-scoring/pilot.yaml.j2:12:1: error[PF504]: the skeleton does not render: "
            "'cost_centre' is undefined") in result.stderr


def test_the_sandbox_keeps_skeletons_out_of_python_internals(repo_copy):
    skeleton = repo_copy / "catalog" / "templates" / "batch-scoring" / "pilot.yaml.j2"
    skeleton.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n" + skeleton.read_text())
    result = run("new", "loan-scoring", "--template", "batch-scoring", "--root", str(repo_copy), *sets(REQUIRED))
    assert result.exit_code == 1
    assert "error[PF504]" in result.stderr and "unsafe" in result.stderr


def test_every_shipped_template_renders_with_its_defaults_and_synthesizes(repo_copy, tmp_path):
    """A contributor adds a template by adding a folder; this test keeps a broken one from landing."""
    diags = Diagnostics()
    catalog = load_catalog(repo_copy, diags)
    assert set(catalog.templates) == {p.name for p in (repo_copy / "catalog" / "templates").iterdir() if p.is_dir()}
    groups, names = [], []
    for name, entry in sorted(catalog.templates.items()):
        pilot = str(entry.template.parameters["name"].default) if "name" in entry.template.parameters else f"{name}-x"
        values, missing = parameter_values(entry, pilot, {}, diags, use_defaults=True)
        assert missing == []
        text = render_skeleton(repo_copy, entry, values, diags)
        assert text is not None, [d.render() for d in diags]
        (repo_copy / "catalog" / "pilots" / f"{pilot}.yaml").write_text(text)
        groups += [str(values["builders"]), str(values["approvers"]), str(values["on_call_group"])]
        names.append(pilot)
    assert not diags.has_errors, [d.render() for d in diags]
    add_groups(repo_copy, *groups)
    checked = check(repo_copy)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    stacks = synthesize(checked.resolution.catalog, tmp_path / "out")
    assert {f"{n}-dev" for n in names} <= set(stacks)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@bank.example",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


def test_outdated_shows_the_skeleton_diff_from_git_history(repo_copy):
    _git(repo_copy, "init", "-q")
    _git(repo_copy, "add", ".")
    _git(repo_copy, "commit", "-q", "-m", "catalog at 1.1.0")
    folder = repo_copy / "catalog" / "templates" / "batch-scoring"
    (folder / "template.yaml").write_text((folder / "template.yaml").read_text().replace('version: "1.1.0"', 'version: "1.2.0"'))
    (folder / "pilot.yaml.j2").write_text((folder / "pilot.yaml.j2").read_text().replace("timeout_seconds: 7200", "timeout_seconds: 5400"))
    _git(repo_copy, "commit", "-q", "-am", "batch-scoring 1.2.0")
    result = run("templates", "--outdated", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ("catalog/pilots/aml-alert-triage.yaml: pilot aml-alert-triage is on batch-scoring 1.1.0; the "
            "template is at 1.2.0") in out
    assert "-    timeout_seconds: 7200\n+    timeout_seconds: 5400\n" in out
    assert "--- catalog/templates/batch-scoring/pilot.yaml.j2 (1.1.0, " in out
    assert "kyc-document-triage" not in out  # its template did not move


def test_outdated_without_history_says_so(repo_copy):
    template = repo_copy / "catalog" / "templates" / "realtime-serving" / "template.yaml"
    template.write_text(template.read_text().replace('version: "1.1.0"', 'version: "2.0.0"'))
    result = run("templates", "--outdated", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    assert "pilot card-fraud-scoring is on realtime-serving 1.1.0; the template is at 2.0.0" in result.stdout
    assert "the skeleton of realtime-serving 1.1.0 is not in git history" in result.stdout


def test_outdated_when_every_pilot_is_current():
    result = run("templates", "--outdated", "--root", str(ESTATE))
    assert result.exit_code == 0
    assert result.stdout == "every pilot is on its template's current version\n"


def test_new_writes_a_high_risk_pilot_whose_unearned_gate_withholds_its_environments(repo_copy):
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets({**REQUIRED, "risk_score": "5"}))
    assert result.exit_code == 0, result.output
    assert "wrote catalog/pilots/loan-triage.yaml" in result.stdout
    assert "error[PF309]" in result.stderr and "risk score 5 is above 3" in result.stderr
    assert "synth builds none of its environments" in result.stderr
    checked = check(repo_copy)
    [gates] = [p for p in checked.gates.pilots if p.pilot == "loan-triage"]
    assert gates.earned is None and gates.unearned_environments == ("dev",)
    assert not any(rp.name == "loan-triage" for rp in checked.resolution.catalog.pilots)


def test_new_is_not_stopped_or_cluttered_by_another_pilots_problems(repo_copy):
    """Blast radius of one: another pilot's content error, and approvals that cannot be verified
    (signature mode in a folder without history), neither refuse nor clutter the new pilot."""
    card = repo_copy / "catalog" / "pilots" / "card-fraud-scoring.yaml"
    card.write_text(card.read_text().replace("phase: pilot", "phase: pilot\nnot_a_key: 1", 1))
    gates = repo_copy / "config" / "gates.yaml"
    gates.write_text(gates.read_text().replace("verify: none", "verify: signature"))
    result = run("new", "loan-triage", "--template", "agentic-workflow", "--root", str(repo_copy),
                 *sets(REQUIRED))
    assert result.exit_code == 0, result.output
    assert (repo_copy / "catalog" / "pilots" / "loan-triage.yaml").is_file()
    assert "card-fraud-scoring" not in result.output and "kyc-document-triage" not in result.output
