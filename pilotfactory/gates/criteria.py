"""The exit-gate criteria, one registered function per key of an exit gate in config/gates.yaml.

Each returns the criteria it judged, passed or failed, with the catalog line and the reason; the
order of the checks inside one function is the order a reviewer is told the first failure in.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from pilotfactory.catalog.model import Pilot
from pilotfactory.catalog.model.config import RehearsalRule
from pilotfactory.catalog.model.pilot import ModelValidation, OutcomeDecision, RollbackRehearsal, SecurityReview, TestReport
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Location
from pilotfactory.gates.context import Criterion, GateContext
from pilotfactory.gates.digest import gate_digest
from pilotfactory.gates.evidence import check_test_report, entries, latest
from pilotfactory.gates.registry import exit_criterion
from pilotfactory.gates.signature import SignatureCheck, verify_approval
from pilotfactory.gates.segregation import approval_problem, assign_distinct, members, shared_members, signer_problem

__all__ = ["approval"]


# ---- approvals ----------------------------------------------------------------------------


def approval(ctx: GateContext, gate: str, role: str, rule: Location | None, *,
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
                             f"--role {role}`", ("approvals",), Code.APPROVAL_MISSING, rule,
                             key=True), []
    digest = gate_digest(pilot, gate, ctx.opens.get(gate, ()))
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
                             f"content; {a.approver} re-approves with `pilotfactory approve {pilot.name} --gate "
                             f"{gate} --role {role}`"))
        elif a.digest != digest:
            problems.append((a.date, i, "digest", Code.APPROVAL_STALE,
                             f"{role} approval by {a.approver} on {a.date} is stale: what gate `{gate}` "
                             f"approves changed since (approved {a.digest[:19]}…, now {digest[:19]}…); "
                             f"{a.approver} re-approves with "
                             f"`pilotfactory approve {pilot.name} --gate {gate} --role {role}`"))
        elif not (signed := _signed(ctx, i, a.approver)).ok:
            problems.append((a.date, i, "approver", Code.APPROVAL_UNSIGNED,
                             f"{role} approval by {a.approver} does not count: {signed.reason}"))
        else:
            valid.append((i, a.approver.lower()))
    if valid:
        i, _ = valid[-1]
        a = pilot.approvals[i]
        return ctx.criterion(name, True, f"approved by {a.approver} ({group}) on {a.date}, content unchanged "
                             "since", ("approvals", i), Code.APPROVAL_MISSING, rule), [p for _, p in valid]
    _, i, fld, code, reason = max(problems, key=lambda p: (p[0], p[1]))
    return ctx.criterion(name, False, reason, ("approvals", i, fld), code, rule), []


def _signed(ctx: GateContext, index: int, approver: str) -> SignatureCheck:
    """Whether approval `index` is the approver's own git act, as config/gates.yaml asks."""
    policy = ctx.gates.approvals
    where = ctx.src.where(("approvals", index))
    return verify_approval(ctx.root, where.file, where.line, approver, policy.verify,
                           ctx.root / policy.allowed_signers)


# ---- exits --------------------------------------------------------------------------------


def _reached(baseline: float, target: float, value: float) -> bool:
    """Whether `value` got to `target` from `baseline`, whichever way the metric improves."""
    return value >= target if target >= baseline else value <= target


@exit_criterion("outcome_decision", "the executive sponsor decided to scale, on readings of every success metric")
def _outcome(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> Criterion:
    pilot, name = ctx.pilot, "outcome_decision"
    found = latest(pilot, OutcomeDecision)
    if found is None:
        return ctx.criterion(name, False, "no outcome_decision in `evidence`: the executive sponsor records "
                             "the success-metric readings and decides to scale, iterate or stop",
                             ("evidence",), Code.OUTCOME, rule, key=True)
    i, outcome = found
    if outcome.date > ctx.today:
        return ctx.criterion(name, False, f"outcome decision dated {outcome.date}, in the future",
                             ("evidence", i, "date"), Code.FUTURE_DATE, rule)
    sponsor = pilot.owners.executive_sponsor
    if outcome.decided_by != sponsor:
        return ctx.criterion(name, False, f"decided by {outcome.decided_by}, not the executive sponsor "
                             f"({sponsor or 'none named'}): the sponsor owns the decision",
                             ("evidence", i, "decided_by"), Code.OUTCOME, rule)
    metrics = {m.name: m for m in pilot.intake.success_metrics}
    read = {r.metric: r.value for r in outcome.readings}
    unknown = [m for m in read if m not in metrics]
    if unknown:
        return ctx.criterion(name, False, f"a reading of `{unknown[0]}`, which is not a success metric "
                             f"({', '.join(metrics)})", ("evidence", i, "readings"), Code.OUTCOME, rule)
    missing = [m for m in metrics if m not in read]
    if missing:
        return ctx.criterion(name, False, f"no reading of success metric{'s' * (len(missing) > 1)} "
                             f"{', '.join(missing)}: the decision must rest on every metric intake set",
                             ("evidence", i, "readings"), Code.OUTCOME, rule)
    if outcome.decision != "scale":
        what = ("another pilot cycle: the pilot stays in `pilot`" if outcome.decision == "iterate"
                else "stop: decommission the pilot (its stacks destroyed in a reviewed change, evidence kept)")
        return ctx.criterion(name, False, f"the sponsor decided on {outcome.date} to {outcome.decision}: {what}",
                             ("evidence", i, "decision"), Code.OUTCOME, rule)
    hit = [m for m, spec in metrics.items() if _reached(spec.baseline, spec.target, read[m])]
    words = "; ".join(f"{m} {read[m]:g} (baseline {metrics[m].baseline:g}, target {metrics[m].target:g})"
                      for m in metrics)
    return ctx.criterion(name, True, f"{outcome.decided_by} decided to scale on {outcome.date}: "
                         f"{len(hit)} of {len(metrics)} metrics at target; {words}",
                         ("evidence", i), Code.OUTCOME, rule)


@exit_criterion("data_contracts_complete", "every data contract has freshness and quality")
def _contracts(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> Criterion:
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


@exit_criterion("owners_complete", "the builders, approvers and on-call groups have members")
def _owners(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> Criterion:
    owners = ctx.pilot.owners
    for role in ("builders", "approvers", "on_call_group"):
        group = getattr(owners, role)
        if group is not None and not members(ctx.roles, group):
            return ctx.criterion("owners_complete", False, f"{role} group `{group}` has no members in "
                                 "config/roles.yaml", ("owners", role), Code.OWNERS_INCOMPLETE, rule)
    return ctx.criterion("owners_complete", True, f"builders `{owners.builders}` and approvers "
                         f"`{owners.approvers}` have members; on call: {owners.on_call}"
                         f"{f' (group `{owners.on_call_group}`)' if owners.on_call_group else ''}",
                         ("owners",), Code.OWNERS_INCOMPLETE, rule, key=True)


@exit_criterion("segregation_of_duties", "builders and approvers share no member")
def _segregation(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> Criterion:
    shared = shared_members(ctx.roles, ctx.pilot)
    owners = ctx.pilot.owners
    if shared:
        return ctx.criterion("segregation_of_duties", False, f"{', '.join(shared)} "
                             f"{'is' if len(shared) == 1 else 'are'} in both `{owners.builders}` and "
                             f"`{owners.approvers}`: a maker would check their own work",
                             ("owners", "approvers"), Code.SEGREGATION, rule)
    return ctx.criterion("segregation_of_duties", True, f"`{owners.builders}` and `{owners.approvers}` "
                         "share no member", ("owners", "approvers"), Code.SEGREGATION, rule)


@exit_criterion("security_review", "the latest security review passed")
def _security_review(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> Criterion:
    found = latest(ctx.pilot, SecurityReview)
    name = "security_review"
    if found is None:
        return ctx.criterion(name, False, "no security_review in `evidence`", ("evidence",),
                             Code.SECURITY_REVIEW, rule, key=True)
    i, review = found
    if review.date > ctx.today:
        return ctx.criterion(name, False, f"security review dated {review.date}, in the future",
                             ("evidence", i, "date"), Code.FUTURE_DATE, rule)
    problem = signer_problem(ctx.roles, ctx.pilot, review.reviewer, ctx.gates.evidence_signers.security_review)
    if problem:
        return ctx.criterion(name, False, f"security review rejected: {problem}", ("evidence", i, "reviewer"),
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


@exit_criterion("test_reports", "every version that will run has intact, green test evidence")
def _test_reports(ctx: GateContext, phase: str, setting: bool, rule: Location | None) -> list[Criterion]:
    out = []
    for slot, version in _versions(ctx.pilot):
        name = f"test_report:{version}"
        reports = [(i, r) for i, r in entries(ctx.pilot, TestReport) if r.version == version]
        if not reports:
            out.append(ctx.criterion(name, False, f"slot `{slot}` runs {version}, which has no "
                                     "test_report in `evidence`", ("release", "slots", slot, "version"),
                                     Code.TEST_EVIDENCE, rule))
            continue
        checks = [(i, check_test_report(ctx.root, r, ctx.today, ctx.cache)) for i, r in reports]
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


@exit_criterion("rollback_rehearsal", "a recent passing rollback rehearsal in the named environment")
def _rehearsal(ctx: GateContext, phase: str, setting: RehearsalRule, rule: Location | None) -> Criterion:
    env, max_age = setting.env, setting.max_age_days
    name = "rollback_rehearsal"
    found = latest(ctx.pilot, RollbackRehearsal, env=env)
    if found is None:
        why = f"no rollback_rehearsal in `{env}` in `evidence`"
        if ctx.pilot.release.strategy == "single" and len(ctx.pilot.release.slots) == 1:
            # One slot: nothing to cut over to, so the rehearsal is the redeploy of the previous version.
            (slot,) = ctx.pilot.release.slots
            why += (f": a single-slot release rolls back by redeploying the previous version, so that is "
                    f"what replaces the cutover rehearsal. In `{env}`, set `release.slots.{slot}.version` "
                    "back to the previous tag, deploy, time it against the SLA, restore, and record "
                    f"`{{kind: rollback_rehearsal, env: {env}, from: {slot}, to: {slot}, result: pass}}`")
        return ctx.criterion(name, False, why, ("evidence",), Code.ROLLBACK_REHEARSAL, rule, key=True)
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
        approved = _approved_on(ctx, phase, ctx.gates.exits[phase].approvals)
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


def _approved_on(ctx: GateContext, phase: str, roles: list[str]) -> dt.date | None:
    """The day the pilot's current content had a valid approval from every role `phase` asks for,
    or None when it has not (no roles asked means nothing binds the content)."""
    if not roles:
        return None
    digest = gate_digest(ctx.pilot, phase, ctx.opens.get(phase, ()))
    days = []
    for role in roles:
        valid = [a.date for a in ctx.pilot.approvals
                 if a.gate == phase and a.role == role and a.digest == digest and a.date <= ctx.today
                 and approval_problem(ctx.roles, ctx.pilot, a) is None]
        if not valid:
            return None
        days.append(min(valid))
    return max(days)


@exit_criterion("model_validation_tiers", "every model version that runs, of a listed tier, validated independently")
def _model_validations(ctx: GateContext, phase: str, tiers: list[int], rule: Location | None) -> list[Criterion]:
    pilot, tier = ctx.pilot, ctx.pilot.intake.risk.model_risk_tier
    if pilot.model is None or tier not in tiers:
        why = "the pilot has no model" if pilot.model is None else \
            f"model-risk tier {tier} is not one of {sorted(tiers)}"
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
        elif problem := signer_problem(ctx.roles, pilot, v.validator, ctx.gates.evidence_signers.model_validation):
            c = ctx.criterion(name, False, f"model validation rejected: {problem}", ("evidence", i, "validator"),
                              Code.SEGREGATION, rule)
        elif v.result != "pass":
            c = ctx.criterion(name, False, f"the latest validation of model version {s.model_version} "
                              f"({v.date}) failed", ("evidence", i, "result"), Code.MODEL_VALIDATION, rule)
        else:
            c = ctx.criterion(name, True, f"model version {s.model_version} validated on {v.date} by "
                              f"{v.validator}", ("evidence", i), Code.MODEL_VALIDATION, rule)
        out.append(c)
    return out


@exit_criterion("approvals", "each role listed approved the current content, each by a different person")
def _approvals(ctx: GateContext, gate: str, roles: list[str], rule: Location | None) -> list[Criterion]:
    out, candidates = [], {}
    for role in roles:
        c, people = approval(ctx, gate, role, rule)
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
