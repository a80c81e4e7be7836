"""How `pilotfactory gates` shows gate results: text for reviewers, JSON for machines."""
from __future__ import annotations

import json
from typing import Mapping

from pilotfactory.diagnostics.diagnostic import Diagnostic, Location, Severity
from pilotfactory.gates.earn import GateResults, PilotGates
from pilotfactory.catalog.model import PHASES

__all__ = ["render_text", "render_json"]


def _path(path: tuple) -> str | None:
    return Diagnostic(Severity.ERROR, "", "", None, path).yaml_path or None


def _loc(where: Location | None) -> dict | None:
    return None if where is None else {"file": where.file, "line": where.line, "column": where.column}


def _headline(p: PilotGates) -> str:
    if p.ok:
        return f"{p.pilot}: phase `{p.declared}` earned ({p.phase_where})"
    envs = ", ".join(f"`{e}`" for e in p.unearned_environments)
    earned = f"`{p.earned}`" if p.earned else "none"
    return (f"{p.pilot}: phase `{p.declared}` NOT earned (earned: {earned}); synth builds no stack "
            f"for {envs} ({p.phase_where})")


def render_text(results: GateResults, pilots: list[PilotGates]) -> str:
    lines = [f"gates as of {results.as_of}", ""]
    for p in pilots:
        lines.append(_headline(p))
        rank = PHASES.index(p.declared)
        for gate in p.gates:
            needed = "" if PHASES.index(gate.phase) <= rank else f", not needed for phase `{p.declared}`"
            lines.append(f"  gate {gate.phase} ({gate.title}): {'pass' if gate.passed else 'FAIL'}{needed}")
            for c in gate.criteria:
                lines.append(f"    {'pass' if c.passed else 'FAIL'}  {c.name}  {c.where}: {c.reason}")
                if c.warning:
                    lines.append(f"      warning: {c.warning}")
        lines.append("")
    failing = [p for p in pilots if not p.ok]
    if failing:
        lines.append(f"{len(failing)} of {len(pilots)} pilots declare a phase they have not earned: "
                     f"{', '.join(p.pilot for p in failing)}")
    else:
        lines.append(f"{len(pilots)} pilot{'s' * (len(pilots) != 1)}: every declared phase is earned")
    return "\n".join(lines) + "\n"


def render_json(results: GateResults, pilots: list[PilotGates],
                controls: Mapping[str, list[dict]] | None = None) -> str:
    """`controls`: pilot -> its evidence per control (pilotfactory.controls.evidence), when the
    catalog has a control catalog."""
    out = {"as_of": results.as_of.isoformat(), "ok": all(p.ok for p in pilots), "pilots": []}
    for p in pilots:
        rank = PHASES.index(p.declared)
        out["pilots"].append({
            "pilot": p.pilot,
            "file": p.file,
            "declared_phase": p.declared,
            "earned_phase": p.earned,
            "earned": p.ok,
            "phase_location": _loc(p.phase_where),
            "unearned_environments": list(p.unearned_environments),
            "gates": [{
                "gate": g.phase,
                "title": g.title,
                "required": PHASES.index(g.phase) <= rank,
                "passed": g.passed,
                "rule": _loc(g.rule),
                "criteria": [{
                    "criterion": c.name,
                    "passed": c.passed,
                    "reason": c.reason,
                    "code": None if c.passed else c.code,
                    "location": _loc(c.where),
                    "path": _path(c.path),
                    "rule": _loc(c.rule),
                    "warning": c.warning or None,
                } for c in g.criteria],
            } for g in p.gates],
        })
        if controls is not None:
            out["pilots"][-1]["controls"] = controls.get(p.pilot, [])
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
