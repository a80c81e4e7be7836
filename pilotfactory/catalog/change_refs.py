"""Change references: when a release, cutover or rollback must carry one, and what it must look like.

One home for the rule, read by validate (the recorded reference), by the release commands (before
they write) and by the review (a protected stack that changes under no new reference).
"""
from __future__ import annotations

import re

from pilotfactory.catalog.model.config import Environment

__all__ = ["needs_change_ref", "change_ref_problem"]


def needs_change_ref(env: Environment | None) -> bool:
    """Protected environments need one; an environment the config does not know counts as protected."""
    return env is None or env.protected


def change_ref_problem(env_name: str, env: Environment | None, ref: str | None) -> str | None:
    """Why `ref` will not do for a change to `env_name`, or None when it will."""
    pattern = env.change_control.ticket_pattern if env is not None and env.change_control else None
    if not ref:
        if not needs_change_ref(env):
            return None
        shape = f" matching `{pattern}`" if pattern else ""
        return (f"`{env_name}` is protected: a change to it carries a change reference{shape} "
                "(give --change REF)")
    if pattern is not None:
        try:
            matches = re.fullmatch(pattern, ref) is not None
        except re.error:
            return None  # an unreadable pattern is reported once, at its line in config (PF260)
        if not matches:
            return f"change reference `{ref}` does not match `{pattern}`, the format `{env_name}` asks for"
    return None
