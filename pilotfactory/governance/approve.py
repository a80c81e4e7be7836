"""Record an approval in a pilot file, bound by digest to the content it approves.

Refuses before writing anything when the approval could not count: the gate does not ask for the
role, or the approver may not hold it for this pilot (segregation of duties). Re-approving by the
same person, role and gate updates that entry's date and digest instead of adding a second one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pilotfactory.files.atomic import replace_file
from pilotfactory.gates import clock
from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, PilotFactoryError
from pilotfactory.gates.digest import approval_digest
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.model.pilot import Approval
from pilotfactory.pipeline import check
from pilotfactory.gates.segregation import approval_problem
from pilotfactory.governance.signed_commit import commit_approval, git_identity, ready_to_commit
from pilotfactory.yamlio.edit import AppendItem, SetValue, apply_edits

__all__ = ["Recorded", "record_approval", "roles_asked"]


@dataclass(frozen=True)
class Recorded:
    file: str          # the pilot file, repository-relative
    approval: Approval
    updated: bool      # an earlier approval by the same person, role and gate was refreshed
    commit: str | None = None  # the commit that records it (None under approvals.verify: none)


def roles_asked(gates, gate: str) -> list[str]:
    """The roles config/gates.yaml asks to approve `gate`."""
    if gate == "pilot":
        return [gates.intake.model_risk_role]
    exit_gate = gates.exits.get(gate)
    return list(exit_gate.approvals) if exit_gate else []


def record_approval(root: Path, pilot_name: str, gate: str, role: str,
                    today: dt.date | None = None) -> Recorded:
    """Write the approval, as `role` of `gate`, of whoever runs this (their git identity) for the
    pilot's current content, and commit it as config/gates.yaml `approvals.verify` asks."""
    today = today or clock.today()
    approver = git_identity(root)
    checked = check(root, today=today, only={pilot_name})  # an approval is of one pilot
    if checked.gates is None:  # the platform configuration has errors: fix those first
        raise DiagnosticsError(checked.diagnostics)
    typed = checked.pilot(pilot_name)
    if typed.file in checked.broken:  # content with errors is not approvable; other pilots' errors are theirs
        own = Diagnostics()
        own.extend(checked.broken[typed.file])
        raise DiagnosticsError(own)
    asked = roles_asked(checked.catalog.gates, gate)
    if role not in asked:
        raise PilotFactoryError(f"gate `{gate}` does not ask for role `{role}` (config/gates.yaml asks "
                                f"for: {', '.join(asked) or 'no approvals'}){suggest(role, asked)}")
    pilot = typed.pilot
    try:
        approval = Approval(gate=gate, approver=approver, role=role, date=today,
                            digest=approval_digest(checked.catalog, pilot, gate))
    except ValidationError:
        raise PilotFactoryError(f"`{approver}` is not an email address") from None
    problem = approval_problem(checked.catalog.roles, pilot, approval)
    if problem:
        raise PilotFactoryError(f"approval refused, nothing written: {problem}")

    same = [i for i, a in enumerate(pilot.approvals)
            if a.gate == gate and a.role == role and a.approver.lower() == approver.lower()]
    # Templates cannot preset approvals, so the typed pilot's indices are the file's.
    if same:
        edits = [SetValue(("approvals", same[-1], "date"), today),
                 SetValue(("approvals", same[-1], "digest"), approval.digest)]
    else:
        edits = [AppendItem(("approvals",), {"gate": gate, "approver": approver, "role": role,
                                             "date": today, "digest": approval.digest})]
    mode = checked.catalog.gates.approvals.verify
    ready_to_commit(root, typed.file, mode)
    path = root / typed.file
    text = apply_edits(path.read_text(encoding="utf-8"), edits, typed.file)
    after = check(root, {typed.file: text}, today=today, only={pilot_name})
    retyped = {t.pilot.name: t for t in after.resolution.pilots}.get(pilot_name)
    if retyped is None or approval_digest(after.catalog, retyped.pilot, gate) != approval.digest:
        # approvals are outside the digest, so recording one can never change it: a bug if it did
        raise PilotFactoryError(f"recording the approval would change {typed.file}'s approved "
                                "content; nothing written")
    before = path.read_bytes()
    replace_file(path, text.encode("utf-8"))
    try:
        commit = commit_approval(root, typed.file, f"approve {pilot_name}: gate {gate} as {role}", mode)
    except PilotFactoryError:
        replace_file(path, before)  # nothing half-done: an uncommitted approval would not count
        raise
    return Recorded(typed.file, approval, bool(same), commit)
