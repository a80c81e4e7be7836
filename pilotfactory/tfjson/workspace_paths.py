"""Where a pilot's objects live in a workspace: one folder per pilot and environment, below one root.

stacks/ creates the folders; the review and drift judge whether a job's code comes from inside them.
"""
from __future__ import annotations

import posixpath

__all__ = ["WORKSPACE_ROOT", "WSFS_PREFIX", "pilot_folder_of", "wsfs_path", "inside"]

# Outside /Shared: every workspace user inherits CAN_MANAGE on everything below /Shared.
WORKSPACE_ROOT = "/pilotfactory"

# A workspace file's `workspace_path` is this + its `path` (provider v1.99.0 docs/resources/workspace_file.md:54).
WSFS_PREFIX = "/Workspace"


def pilot_folder_of(pilot: str, env: str) -> str:
    """The folder the pilot stack creates in one environment; its experiment, alerts, dashboard and files live below."""
    return f"{WORKSPACE_ROOT}/{pilot}/{env}"


def wsfs_path(path: str) -> str:
    """`/pilotfactory/p/dev/x.py` -> `/Workspace/pilotfactory/p/dev/x.py`."""
    return f"{WSFS_PREFIX}{path}"


def inside(path: str, folder: str) -> bool:
    """Whether a workspace path (with or without the /Workspace prefix) lies below `folder`; `..` is resolved first."""
    plain = posixpath.normpath(path)
    if plain.startswith(WSFS_PREFIX + "/"):
        plain = plain[len(WSFS_PREFIX):]
    return plain.startswith(folder.rstrip("/") + "/")
