"""Gates, one criterion per case: the example passes it, one edit makes it fail with a located
diagnostic, and the declared phase is then no longer earned (synth refuses the environment)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.gates.earn import Criterion, PilotGates
from pilotfactory.pipeline import check

from tests.conftest import TODAY

KYC = "catalog/pilots/kyc-document-triage.yaml"
AML = "catalog/pilots/aml-alert-triage.yaml"
CARD = "catalog/pilots/card-fraud-scoring.yaml"
ROLES = "config/roles.yaml"
V14 = "evidence/kyc-document-triage/v1.4.0/junit.xml"
V15 = "evidence/kyc-document-triage/v1.5.0/junit.xml"


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {relpath}"
    path.write_text(text.replace(old, new))


def pin(root: Path, relpath: str, pilot_file: str = KYC) -> None:
    """Re-pin an evidence file's sha256 after changing it, as an honest re-run would."""
    pilot = root / pilot_file
    text = pilot.read_text()
    head, _, rest = text.partition(f"path: {relpath}\n")
    old = rest.split("sha256: ", 1)[1].split("\n", 1)[0]
    digest = hashlib.sha256((root / relpath).read_bytes()).hexdigest()
    pilot.write_text(head + f"path: {relpath}\n" + rest.replace(old, f'"{digest}"', 1))


def fail_one_test(root: Path) -> None:
    edit(root, V15, '<testcase classname="tests.unit.test_agent" name="test_low_confidence_routes_to_analyst_queue" time="0.270"/>',
         '<testcase classname="tests.unit.test_agent" name="test_low_confidence_routes_to_analyst_queue" time="0.270">'
         '<failure message="routed to auto-approve">AssertionError</failure></testcase>')
    pin(root, V15)


def same_person_two_roles(root: Path) -> None:
    edit(root, ROLES, "      - daniel.kowalski@bank.example\n",
         "      - daniel.kowalski@bank.example\n      - helen.marsh@bank.example\n")
    edit(root, KYC, "approver: daniel.kowalski@bank.example, role: security",
         "approver: helen.marsh@bank.example, role: security")


@dataclass(frozen=True)
class Case:
    id: str
    file: str                     # the pilot
    criterion: str
    mutate: Callable[[Path], None]
    code: str
    path: tuple                   # where the failure is reported in the pilot file
    says: str
    needed_before: bool = True    # False: the criterion fails already, but the declared phase does not need it


CASES = [
    Case("missing evidence file", KYC, "test_report:v1.5.0", lambda r: (r / V15).unlink(),
         "PF307", ("evidence", 1, "path"), "is missing"),
    Case("tampered evidence file", KYC, "test_report:v1.4.0",
         lambda r: (r / V14).write_bytes((r / V14).read_bytes().replace(b'failures="0" errors="0" skipped="0" time="212', b'failures="0" errors="0" skipped="0" time="999', 1)),
         "PF307", ("evidence", 0, "sha256"), "does not match its pinned sha256"),
    Case("junit with a failure", KYC, "test_report:v1.5.0", fail_one_test,
         "PF307", ("evidence", 1, "path"), "1 of 17 tests failed or errored"),
    Case("junit dated in the future", KYC, "test_report:v1.5.0",
         lambda r: (edit(r, V15, 'timestamp="2026-11-04T', 'timestamp="2026-12-04T'), pin(r, V15)),
         "PF312", ("evidence", 1, "path"), "in the future"),
    Case("stale rollback rehearsal", KYC, "rollback_rehearsal",
         lambda r: edit(r, KYC, "date: 2026-11-10, from: green", "date: 2026-08-20, from: green"),
         "PF308", ("evidence", 2, "date"), "stale: 2026-08-20, 97 days ago; gates.yaml accepts at most 90"),
    Case("security review from the future", KYC, "security_review",
         lambda r: edit(r, KYC, "date: 2026-11-02, reviewer", "date: 2026-11-26, reviewer"),
         "PF312", ("evidence", 3, "date"), "in the future"),
    Case("approver in builders", KYC, "approval:compliance",
         lambda r: edit(r, ROLES, "      - mei.chen@bank.example\n",
                        "      - mei.chen@bank.example\n      - helen.marsh@bank.example\n"),
         "PF305", ("approvals", 0, "approver"), "is a builder of this pilot"),
    Case("approver is the product owner", KYC, "approval:compliance",
         lambda r: (edit(r, ROLES, "      - rajesh.iyer@bank.example\n",
                         "      - rajesh.iyer@bank.example\n      - james.whitfield@bank.example\n"),
                    edit(r, KYC, "approver: helen.marsh@bank.example", "approver: james.whitfield@bank.example")),
         "PF305", ("approvals", 0, "approver"), "product owner"),
    Case("approver outside the role's group", KYC, "approval:security",
         lambda r: edit(r, KYC, "approver: daniel.kowalski@bank.example", "approver: grace.adeyemi@bank.example"),
         "PF305", ("approvals", 1, "approver"), "is not a member of `security-review`"),
    Case("same person holding two required roles", KYC, "distinct_approvers", same_person_two_roles,
         "PF305", ("approvals",), "approved only by helen.marsh@bank.example"),
    Case("stale approval after an edit", KYC, "approval:compliance",
         lambda r: edit(r, KYC, "  max_workers: 6\n  node_types", "  max_workers: 5\n  node_types"),
         "PF310", ("approvals", 0, "digest"), "is stale: what gate `production` approves changed since"),
    Case("builders and approvers share a member", AML, "segregation_of_duties",
         lambda r: edit(r, ROLES, "      - kwame.mensah@bank.example\n",
                        "      - kwame.mensah@bank.example\n      - olivia.grant@bank.example\n"),
         "PF305", ("owners", "approvers"), "olivia.grant@bank.example is in both"),
    Case("incomplete data contract", AML, "data_contracts_complete",
         lambda r: edit(r, AML, "    freshness: {column: booked_at, max_delay_minutes: 1560}\n", ""),
         "PF303", ("data_contracts", 1, "name"), "`aml_transactions` has no freshness"),
    Case("intake review stale after an intake edit", CARD, "model_risk_review",
         lambda r: edit(r, CARD, "data_classification: restricted", "data_classification: confidential"),
         "PF310", ("approvals", 0, "digest"), "model_risk approval by marcus.bell@bank.example on 2026-11-25 is "
         "stale: what gate `pilot` approves changed since"),
    Case("failed security review", KYC, "security_review",
         lambda r: edit(r, KYC, "reviewer: aisha.okafor@bank.example, result: pass",
                        "reviewer: aisha.okafor@bank.example, result: fail"),
         "PF306", ("evidence", 3, "result"), "did not pass"),
    Case("security reviewer is a builder", KYC, "security_review",
         lambda r: (edit(r, ROLES, "      - daniel.kowalski@bank.example\n",
                         "      - daniel.kowalski@bank.example\n      - mei.chen@bank.example\n"),
                    edit(r, KYC, "reviewer: aisha.okafor@bank.example", "reviewer: mei.chen@bank.example")),
         "PF305", ("evidence", 3, "reviewer"), "mei.chen@bank.example is a builder of this pilot"),
    Case("failed rollback rehearsal", KYC, "rollback_rehearsal",
         lambda r: edit(r, KYC, "to: blue, result: pass", "to: blue, result: fail"),
         "PF308", ("evidence", 2, "result"), "rollback rehearsal in `staging` (2026-11-10) failed"),
    Case("rehearsal in the wrong environment", KYC, "rollback_rehearsal",
         lambda r: edit(r, KYC, "{kind: rollback_rehearsal, env: staging", "{kind: rollback_rehearsal, env: dev"),
         "PF308", ("evidence",), "no rollback_rehearsal in `staging`"),
    Case("approval dated in the future", KYC, "approval:compliance",
         lambda r: edit(r, KYC, "role: compliance, date: 2026-11-25", "role: compliance, date: 2026-11-26"),
         "PF312", ("approvals", 0, "date"), "dated 2026-11-26, in the future"),
    Case("phase raised without evidence", AML, "test_report:v0.9.0",
         lambda r: edit(r, AML, "phase: staging", "phase: production"),
         "PF307", ("release", "slots", "main", "version"), "has no test_report", needed_before=False),
]


def gates_of(root: Path, file: str) -> PilotGates:
    checked = check(root, today=TODAY)
    assert checked.gates is not None, [d.render() for d in checked.diagnostics.errors]
    return next(p for p in checked.gates.pilots if p.file == file)


def criterion(result: PilotGates, name: str) -> Criterion:
    return next(c for g in result.gates for c in g.criteria if c.name == name)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_criterion_passes_then_fails(case: Case, repo_copy: Path):
    baseline = gates_of(repo_copy, case.file)
    assert baseline.ok
    assert criterion(baseline, case.criterion).passed is case.needed_before

    case.mutate(repo_copy)
    checked = check(repo_copy, today=TODAY)
    result = next(p for p in checked.gates.pilots if p.file == case.file)
    after = criterion(result, case.criterion)
    assert not after.passed
    assert case.says in after.reason
    assert (after.code, after.path, after.where.file) == (case.code, case.path, case.file)
    # The declared phase now needs this gate, so check() reports it where the catalog says so.
    assert not result.ok
    rendered = {(d.code, d.path, d.location.file) for d in checked.diagnostics.errors}
    assert (case.code, case.path, case.file) in rendered
    assert ("PF301", ("phase",), case.file) in rendered
    assert not checked.ok


def test_a_slot_switch_does_not_make_approvals_stale(repo_copy):
    edit(repo_copy, KYC, "active: {dev: green, staging: green, prod: blue}",
         "active: {dev: green, staging: green, prod: green}")
    edit(repo_copy, KYC, "canary: {prod: {slot: green, percent: 10}}", "canary: {prod: {slot: blue, percent: 25}}")
    result = gates_of(repo_copy, KYC)
    assert criterion(result, "approval:compliance").passed and result.ok


def test_a_new_slot_version_makes_approvals_stale(repo_copy):
    edit(repo_copy, KYC, "green: {version: v1.5.0, model_version: 8}", "green: {version: v1.5.1, model_version: 8}")
    result = gates_of(repo_copy, KYC)
    assert not criterion(result, "approval:security").passed
    assert not criterion(result, "test_report:v1.5.1").passed
    assert result.earned == "staging"


def test_an_unearned_environment_is_dropped_and_synth_withholds_it(repo_copy):
    edit(repo_copy, AML, "phase: staging", "phase: production")
    checked = check(repo_copy, today=TODAY)
    stacks = {rp.stack_id for rp in checked.resolution.catalog.pilots}
    assert "aml-alert-triage-prod" not in stacks and "aml-alert-triage-staging" in stacks
    [phase] = [d for d in checked.diagnostics.errors if d.code == "PF301"]
    assert phase.render() == (
        f"{AML}:12:8: error[PF301]: phase `production` is not earned (earned: `staging`); failing: "
        "exit to production; synth builds no stack for `prod`")

    out = repo_copy / "cdktf.out"
    strict = CliRunner().invoke(cli, ["synth", "--root", str(repo_copy), "--out", str(out), "--strict"])
    assert strict.exit_code == 1
    assert "nothing synthesized" in strict.stderr and "PF301" in strict.stderr
    assert not out.exists()
    result = CliRunner().invoke(cli, ["synth", "--root", str(repo_copy), "--out", str(out)])
    assert result.exit_code == 3 and "PF301" in result.stderr
    assert "aml-alert-triage-prod: phase `production` not earned" in result.stdout
    assert not (out / "stacks" / "aml-alert-triage-prod").exists() and (out / "stacks" / "aml-alert-triage-staging").is_dir()


def test_a_failing_intake_earns_no_environment_at_all(repo_copy):
    edit(repo_copy, CARD, "    score: 3\n    notes: >-\n      Authorisations",
         "    score: 2\n    notes: >-\n      Authorisations")
    result = gates_of(repo_copy, CARD)
    assert result.earned is None and result.unearned_environments == ("dev",)
    assert criterion(result, "data_readiness_score").reason == "data readiness score 2 is below the minimum 3"


@pytest.mark.parametrize("days, passed", [(89, True), (90, True), (91, False)])
def test_rehearsal_age_at_the_limit(repo_copy, days, passed):
    rehearsed = TODAY - dt.timedelta(days=days)
    edit(repo_copy, KYC, "date: 2026-11-10, from: green", f"date: {rehearsed}, from: green")
    c = criterion(gates_of(repo_copy, KYC), "rollback_rehearsal")
    assert c.passed is passed, c.reason
    if not passed:
        assert (c.code, c.path) == ("PF308", ("evidence", 2, "date"))
        assert f"{days} days ago; gates.yaml accepts at most 90" in c.reason


# The production gate's model validation, for a pilot declared `staging`: it fails but is not needed yet.
VALIDATION = "validator: sofia.lindqvist@bank.example\n    model_version: 3\n    result: pass"


@pytest.mark.parametrize("mutate, code, field, says", [
    (lambda r: (edit(r, ROLES, "      - marcus.bell@bank.example\n",
                     "      - marcus.bell@bank.example\n      - kwame.mensah@bank.example\n"),
                edit(r, AML, "validator: sofia.lindqvist@bank.example", "validator: kwame.mensah@bank.example")),
     "PF305", "validator", "kwame.mensah@bank.example is a builder of this pilot"),
    (lambda r: edit(r, AML, VALIDATION, VALIDATION.replace("result: pass", "result: fail")),
     "PF311", "result", "the latest validation of model version 3 (2026-10-29) failed"),
    (lambda r: edit(r, AML, "date: 2026-10-29\n    validator", "date: 2026-11-26\n    validator"),
     "PF312", "date", "model validation dated 2026-11-26, in the future"),
], ids=["validator-is-builder", "failed", "future"])
def test_model_validation_fails(repo_copy, mutate, code, field, says):
    assert criterion(gates_of(repo_copy, AML), "model_validation:3").passed
    mutate(repo_copy)
    c = criterion(gates_of(repo_copy, AML), "model_validation:3")
    assert not c.passed and says in c.reason, c.reason
    assert (c.code, c.path, c.where.file) == (code, ("evidence", 1, field), AML)


def test_every_exit_gate_key_has_exactly_one_registered_criterion():
    from pilotfactory.catalog.model.config import ExitGate
    from pilotfactory.gates.registry import CRITERIA

    assert set(CRITERIA) == set(ExitGate.model_fields)
    assert all(c.summary for c in CRITERIA.values())


def test_a_criterion_id_cannot_be_registered_twice():
    from pilotfactory.gates.registry import exit_criterion

    with pytest.raises(AssertionError, match="`security_review` registered twice"):
        exit_criterion("security_review", "again")(lambda ctx, phase, setting, rule: [])


def test_a_registered_criterion_runs_only_when_its_gate_asks(repo_copy, monkeypatch):
    from pilotfactory.gates import registry

    seen = []

    def spy(ctx, phase, setting, rule):
        seen.append((ctx.pilot.name, phase, setting, rule.line))
        return ctx.criterion("spy", False, "always fails", ("phase",), "PF306", rule)

    monkeypatch.setitem(registry.CRITERIA, "security_review", registry.ExitCriterion("security_review", "spy", spy))
    result = gates_of(repo_copy, KYC)
    assert sorted(seen) == [(name, "staging", True, seen[0][3]) for name in
                            ("aml-alert-triage", "card-fraud-scoring", "kyc-document-triage")]
    assert not criterion(result, "spy").passed and result.earned == "pilot"


# ---- who may sign: a current member of the named control function, never a builder or the product owner


@dataclass(frozen=True)
class Signer:
    id: str
    file: str
    criterion: str
    current: str        # who signs in the example, a member of the control function's group
    group: str          # that group in config/roles.yaml
    builder: str        # a builder of the pilot
    owner: str          # its product owner
    path: tuple         # where a rejection is reported


SIGNERS = [
    Signer("security-review", KYC, "security_review", "aisha.okafor@bank.example", "security-review",
           "mei.chen@bank.example", "james.whitfield@bank.example", ("evidence", 3, "reviewer")),
    Signer("model-validation", AML, "model_validation:3", "sofia.lindqvist@bank.example", "model-risk",
           "kwame.mensah@bank.example", "priyanka.shah@bank.example", ("evidence", 1, "validator")),
    Signer("exit-approval", KYC, "approval:compliance", "helen.marsh@bank.example", "compliance",
           "mei.chen@bank.example", "james.whitfield@bank.example", ("approvals", 0, "approver")),
    Signer("intake-approval", CARD, "model_risk_review", "marcus.bell@bank.example", "model-risk",
           "yuki.tanaka@bank.example", "lucy.fernandes@bank.example", ("approvals", 0, "approver")),
]


def sign_as(root: Path, s: Signer, who: str, in_group: bool) -> None:
    if in_group:
        edit(root, ROLES, f"      - {s.current}\n", f"      - {s.current}\n      - {who}\n")
    path = root / s.file
    text = path.read_text()
    assert text.count(s.current) == 1
    path.write_text(text.replace(s.current, who))


@pytest.mark.parametrize("who, in_group, says", [
    ("outsider", False, "is not a member of `{group}`"),
    ("builder", False, "is not a member of `{group}`"),
    ("owner", False, "is not a member of `{group}`"),
    ("builder", True, "is a builder of this pilot"),
    ("owner", True, "is the pilot's product owner"),
    ("member", True, None),
], ids=["outsider", "builder-outside-the-group", "owner-outside-the-group", "builder-in-the-group",
        "owner-in-the-group", "another-member"])
@pytest.mark.parametrize("signer", SIGNERS, ids=[s.id for s in SIGNERS])
def test_only_an_independent_member_of_the_control_function_signs(repo_copy, signer, who, in_group, says):
    person = {"outsider": "zoe.outsider@bank.example", "builder": signer.builder, "owner": signer.owner,
              "member": "new.colleague@bank.example"}[who]
    assert criterion(gates_of(repo_copy, signer.file), signer.criterion).passed
    sign_as(repo_copy, signer, person, in_group)
    c = criterion(gates_of(repo_copy, signer.file), signer.criterion)
    if says is None:
        # another current member signing is fine, unless the digest bound the old signer's content
        assert c.passed or c.code == "PF310", c.reason
        return
    assert not c.passed
    assert f"{person} {says.format(group=signer.group)}" in c.reason, c.reason
    assert (c.code, c.path, c.where.file) == ("PF305", signer.path, signer.file)


@pytest.mark.parametrize("kind, file, name, says", [
    ("security_review", KYC, "security_review", "aisha.okafor@bank.example is not a member of `compliance`"),
    ("model_validation", AML, "model_validation:3", "sofia.lindqvist@bank.example is not a member of `compliance`"),
])
def test_the_control_function_of_each_kind_of_evidence_comes_from_gates_yaml(repo_copy, kind, file, name, says):
    # Naming another role moves the authority: the example's signer no longer counts.
    default = {"security_review": "security", "model_validation": "model_risk"}[kind]
    edit(repo_copy, "config/gates.yaml", f"  {kind}: {default}\n", f"  {kind}: compliance\n")
    c = criterion(gates_of(repo_copy, file), name)
    assert not c.passed and says in c.reason, c.reason


def test_a_build_edit_does_not_reopen_the_intake_review(repo_copy):
    edit(repo_copy, CARD, "  max_workers: 2\n", "  max_workers: 3\n")
    assert criterion(gates_of(repo_copy, CARD), "model_risk_review").passed
def test_a_single_slot_pilot_is_told_what_replaces_the_cutover_rehearsal(make_estate):
    from tests.factory import AS_OF, PilotSpec

    estate = make_estate(specs_=[PilotSpec("one-slot", phase="production", slots=1)])
    estate.edit_pilot("one-slot", lambda d: d.__setitem__(
        "evidence", [e for e in d["evidence"] if e["kind"] != "rollback_rehearsal"]))
    checked = check(estate.root, today=AS_OF)
    result = next(p for p in checked.gates.pilots if p.file == "catalog/pilots/one-slot.yaml")
    found = criterion(result, "rollback_rehearsal")
    assert not found.passed
    assert "a single-slot release rolls back by redeploying the previous version" in found.reason
    assert "`{kind: rollback_rehearsal, env: staging, from: main, to: main, result: pass}`" in found.reason
    # Doing what it says passes that criterion.
    estate.edit_pilot("one-slot", lambda d: d["evidence"].append(
        {"kind": "rollback_rehearsal", "env": "staging", "date": AS_OF.isoformat(), "from": "main", "to": "main",
         "result": "pass"}))
    result = next(p for p in check(estate.root, today=AS_OF).gates.pilots if p.file == "catalog/pilots/one-slot.yaml")
    assert criterion(result, "rollback_rehearsal").passed
