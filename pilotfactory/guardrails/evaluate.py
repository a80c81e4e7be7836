"""Run every rule over every resource of each document; results are plain `Violation`s."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from pilotfactory.guardrails import rules as _rules  # noqa: F401  (registers the rules)
from pilotfactory.guardrails.platform import EnvFacts, Platform
from pilotfactory.guardrails.registry import RULES, RuleContext
from pilotfactory.guardrails.terraform import TfDocument, TfResource, load_document

__all__ = ["Violation", "environment_of", "evaluate", "evaluate_files"]


@dataclass(frozen=True)
class Violation:
    rule_id: str
    message: str           # "<address> <finding>"
    resource: TfResource
    attribute: tuple
    env: str | None
    detail: str = ""       # the finding alone, without the address

    @property
    def file(self) -> str:
        return self.resource.file

    @property
    def line(self) -> int | None:
        return self.resource.where_line


def environment_of(resource: TfResource, document: TfDocument, platform: Platform,
                   forced: EnvFacts | None = None) -> EnvFacts | None:
    """The explicit choice, else the construct path's stack, the environment an `account` stack
    element was made for, the file's stack, the provider's host."""
    return (forced or platform.env_of_stack(resource.stack) or platform.env_of_account_element(resource.construct_path)
            or platform.env_of_stack(document.stack) or platform.env_of_host(document.provider_host))


def evaluate(documents: Iterable[TfDocument], platform: Platform, *, env: str | None = None,
             protected: bool | None = None, only: Iterable[str] | None = None) -> list[Violation]:
    """`env` forces the environment of every file; `protected` overrides whether it is protected."""
    forced = platform.environments.get(env) if env else None
    chosen = [RULES[i] for i in sorted(only)] if only is not None else [RULES[i] for i in sorted(RULES)]
    out: list[Violation] = []
    for document in documents:
        for resource in document.resources:
            facts = environment_of(resource, document, platform, forced)
            if protected is not None:
                facts = replace(facts, protected=protected) if facts else EnvFacts(
                    name="(given)", protected=protected, host=None, run_as="",
                    max_token_lifetime_days=platform.max_token_lifetime_days)
            ctx = RuleContext(platform, facts, document)
            for rule in chosen:
                for finding in rule.run(resource, ctx):
                    out.append(Violation(rule.id, f"{resource.address} {finding.message}", resource,
                                         finding.attribute, facts.name if facts else None, finding.message))
    return out


def evaluate_files(paths: Iterable[Path], platform: Platform, **kwargs) -> list[Violation]:
    return evaluate((load_document(p) for p in paths), platform, **kwargs)
