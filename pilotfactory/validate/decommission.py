"""Validate rules on a decommission: only on the sponsor's `stop`, under a well-formed change reference."""
from __future__ import annotations

from pilotfactory.catalog.change_refs import change_ref_problem
from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model.pilot import OutcomeDecision
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.DECOMMISSION, Code.BAD_CHANGE_REF)
def decommission_follows_a_stop_decision(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """`decommission` needs the latest outcome decision to be `stop` by the executive sponsor, and a change
    reference each protected environment the pilot reached accepts."""
    pilot, src = typed.pilot, typed.source
    if pilot.decommission is None:
        return
    # The latest by date, the later entry on a tie (as the gates read it; validate may not import gates).
    decisions = [(e.date, i, e) for i, e in enumerate(pilot.evidence) if isinstance(e, OutcomeDecision)]
    decision = max(decisions, key=lambda t: (t[0], t[1]))[2] if decisions else None
    path = ("decommission",)
    if decision is None or decision.decision != "stop" or decision.decided_by != pilot.owners.executive_sponsor:
        said = (f"the latest outcome decision is `{decision.decision}` by {decision.decided_by} on {decision.date}"
                if decision else "there is no outcome decision")
        diags.error(Code.DECOMMISSION, f"a decommission destroys every stack of `{pilot.name}`; it needs the "
                    f"executive sponsor's ({pilot.owners.executive_sponsor}) recorded decision to `stop`, but {said}",
                    src.where(path, key=True), path)
    if catalog.environments is None:
        return
    envs = catalog.environments.environments
    for name in reached_environments(catalog, pilot.phase):
        if not envs[name].protected:
            continue
        problem = change_ref_problem(name, envs[name], pilot.decommission.ref)
        if problem is not None:
            where = path + (("ref",) if pilot.decommission.ref else ())
            problem = problem.replace("(give --change REF)", "(set `decommission.ref`)")
            diags.error(Code.BAD_CHANGE_REF, f"decommission: {problem}", src.where(where), where)
