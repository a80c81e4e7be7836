"""Who runs `pilotfactory approve`, and the approval committed as their own act.

The approver is the git identity of the person running the command (`git var GIT_AUTHOR_IDENT`),
never a name on the command line. Under `approvals.verify: signature` the approval is committed
alone and signed with that person's key (`git commit -S`, gpg.format=ssh); under `author` it is
committed alone as them; under `none` it is only written, for the forge's review to record.
"""
from __future__ import annotations

import re
from pathlib import Path

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.files.git import run_git

__all__ = ["git_identity", "ready_to_commit", "commit_approval"]

_TIMEOUT_S = 60


def _git(root: Path, *args: str) -> tuple[int, str]:
    code, out = run_git(root, *args, timeout_s=_TIMEOUT_S)
    return code, out.strip()


def git_identity(root: Path) -> str:
    """The email of the person running the command, from their git configuration."""
    code, out = _git(root, "var", "GIT_AUTHOR_IDENT")
    found = re.search(r"<([^<>]+)>", out) if code == 0 else None
    if found is None:
        raise PilotFactoryError("an approval is given by whoever runs `approve`: set your identity with "
                                "`git config user.email YOU@...` first")
    return found.group(1)


def ready_to_commit(root: Path, file: str, mode: str) -> None:
    """Refuse, before anything is written, when the approval could not be committed as `mode` asks."""
    if mode == "none":
        return
    if _git(root, "rev-parse", "--is-inside-work-tree")[0] != 0:
        raise PilotFactoryError(f"approval refused, nothing written: {root} is not a git repository, and "
                                f"approvals.verify: {mode} counts only committed approvals")
    code, out = _git(root, "status", "--porcelain", "--", file)
    if code != 0 or out:
        raise PilotFactoryError(f"approval refused, nothing written: {file} has uncommitted changes; an "
                                "approval is committed alone, so commit or discard them first")
    if mode == "signature":
        fmt = _git(root, "config", "gpg.format")[1]
        key = _git(root, "config", "user.signingkey")[1]
        if fmt != "ssh" or not key:
            raise PilotFactoryError("approval refused, nothing written: approvals are signed with your SSH "
                                    "key; run `git config gpg.format ssh` and `git config user.signingkey "
                                    "~/.ssh/id_ed25519.pub` (its public half listed in the allowed-signers "
                                    "file)")


def commit_approval(root: Path, file: str, message: str, mode: str) -> str | None:
    """Stage and commit only `file`, signed under `signature`; the commit id, or None under `none`."""
    if mode == "none":
        return None
    code, out = _git(root, "add", "--", file)
    if code == 0:
        code, out = _git(root, "commit", "--only", *(["-S"] if mode == "signature" else []), "-q",
                         "-m", message, "--", file)
    if code != 0:
        raise PilotFactoryError(f"the approval could not be committed: {out}")
    return _git(root, "rev-parse", "HEAD")[1]
