"""The validate rule registry: one decorated function per rule, each naming the codes it reports.

A catalog rule reads the whole catalog once: `fn(catalog, resolution, diags)`.
An estate rule reads what it needs of every pilot: `fn(catalog, facts, diags)`, with `facts` a list of
validate.facts.PilotFacts (so the validate cache can run it without typing the pilots again).
A pilot rule reads one resolved pilot: `fn(catalog, typed, diags)`; it runs once per pilot.
Rules append located diagnostics to `diags` and never change the catalog or the resolution.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from pilotfactory.diagnostics.codes import DiagnosticCode

__all__ = ["Rule", "RULES", "catalog_rule", "estate_rule", "pilot_rule"]

Scope = Literal["catalog", "estate", "pilot"]


@dataclass(frozen=True)
class Rule:
    name: str                         # <area>.<function>, e.g. tasks.depends_on_names_a_task
    scope: Scope
    codes: tuple[DiagnosticCode, ...]
    check: Callable[..., None]

    @property
    def summary(self) -> str:
        """The first line of the rule's docstring: what it holds true."""
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def _register(scope: Scope, codes: tuple[DiagnosticCode, ...]) -> Callable:
    def register(fn: Callable[..., None]) -> Callable[..., None]:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        if name in RULES:
            raise AssertionError(f"validate rule {name} registered twice")
        if not codes or not (fn.__doc__ or "").strip():
            raise AssertionError(f"validate rule {name} needs its codes and a one-line docstring")
        RULES[name] = Rule(name, scope, codes, fn)
        return fn
    return register


def catalog_rule(*codes: DiagnosticCode) -> Callable:
    """Register `fn(catalog, resolution, diags)`, run once per catalog."""
    return _register("catalog", codes)


def estate_rule(*codes: DiagnosticCode) -> Callable:
    """Register `fn(catalog, facts, diags)`, run once per catalog on every pilot's PilotFacts."""
    return _register("estate", codes)


def pilot_rule(*codes: DiagnosticCode) -> Callable:
    """Register `fn(catalog, typed, diags)`, run once for every resolved pilot."""
    return _register("pilot", codes)
