"""The model inventory: one row per pilot model, with what a model-risk auditor asks for."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from pilotfactory.catalog.load import Catalog
from pilotfactory.gates.earn import GateResults
from pilotfactory.catalog.model import Pilot
from pilotfactory.catalog.model.pilot import ModelValidation
from pilotfactory.gates.evidence import latest
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
from pilotfactory.gates.segregation import members

__all__ = ["inventory_rows", "render_inventory", "FORMATS"]

FORMATS = ("csv", "json", "md")


def _people(catalog: Catalog, group: str) -> str:
    return f"{group} ({', '.join(sorted(members(catalog.roles, group))) or 'no members'})"


def _live(catalog: Catalog, pilot: Pilot, envs: list[str]) -> list[str]:
    release = pilot.release
    out = []
    for env in envs:
        name = next(iter(release.slots)) if release.strategy == "single" else release.active.get(env)
        slot = release.slots.get(name) if name else None
        model = f"model {slot.model_version}" if slot and slot.model_version else "no model version"
        out.append(f"{env}: {name} ({model})" if slot else f"{env}: none")
    return out


def inventory_rows(catalog: Catalog, pilots: list[TypedPilot], results: GateResults) -> list[dict[str, Any]]:
    by_name = {p.pilot: p for p in results.pilots}
    rows = []
    for typed in sorted(pilots, key=lambda t: t.pilot.name):
        pilot = typed.pilot
        if pilot.model is None:
            continue
        gates = by_name[pilot.name]
        envs = reached_environments(catalog, gates.earned) if gates.earned and not pilot.decommission else []
        validation = latest(pilot, ModelValidation)
        v = validation[1] if validation else None
        rows.append({
            "inventory_id": pilot.inventory_id,
            "model": pilot.model.name,
            "pilot": pilot.name,
            "purpose": f"{pilot.title}: {pilot.intake.value.business_case}",
            "owner": pilot.owners.product_owner,
            "developer": _people(catalog, pilot.owners.builders),
            "validator": _people(catalog, pilot.owners.approvers),
            "risk_tier": pilot.intake.risk.model_risk_tier,
            "risk_score": pilot.intake.risk.score,
            "phase": pilot.phase,
            "earned_phase": gates.earned,
            "environments": envs,
            "slots": [f"{name}: {s.version or 'no version'}, model {s.model_version or 'none'}"
                      for name, s in pilot.release.slots.items()],
            "live": _live(catalog, pilot, envs),
            "last_validation": (f"model {v.model_version}: {v.result} by {v.validator}" if v else None),
            "last_validation_date": v.date.isoformat() if v else None,
            "gate_status": ("earned" if gates.ok else
                            f"not earned: `{pilot.phase}` declared, `{gates.earned or 'none'}` earned"),
            "file": typed.file,
        })
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def render_inventory(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    columns = list(rows[0]) if rows else ["inventory_id"]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        return out.getvalue()
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row[c]).replace("|", "\\|").replace("\n", " ")
                                       for c in columns) + " |")
    return "\n".join(lines) + "\n"
