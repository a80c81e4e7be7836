"""`rollback --emergency`: print what traffic moves where, ask, let pilotfactory.live.emergency move it,
then edit the catalog so the next deploy keeps the rollback."""
from __future__ import annotations

import json
import sys

import click

from pilotfactory.cli.options import engine_setting
from pilotfactory.cli.slotedit import change_ref_or_refuse, load_pilot, print_change, refuse
from pilotfactory.cli.workspace import connect_env, fail
from pilotfactory.tfjson.stacknames import pilot_stack

__all__ = ["emergency_rollback"]

_MARK = {"done": "done", "already done": "skip", "deferred": "later", "failed": "FAIL", "not attempted": "not run"}


def _window(checked, env: str):
    """(outside the change windows?, in words) now: an emergency change is allowed either way, and says which."""
    from pilotfactory.gates import clock
    from pilotfactory.gates.windows import window_state

    spec = checked.catalog.environments.environments.get(env)
    if spec is None or spec.change_control is None:
        return False, f"`{env}` declares no change windows"
    state = window_state(spec.change_control, clock.now())
    return not state.open, state.reason


def emergency_rollback(root, pilot, env, host, profile, timeout, retry_timeout, yes: bool = False,
                       change: str | None = None) -> None:
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    from pilotfactory.gates import clock
    from pilotfactory.live import audit, emergency
    from pilotfactory.live.client import LiveError
    from pilotfactory.release.plan import commit, plan_switch, prepare, with_change_record

    base, checked, typed = load_pilot(root, pilot, env, "rollback")
    # Always allowed, with or without a reference; a reference given must still be well-formed.
    if change:
        change_ref_or_refuse(checked, env, change, typed.file,
                             hint="; run without --change to record the reference later")
    diags = Diagnostics()
    plan = plan_switch(checked, typed, env, "rollback", diags)
    if plan is None:
        refuse(diags, typed.file)
    outside, window = _window(checked, env)
    plan = with_change_record(plan, typed, change, clock.today(), action="emergency_rollback",
                              outside_window=outside)
    # Rolling back returns to content approved before: the pilot's own gates never block it.
    prepared = prepare(base, checked, plan, diags, engine=engine_setting(base, None), envs=[env],
                       allow_gate_errors=True)
    if prepared is None:
        click.echo(f"the edited {plan.file} does not validate:", err=True)
        refuse(diags, typed.file)
    stack = pilot_stack(pilot, env)
    if stack not in prepared.after_stacks:
        fail(f"no stack `{stack}` is synthesized for {pilot} in {env}: nothing live to roll back")
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    record = audit.start(base, pilot, env, {
        "workspace": ws.host, "from": plan.before.words() if plan.before else None,
        "to": plan.after.words() if plan.after else None, "summary": plan.summary,
        "catalog_change": {"file": plan.file, "changes": list(plan.changes_yaml), "written": False},
        "change": {"emergency": True, "ref": change, "outside_window": outside, "window": window}})
    click.echo(f"Emergency rollback of {pilot} in {env} ({ws.host}): {plan.summary}")
    click.echo(f"Emergency change {change or '(reference to follow)'}: "
               + (f"outside the change windows ({window}); allowed and recorded as such" if outside else window))
    try:
        moves = emergency.plan(ws, json.loads(prepared.after_stacks[stack]), stack)
    except LiveError as err:
        record.update(result="failed before any change", error=str(err))
        click.echo(f"recorded {record.path.as_posix()}")
        fail(f"{err}; nothing changed")
    record.update(by=moves.caller, planned=[{"action": m.kind, "what": m.line(), "already": m.done,
                                            **({"deferred": m.deferred} if m.deferred else {})}
                                           for m in moves.moves])
    click.echo(f"As {moves.caller}, live state read now; in this order:")
    for m in moves.moves:
        state = "already done" if m.done else "deferred to the deploy" if m.deferred else "will"
        click.echo(f"  {state}: {m.line()}" + (f" ({m.deferred})" if m.deferred else ""))
    if moves.missing:
        record.update(result="refused: missing rights", missing=moves.missing)
        click.echo(f"recorded {record.path.as_posix()}")
        fail(f"{moves.caller} lacks what these steps need, so nothing was changed: "
             + "; ".join(moves.missing) + ". Ask a workspace admin, or run as an identity that holds them")
    if moves.to_do and not yes and not click.confirm("Make these changes now?", default=False):
        record.update(result="cancelled before any change")
        click.echo(f"recorded {record.path.as_posix()}")
        sys.exit(1)
    results = emergency.execute(ws, moves, lambda r: click.echo(
        f"  {_MARK[r.result]}: {r.move.line()}" + (f": {r.detail}" if r.detail and r.result != "deferred" else "")))
    done = all(r.result != "failed" and r.result != "not attempted" for r in results)
    record.update(steps=[{"action": r.move.kind, "what": r.move.line(), "result": r.result,
                          **({"detail": r.detail} if r.detail else {})} for r in results],
                  result="complete" if done else "incomplete")
    if not done:
        click.echo(f"recorded {record.path.as_posix()}")
        click.echo(f"{plan.file} unchanged: the steps marked done are live, the others are not. Fix the "
                   "cause and run the command again: it reads the workspace first and skips what is done.",
                   err=True)
        sys.exit(1)
    print_change(prepared)
    commit(base, prepared)
    record.update(catalog_change={**record.data["catalog_change"], "written": True})
    click.echo(f"recorded {record.path.as_posix()}")
    from pilotfactory.catalog.deploy_command import deploy_command

    click.echo(f"wrote {plan.file}: the next `{deploy_command(stack)}` keeps the rollback instead of undoing it")
