"""`rollback --emergency`: flip the live slot through the API, record the incident under evidence/,
then edit the catalog so the next deploy keeps the rollback."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from pilotfactory.cli.options import engine_setting
from pilotfactory.cli.slotedit import load_pilot, print_change, refuse
from pilotfactory.cli.workspace import connect_env, fail
from pilotfactory.files.atomic import create_file

__all__ = ["emergency_rollback"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def emergency_rollback(root, pilot, env, host, profile, timeout, retry_timeout) -> None:
    """Flip the live slot through the API, record it under evidence/, then edit the pilot file."""
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.emergency import flip
    from pilotfactory.release.plan import commit, plan_switch, prepare

    base, checked, typed = load_pilot(root, pilot, env)
    diags = Diagnostics()
    plan = plan_switch(checked, typed, env, "rollback", diags)
    if plan is None:
        refuse(diags, typed.file)
    # Rolling back returns to content approved before: the pilot's own gates never block it.
    prepared = prepare(base, checked, plan, diags, engine=engine_setting(base, None), envs=[env],
                       allow_gate_errors=True)
    if prepared is None:
        click.echo(f"the edited {plan.file} does not validate:", err=True)
        refuse(diags, typed.file)
    stack = f"{pilot}-{env}"
    if stack not in prepared.after_stacks:
        fail(f"no stack `{stack}` is synthesized for {pilot} in {env}: nothing live to roll back")
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    started = _now()
    steps = flip(ws, json.loads(prepared.after_stacks[stack]), stack)
    try:
        who = ws.call("current user", ws.client.current_user.me).user_name
    except LiveError:
        who = None
    done = all(s.ok for s in steps)
    active = typed.pilot.release.active[env]
    record = {
        "kind": "emergency_rollback", "pilot": pilot, "env": env, "workspace": ws.host,
        "started": started.isoformat().replace("+00:00", "Z"), "by": who or "unknown",
        "from": active, "to": plan.slot, "summary": plan.summary,
        "catalog_change": {"file": plan.file, "changes": list(plan.changes_yaml),
                           "written": done},
        "steps": [{"action": s.action, "result": "done" if s.ok else "failed", **({"detail": s.detail} if s.detail else {})}
                  for s in steps],
        "result": "complete" if done else "incomplete",
    }
    name = f"{started.strftime('%Y-%m-%dT%H%M%SZ')}-rollback-{env}.json"
    audit = Path("evidence") / pilot / "emergency" / name
    create_file(base / audit, (json.dumps(record, indent=2, sort_keys=False) + "\n").encode())
    click.echo(f"Emergency rollback of {pilot} in {env} ({ws.host}): {active} -> {plan.slot}")
    for s in steps:
        click.echo(f"  {'done' if s.ok else 'FAIL'}: {s.action}" + (f": {s.detail}" if s.detail else ""))
    click.echo(f"recorded {audit.as_posix()}")
    if not done:
        click.echo(f"{plan.file} unchanged: the steps marked done are live, the others are not. Fix the "
                   "cause and run the command again (each step is idempotent).", err=True)
        sys.exit(1)
    print_change(prepared)
    commit(base, prepared)
    click.echo(f"wrote {plan.file}: the next `npx cdktf deploy {stack}` keeps the rollback instead of undoing it")
