"""Approvals as signed git acts, verified by git itself against an allowed-signers file.

Every test builds its own repository with throwaway SSH keys (ssh-keygen) in a tmp dir.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pilotfactory.gates.signature import verify_approval

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")

PILOT = "catalog/pilots/p.yaml"
APPROVER = "helen.marsh@bank.example"
OTHER = "mallory.builder@bank.example"
BODY = "name: p\ncompute: {max_workers: 4}\napprovals:\n"
LINE = f"  - {{gate: production, approver: {APPROVER}, role: compliance}}\n"


def git(root: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=check).stdout


def key(tmp: Path, who: str) -> Path:
    path = tmp / "keys" / who
    path.parent.mkdir(exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(path)], check=True)
    return path


@pytest.fixture
def repo(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "gpg.format", "ssh")
    keys = {who: key(tmp_path, who) for who in (APPROVER, OTHER, "stranger@bank.example")}
    signers = tmp_path / "allowed_signers"
    signers.write_text("".join(f'{who} namespaces="git" {Path(f"{keys[who]}.pub").read_text()}'
                               for who in (APPROVER, OTHER)))
    (root / "catalog" / "pilots").mkdir(parents=True)
    (root / PILOT).write_text(BODY)
    commit(root, keys, OTHER, "the pilot")
    return root, keys, signers


def commit(root: Path, keys: dict, who: str | None, message: str, author: str | None = None) -> None:
    """Commit everything as `author` (default: the signer), signed with `who`'s key (None: unsigned)."""
    git(root, "add", "-A")
    email = author or who or OTHER
    sign = ["-c", f"user.signingkey={keys[who]}", "commit", "-S"] if who else ["commit", "--no-gpg-sign"]
    git(root, "-c", f"user.email={email}", "-c", "user.name=Someone", *sign, "-q", "-m", message)


def approve(root: Path, keys: dict, who: str | None, *, also=None, author: str | None = None) -> None:
    (root / PILOT).write_text(BODY + LINE)
    if also:
        also(root)
    commit(root, keys, who, "approval", author)


def check(root: Path, signers: Path, mode: str = "signature"):
    return verify_approval(root, PILOT, 4, APPROVER, mode, signers)


def test_an_approval_committed_and_signed_by_the_approver_counts(repo):
    root, keys, signers = repo
    approve(root, keys, APPROVER)
    result = check(root, signers)
    assert result.ok, result.reason
    assert result.reason.startswith("commit ") and f"signed by {APPROVER}" in result.reason


@pytest.mark.parametrize("signer, also, says", [
    (None, None, "carries no signature"),
    (OTHER, None, f"is signed by {OTHER}, not by the approver {APPROVER}"),
    ("stranger@bank.example", None, "is not signed by a key of the allowed-signers file"),
    (APPROVER, lambda r: (r / PILOT).write_text(BODY.replace("4", "40") + LINE),
     f"is not an approval alone: it also changes the content of `{PILOT}`"),
    (APPROVER, lambda r: (r / "roles.yaml").write_text("x: 1\n"), "it also changes `roles.yaml`"),
], ids=["unsigned", "signed-by-someone-else", "signed-by-an-unknown-key", "with-a-content-change",
        "with-another-file"])
def test_an_approval_that_is_not_the_approvers_own_act_does_not_count(repo, signer, also, says):
    root, keys, signers = repo
    approve(root, keys, signer, also=also)
    result = check(root, signers)
    assert not result.ok and says in result.reason, result.reason


def test_an_approval_added_to_a_new_pilot_file_is_a_content_change(tmp_path, repo):
    root, keys, signers = repo
    (root / "catalog" / "pilots" / "q.yaml").write_text(BODY + LINE)
    commit(root, keys, APPROVER, "new pilot, approved")
    result = verify_approval(root, "catalog/pilots/q.yaml", 4, APPROVER, "signature", signers)
    assert not result.ok and "also changes the content of `catalog/pilots/q.yaml`" in result.reason


def test_an_uncommitted_approval_does_not_count(repo):
    root, _, signers = repo
    (root / PILOT).write_text(BODY + LINE)
    result = check(root, signers)
    assert not result.ok and "not committed yet" in result.reason


def test_a_shallow_clone_cannot_verify(repo, tmp_path):
    root, keys, signers = repo
    approve(root, keys, APPROVER)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{root}", str(shallow)], check=True)
    result = check(shallow, signers)
    assert not result.ok and "shallow" in result.reason and "fetch-depth: 0" in result.reason


def test_outside_a_repository_nothing_verifies(tmp_path):
    (tmp_path / "catalog" / "pilots").mkdir(parents=True)
    (tmp_path / PILOT).write_text(BODY + LINE)
    result = check(tmp_path, tmp_path / "allowed_signers")
    assert not result.ok and "is not a git repository" in result.reason


def test_a_missing_allowed_signers_file_verifies_nothing(repo, tmp_path):
    root, keys, _ = repo
    approve(root, keys, APPROVER)
    result = check(root, tmp_path / "nowhere")
    assert not result.ok and "no allowed-signers file" in result.reason


@pytest.mark.parametrize("author, ok", [(APPROVER, True), (OTHER, False)])
def test_author_mode_trusts_the_commit_author(repo, author, ok):
    root, keys, signers = repo
    approve(root, keys, None, author=author)
    result = check(root, signers, "author")
    assert result.ok is ok, result.reason
    if not ok:
        assert f"authored by {OTHER}, not by the approver {APPROVER}" in result.reason


def test_none_mode_verifies_nothing(tmp_path):
    assert check(tmp_path, tmp_path / "x", "none").ok


# ---- the gates ask git, as config/gates.yaml says -------------------------------------------

KYC = "catalog/pilots/kyc-document-triage.yaml"
DANIEL = "daniel.kowalski@bank.example"


def test_the_gates_count_only_approvals_signed_by_their_approver(repo_copy, tmp_path):
    from pilotfactory.pipeline import check as check_catalog

    from tests.conftest import TODAY

    gates = repo_copy / "config" / "gates.yaml"
    gates.write_text(gates.read_text().replace("  verify: none\n", "  verify: signature\n"))
    keys = {who: key(tmp_path, who) for who in (APPROVER, DANIEL)}
    (repo_copy / "config" / "allowed_signers").write_text(
        "".join(f'{who} namespaces="git" {Path(f"{keys[who]}.pub").read_text()}' for who in keys))
    pilot = repo_copy / KYC
    lines = pilot.read_text().splitlines(keepends=True)
    at = {who: next(i for i, line in enumerate(lines) if f"approver: {who}" in line) for who in keys}
    git(repo_copy, "init", "-q", "-b", "main")
    git(repo_copy, "config", "gpg.format", "ssh")
    pilot.write_text("".join(line for i, line in enumerate(lines) if i not in at.values()))
    commit(repo_copy, keys, None, "the catalog, before sign-off", author=OTHER)

    def approval(name: str):
        result = next(p for p in check_catalog(repo_copy, today=TODAY).gates.pilots if p.file == KYC)
        return next(c for g in result.gates for c in g.criteria if c.name == name)

    # helen's line, committed unsigned by a builder: it does not count, and says why, where
    pilot.write_text("".join(line for i, line in enumerate(lines) if i != at[DANIEL]))
    commit(repo_copy, keys, None, "approval typed in by a builder", author=OTHER)
    c = approval("approval:compliance")
    assert not c.passed and c.code == "PF313" and c.path == ("approvals", 0, "approver")
    assert "carries no signature" in c.reason and c.where.line == at[APPROVER] + 1

    # re-committed by helen, signed: it counts; daniel's line, signed with helen's key, does not
    git(repo_copy, "reset", "-q", "--hard", "HEAD~1")
    pilot.write_text("".join(line for i, line in enumerate(lines) if i != at[DANIEL]))
    commit(repo_copy, keys, APPROVER, "compliance approval")
    pilot.write_text("".join(lines))
    commit(repo_copy, keys, APPROVER, "security approval, signed by the wrong person", author=DANIEL)
    assert approval("approval:compliance").passed
    c = approval("approval:security")
    assert not c.passed and f"signed by {APPROVER}, not by the approver {DANIEL}" in c.reason

    git(repo_copy, "reset", "-q", "--hard", "HEAD~1")
    pilot.write_text("".join(lines))
    commit(repo_copy, keys, DANIEL, "security approval")
    assert approval("approval:compliance").passed and approval("approval:security").passed


def signed_catalog(repo_copy: Path, tmp_path: Path) -> dict:
    """The example as a git repository in signature mode: the catalog committed, no approval on KYC."""
    gates = repo_copy / "config" / "gates.yaml"
    gates.write_text(gates.read_text().replace("  verify: none\n", "  verify: signature\n"))
    keys = {who: key(tmp_path, who) for who in (APPROVER, DANIEL)}
    (repo_copy / "config" / "allowed_signers").write_text(
        "".join(f'{who} namespaces="git" {Path(f"{keys[who]}.pub").read_text()}' for who in keys))
    git(repo_copy, "init", "-q", "-b", "main")
    git(repo_copy, "config", "gpg.format", "ssh")
    commit(repo_copy, keys, None, "the catalog", author=OTHER)
    return keys


def approve_cli(repo_copy: Path, who: str, key_path: Path | None, role: str):
    from click.testing import CliRunner

    from pilotfactory.cli.app import cli

    if key_path is not None:
        git(repo_copy, "config", "user.signingkey", str(key_path))
    env = {"GIT_AUTHOR_EMAIL": who, "GIT_AUTHOR_NAME": "Approver", "GIT_COMMITTER_EMAIL": who,
           "GIT_COMMITTER_NAME": "Approver"}
    return CliRunner().invoke(cli, ["approve", "kyc-document-triage", "--gate", "production", "--role", role,
                                    "--root", str(repo_copy)], env=env)


def test_approve_commits_the_approval_alone_signed_by_whoever_runs_it(repo_copy, tmp_path):
    from pilotfactory.pipeline import check as check_catalog

    from tests.conftest import TODAY

    keys = signed_catalog(repo_copy, tmp_path)
    pilot = repo_copy / KYC
    pilot.write_text(pilot.read_text().replace("  max_workers: 6\n  node_types", "  max_workers: 5\n  node_types"))
    commit(repo_copy, keys, None, "a builder's change", author=OTHER)
    for who, role in ((APPROVER, "compliance"), (DANIEL, "security")):
        result = approve_cli(repo_copy, who, keys[who], role)
        assert result.exit_code == 0, result.output
        assert "; committed " in result.stdout
        assert git(repo_copy, "log", "-1", "--format=%ae %s").strip() == f"{who} approve kyc-document-triage: gate production as {role}"
        assert git(repo_copy, "status", "--porcelain").strip() == ""
    result = next(p for p in check_catalog(repo_copy, today=TODAY).gates.pilots if p.file == KYC)
    names = {c.name: c for g in result.gates for c in g.criteria}
    assert names["approval:compliance"].passed and names["approval:security"].passed, names["approval:security"].reason


@pytest.mark.parametrize("prepare, says", [
    (lambda root, keys: None, "approvals are signed with your SSH key"),
    (lambda root, keys: (root / KYC).write_text((root / KYC).read_text() + "# wip\n"), "has uncommitted changes"),
], ids=["no-signing-key", "uncommitted-edits"])
def test_approve_refuses_what_it_could_not_commit_as_the_approver(repo_copy, tmp_path, prepare, says):
    keys = signed_catalog(repo_copy, tmp_path)
    prepare(repo_copy, keys)
    before = (repo_copy / KYC).read_bytes()
    head = git(repo_copy, "rev-parse", "HEAD")
    result = approve_cli(repo_copy, APPROVER, None, "compliance")
    assert result.exit_code == 1 and says in result.output and "nothing written" in result.output, result.output
    assert (repo_copy / KYC).read_bytes() == before and git(repo_copy, "rev-parse", "HEAD") == head
