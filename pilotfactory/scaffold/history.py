"""A template's skeleton as it was at an earlier version, read from git history.

`pilotfactory templates --outdated` diffs the skeleton a pilot was rendered from against the
current one; the old skeleton only exists in history, at the newest commit whose template.yaml
carried the version the pilot recorded.
"""
from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import yaml

from pilotfactory.scaffold.render import SKELETON

__all__ = ["version_key", "skeleton_at_version", "skeleton_diff"]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def skeleton_at_version(root: Path, directory: str, version: str) -> tuple[str, str] | None:
    """(commit, skeleton text) of the newest commit whose template.yaml had `version`, or None.

    Newest, not first: a skeleton may be fixed after a release without a version bump.
    """
    prefix = _git(root, "rev-parse", "--show-prefix")
    if prefix is None:
        return None  # not a git repository: no history to read
    base = f"{prefix.strip()}{directory}"
    commits = _git(root, "log", "--format=%H", "--", f"{base}/template.yaml", f"{base}/{SKELETON}")
    for commit in (commits or "").split():
        text = _git(root, "show", f"{commit}:{base}/template.yaml")
        try:
            data = yaml.safe_load(text) if text else None
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and str(data.get("version")) == version:
            skeleton = _git(root, "show", f"{commit}:{base}/{SKELETON}")
            if skeleton is not None:
                return commit, skeleton
    return None


def skeleton_diff(old: str, new: str, directory: str, old_version: str, new_version: str) -> str:
    """A unified diff of the skeleton between two template versions."""
    path = f"{directory}/{SKELETON}"
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=f"{path} ({old_version})", tofile=f"{path} ({new_version})"))
