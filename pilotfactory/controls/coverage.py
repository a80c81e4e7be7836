"""Coverage of the control catalog: every gate criterion and guardrail maps to a control.

A name the catalog maps that does not exist is an error (a typo would leave a control without the
evidence its owner thinks it has); a check no control maps is a warning in validate and a failure
of `pilotfactory controls --check`, so the gap is visible without stopping every pilot's deploy.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.gates.earn import INTAKE_CRITERIA
from pilotfactory.gates.registry import CRITERIA
from pilotfactory.guardrails.registry import RULES
from pilotfactory.guardrails import rules as _rules  # noqa: F401  (registers the rules)

__all__ = ["CONTROLS_FILE", "Coverage", "criterion_keys", "guardrail_ids", "coverage", "check_controls"]

CONTROLS_FILE = "config/controls.yaml"


def criterion_keys() -> dict[str, str]:
    """Every gate criterion config/controls.yaml can name -> what it checks."""
    intake = {f"intake.{name}": f"intake: {summary}" for name, summary in INTAKE_CRITERIA.items()}
    return intake | {key: registered.summary for key, registered in CRITERIA.items()}


def guardrail_ids() -> dict[str, str]:
    return {rule_id: RULES[rule_id].title for rule_id in sorted(RULES)}


@dataclass
class Coverage:
    present: bool                                   # config/controls.yaml exists and parsed
    by_control: dict[str, dict] = field(default_factory=dict)   # id -> title, criteria, guardrails
    unmapped_criteria: list[str] = field(default_factory=list)
    unmapped_guardrails: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)            # "CTL-1: criterion `x`"

    @property
    def complete(self) -> bool:
        return self.present and not (self.unmapped_criteria or self.unmapped_guardrails or self.unknown)


def coverage(catalog: Catalog) -> Coverage:
    controls = catalog.controls
    if controls is None:
        return Coverage(False, unmapped_criteria=list(criterion_keys()), unmapped_guardrails=list(guardrail_ids()))
    criteria, guardrails = criterion_keys(), guardrail_ids()
    out = Coverage(True)
    for control_id, control in controls.controls.items():
        out.by_control[control_id] = {"title": control.title, "objective": control.objective,
                                      "owner": control.owner, "criteria": list(control.criteria),
                                      "guardrails": list(control.guardrails)}
        out.unknown += [f"{control_id}: criterion `{k}`" for k in control.criteria if k not in criteria]
        out.unknown += [f"{control_id}: guardrail `{g}`" for g in control.guardrails if g not in guardrails]
    mapped_criteria = {k for c in controls.controls.values() for k in c.criteria}
    mapped_guardrails = {g for c in controls.controls.values() for g in c.guardrails}
    out.unmapped_criteria = [k for k in criteria if k not in mapped_criteria]
    out.unmapped_guardrails = [g for g in guardrails if g not in mapped_guardrails]
    return out


def check_controls(catalog: Catalog, diags: Diagnostics) -> None:
    """Located errors for names that do not exist, warnings for checks no control owns."""
    controls, source = catalog.controls, catalog.config_sources.get("controls")
    if controls is None or source is None:
        return
    criteria, guardrails = criterion_keys(), guardrail_ids()
    roles = set(catalog.roles.roles) if catalog.roles is not None else None
    for control_id, control in controls.controls.items():
        for kind, names, known in (("criteria", control.criteria, criteria),
                                   ("guardrails", control.guardrails, guardrails)):
            for i, name in enumerate(names):
                if name not in known:
                    path = ("controls", control_id, kind, i)
                    what = "gate criterion" if kind == "criteria" else "guardrail"
                    diags.error(Code.UNKNOWN_CONTROL_CHECK,
                                f"control `{control_id}` maps {what} `{name}`, which does not exist"
                                f"{suggest(name, list(known))}", source.where(path), path)
        if control.owner is not None and roles is not None and control.owner not in roles:
            path = ("controls", control_id, "owner")
            diags.error(Code.UNKNOWN_CONTROL_CHECK,
                        f"control `{control_id}` is owned by role `{control.owner}`, which config/roles.yaml "
                        f"does not declare{suggest(control.owner, sorted(roles))}", source.where(path), path)
    found = coverage(catalog)
    where = source.where(("controls",), key=True)
    for key in found.unmapped_criteria:
        diags.warning(Code.UNMAPPED_CHECK, f"gate criterion `{key}` ({criteria[key]}) maps to no control: "
                      "add it to the `criteria` of the control its results are evidence for", where, ("controls",))
    for rule_id in found.unmapped_guardrails:
        diags.warning(Code.UNMAPPED_CHECK, f"guardrail {rule_id} ({guardrails[rule_id]}) maps to no control: "
                      "add it to the `guardrails` of the control it enforces", where, ("controls",))
