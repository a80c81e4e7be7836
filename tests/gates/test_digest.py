"""Per gate, what its digest covers: each field of a pilot changes exactly the digests it should.

The intake sign-off binds the intake facts, owners, risk and data classification; the environment
gates bind what reaches their environments' stacks and the evidence behind it. A title typo, a
phase promotion or a release must not re-open the intake sign-off; a slot switch re-opens nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from pilotfactory.gates.digest import approval_digest, gate_content, gate_digest, gate_environments
from pilotfactory.pipeline import check

from tests.conftest import TODAY
from tests.gates.test_gates import AML, KYC, V15, edit, pin

GATES = ("pilot", "staging", "production")
NONE: frozenset[str] = frozenset()
INTAKE_AND_EXITS = frozenset(GATES)
EXITS = frozenset({"staging", "production"})


def digests(root: Path) -> dict[str, str]:
    checked = check(root, today=TODAY)
    typed = next(t for t in checked.resolution.pilots if t.file == KYC)
    return {gate: approval_digest(checked.catalog, typed.pilot, gate) for gate in GATES}


def overlay(env: str) -> Callable[[Path], None]:
    return lambda r: edit(r, KYC, "overrides:\n", f"overrides:\n  {env}:\n    compute:\n      max_workers: 5\n")


FIELDS = [
    ("title typo", lambda r: edit(r, KYC, "classification and enrichment\n", "classification and enrichmnet\n"),
     EXITS),
    ("description", lambda r: edit(r, KYC, "never\n  approves or rejects", "never\n  accepts or rejects"), EXITS),
    ("template version", lambda r: edit(r, KYC, 'template_version: "1.1.0"', 'template_version: "1.1.1"'), EXITS),
    ("phase promotion", lambda r: edit(r, KYC, "phase: production", "phase: staging"), NONE),
    ("cost center", lambda r: edit(r, KYC, "cost_center: CC-4120", "cost_center: CC-4121"), EXITS),
    ("data classification", lambda r: edit(r, KYC, "data_classification: confidential",
                                           "data_classification: restricted"), INTAKE_AND_EXITS),
    ("executive sponsor", lambda r: edit(r, KYC, "executive_sponsor: claire.donovan@", "executive_sponsor: clare.donovan@"),
     INTAKE_AND_EXITS),
    ("on call", lambda r: edit(r, KYC, "on_call: kyc-oncall@", "on_call: kyc-pager@"), INTAKE_AND_EXITS),
    ("value score", lambda r: edit(r, KYC, "  value:\n    score: 4", "  value:\n    score: 5"), INTAKE_AND_EXITS),
    ("risk", lambda r: edit(r, KYC, "risk: {score: 2, model_risk_tier: 2}", "risk: {score: 3, model_risk_tier: 2}"),
     INTAKE_AND_EXITS),
    ("success metric", lambda r: edit(r, KYC, "baseline: 45, target: 30", "baseline: 45, target: 25"),
     INTAKE_AND_EXITS),
    ("data contract", lambda r: edit(r, KYC, "max_delay_minutes: 60}", "max_delay_minutes: 90}"), EXITS),
    ("compute", lambda r: edit(r, KYC, "  max_workers: 6\n  node_types", "  max_workers: 5\n  node_types"), EXITS),
    ("job schedule", lambda r: edit(r, KYC, 'cron: "0 0/30 * * * ?"', 'cron: "0 0/15 * * * ?"'), EXITS),
    ("release of a new version", lambda r: edit(r, KYC, "green: {version: v1.5.0, model_version: 8}",
                                                "green: {version: v1.5.1, model_version: 8}"), EXITS),
    ("slot switch", lambda r: edit(r, KYC, "prod: blue}", "prod: green}"), NONE),
    ("canary share", lambda r: edit(r, KYC, "percent: 10}}", "percent: 25}}"), NONE),
    ("dev overlay", lambda r: edit(r, KYC, "MON-FRI", "MON-SAT"), NONE),
    ("staging overlay", overlay("staging"), frozenset({"staging"})),
    ("prod overlay", lambda r: edit(r, KYC, "      max_workers: 4\n", "      max_workers: 3\n"),
     frozenset({"production"})),
    ("test evidence of a running version re-pinned",
     lambda r: (edit(r, V15, 'time="0.270"', 'time="0.271"'), pin(r, V15)), EXITS),
    ("test evidence of a version that does not run",
     lambda r: edit(r, KYC, "evidence:\n", "evidence:\n  - {kind: test_report, version: v1.3.0, path: "
                    f"{V15}, sha256: \"{'0' * 64}\"}}\n"), NONE),
    ("a new rollback rehearsal", lambda r: edit(r, KYC, "date: 2026-11-10, from: green", "date: 2026-11-20, from: green"),
     NONE),
    ("a new security review", lambda r: edit(r, KYC, "date: 2026-11-02, reviewer", "date: 2026-11-03, reviewer"),
     NONE),
    ("an approval", lambda r: edit(r, KYC, "role: security, date: 2026-11-25", "role: security, date: 2026-11-24"),
     NONE),
]


@pytest.mark.parametrize("mutate, changed", [(m, c) for _, m, c in FIELDS], ids=[f for f, _, _ in FIELDS])
def test_each_field_changes_exactly_the_digests_it_should(repo_copy, mutate, changed):
    before = digests(repo_copy)
    mutate(repo_copy)
    after = digests(repo_copy)
    assert {g for g in GATES if before[g] != after[g]} == changed


def test_each_gate_opens_its_own_environments(repo_copy):
    catalog = check(repo_copy, today=TODAY).catalog
    assert {g: gate_environments(catalog, g) for g in GATES} == {
        "pilot": ("dev",), "staging": ("staging",), "production": ("prod",)}


def test_the_intake_digest_covers_only_the_intake_keys(repo_copy):
    typed = next(t for t in check(repo_copy, today=TODAY).resolution.pilots if t.file == KYC)
    assert sorted(gate_content(typed.pilot, "pilot")) == ["data_classification", "intake", "name", "owners"]


def test_approvals_of_two_gates_never_share_a_digest(repo_copy):
    # Even over the same environments, an approval cannot be moved to another gate.
    typed = next(t for t in check(repo_copy, today=TODAY).resolution.pilots if t.file == KYC)
    assert gate_digest(typed.pilot, "staging", ("prod",)) != gate_digest(typed.pilot, "production", ("prod",))


VALIDATION = "validator: sofia.lindqvist@bank.example\n    model_version: 3\n    result: pass\n"
OTHER_MODEL = ("  - {kind: model_validation, date: 2026-10-30, validator: sofia.lindqvist@bank.example, "
               "model_version: 2, result: fail}\n")


@pytest.mark.parametrize("new, changed", [
    (VALIDATION.replace("sofia.lindqvist", "marcus.bell"), EXITS),
    (VALIDATION + OTHER_MODEL, NONE),
], ids=["validation-of-the-running-model", "validation-of-a-model-that-does-not-run"])
def test_model_validations_behind_the_running_model_are_in_the_exit_digests(repo_copy, new, changed):
    def of(root):
        checked = check(root, today=TODAY)
        typed = next(t for t in checked.resolution.pilots if t.file == AML)
        return {g: approval_digest(checked.catalog, typed.pilot, g) for g in GATES}

    before = of(repo_copy)
    edit(repo_copy, AML, VALIDATION, new)
    after = of(repo_copy)
    assert {g for g in GATES if before[g] != after[g]} == changed
