"""The rule registry: every rule has a stable id, a one-line rationale and the resource types it reads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from pilotfactory.guardrails.platform import EnvFacts, Platform
from pilotfactory.guardrails.terraform import TfDocument, TfResource

__all__ = ["Finding", "RuleContext", "Rule", "RULES", "rule"]


@dataclass(frozen=True)
class Finding:
    message: str
    attribute: tuple = ()     # where in the resource, e.g. ("max_concurrent_runs",)


@dataclass(frozen=True)
class RuleContext:
    platform: Platform
    env: EnvFacts | None      # None: the file's environment is not known
    document: TfDocument      # the other resources of the same file, for cross-references


RuleFunction = Callable[[TfResource, RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    rationale: str
    resource_types: tuple[str, ...]
    check: RuleFunction

    def run(self, resource: TfResource, ctx: RuleContext) -> Iterator[Finding]:
        if resource.type in self.resource_types:
            yield from self.check(resource, ctx)


RULES: dict[str, Rule] = {}


def rule(id: str, title: str, rationale: str, *types: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule; ids are stable: never renumber, never reuse."""
    def register(fn: RuleFunction) -> RuleFunction:
        if id in RULES:
            raise AssertionError(f"rule id {id} registered twice")
        RULES[id] = Rule(id, title, rationale, tuple(types), fn)
        return fn
    return register
