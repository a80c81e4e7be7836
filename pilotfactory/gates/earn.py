"""The gates step: the phase a pilot declares must be earned, gate by gate, from config/gates.yaml.

Each phase has one gate: `pilot` (intake), `staging` and `production` (the exits). A phase is
earned when its gate and every gate before it pass. A pilot whose declared phase is not earned
gets located errors, and `withhold_unearned` gives a new resolution without its unearned
environments, so synth cannot build them: editing `phase:` does not reach production.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model import PHASES
from pilotfactory.catalog.resolve import Resolution, TypedPilot, reached_environments
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.gates import clock
from pilotfactory.gates.context import Criterion, GateContext
from pilotfactory.gates.digest import gate_environments
from pilotfactory.gates.criteria import approval  # registers every exit criterion
from pilotfactory.gates.registry import CRITERIA

__all__ = ["Criterion", "Gate", "PilotGates", "GateResults", "evaluate_pilot", "gate_pilot", "gates",
           "unearned_reason", "withhold_unearned",
           "GATE_TITLES", "INTAKE_CRITERIA"]

GATE_TITLES = {"pilot": "intake", "staging": "exit to staging", "production": "exit to production"}


@dataclass(frozen=True)
class Gate:
    phase: str                 # the phase this gate opens
    rule: Location | None
    criteria: tuple[Criterion, ...]

    @property
    def title(self) -> str:
        return GATE_TITLES[self.phase]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)


@dataclass(frozen=True)
class PilotGates:
    pilot: str
    file: str
    declared: str
    earned: str | None         # the highest phase whose gate and every earlier one pass
    phase_where: Location
    gates: tuple[Gate, ...]
    unearned_environments: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.earned is not None and PHASES.index(self.earned) >= PHASES.index(self.declared)


@dataclass
class GateResults:
    as_of: dt.date
    pilots: list[PilotGates] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.pilots)


# ---- intake -------------------------------------------------------------------------------


# The intake criteria config/controls.yaml can name (`intake.<key>`); each owner a pilot must name
# is reported on its own line but is one criterion, `required`.
INTAKE_CRITERIA = {
    "value_score": "the value score reaches the minimum",
    "data_readiness_score": "the data readiness score reaches the minimum",
    "required": "the owners and success metrics intake asks for are named",
    "model_risk_review": "a pilot above the risk threshold has a model-risk review",
}
_INTAKE_KEY = {name: "required" for name in ("executive_sponsor", "product_owner", "pmo_lead", "success_metrics")}


def _intake(ctx: GateContext) -> list[Criterion]:
    rule, pilot, intake = ctx.gates.intake, ctx.pilot, ctx.pilot.intake
    out = []
    for name, score, minimum, path, rule_key in (
            ("value_score", intake.value.score, rule.min_value_score,
             ("intake", "value", "score"), "min_value_score"),
            ("data_readiness_score", intake.data_readiness.score, rule.min_data_readiness_score,
             ("intake", "data_readiness", "score"), "min_data_readiness_score")):
        label = name.replace("_", " ")
        passed = score >= minimum
        reason = f"{label} {score} is {'at least' if passed else 'below'} the minimum {minimum}"
        out.append(ctx.criterion(name, passed, reason, path, Code.INTAKE, ctx.rule("intake", rule_key)))
    for field_name in rule.required:
        if field_name == "success_metrics":
            flat = [m.name for m in intake.success_metrics if m.baseline == m.target]
            reason = (f"{len(intake.success_metrics)} success metrics, each with a baseline and a "
                      "different target" if not flat else
                      f"metric `{flat[0]}` has its target equal to its baseline: nothing to measure")
            out.append(ctx.criterion("success_metrics", not flat, reason, ("intake", "success_metrics"),
                                     Code.INTAKE, ctx.rule("intake", "required"), key=True))
        else:
            value = getattr(pilot.owners, field_name)
            out.append(ctx.criterion(field_name, bool(value), f"{field_name.replace('_', ' ')}: {value}",
                                     ("owners", field_name), Code.INTAKE, ctx.rule("intake", "required")))
    above = rule.model_risk_review_above
    if intake.risk.score > above:
        c, _ = approval(ctx, "pilot", rule.model_risk_role, ctx.rule("intake", "model_risk_review_above"),
                         why=f"risk score {intake.risk.score} is above {above}")
        out.append(dataclasses.replace(c, name="model_risk_review"))
    else:
        out.append(ctx.criterion("model_risk_review", True, f"risk score {intake.risk.score} is not above "
                                 f"{above}: no model-risk review needed", ("intake", "risk", "score"),
                                 Code.INTAKE, ctx.rule("intake", "model_risk_review_above")))
    return out


def _exit(ctx: GateContext, phase: str) -> Gate:
    gate = ctx.gates.exits.get(phase)
    if gate is None:
        return Gate(phase, None, ())
    base = ("exits", phase)
    out: list[Criterion] = []
    for key, registered in CRITERIA.items():
        setting = getattr(gate, key)
        if setting:  # false, empty or absent: the gate does not ask for it
            found = registered.check(ctx, phase, setting, ctx.rule(*base, key))
            out.extend(dataclasses.replace(c, key=key)
                       for c in ([found] if isinstance(found, Criterion) else found))
    return Gate(phase, ctx.rule(*base, key=True), tuple(out))


# ---- the step -----------------------------------------------------------------------------


def evaluate_pilot(catalog: Catalog, typed: TypedPilot, today: dt.date) -> PilotGates:
    """Every gate of one pilot, whether or not its phase needs it: the next gate is worth seeing."""
    ctx = GateContext(catalog.root, typed.pilot, typed.source, catalog.roles, catalog.gates,
                      catalog.config_sources.get("gates"), today,
                      {phase: gate_environments(catalog, phase) for phase in PHASES}, catalog.cache)
    intake = tuple(dataclasses.replace(c, key=f"intake.{_INTAKE_KEY.get(c.name, c.name)}") for c in _intake(ctx))
    gates_ = (Gate("pilot", ctx.rule("intake", key=True), intake), _exit(ctx, "staging"),
              _exit(ctx, "production"))
    earned = None
    for gate in gates_:
        if not gate.passed:
            break
        earned = gate.phase
    declared = typed.pilot.phase
    reached = reached_environments(catalog, declared)
    allowed = set(reached_environments(catalog, earned)) if earned else set()
    return PilotGates(typed.pilot.name, typed.file, declared, earned, typed.source.where(("phase",)),
                      gates_, tuple(e for e in reached if e not in allowed))


def _warn(result: PilotGates, diags: Diagnostics) -> None:
    """Evidence of a gate the declared phase needs that ages out soon, or has (warnings, never errors)."""
    rank = PHASES.index(result.declared)
    for gate in result.gates:
        if PHASES.index(gate.phase) <= rank:
            for c in gate.criteria:
                if c.passed and c.warning:
                    diags.warning(Code.EVIDENCE_AGING, f"{gate.title}: {c.warning}", c.where, c.path)


def _report(result: PilotGates, diags: Diagnostics) -> None:
    rank = PHASES.index(result.declared)
    failing = [g for g in result.gates if PHASES.index(g.phase) <= rank and not g.passed]
    envs = ", ".join(f"`{e}`" for e in result.unearned_environments)
    titles = ", ".join(g.title for g in failing)
    diags.error(Code.PHASE_NOT_EARNED, f"phase `{result.declared}` is not earned (earned: "
                f"{'`' + result.earned + '`' if result.earned else 'none'}); failing: {titles}; synth "
                f"builds no stack for {envs}", result.phase_where, ("phase",))
    for gate in failing:
        for c in gate.criteria:
            if not c.passed:
                diags.error(c.code, f"{gate.title}: {c.reason}", c.where, c.path)


def gate_pilot(catalog: Catalog, typed: TypedPilot, today: dt.date, diags: Diagnostics) -> PilotGates:
    """One pilot's gates, with its aging evidence and an unearned declared phase reported."""
    result = evaluate_pilot(catalog, typed, today)
    if typed.pilot.decommission is not None:
        # Nothing of it deploys any more: its gates are shown, never enforced, and withhold nothing.
        return dataclasses.replace(result, unearned_environments=())
    _warn(result, diags)
    if not result.ok:
        _report(result, diags)
    return result


def unearned_reason(result: PilotGates) -> str:
    """Why the unearned environments of `result` are withheld: the phase and the first failing criterion."""
    failing = [f"{g.title}: {c.reason}" for g in result.gates if not g.passed for c in g.criteria if not c.passed]
    return (f"phase `{result.declared}` not earned (earned: {result.earned or 'none'}); "
            f"{failing[0] if failing else 'a gate fails'}")


def gates(catalog: Catalog, resolution: Resolution, diags: Diagnostics,
          today: dt.date | None = None, skip: frozenset[str] = frozenset()) -> GateResults:
    """Evaluate every pilot's gates and report each unearned declared phase.

    `skip`: pilot files with errors of their own (blast radius): not evaluated."""
    results = GateResults(today or clock.today())
    for typed in resolution.pilots:
        if typed.file not in skip:
            results.pilots.append(gate_pilot(catalog, typed, results.as_of, diags))
    return results


def withhold_unearned(resolution: Resolution, results: GateResults,
                      skip: frozenset[str] = frozenset()) -> Resolution:
    """A new resolution without the environments a pilot has not earned, nor any stack of a pilot
    file in `skip` (its own errors), so synth cannot build them; `declared` keeps every
    environment the phases declare. `resolution` is not changed."""
    unearned = {(p.pilot, env) for p in results.pilots for env in p.unearned_environments}
    earned = resolution.catalog
    if (unearned or skip) and earned is not None:
        earned = dataclasses.replace(earned, pilots=tuple(
            rp for rp in earned.pilots if (rp.name, rp.env_name) not in unearned and rp.file not in skip))
    return dataclasses.replace(resolution, catalog=earned, declared=resolution.catalog)
