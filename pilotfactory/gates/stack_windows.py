"""The change window a stack deploys under: its environment's (tfjson.stacknames reads the environment
from the stack name), for CI and the review to name per protected stack.

Unknown environment = protected, with no window known: never "deployable now". The `account` stack
creates the last environment's workspace and keeps its state there, so it waits for that window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pilotfactory.catalog.model.config import Environments
from pilotfactory.gates.windows import window_state
from pilotfactory.tfjson.stacknames import ACCOUNT, parse_stack

__all__ = ["StackWindow", "stack_window"]


@dataclass(frozen=True)
class StackWindow:
    stack: str
    env: str | None
    open: bool                               # deployable at the instant asked about
    reason: str                              # why, in a reviewer's words
    next_open: dt.datetime | None = None     # when closed: the next instant it is deployable
    closes: dt.datetime | None = None        # when open inside a window: when that window ends

    def as_dict(self) -> dict[str, object]:
        return {"env": self.env, "open": self.open, "reason": self.reason,
                "next_open": self.next_open.isoformat() if self.next_open else None,
                "closes": self.closes.isoformat() if self.closes else None}

    def words(self) -> str:
        if self.open:
            return f"deployable now ({self.reason}" + (f"; closes {self.closes.isoformat()})" if self.closes else ")")
        return f"not deployable now ({self.reason})" + (
            f"; next window opens {self.next_open.isoformat()}" if self.next_open else "")


def stack_window(stack: str, environments: Environments, at: dt.datetime) -> StackWindow | None:
    """The window `stack` deploys under at `at` (aware); None for a stack of an unprotected environment."""
    envs = environments.environments
    env = list(envs)[-1] if stack == ACCOUNT else parse_stack(stack, envs).env
    if env is None:
        return StackWindow(stack, None, False, "its environment is unknown, so it is treated as protected "
                                               "and no change window is known")
    spec = envs[env]
    if not spec.protected:
        return None
    if spec.change_control is None:
        return StackWindow(stack, env, True, f"`{env}` declares no change windows")
    state = window_state(spec.change_control, at)
    return StackWindow(stack, env, state.open, f"`{env}`: {state.reason}", state.next_open, state.closes)
