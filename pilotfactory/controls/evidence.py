"""Per pilot, per control: the gate results and guardrail results that are its evidence.

A control is `met` when it has evidence and all of it passes, `not met` when a criterion its pilot's
declared phase requires fails or a guardrail finds a violation in the pilot's stacks, and
`no evidence` when nothing mapped to it has been evaluated for this pilot: an auditor sees that
gap rather than a silent pass.
"""
from __future__ import annotations

from typing import Iterable

from pilotfactory.catalog.model import PHASES
from pilotfactory.catalog.model.config import Controls
from pilotfactory.gates.earn import PilotGates
from pilotfactory.guardrails.evaluate import Violation
from pilotfactory.guardrails import rules as _rules  # noqa: F401  (registers the rules it names)
from pilotfactory.guardrails.registry import RULES

__all__ = ["MET", "NOT_MET", "NO_EVIDENCE", "control_evidence"]

MET, NOT_MET, NO_EVIDENCE = "met", "not met", "no evidence"


def _loc(where) -> str | None:
    return str(where) if where is not None else None


def control_evidence(controls: Controls, pilot: PilotGates,
                     violations: Iterable[Violation] | None = None) -> list[dict]:
    """`violations`: the guardrail results of the pilot's stacks; None when they were not evaluated
    (then guardrails are listed as not evaluated and count as no evidence)."""
    rank = PHASES.index(pilot.declared)
    found = None if violations is None else list(violations)
    out = []
    for control_id, control in controls.controls.items():
        criteria = [{
            "gate": gate.phase,
            "criterion": c.name,
            "key": c.key,
            "required": PHASES.index(gate.phase) <= rank,
            "passed": c.passed,
            "reason": c.reason,
            "location": _loc(c.where),
        } for gate in pilot.gates for c in gate.criteria if c.key in control.criteria]
        guardrails = []
        for rule_id in control.guardrails:
            entry = {"rule": rule_id, "title": RULES[rule_id].title if rule_id in RULES else None,
                     "evaluated": found is not None}
            if found is not None:
                hits = [v for v in found if v.rule_id == rule_id]
                entry |= {"passed": not hits, "violations": [f"{v.file}: {v.message}" for v in hits]}
            guardrails.append(entry)
        required = [c for c in criteria if c["required"]]
        evaluated = [g for g in guardrails if g["evaluated"]]
        if any(not c["passed"] for c in required) or any(not g["passed"] for g in evaluated):
            status = NOT_MET
        elif required or evaluated:
            status = MET
        else:
            status = NO_EVIDENCE
        out.append({"control": control_id, "title": control.title, "owner": control.owner,
                    "status": status, "criteria": criteria, "guardrails": guardrails})
    return out
