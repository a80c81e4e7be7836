"""Release, cutover and rollback of a pilot (blue/green, or release alone of a single-slot one): edits of
its file, checked before they are made.

    plan      the pilot, the environment and the rules   -> SlotPlan (edits of the pilot file) or refusals
    prepare   SlotPlan                                    -> edited text, re-checked by the pipeline,
                                                             and every stack of the pilot before and after
    commit    Prepared                                    -> the pilot file, replaced atomically

Refusals are diagnostics like any other: a code, a message and, where there is one, a position.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from pilotfactory.isolation import split_errors
from pilotfactory.files.atomic import replace_file
from pilotfactory.gates import clock
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, Location, PilotFactoryError
from pilotfactory.catalog.parse import suggest
from pilotfactory.pipeline import Checked, check, unknown_pilot
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
from pilotfactory.tfjson.slots import StackChange, diff_stack
from pilotfactory.synth.build import synth_pilot_stacks
from pilotfactory.synth.cache import pilot_stack_digests
from pilotfactory.catalog.traffic import Traffic, traffic_of
from pilotfactory.yamlio.edit import AppendItem, DeleteKey, Edit, SetValue, apply_edits

_STACKS = "pilot-stack"  # content-cache kind: a pilot stack's synthesized JSON, by its stack digest

__all__ = ["SlotPlan", "Prepared", "find_pilot", "plan_release", "plan_switch", "plan_rehearsal_record",
           "with_change_record",
           "prepare", "commit", "slot_words", "traffic"]


@dataclass(frozen=True)
class SlotPlan:
    """What one command changes in one pilot file, and why, before anything is written."""

    action: str                 # release, cutover, rollback, rehearse
    pilot: str
    env: str
    file: str                   # repository-relative pilot file
    edits: tuple[Edit, ...]
    summary: str                # one line, in reviewer terms
    slot: str                   # the slot staged on, made active, or rehearsed towards
    changes_yaml: tuple[str, ...] = ()  # `release.active.prod: blue -> green`
    before: Traffic | None = None       # the environment's traffic before and after a switch
    after: Traffic | None = None
    record_envs: tuple[str, ...] = ()   # further environments the change record goes to (one slot in all)


@dataclass
class Prepared:
    plan: SlotPlan
    before_text: str
    after_text: str
    after: Checked                               # the pipeline run on the edited text
    before_stacks: dict[str, bytes] = field(default_factory=dict)
    after_stacks: dict[str, bytes] = field(default_factory=dict)

    @property
    def changes(self) -> list[StackChange]:
        """Every stack of the pilot whose Terraform JSON the edit changes, in promotion order."""
        return [diff_stack(name, json.loads(self.before_stacks[name]), json.loads(self.after_stacks[name]))
                for name in self.before_stacks if self.before_stacks[name] != self.after_stacks.get(name)]


def slot_words(typed: TypedPilot, name: str) -> str:
    """`green (v1.5.0, model version 8)`: a slot as a reviewer recognises it."""
    slot = typed.pilot.release.slots[name]
    parts = [slot.version or "no version"]
    if typed.pilot.model is not None:
        parts.append(f"model version {slot.model_version}" if slot.model_version else "no model version")
    return f"`{name}` ({', '.join(parts)})"


def _single_refusal(pilot: str, action: str) -> str:
    """Why `action` has nothing to do on a single-slot pilot, and what does the job instead."""
    one = f"pilot `{pilot}` releases with strategy `single`: one slot, live as soon as it is released"
    if action == "rollback":
        return (f"{one}, so there is no previous slot to switch back to; roll back by releasing the previous "
                f"version: `pilotfactory release {pilot} --env ENV --version <previous tag>` (with --change "
                "in a protected environment), or set `release.strategy: blue_green` with slots `blue` and "
                "`green` for a standby to switch to")
    return (f"{one}: nothing is staged to {'rehearse a cutover to' if action == 'rehearse' else 'cut over to'}; "
            f"`pilotfactory release {pilot}` changes its version, or set `release.strategy: blue_green` "
            "with slots `blue` and `green` first")


def find_pilot(checked: Checked, pilot: str, env: str, diags: Diagnostics,
               action: str = "release") -> TypedPilot | None:
    """The pilot named `pilot`, reaching `env`, that `action` applies to; refusals go to `diags`.
    Only `release` applies to a single-slot pilot."""
    pilots = {t.pilot.name: t for t in checked.resolution.pilots}
    typed = pilots.get(pilot)
    if typed is None:
        known = [n for n in checked.catalog.names.values() if n] if checked.catalog.only is not None else pilots
        diags.error(Code.UNKNOWN_PILOT, unknown_pilot(pilot, known))
        return None
    envs = checked.catalog.environments.environments
    if env not in envs:
        source = checked.catalog.config_sources["environments"]
        diags.error(Code.UNKNOWN_ENV, f"environment `{env}` is not defined in config/environments.yaml"
                    f"{suggest(env, envs)}", source.where(("environments",), key=True))
        return None
    if typed.pilot.release.strategy != "blue_green" and action != "release":
        path = ("release", "strategy")
        diags.error(Code.NOT_BLUE_GREEN, _single_refusal(pilot, action), typed.source.where(path), path)
        return None
    reached = reached_environments(checked.catalog, typed.pilot.phase)
    if env not in reached:
        diags.error(Code.ENV_NOT_REACHED, f"pilot `{pilot}` is in phase `{typed.pilot.phase}`, which "
                    f"reaches {', '.join(reached)}, not `{env}`", typed.source.where(("phase",)), ("phase",))
        return None
    return typed


def traffic(typed: TypedPilot, env: str) -> Traffic:
    """The traffic in `env` of a valid blue/green pilot (validation guarantees there is one)."""
    found = traffic_of(typed.pilot.release, env)
    assert found is not None, f"{typed.pilot.name} has no valid traffic in {env}"  # validated before
    return found


def _holding_traffic(checked: Checked, typed: TypedPilot, slot: str) -> list[str]:
    """`prod (canary 10%)`: every reached environment where `slot` takes live traffic."""
    out = []
    for env in reached_environments(checked.catalog, typed.pilot.phase):
        state = traffic_of(typed.pilot.release, env)
        if state is not None and state.live(slot):
            role = state.role(slot)
            out.append(f"{env} ({role} {state.share(slot)}%)")
    return out


def plan_release(checked: Checked, typed: TypedPilot, env: str, version: str, model_version: int | None,
                 diags: Diagnostics) -> SlotPlan | None:
    """Stage `version` (and `model_version`) on the slot that is idle in `env`: a slot that takes no
    traffic in any environment, so no live request and no scheduled run changes."""
    pilot, name = typed.pilot, typed.pilot.name
    if model_version is not None and pilot.model is None:
        diags.error(Code.NO_MODEL, f"`--model-version {model_version}`: pilot `{name}` declares no "
                    "`model`, so its slots have no model version", typed.source.where(("release",), key=True))
        return None
    if pilot.release.strategy != "blue_green":
        return _plan_single_release(checked, typed, env, version, model_version, diags)
    state = traffic(typed, env)
    if not state.idle:
        path = ("release", "canary", env)
        diags.error(Code.SLOT_IS_LIVE, f"no idle slot in {env} ({state.words()}): the release would go "
                    f"live on canary traffic. End the canary first: `pilotfactory cutover {name} --env {env}` "
                    f"promotes `{state.canary}`, `pilotfactory rollback {name} --env {env}` removes it",
                    typed.source.where(path, key=True), path)
        return None
    (idle,) = state.idle
    live = _holding_traffic(checked, typed, idle)
    if live:
        path = ("release", "active")
        envs = [e.split(" ")[0] for e in live]
        commands = ", ".join(f"`pilotfactory cutover {name} --env {e}` or `pilotfactory rollback {name} --env {e}`"
                             for e in envs)
        diags.error(Code.SLOT_IS_LIVE, f"slot `{idle}`, idle in {env}, takes live traffic in "
                    f"{', '.join(live)}: putting {version} on it would change what runs there without "
                    "a cutover. A new version goes only to a slot that is idle in every environment; "
                    f"first move {', '.join(envs)} off `{idle}`: {commands}",
                    typed.source.where(path), path)
        return None
    edits, changes = _version_edits(typed, idle, version, model_version)
    staged = version + (f" and model version {model_version}" if model_version is not None else "")
    reached = reached_environments(checked.catalog, pilot.phase)
    summary = f"stage {staged} on slot `{idle}`, idle in {', '.join(reached)}: no traffic moves"
    return SlotPlan("release", name, env, typed.file, edits, summary + _model_kept(typed, idle, model_version),
                    idle, changes)


def _version_edits(typed: TypedPilot, slot_name: str, version: str,
                   model_version: int | None) -> tuple[tuple[Edit, ...], tuple[str, ...]]:
    slot = typed.pilot.release.slots[slot_name]
    base = ("release", "slots", slot_name)
    edits: list[Edit] = []
    changes = []
    if slot.version != version:
        edits.append(SetValue(base + ("version",), version))
        changes.append(f"release.slots.{slot_name}.version: {slot.version or 'none'} -> {version}")
    if model_version is not None and slot.model_version != model_version:
        edits.append(SetValue(base + ("model_version",), model_version))
        changes.append(f"release.slots.{slot_name}.model_version: {slot.model_version or 'none'} -> {model_version}")
    return tuple(edits), tuple(changes)


def _model_kept(typed: TypedPilot, slot_name: str, model_version: int | None) -> str:
    if model_version is not None or typed.pilot.model is None:
        return ""
    kept = typed.pilot.release.slots[slot_name].model_version
    return f" (model version {kept or 'none'} kept; --model-version changes it)"


def _plan_single_release(checked: Checked, typed: TypedPilot, env: str, version: str,
                         model_version: int | None, diags: Diagnostics) -> SlotPlan | None:
    """A single-slot pilot: its one slot runs in every environment it reaches, so the new version goes
    live in all of them at once. The command names the last of them (nobody moves production by
    asking for dev), a protected one needs a passing test report first (as a cutover does), and
    the change record is written for each protected one."""
    pilot, name = typed.pilot, typed.pilot.name
    reached = reached_environments(checked.catalog, pilot.phase)
    envs = checked.catalog.environments.environments
    path = ("release", "strategy")
    if env != reached[-1]:
        diags.error(Code.SINGLE_RELEASE_ENV, f"pilot `{name}` has one slot, which runs in {', '.join(reached)}: "
                    f"a new version goes live in all of them at once, so release it with `--env {reached[-1]}`"
                    " (or set `release.strategy: blue_green` to stage versions on a standby slot)",
                    typed.source.where(path), path)
        return None
    (only,) = pilot.release.slots
    edits, changes = _version_edits(typed, only, version, model_version)
    protected = [e for e in reached if envs[e].protected]
    if edits and protected:
        passed, reason = _test_report_passes(checked, typed, version)
        if not passed:
            slot_path = ("release", "slots", only)
            diags.error(Code.CUTOVER_UNTESTED, f"release of {version} refused: slot `{only}` is live in protected "
                        f"{', '.join(protected)}, where it would run at once, and {reason}; record a passing test "
                        f"report for {version} under `evidence` first", typed.source.where(slot_path, key=True),
                        slot_path)
            return None
    staged = version + (f" and model version {model_version}" if model_version is not None else "")
    summary = f"release {staged} on slot `{only}`, the only one: live at once in {', '.join(reached)}"
    return SlotPlan("release", name, env, typed.file, edits, summary + _model_kept(typed, only, model_version),
                    only, changes, record_envs=tuple(e for e in protected if e != env))


def with_change_record(plan: SlotPlan, typed: TypedPilot, ref: str | None, today, *,
                       action: str | None = None, outside_window: bool = False) -> SlotPlan:
    """The plan, also recording under `release.changes.<env>` (and each of `plan.record_envs`) the
    change it is made under."""
    envs = (plan.env, *(e for e in plan.record_envs if e != plan.env))
    record: dict = {"ref": ref} if ref else {}
    record |= {"action": action or plan.action, "date": today}
    if outside_window:
        record["outside_window"] = True
    written = typed.source.keys.get(("release", "changes"))
    edits: list[Edit] = []
    unwritten: dict[str, dict] = {}
    for env in envs:
        current = typed.pilot.release.changes.get(env)
        base = ("release", "changes", env)
        if current is not None:
            edits += [SetValue(base + (key,), value) for key, value in record.items()]
            edits += [DeleteKey(base + (key,)) for key, old in (("ref", current.ref),
                                                                ("outside_window", current.outside_window))
                      if old and key not in record]
        elif written is not None and written.file == typed.file:
            edits.append(SetValue(base, dict(record)))
        else:
            unwritten[env] = dict(record)
    if unwritten:   # no `release.changes` in the file yet: one mapping for every environment
        edits.append(SetValue(("release", "changes"), unwritten))
    words = f"{ref or 'no change reference yet'} ({record['action']}, {today.isoformat()}" + (
        ", outside the change windows)" if outside_window else ")")
    return dataclasses.replace(plan, edits=plan.edits + tuple(edits),
                               changes_yaml=plan.changes_yaml + tuple(f"release.changes.{env}: {words}"
                                                                      for env in envs))


def _canary_edits(typed: TypedPilot, env: str, slot: str | None, percent: int) -> tuple[Edit, ...]:
    """The edits that set (slot given) or remove (slot None) the canary of `env`."""
    if slot is None:
        return (DeleteKey(("release", "canary", env)),)
    current = typed.pilot.release.canary
    if env in current and current[env].slot == slot:
        return (SetValue(("release", "canary", env, "percent"), percent),)
    if env in current:
        return (SetValue(("release", "canary", env, "slot"), slot),
                SetValue(("release", "canary", env, "percent"), percent))
    written = typed.source.keys.get(("release", "canary"))
    if written is not None and written.file == typed.file:
        return (SetValue(("release", "canary", env), {"slot": slot, "percent": percent}),)
    return (SetValue(("release", "canary"), {env: {"slot": slot, "percent": percent}}),)


def _switch_summary(typed: TypedPilot, env: str, before: Traffic, after: Traffic) -> str:
    """`blue 90% -> 100%, green 10% -> 0% (idle)`: every slot whose share or role changes."""
    moves = []
    for slot in sorted(typed.pilot.release.slots):
        was, now = before.share(slot), after.share(slot)
        if (was, before.role(slot)) != (now, after.role(slot)):
            moves.append(f"{slot_words(typed, slot)} {before.role(slot)} {was}% -> {after.role(slot)} {now}%")
    return "; ".join(moves)


def _gate_target(checked: Checked, typed: TypedPilot, env: str, action: str, target: str,
                 diags: Diagnostics) -> bool:
    """A slot about to take more traffic has a version and, in a protected environment, a passing test report."""
    name = typed.pilot.name
    slot = typed.pilot.release.slots[target]
    path = ("release", "slots", target)
    if slot.version is None:
        what = "it has no `version` yet" if action == "cutover" else "it has no `version`: nothing to roll back to"
        diags.error(Code.SLOT_NOT_READY, f"{action} in {env} to slot `{target}` refused: {what}; stage one "
                    f"with `pilotfactory release {name} --env {env} --version vX.Y.Z`",
                    typed.source.where(path, key=True), path)
        return False
    if checked.catalog.environments.environments[env].protected:
        passed, reason = _test_report_passes(checked, typed, slot.version)
        if not passed:
            diags.error(Code.CUTOVER_UNTESTED, f"{action} in protected environment `{env}` to slot "
                        f"`{target}` ({slot.version}) refused: {reason}; record a passing test report "
                        f"for {slot.version} under `evidence` first", typed.source.where(path, key=True), path)
            return False
        aged = _aged_evidence(checked, typed.pilot.name) if action == "cutover" else None
        if aged is not None:  # a rollback returns to what was approved; a cutover promotes
            diags.error(Code.ROLLBACK_REHEARSAL, f"cutover in protected environment `{env}` refused: "
                        f"{aged.warning}", aged.where, aged.path)
            return False
    return True


def plan_switch(checked: Checked, typed: TypedPilot, env: str, action: str,
                diags: Diagnostics, canary: int | None = None) -> SlotPlan | None:
    """`cutover`: promote the canary to active (100%), else make the idle slot active; with `canary`
    (a percent), put the idle slot (or the canary) on that share instead.
    `rollback`: back to the last known good: remove a canary (100% to the active slot) if there is
    one, and only without one make the idle slot (the previous active) active again."""
    name = typed.pilot.name
    before = traffic(typed, env)
    edits: tuple[Edit, ...]
    if action == "rollback" and before.canary is not None:
        # The active slot already serves and is approved: taking the canary's share back needs no gate.
        target = before.active
        after = Traffic(before.active, None, 0, tuple(sorted((*before.idle, before.canary))))
        edits = _canary_edits(typed, env, None, 0)
        changes = [f"release.canary.{env}: {before.canary} {before.percent}% -> none"]
    elif canary is not None:
        target = before.canary or before.idle[0]
        if not _gate_target(checked, typed, env, action, target, diags):
            return None
        after = Traffic(before.active, target, canary, tuple(s for s in before.idle if s != target))
        edits = _canary_edits(typed, env, target, canary)
        changes = [f"release.canary.{env}: {before.canary or 'none'} {before.percent}% -> {target} {canary}%"]
    else:
        target = before.canary if action == "cutover" and before.canary is not None else before.idle[0]
        if not _gate_target(checked, typed, env, action, target, diags):
            return None
        after = Traffic(target, None, 0, tuple(sorted(s for s in typed.pilot.release.slots if s != target)))
        edits = (SetValue(("release", "active", env), target),)
        changes = [f"release.active.{env}: {before.active} -> {target}"]
        if before.canary is not None:
            edits += _canary_edits(typed, env, None, 0)
            changes.append(f"release.canary.{env}: {before.canary} {before.percent}% -> none")
    if after == before:
        return SlotPlan(action, name, env, typed.file, (), f"{action} in {env}: nothing moves ({before.words()})",
                        target, ())
    summary = f"{action} in {env}: {_switch_summary(typed, env, before, after)}"
    return SlotPlan(action, name, env, typed.file, edits, summary, target, tuple(changes),
                    before=before, after=after)


def _aged_evidence(checked: Checked, pilot: str):
    """A criterion of the pilot's gates that passes only because its evidence aged out under
    content approved before; None when none does."""
    for result in checked.gates.pilots if checked.gates else ():
        if result.pilot == pilot:
            for gate in result.gates:
                for c in gate.criteria:
                    if c.aged:
                        return c
    return None


def _test_report_passes(checked: Checked, typed: TypedPilot, version: str) -> tuple[bool, str]:
    from pilotfactory.gates.evidence import test_report_passes

    return test_report_passes(checked.catalog.root, typed.pilot, version, cache=checked.catalog.cache)


def plan_rehearsal_record(typed: TypedPilot, env: str, result: str) -> SlotPlan:
    """Append a dated `rollback_rehearsal` entry: from the active slot to the idle one and back."""
    state = traffic(typed, env)
    active, standby = state.active, (state.canary or state.idle[0])
    today = clock.today()
    item = {"kind": "rollback_rehearsal", "env": env, "date": today, "from": active, "to": standby,
            "result": result}
    return SlotPlan("rehearse", typed.pilot.name, env, typed.file, (AppendItem(("evidence",), item),),
                    f"record a {result}ing rollback rehearsal in {env} ({active} -> {standby} -> {active}) "
                    f"dated {today}", standby, (f"evidence: + rollback_rehearsal {env} {today} {result}",))


def _pilot_stacks(checked: Checked, pilot: str, envs: list[str] | None, engine: str,
                  replaced: dict[str, str] | None = None) -> dict[str, bytes]:
    """The pilot's stacks as synthesized; with the content cache, a stack whose digest (its files,
    `replaced` read in their place, config, code, engine) was synthesized before is read back."""
    declared = checked.resolution.declared or checked.resolution.catalog
    chosen = [rp for rp in declared.pilots
              if rp.name == pilot and (envs is None or rp.env_name in envs)]
    cache = checked.catalog.cache
    if cache is None or not chosen:
        return synth_pilot_stacks(chosen, engine)
    keys = {stack: cache.key(_STACKS, digest) for stack, digest in
            pilot_stack_digests(checked.catalog.root, chosen, engine, replaced).items()}
    found = {rp.stack_id: cache.get(_STACKS, keys[rp.stack_id], _stack_json) for rp in chosen}
    missing = [rp for rp in chosen if found[rp.stack_id] is None]
    built = synth_pilot_stacks(missing, engine) if missing else {}
    for stack, data in built.items():
        cache.put(_STACKS, keys[stack], data)
    return {rp.stack_id: found[rp.stack_id] or built[rp.stack_id] for rp in chosen}


def _stack_json(value) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError("not a synthesized stack")
    return value


def read_text(path: Path) -> str:
    """The file as written: line endings untouched, so an edit changes only what it means to."""
    return path.read_bytes().decode("utf-8")


def prepare(root: Path, checked: Checked, plan: SlotPlan, diags: Diagnostics, *, engine: str = "cdktf",
            text: str | None = None, envs: list[str] | None = None,
            allow_gate_errors: bool = False) -> Prepared | None:
    """Make the edits in memory, run the pipeline on the result, synthesize the pilot's stacks
    before and after. None (with the pipeline's diagnostics in `diags`) when the result is invalid.

    `allow_gate_errors`: a new version staged on the standby slot makes approvals stale by
    design; the edit is still written, and the gates withhold the environments until a checker
    approves the new content (maker-checker), so that is not a reason to refuse the edit."""
    before_text = read_text(root / plan.file) if text is None else text
    after_text = apply_edits(before_text, plan.edits, plan.file)
    after = check(root, {plan.file: after_text}, only=checked.catalog.only, cache=checked.catalog.cache)
    # Other pilots' errors are theirs (blast radius): only shared ones and this file's count here.
    shared, own = split_errors(after.diagnostics.errors)
    relevant = shared + own.get(plan.file, [])
    diags.extend(relevant)
    diags.extend(after.diagnostics.warnings)
    gate_only = after.gates is not None and all(d.code.startswith("PF3") for d in relevant)
    if relevant and not (allow_gate_errors and gate_only):
        return None
    return Prepared(plan, before_text, after_text, after,
                    _pilot_stacks(checked, plan.pilot, envs, engine, {plan.file: before_text}),
                    _pilot_stacks(after, plan.pilot, envs, engine, {plan.file: after_text}))


def commit(root: Path, prepared: Prepared) -> None:
    """Replace the pilot file in one step: a reader sees the old file or the new, never half.
    Refuses, located at the first line that differs, when the file on disk is no longer the one read."""
    target = root / prepared.plan.file
    read = prepared.before_text.encode("utf-8")
    on_disk = target.read_bytes()
    if on_disk != read:
        diags = Diagnostics()
        diags.error(Code.CHANGED_ON_DISK, f"{prepared.plan.file} changed on disk since it was read for "
                    f"`{prepared.plan.summary}`; nothing written: run the command again",
                    Location(prepared.plan.file, _first_difference(read, on_disk)))
        raise DiagnosticsError(diags)
    replace_file(target, prepared.after_text.encode("utf-8"))


def _first_difference(a: bytes, b: bytes) -> int:
    """The 1-based line of the first byte where `a` and `b` differ."""
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[:n].count(b"\n") + 1
