"""The exit-gate criterion registry: one decorated function per key of an exit gate in config/gates.yaml.

Adding a criterion is one new function in `pilotfactory/gates/criteria.py` and its key on the
`ExitGate` model; a test checks that every key has exactly one function. Registration order is the
order a reviewer reads them in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pilotfactory.diagnostics.diagnostic import Location
from pilotfactory.gates.context import Criterion, GateContext

__all__ = ["CriterionFunction", "ExitCriterion", "CRITERIA", "exit_criterion"]

# (context, the phase the gate opens, the key's value in gates.yaml, the key's line) -> criteria
CriterionFunction = Callable[[GateContext, str, Any, "Location | None"], list[Criterion]]


@dataclass(frozen=True)
class ExitCriterion:
    key: str                   # the key of an exit gate in config/gates.yaml that asks for it
    summary: str
    check: CriterionFunction


CRITERIA: dict[str, ExitCriterion] = {}


def exit_criterion(key: str, summary: str) -> Callable[[CriterionFunction], CriterionFunction]:
    """Register the function that judges `key`; it runs only when the gate sets the key."""
    def register(fn: CriterionFunction) -> CriterionFunction:
        if key in CRITERIA:
            raise AssertionError(f"gate criterion `{key}` registered twice")
        CRITERIA[key] = ExitCriterion(key, summary, fn)
        return fn
    return register
