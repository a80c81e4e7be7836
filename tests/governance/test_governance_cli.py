"""`gates`, `approve`, `codeowners` and `inventory` as users run them.

Golden files for `gates` sit in tests/governance/golden/; UPDATE_GOLDEN=1 rewrites them.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check

from tests.conftest import ESTATE, TODAY
from tests.gates.test_gates import AML, KYC, ROLES, edit

GOLDEN = Path(__file__).parent / "golden"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def approve_as(who: str, *args: str):
    """`approve` run by `who`: their git identity (the environment git reads it from), no flag."""
    return CliRunner().invoke(cli, ["approve", *args], env={"GIT_AUTHOR_EMAIL": who, "GIT_AUTHOR_NAME": "Someone"})


def raise_aml_to_production(root: Path) -> None:
    edit(root, AML, "phase: staging", "phase: production")
    edit(root, KYC, "  max_workers: 6\n  node_types", "  max_workers: 5\n  node_types")


def _raise_to_production(estate) -> None:
    """pilot-001 declares production without the production exit's approvals."""
    estate.edit_pilot("pilot-001", lambda d: d.update(phase="production"))


SCENARIOS = {"estate": lambda estate: None, "unearned": _raise_to_production}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_gates_output_is_golden(scenario, fmt, make_estate):
    estate = make_estate(3)
    SCENARIOS[scenario](estate)
    result = run("gates", "--root", str(estate.root), "--format", fmt)
    golden = GOLDEN / f"{scenario}.{'txt' if fmt == 'text' else 'json'}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout)
    assert result.exit_code == (0 if scenario == "estate" else 1), result.output
    assert result.stdout == golden.read_text()


def test_gates_json_names_every_criterion_with_its_catalog_line(repo_copy):
    raise_aml_to_production(repo_copy)
    result = run("gates", "aml-alert-triage", "--root", str(repo_copy), "--format", "json")
    assert result.exit_code == 1
    [aml] = json.loads(result.stdout)["pilots"]
    assert (aml["declared_phase"], aml["earned_phase"], aml["unearned_environments"]) == (
        "production", "staging", ["prod"])
    production = aml["gates"][-1]
    assert production["required"] and not production["passed"]
    failed = {c["criterion"]: c for c in production["criteria"] if not c["passed"]}
    assert failed["rollback_rehearsal"]["code"] == "PF308"
    # The slot's `version:` value in the pilot file, wherever the file puts it.
    lines = (repo_copy / AML).read_text().splitlines()
    (line,) = [n for n, text in enumerate(lines, 1) if "main: {version: v0.9.0" in text]
    column = lines[line - 1].index("v0.9.0") + 1
    assert failed["test_report:v0.9.0"]["location"] == {"file": AML, "line": line, "column": column}
    assert failed["test_report:v0.9.0"]["rule"]["file"] == "config/gates.yaml"


def test_gates_for_one_pilot_exits_by_that_pilot_only(repo_copy):
    raise_aml_to_production(repo_copy)
    assert run("gates", "card-fraud-scoring", "--root", str(repo_copy)).exit_code == 0
    unknown = run("gates", "card-fraud", "--root", str(repo_copy))
    assert unknown.exit_code == 2 and "did you mean `card-fraud-scoring`?" in unknown.output


def test_approve_refreshes_a_stale_approval_and_touches_only_its_line(repo_copy):
    edit(repo_copy, KYC, "  max_workers: 6\n  node_types", "  max_workers: 5\n  node_types")
    before = (repo_copy / KYC).read_text()
    result = approve_as("helen.marsh@bank.example", "kyc-document-triage", "--gate", "production",
                 "--role", "compliance", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"refreshed compliance approval of gate `production` by "
                                    f"helen.marsh@bank.example on {TODAY} in {KYC} (sha256:")
    changed = [line for line in difflib.ndiff(before.splitlines(), (repo_copy / KYC).read_text().splitlines())
               if line[:1] in "+-"]
    assert len(changed) == 2 and "helen.marsh@bank.example" in changed[1] and f"date: {TODAY}" in changed[1]
    gates = {c.name: c for p in check(repo_copy, today=TODAY).gates.pilots if p.file == KYC
             for g in p.gates for c in g.criteria}
    assert gates["approval:compliance"].passed
    assert not gates["approval:security"].passed  # daniel approved the old content, not this one


def test_approve_appends_a_new_approval(repo_copy):
    result = approve_as("rajesh.iyer@bank.example", "aml-alert-triage", "--gate", "production",
                 "--role", "compliance", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    text = (repo_copy / AML).read_text()
    # A pilot without approvals gets the block appended at the end, the rest of the file untouched.
    before = (ESTATE / AML).read_text()
    assert text.startswith(before)
    assert text[len(before):].lstrip("\n").startswith(
        f"approvals:\n  - {{gate: production, approver: rajesh.iyer@bank.example, "
        f"role: compliance, date: {TODAY}, digest: \"sha256:")
    [aml] = [p for p in check(repo_copy, today=TODAY).gates.pilots if p.file == AML]
    assert next(c for g in aml.gates for c in g.criteria if c.name == "approval:compliance").passed


@pytest.mark.parametrize("who, args, says", [
    ("mei.chen@bank.example", ["--gate", "production", "--role", "compliance"],
     "mei.chen@bank.example is not a member of `compliance`"),
    ("james.whitfield@bank.example", ["--gate", "production", "--role", "security"],
     "is not a member of `security-review`"),
    ("helen.marsh@bank.example", ["--gate", "staging", "--role", "compliance"],
     "gate `staging` does not ask for role `compliance`"),
    ("helen.marsh@bank.example", ["--gate", "production", "--role", "complience"],
     "did you mean `compliance`?"),
    ("not-an-email", ["--gate", "production", "--role", "compliance"], "is not an email address"),
], ids=["not-in-group", "product-owner-not-in-group", "gate-does-not-ask", "typo", "bad-email"])
def test_approve_refuses_and_writes_nothing(who, args, says, repo_copy):
    before = (repo_copy / KYC).read_bytes()
    result = approve_as(who, "kyc-document-triage", *args, "--root", str(repo_copy))
    assert result.exit_code == 1 and says in result.output, result.output
    assert (repo_copy / KYC).read_bytes() == before


def test_approve_refuses_a_builder_even_in_the_role_group(repo_copy):
    edit(repo_copy, ROLES, "      - mei.chen@bank.example\n",
         "      - mei.chen@bank.example\n      - helen.marsh@bank.example\n")
    before = (repo_copy / KYC).read_bytes()
    result = approve_as("helen.marsh@bank.example", "kyc-document-triage", "--gate", "production",
                 "--role", "compliance", "--root", str(repo_copy))
    assert result.exit_code == 1
    assert "approval refused, nothing written: helen.marsh@bank.example is a builder of this pilot" in result.output
    assert (repo_copy / KYC).read_bytes() == before


def test_codeowners_is_written_once_with_its_marker(make_estate):
    root = make_estate(3).root
    first = run("codeowners", "--root", str(root))
    assert first.exit_code == 0 and first.stdout == "wrote .github/CODEOWNERS\n"
    text = (root / ".github" / "CODEOWNERS").read_text()
    assert text.startswith("# Generated by `pilotfactory codeowners`")
    rules = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    assert ["/config/", "@platform-admins", "@security-review"] in rules
    assert ["/stacks/", "@platform-admins", "@security-review"] in rules
    import yaml

    control = [f"@{g}" for g in dict.fromkeys(yaml.safe_load((root / "config" / "roles.yaml").read_text())["roles"].values())]
    assert control
    for path in ("/config/gates.yaml", "/config/roles.yaml", "/config/allowed_signers", "/evidence/"):
        assert [path, *control] in rules
    # the governance paths come after /config/, so they win (the last matching pattern does)
    assert rules.index(["/config/gates.yaml", *control]) > rules.index(["/config/", "@platform-admins",
                                                                        "@security-review"])
    # pilot content and the documents generated from it: the pilot's team
    assert rules[-6:] == [[f"/catalog/pilots/pilot-00{i}.yaml", f"@pilot-00{i}-builders", f"@pilot-00{i}-approvers"]
                          for i in range(3)] + \
        [[f"/docs/pilots/pilot-00{i}/", f"@pilot-00{i}-builders", f"@pilot-00{i}-approvers"] for i in range(3)]
    # every other path (CI workflows, generators, dependency pins) by default: the platform owners,
    # first, so every more specific line wins over it
    assert rules[0] == ["*", "@platform-admins", "@security-review"]
    mtime = (root / ".github" / "CODEOWNERS").stat().st_mtime_ns
    again = run("codeowners", "--root", str(root))
    assert again.stdout == "up to date: .github/CODEOWNERS\n"
    assert (root / ".github" / "CODEOWNERS").stat().st_mtime_ns == mtime
    assert run("codeowners", "--check", "--root", str(root)).exit_code == 0


def test_codeowners_check_finds_a_stale_file(repo_copy):
    run("codeowners", "--root", str(repo_copy))
    edit(repo_copy, AML, "approvers: aml-approvers", "approvers: kyc-approvers")
    stale = run("codeowners", "--check", "--root", str(repo_copy))
    assert stale.exit_code == 1 and "stale .github/CODEOWNERS" in stale.output
    assert "@aml-approvers" in (repo_copy / ".github" / "CODEOWNERS").read_text()


def test_inventory_has_one_row_per_model_with_audit_fields(make_estate):
    estate = make_estate(3)
    estate.edit_pilot("pilot-002", lambda d: d["evidence"].append(
        {"kind": "model_validation", "model_version": 2, "date": TODAY.replace(day=1),
         "validator": "model.risk@bank.example", "result": "pass"}))
    rows = json.loads(run("inventory", "--root", str(estate.root), "--format", "json").stdout)
    assert [r["inventory_id"] for r in rows] == [f"pilot-00{i}/pilot_00{i}_model" for i in range(3)]
    first = rows[0]
    assert first["owner"] == "po.pilot-000@bank.example"
    assert first["developer"].startswith("pilot-000-builders (builder.pilot-000@bank.example")
    assert first["validator"] == "pilot-000-approvers (approver.pilot-000@bank.example)"
    assert (first["risk_tier"], first["phase"], first["environments"]) == (2, "production", ["dev", "staging", "prod"])
    assert first["live"] == ["dev: green (model 2)", "staging: green (model 2)", "prod: green (model 2)"]
    assert first["slots"] == ["blue: v1.0.0, model 1", "green: v1.1.0, model 2"]
    assert first["gate_status"] == "earned"
    assert (rows[2]["last_validation"], rows[2]["last_validation_date"]) == (
        "model 2: pass by model.risk@bank.example", str(TODAY.replace(day=1)))


def test_inventory_shows_an_unearned_phase(repo_copy):
    raise_aml_to_production(repo_copy)
    out = run("inventory", "--root", str(repo_copy), "--format", "csv")
    assert out.exit_code == 0
    rows = {r["pilot"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["aml-alert-triage"]["gate_status"] == "not earned: `production` declared, `staging` earned"
    assert rows["aml-alert-triage"]["environments"] == "dev; staging"


def test_inventory_markdown_is_a_table(make_estate):
    lines = run("inventory", "--root", str(make_estate(3).root), "--format", "md").stdout.splitlines()
    assert lines[0].startswith("| inventory_id | model | pilot | purpose |")
    assert len(lines) == 2 + 3 and all(line.count(" | ") == lines[0].count(" | ") for line in lines[2:])


def test_approve_has_no_way_to_name_someone_else(repo_copy):
    result = approve_as("mei.chen@bank.example", "kyc-document-triage", "--gate", "production",
                        "--as", "helen.marsh@bank.example", "--role", "compliance", "--root", str(repo_copy))
    assert result.exit_code == 2 and "No such option '--as'" in result.output
