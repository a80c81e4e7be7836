"""Stack names: `account`, `platform-<env>` and `<pilot>-<env>`, and how to read one back.

Every stack Pilot Factory synthesizes is named here; a pilot may not take a name that would make
its stacks collide with the account or platform stacks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = ["ACCOUNT", "PLATFORM", "BASE_OUT", "RESERVED_PILOT_NAMES", "StackName", "platform_stack", "pilot_stack",
           "stack_names", "parse_stack", "environments_of", "env_of_pilot_stack"]

ACCOUNT = "account"
PLATFORM = "platform"
# Where CI synthesizes the base ref, to plan the destruction of stacks the head no longer has.
BASE_OUT = "base.out"
# `<pilot>-<env>` must never equal `account` or `platform-<env>`.
RESERVED_PILOT_NAMES = frozenset({ACCOUNT, PLATFORM})


def platform_stack(env: str) -> str:
    return pilot_stack(PLATFORM, env)


def pilot_stack(pilot: str, env: str) -> str:
    return f"{pilot}-{env}"


def stack_names(environments: Iterable[str], pilot_stacks: Iterable[str]) -> list[str]:
    """Every stack, in the order they deploy: account, each platform, then the pilots' stacks."""
    return [ACCOUNT, *(platform_stack(e) for e in environments), *pilot_stacks]


@dataclass(frozen=True)
class StackName:
    name: str
    owner: str          # `account`, `platform`, or the pilot's name
    env: str | None     # None for `account` and for a name that ends in no known environment

    @property
    def kind(self) -> str:
        """`account`, `platform` or `pilot`."""
        return self.owner if self.owner in RESERVED_PILOT_NAMES else "pilot"


def environments_of(name: str, environments: Iterable[str]) -> list[str]:
    """Every environment `name` could be a stack of, longest first: two when one environment's name
    ends another's (`x-pre-prod`: pilot `x-pre` in `prod`, or `x` in `pre-prod`)."""
    if name == ACCOUNT:
        return []
    return [env for env in sorted(environments, key=len, reverse=True)
            if name.endswith(f"-{env}") and len(name) > len(env) + 1]


def parse_stack(name: str, environments: Iterable[str]) -> StackName:
    """Owner and environment of a stack name; the longest environment suffix wins (`dev` vs `pre-dev`)."""
    if name == ACCOUNT:
        return StackName(name, ACCOUNT, None)
    envs = environments_of(name, environments)
    if envs:
        return StackName(name, name[: -len(envs[0]) - 1], envs[0])
    return StackName(name, name, None)


def env_of_pilot_stack(stack: str, pilot: str) -> str | None:
    """The environment of `pilot`'s stack `stack`: exact, since the pilot is known."""
    prefix = pilot_stack(pilot, "")
    return stack[len(prefix):] if stack.startswith(prefix) and len(stack) > len(prefix) else None
