"""An approval as a signed git act: the commit that introduced its line, signed by the approver.

The gates blame the approval's line to find that commit, then ask git to verify the commit's SSH
signature against the allowed-signers file (principals: the members of config/roles.yaml). The
commit must change nothing but approvals: an approval slipped in with a content change is not a
separate act of the approver. Git does the cryptography; this module only asks it and reads
the answer. History must be complete: in a shallow clone the introducing commit may be missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pilotfactory.files.git import run_git

__all__ = ["VERIFY_MODES", "SignatureCheck", "verify_approval"]

VERIFY_MODES = ("signature", "author", "none")
_UNCOMMITTED = "0" * 40
_GIT_TIMEOUT_S = 30


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    reason: str
    commit: str | None = None


def _git(root: Path, *args: str) -> tuple[int, str]:
    return run_git(root, *args, timeout_s=_GIT_TIMEOUT_S)


def _without_approvals(text: str | None) -> object:
    try:
        data = yaml.safe_load(text) if text is not None else None
    except yaml.YAMLError:
        return ("unreadable", text)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "approvals"}
    return data


def _changes_only_approvals(root: Path, commit: str) -> str | None:
    """None, or the first change of `commit` that is not an approval."""
    code, out = _git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
    if code != 0:
        return f"its changes cannot be read ({out})"
    for path in [p for p in out.splitlines() if p]:
        if not (path.startswith("catalog/pilots/") and path.endswith(".yaml")):
            return f"it also changes `{path}`"
        after = _git(root, "show", f"{commit}:{path}")
        before = _git(root, "show", f"{commit}^:{path}")
        old = before[1] if before[0] == 0 else None
        new = after[1] if after[0] == 0 else None
        if _without_approvals(old) != _without_approvals(new):  # a created or deleted file differs too
            return f"it also changes the content of `{path}`, not only its approvals"
    return None


def verify_approval(root: Path, file: str, line: int, approver: str, mode: str,
                    allowed_signers: Path) -> SignatureCheck:
    """Whether the approval on `file`:`line` is the approver's own act under `mode`."""
    if mode == "none":
        return SignatureCheck(True, "not verified (approvals.verify: none)")
    code, shallow = _git(root, "rev-parse", "--is-shallow-repository")
    if code != 0:
        return SignatureCheck(False, f"{root} is not a git repository, so the approval's commit cannot be "
                              "verified")
    if shallow.strip() == "true":
        return SignatureCheck(False, "the clone is shallow: the commit that introduced the approval may be "
                              "missing; fetch the full history (`fetch-depth: 0`)")
    code, out = _git(root, "blame", "--porcelain", "-L", f"{line},{line}", "--", file)
    if code != 0 or not out:
        return SignatureCheck(False, f"git blame cannot find the approval's commit ({out or 'no output'})")
    commit = out.split()[0]
    if commit == _UNCOMMITTED:
        return SignatureCheck(False, "the approval is not committed yet: the approver commits it, signed")
    short = commit[:12]
    if mode == "author":
        _, email = _git(root, "log", "-1", "--format=%ae", commit)
        if email.strip().lower() != approver.lower():
            return SignatureCheck(False, f"commit {short} that added it was authored by {email.strip()}, "
                                  f"not by the approver {approver}", commit)
    else:
        if not allowed_signers.is_file():
            return SignatureCheck(False, f"no allowed-signers file at {allowed_signers}", commit)
        _, out = _git(root, "-c", f"gpg.ssh.allowedSignersFile={allowed_signers.resolve()}", "log", "-1",
                      "--format=%G?%x00%GS", commit)
        status, _, principal = out.strip().partition("\0")
        if status == "N":
            return SignatureCheck(False, f"commit {short} that added it carries no signature", commit)
        if status != "G":
            return SignatureCheck(False, f"commit {short} that added it is not signed by a key of the "
                                  f"allowed-signers file (git says {status or '?'})", commit)
        if principal.lower() != approver.lower():
            return SignatureCheck(False, f"commit {short} that added it is signed by {principal}, not by the "
                                  f"approver {approver}", commit)
    problem = _changes_only_approvals(root, commit)
    if problem:
        return SignatureCheck(False, f"commit {short} that added it is not an approval alone: {problem}", commit)
    verb = "signed" if mode == "signature" else "authored"
    return SignatureCheck(True, f"commit {short} {verb} by {approver}", commit)
