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
from pathlib import Path

from pilotfactory.gates import clock
from pilotfactory.catalog.load import Catalog
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.gates.digest import content_digest
from pilotfactory.gates.evidence import check_test_report, entries, latest
from pilotfactory.catalog.model import PHASES, Pilot
from pilotfactory.catalog.model.config import ExitGate, Gates, Roles
from pilotfactory.catalog.model.pilot import ModelValidation, RollbackRehearsal, SecurityReview, TestReport
from pilotfactory.catalog.resolve import Resolution, TypedPilot, reached_environments
from pilotfactory.gates.segregation import approval_problem, assign_distinct, members, shared_members
from pilotfactory.yamlio.source import Source

__all__ = ["Criterion", "Gate", "PilotGates", "GateResults", "evaluate_pilot", "gates", "withhold_unearned",
           "GATE_TITLES"]

GATE_TITLES = {"pilot": "intake", "staging": "exit to staging", "production": "exit to production"}


@dataclass(frozen=True)
class Criterion:
    name: str
    passed: bool
    reason: str
    where: Location            # the catalog line involved
    path: tuple = ()           # its YAML path in the pilot file
    code: str = ""             # reported when this criterion keeps a declared phase from being earned
    rule: Location | None = None  # the line of config/gates.yaml that asks for it
    warning: str = ""          # passes, but evidence ages out soon (or has, under content approved before)
    aged: bool = False         # passes only because its content was approved while the evidence was fresh


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


@dataclass
class _Context:
    """What every criterion reads: one typed pilot, the platform config, the date."""

    root: Path
    pilot: Pilot
    src: Source
    roles: Roles
    gates: Gates
    gates_src: Source | None
    today: dt.date

    def at(self, path: tuple, *, key: bool = False) -> tuple[Location, tuple]:
        """Where `path` is in the pilot; if the pilot does not have it at all, its `phase:` line."""
        if path and path[0] in self.src.data:
            return self.src.where(path, key=key), path
        return self.src.where(("phase",)), ("phase",)

    def rule(self, *path, key: bool = False) -> Location | None:
        return self.gates_src.where(path, key=key) if self.gates_src is not None else None

    def criterion(self, name: str, passed: bool, reason: str, path: tuple, code: str,
                  rule: Location | None, *, key: bool = False) -> Criterion:
        where, path = self.at(path, key=key)
        return Criterion(name, passed, reason, where, path, code, rule)

    def age(self, date: dt.date) -> int:
        return (self.today - date).days


# ---- intake -------------------------------------------------------------------------------


def _intake(ctx: _Context) -> list[Criterion]:
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
        c, _ = _approval(ctx, "pilot", rule.model_risk_role, ctx.rule("intake", "model_risk_review_above"),
                         why=f"risk score {intake.risk.score} is above {above}")
        out.append(dataclasses.replace(c, name="model_risk_review"))
    else:
        out.append(ctx.criterion("model_risk_review", True, f"risk score {intake.risk.score} is not above "
                                 f"{above}: no model-risk review needed", ("intake", "risk", "score"),
                                 Code.INTAKE, ctx.rule("intake", "model_risk_review_above")))
    return out


# ---- approvals ----------------------------------------------------------------------------


def _approval(ctx: _Context, gate: str, role: str, rule: Location | None, *,
              why: str = "") -> tuple[Criterion, list[str]]:
    """One required role's approval for `gate`: the criterion and the people who validly gave it."""
    pilot = ctx.pilot
    name = f"approval:{role}"
    group = ctx.roles.roles.get(role, "?")
    found = [(i, a) for i, a in enumerate(pilot.approvals) if a.gate == gate and a.role == role]
    if not found:
        prefix = f"{why}, so " if why else ""
        return ctx.criterion(name, False, f"{prefix}gate `{gate}` needs an approval by role `{role}`; "
                             f"a member of `{group}` runs `pilotfactory approve {pilot.name} --gate {gate} "
                             f"--as EMAIL --role {role}`", ("approvals",), Code.APPROVAL_MISSING, rule,
                             key=True), []
    digest = content_digest(pilot)
    valid: list[tuple[int, str]] = []
    problems: list[tuple[dt.date, int, str, str, str]] = []  # date, index, field, code, reason
    for i, a in found:
        sod = approval_problem(ctx.roles, pilot, a)
        if a.date > ctx.today:
            problems.append((a.date, i, "date", Code.FUTURE_DATE,
                             f"{role} approval by {a.approver} is dated {a.date}, in the future"))
        elif sod:
            problems.append((a.date, i, "approver", Code.SEGREGATION, f"{role} approval rejected: {sod}"))
        elif a.digest is None:
            problems.append((a.date, i, "digest", Code.APPROVAL_STALE,
                             f"{role} approval by {a.approver} carries no digest, so it binds to no "
                             f"content; re-approve with `pilotfactory approve {pilot.name} --gate {gate} "
                             f"--as {a.approver} --role {role}`"))
        elif a.digest != digest:
            problems.append((a.date, i, "digest", Code.APPROVAL_STALE,
                             f"{role} approval by {a.approver} on {a.date} is stale: the pilot changed "
                             f"since (approved {a.digest[:19]}…, now {digest[:19]}…); re-approve with "
                             f"`pilotfactory approve {pilot.name} --gate {gate} --as {a.approver} "
                             f"--role {role}`"))
        else:
            valid.append((i, a.approver.lower()))
    if valid:
        i, _ = valid[-1]
        a = pilot.approvals[i]
        return ctx.criterion(name, True, f"approved by {a.approver} ({group}) on {a.date}, content unchanged "
                             "since", ("approvals", i), Code.APPROVAL_MISSING, rule), [p for _, p in valid]
    _, i, fld, code, reason = max(problems, key=lambda p: (p[0], p[1]))
    return ctx.criterion(name, False, reason, ("approvals", i, fld), code, rule), []


def _approvals(ctx: _Context, gate: str, roles: list[str], rule: Location | None) -> list[Criterion]:
    out, candidates = [], {}
    for role in roles:
        c, people = _approval(ctx, gate, role, rule)
        out.append(c)
        if people:
            candidates[role] = sorted(set(people))
    if len(roles) > 1:
        held = assign_distinct(candidates)
        short = [r for r in candidates if r not in held]
        if short:
            people = sorted({p for r in candidates for p in candidates[r]})
            reason = (f"roles {', '.join(f'`{r}`' for r in candidates)} are approved only by "
                      f"{', '.join(people)}: each role gates.yaml requires needs a different person")
            out.append(ctx.criterion("distinct_approvers", False, reason, ("approvals",), Code.SEGREGATION,
                                     rule, key=True))
        else:
            held_by = ", ".join(f"{r}: {held[r]}" for r in roles if r in held) or "no valid approvals yet"
            out.append(ctx.criterion("distinct_approvers", True, f"each required role held by a different "
                                     f"person ({held_by})", ("approvals",), Code.SEGREGATION, rule, key=True))
    return out


# ---- exits --------------------------------------------------------------------------------


def _contracts(ctx: _Context, rule: Location | None) -> Criterion:
    contracts = ctx.pilot.data_contracts
    missing = [(i, c.name, [p for p in ("freshness", "quality") if getattr(c, p) is None])
               for i, c in enumerate(contracts)]
    missing = [m for m in missing if m[2]]
    if missing:
        i, name, parts = missing[0]
        more = f" ({len(missing) - 1} more incomplete)" if len(missing) > 1 else ""
        return ctx.criterion("data_contracts_complete", False, f"data contract `{name}` has no "
                             f"{' and no '.join(parts)}{more}", ("data_contracts", i, "name"),
                             Code.CONTRACT_INCOMPLETE, rule)
    reason = (f"{len(contracts)} data contract{'s' * (len(contracts) != 1)} with schema, freshness "
              "and quality" if contracts
              else "no data contracts declared")
    return ctx.criterion("data_contracts_complete", True, reason, ("data_contracts",),
                         Code.CONTRACT_INCOMPLETE, rule, key=True)


def _owners(ctx: _Context, rule: Location | None) -> Criterion:
    owners = ctx.pilot.owners
    for role in ("builders", "approvers"):
        group = getattr(owners, role)
        if not members(ctx.roles, group):
            return ctx.criterion("owners_complete", False, f"{role} group `{group}` has no members in "
                                 "config/roles.yaml", ("owners", role), Code.OWNERS_INCOMPLETE, rule)
    return ctx.criterion("owners_complete", True, f"builders `{owners.builders}` and approvers "
                         f"`{owners.approvers}` have members; on call: {owners.on_call}",
                         ("owners",), Code.OWNERS_INCOMPLETE, rule, key=True)


def _segregation(ctx: _Context, rule: Location | None) -> Criterion:
    shared = shared_members(ctx.roles, ctx.pilot)
    owners = ctx.pilot.owners
    if shared:
        return ctx.criterion("segregation_of_duties", False, f"{', '.join(shared)} "
                             f"{'is' if len(shared) == 1 else 'are'} in both `{owners.builders}` and "
                             f"`{owners.approvers}`: a maker would check their own work",
                             ("owners", "approvers"), Code.SEGREGATION, rule)
    return ctx.criterion("segregation_of_duties", True, f"`{owners.builders}` and `{owners.approvers}` "
                         "share no member", ("owners", "approvers"), Code.SEGREGATION, rule)


def _security_review(ctx: _Context, rule: Location | None) -> Criterion:
    found = latest(ctx.pilot, SecurityReview)
    name = "security_review"
    if found is None:
        return ctx.criterion(name, False, "no security_review in `evidence`", ("evidence",),
                             Code.SECURITY_REVIEW, rule, key=True)
    i, review = found
    if review.date > ctx.today:
        return ctx.criterion(name, False, f"security review dated {review.date}, in the future",
                             ("evidence", i, "date"), Code.FUTURE_DATE, rule)
    if review.reviewer.lower() in members(ctx.roles, ctx.pilot.owners.builders):
        return ctx.criterion(name, False, f"reviewer {review.reviewer} is a builder of this pilot: a "
                             "maker may not review their own change", ("evidence", i, "reviewer"),
                             Code.SEGREGATION, rule)
    if review.result != "pass":
        return ctx.criterion(name, False, f"the latest security review ({review.date}, "
                             f"{review.reviewer}) did not pass", ("evidence", i, "result"),
                             Code.SECURITY_REVIEW, rule)
    return ctx.criterion(name, True, f"passed on {review.date}, reviewed by {review.reviewer}",
                         ("evidence", i), Code.SECURITY_REVIEW, rule)


def _versions(pilot: Pilot) -> list[tuple[str, str]]:
    """(slot, version) of every slot with a version: all of them run in every environment."""
    return [(name, slot.version) for name, slot in pilot.release.slots.items() if slot.version]


def _test_reports(ctx: _Context, rule: Location | None) -> list[Criterion]:
    out = []
    for slot, version in _versions(ctx.pilot):
        name = f"test_report:{version}"
        reports = [(i, r) for i, r in entries(ctx.pilot, TestReport) if r.version == version]
        if not reports:
            out.append(ctx.criterion(name, False, f"slot `{slot}` runs {version}, which has no "
                                     "test_report in `evidence`", ("release", "slots", slot, "version"),
                                     Code.TEST_EVIDENCE, rule))
            continue
        checks = [(i, check_test_report(ctx.root, r, ctx.today)) for i, r in reports]
        failed = [(i, c) for i, c in checks if not c.passed]
        if failed:
            i, c = failed[0]
            code = Code.FUTURE_DATE if c.future else Code.TEST_EVIDENCE
            out.append(ctx.criterion(name, False, c.reason, ("evidence", i, c.field), code, rule))
        else:
            i, c = checks[-1]
            out.append(ctx.criterion(name, True, f"{c.reason}, sha256 verified", ("evidence", i, "path"),
                                     Code.TEST_EVIDENCE, rule))
    if not out:
        out.append(ctx.criterion("test_reports", False, "no release slot has a version to test",
                                 ("release", "slots"), Code.TEST_EVIDENCE, rule, key=True))
    return out


def _rehearsal(ctx: _Context, phase: str, gate: ExitGate, rule: Location | None) -> Criterion:
    env, max_age = gate.rollback_rehearsal.env, gate.rollback_rehearsal.max_age_days
    name = "rollback_rehearsal"
    found = latest(ctx.pilot, RollbackRehearsal, env=env)
    if found is None:
        return ctx.criterion(name, False, f"no rollback_rehearsal in `{env}` in `evidence`", ("evidence",),
                             Code.ROLLBACK_REHEARSAL, rule, key=True)
    i, r = found
    slots = ctx.pilot.release.slots
    if r.date > ctx.today:
        return ctx.criterion(name, False, f"rollback rehearsal dated {r.date}, in the future",
                             ("evidence", i, "date"), Code.FUTURE_DATE, rule)
    for end in ("from_", "to"):
        if getattr(r, end) not in slots:
            return ctx.criterion(name, False, f"the rehearsal rolled {end.rstrip('_')} slot "
                                 f"`{getattr(r, end)}`, which the release does not have",
                                 ("evidence", i, end.rstrip("_")), Code.ROLLBACK_REHEARSAL, rule)
    if r.result != "pass":
        return ctx.criterion(name, False, f"the latest rollback rehearsal in `{env}` ({r.date}) failed",
                             ("evidence", i, "result"), Code.ROLLBACK_REHEARSAL, rule)
    age = ctx.age(r.date)
    expires = r.date + dt.timedelta(days=max_age)  # the last day it counts
    renew = f"`pilotfactory rehearse {ctx.pilot.name} --env {env} --record pass` renews it"
    if age > max_age:
        # Time alone never withholds what was approved: content approved while the rehearsal was
        # fresh still builds; any change to it needs new approvals, and they a fresh rehearsal.
        approved = _approved_on(ctx, phase, gate.approvals)
        if approved is not None and approved <= expires:
            return dataclasses.replace(ctx.criterion(
                name, True, f"{r.from_} -> {r.to} in `{env}` passed on {r.date}, aged out after {expires}, "
                f"but the content was approved on {approved}, while it was fresh", ("evidence", i, "date"),
                Code.ROLLBACK_REHEARSAL, rule), aged=True, warning=(
                f"the rollback rehearsal in `{env}` aged out after {expires}: the approved content still "
                f"builds, but no change to its protected environments (a cutover or new approvals) passes "
                f"until {renew}"))
        return ctx.criterion(name, False, f"the latest rollback rehearsal in `{env}` is stale: {r.date}, "
                             f"{age} days ago; gates.yaml accepts at most {max_age}; {renew}",
                             ("evidence", i, "date"), Code.ROLLBACK_REHEARSAL, rule)
    left = (expires - ctx.today).days
    criterion = ctx.criterion(name, True, f"{r.from_} -> {r.to} in `{env}` passed on {r.date}, {age} days ago "
                              f"(at most {max_age})", ("evidence", i), Code.ROLLBACK_REHEARSAL, rule)
    if left <= ctx.gates.evidence_warning_days:
        return dataclasses.replace(criterion, warning=(
            f"the rollback rehearsal in `{env}` ages out after {expires}, in {left} day{'s' * (left != 1)}; "
            f"{renew}"))
    return criterion


def _approved_on(ctx: _Context, phase: str, roles: list[str]) -> dt.date | None:
    """The day the pilot's current content had a valid approval from every role `phase` asks for,
    or None when it has not (no roles asked means nothing binds the content)."""
    if not roles:
        return None
    digest = content_digest(ctx.pilot)
    days = []
    for role in roles:
        valid = [a.date for a in ctx.pilot.approvals
                 if a.gate == phase and a.role == role and a.digest == digest and a.date <= ctx.today
                 and approval_problem(ctx.roles, ctx.pilot, a) is None]
        if not valid:
            return None
        days.append(min(valid))
    return max(days)


def _model_validations(ctx: _Context, gate: ExitGate, rule: Location | None) -> list[Criterion]:
    pilot, tier = ctx.pilot, ctx.pilot.intake.risk.model_risk_tier
    if pilot.model is None or tier not in gate.model_validation_tiers:
        why = "the pilot has no model" if pilot.model is None else \
            f"model-risk tier {tier} is not one of {sorted(gate.model_validation_tiers)}"
        return [ctx.criterion("model_validation", True, f"{why}: no model validation needed",
                              ("intake", "risk", "model_risk_tier"), Code.MODEL_VALIDATION, rule)]
    out = []
    for slot, s in pilot.release.slots.items():
        if s.model_version is None:
            continue
        name = f"model_validation:{s.model_version}"
        found = latest(pilot, ModelValidation, model_version=s.model_version)
        if found is None:
            out.append(ctx.criterion(name, False, f"tier {tier}: model version {s.model_version} (slot "
                                     f"`{slot}`) has no model_validation in `evidence`",
                                     ("release", "slots", slot, "model_version"), Code.MODEL_VALIDATION, rule))
            continue
        i, v = found
        if v.date > ctx.today:
            c = ctx.criterion(name, False, f"model validation dated {v.date}, in the future",
                              ("evidence", i, "date"), Code.FUTURE_DATE, rule)
        elif v.validator.lower() in members(ctx.roles, pilot.owners.builders):
            c = ctx.criterion(name, False, f"validator {v.validator} is a builder of this pilot: "
                              "validation must be independent", ("evidence", i, "validator"),
                              Code.SEGREGATION, rule)
        elif v.result != "pass":
            c = ctx.criterion(name, False, f"the latest validation of model version {s.model_version} "
                              f"({v.date}) failed", ("evidence", i, "result"), Code.MODEL_VALIDATION, rule)
        else:
            c = ctx.criterion(name, True, f"model version {s.model_version} validated on {v.date} by "
                              f"{v.validator}", ("evidence", i), Code.MODEL_VALIDATION, rule)
        out.append(c)
    return out


def _exit(ctx: _Context, phase: str) -> Gate:
    gate = ctx.gates.exits.get(phase)
    if gate is None:
        return Gate(phase, None, ())
    base = ("exits", phase)
    out: list[Criterion] = []
    if gate.data_contracts_complete:
        out.append(_contracts(ctx, ctx.rule(*base, "data_contracts_complete")))
    if gate.owners_complete:
        out.append(_owners(ctx, ctx.rule(*base, "owners_complete")))
    if gate.segregation_of_duties:
        out.append(_segregation(ctx, ctx.rule(*base, "segregation_of_duties")))
    if gate.security_review:
        out.append(_security_review(ctx, ctx.rule(*base, "security_review")))
    if gate.test_reports:
        out.extend(_test_reports(ctx, ctx.rule(*base, "test_reports")))
    if gate.rollback_rehearsal is not None:
        out.append(_rehearsal(ctx, phase, gate, ctx.rule(*base, "rollback_rehearsal")))
    if gate.model_validation_tiers:
        out.extend(_model_validations(ctx, gate, ctx.rule(*base, "model_validation_tiers")))
    if gate.approvals:
        out.extend(_approvals(ctx, phase, gate.approvals, ctx.rule(*base, "approvals")))
    return Gate(phase, ctx.rule(*base, key=True), tuple(out))


# ---- the step -----------------------------------------------------------------------------


def evaluate_pilot(catalog: Catalog, typed: TypedPilot, today: dt.date) -> PilotGates:
    """Every gate of one pilot, whether or not its phase needs it: the next gate is worth seeing."""
    ctx = _Context(catalog.root, typed.pilot, typed.source, catalog.roles, catalog.gates,
                   catalog.config_sources.get("gates"), today)
    gates_ = (Gate("pilot", ctx.rule("intake", key=True), tuple(_intake(ctx))), _exit(ctx, "staging"),
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


def gates(catalog: Catalog, resolution: Resolution, diags: Diagnostics,
          today: dt.date | None = None, skip: frozenset[str] = frozenset()) -> GateResults:
    """Evaluate every pilot's gates and report each unearned declared phase.

    `skip`: pilot files with errors of their own (blast radius): not evaluated."""
    results = GateResults(today or clock.today())
    for typed in resolution.pilots:
        if typed.file in skip:
            continue
        result = evaluate_pilot(catalog, typed, results.as_of)
        results.pilots.append(result)
        _warn(result, diags)
        if not result.ok:
            _report(result, diags)
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
