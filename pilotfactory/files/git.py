"""Running git on the repository: one subprocess runner for the commands that read history or commit."""
from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["run_git"]


def run_git(root: Path, *args: str, timeout_s: float) -> tuple[int, str]:
    """(exit code, stdout) on success, (exit code, stderr stripped) on failure; a git that cannot be
    started or that times out is a failure with the reason as its message, never an exception."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc)
    return done.returncode, done.stdout if done.returncode == 0 else done.stderr.strip()
