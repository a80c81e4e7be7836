"""The host a workspace-level provider talks to: configured, or the URL of a workspace the `account` stack creates."""
from __future__ import annotations

from pilotfactory.catalog.model.config import Backend, Environment

from . import names
from .backend import remote_state
from .tf import Stack

__all__ = ["workspace_host"]


def workspace_host(stack: Stack, env_name: str, env: Environment, account_backend: Backend) -> str:
    """A new workspace's URL exists only once the `account` stack made it: read it from that stack's state."""
    if env.workspace.create is None:
        return env.workspace.url
    state = remote_state(stack, "account-state", account_backend, names.ACCOUNT_STACK)
    return state.get_string(names.workspace_url_output(env_name))
