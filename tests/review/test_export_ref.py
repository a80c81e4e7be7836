"""A ref under review is exported with its history, so the default `approvals.verify: signature`
can verify the base side's approvals as it verifies the working tree's (gates/signature.py)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from pilotfactory.gates.signature import verify_approval
from pilotfactory.review.source import export_ref
from tests.gates.test_signature import APPROVER, BODY, LINE, OTHER, PILOT, approve, commit, repo  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")


def test_an_exported_ref_verifies_its_signed_approvals_and_leaves_the_repository_alone(repo, tmp_path):  # noqa: F811
    root, keys, signers = repo
    approve(root, keys, APPROVER)
    (root / PILOT).write_text(BODY + LINE + "owners: {}\n")
    commit(root, keys, OTHER, "a later change")
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    catalog_root, top = export_ref(root, "HEAD~1", tmp_path / "export")
    assert (catalog_root / PILOT).read_text() == BODY + LINE
    result = verify_approval(top, PILOT, 4, APPROVER, "signature", signers)
    assert result.ok and f"signed by {APPROVER}" in result.reason, result.reason
    after = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert after.stdout == "" and subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                                 capture_output=True, text=True).stdout == head
