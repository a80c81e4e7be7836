"""Gate changes: pilots whose declared phase, earned phase or gate status differ between two checks."""
from __future__ import annotations

from typing import Any

from pilotfactory.review.changes import Finding, StackRef

__all__ = ["gate_findings"]


def _status(passed: bool) -> str:
    return "passes" if passed else "fails"


def gate_findings(base: Any, head: Any) -> list[Finding]:
    """From two pilotfactory.gates.earn.GateResults (either may be None when the catalog had errors)."""
    old = {p.pilot: p for p in (base.pilots if base else [])}
    new = {p.pilot: p for p in (head.pilots if head else [])}
    out: list[Finding] = []
    for name in list(new) + [n for n in old if n not in new]:
        b, h = old.get(name), new.get(name)
        stack = StackRef(name, name, None)
        if b is None:
            out.append(Finding("gate", stack, f"new pilot in phase `{h.declared}` "
                               f"(earned: `{h.earned or 'none'}`)"))
            continue
        if h is None:
            out.append(Finding("gate", stack, f"pilot removed from the catalog (was in phase `{b.declared}`)"))
            continue
        if b.declared != h.declared:
            out.append(Finding("gate", stack, f"phase `{b.declared}` → **`{h.declared}`**"))
        if b.earned != h.earned:
            out.append(Finding("gate", stack, f"earned phase `{b.earned or 'none'}` → `{h.earned or 'none'}`"))
        before = {g.phase: g for g in b.gates}
        for gate in h.gates:
            was = before.get(gate.phase)
            if was is not None and was.passed != gate.passed:
                out.append(Finding("gate", stack, f"{gate.title} gate {_status(was.passed)} → "
                                   f"{_status(gate.passed)}"))
    return out
