"""`preflight`, `verify`, `drift`: the workspace itself, checked through databricks-sdk.

`rollback --emergency` (registered with `rollback` in release.py) lives here too: it flips the
live slot through the API, records the incident under evidence/, then edits the catalog.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from pilotfactory.live.client import DEFAULT_RETRY_TIMEOUT, DEFAULT_TIMEOUT

__all__ = ["register", "live_options", "emergency_rollback"]


def live_options(fn):
    """--host, --profile and the timeouts, shared by every command that calls the workspace."""
    for option in reversed([
        click.option("--host", help="Workspace URL (default: $DATABRICKS_HOST, else config/environments.yaml)."),
        click.option("--profile", help="Databricks config profile (default: $DATABRICKS_CONFIG_PROFILE or DEFAULT)."),
        click.option("--timeout", type=click.FloatRange(min=0.01), default=DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds one HTTP request may take."),
        click.option("--retry-timeout", type=click.IntRange(min=1), default=DEFAULT_RETRY_TIMEOUT,
                     show_default=True, help="Seconds one call may spend retrying 429/5xx and timeouts."),
    ]):
        fn = option(fn)
    return fn


_ROOT = click.option("--root", help="Repository root holding config/ and catalog/ (default: here).")
_ENV = click.option("--env", "env", required=True, help="Environment, as named in config/environments.yaml.")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _checked(root: str | None, env: str):
    """(root, checked catalog) with `env` defined, or exit 1 with the reasons."""
    from pilotfactory.cli.app import checked_catalog, repo_root
    from pilotfactory.catalog.parse import suggest

    base = repo_root(root)
    checked = checked_catalog(base, "nothing checked")
    envs = checked.resolution.catalog.environments.environments
    if env not in envs:
        _fail(f"environment `{env}` is not defined in config/environments.yaml{suggest(env, envs)}")
    return base, checked


def _connect(checked, env: str, host, profile, timeout, retry_timeout):
    from pilotfactory.live.client import LiveError, connect

    try:
        return connect(env, checked.resolution.catalog.environments.environments[env], host=host,
                       profile=profile, timeout=timeout, retry_timeout=retry_timeout)
    except LiveError as err:
        _fail(str(err))


def _env_stacks(base: Path, checked, env: str) -> dict[str, dict]:
    """The `<pilot>-<env>` stacks synth would write now: what a deploy of this catalog leaves live."""
    from pilotfactory.cli.app import engine_setting
    from pilotfactory.synth.build import synth_pilot_stacks

    pilots = checked.resolution.catalog.env_pilots(env)
    return {name: json.loads(data) for name, data in synth_pilot_stacks(pilots, engine_setting(base, None)).items()}


def _print_checks(checks, what: str) -> None:
    from pilotfactory.live.checks import failed, table

    for line in table(checks):
        click.echo(line)
    bad = failed(checks)
    if bad:
        click.echo(f"{what}: {len(bad)} of {len(checks)} checks failed", err=True)
        sys.exit(1)
    click.echo(f"{what}: all {len(checks)} checks passed")


def _preflight(root, env, host, profile, timeout, retry_timeout) -> None:
    from pilotfactory.live.preflight import preflight

    _, checked = _checked(root, env)
    ws = _connect(checked, env, host, profile, timeout, retry_timeout)
    _print_checks(preflight(ws, checked.resolution.catalog, env), f"preflight of {env} ({ws.host})")


def _verify(root, env, host, profile, timeout, retry_timeout) -> None:
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.expected import expected_of
    from pilotfactory.live.verify import verify

    base, checked = _checked(root, env)
    expected = expected_of(_env_stacks(base, checked, env))
    ws = _connect(checked, env, host, profile, timeout, retry_timeout)
    try:
        checks = verify(ws, expected)
    except LiveError as err:
        _fail(str(err))
    if not checks:
        click.echo(f"verify of {env}: no pilot stack reaches {env}; nothing to check")
        return
    _print_checks(checks, f"verify of {env} ({ws.host})")


def _drift(root, env, host, profile, timeout, retry_timeout, fmt) -> None:
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.drift import drift
    from pilotfactory.live.expected import expected_of
    from pilotfactory.review.render_json import review_json
    from pilotfactory.review.render_markdown import review_markdown

    base, checked = _checked(root, env)
    stacks = _env_stacks(base, checked, env)
    ws = _connect(checked, env, host, profile, timeout, retry_timeout)
    envs = {n: e.protected for n, e in checked.resolution.catalog.environments.environments.items()}
    try:
        review, unmatched = drift(ws, expected_of(stacks), stacks, envs)
    except LiveError as err:
        _fail(str(err))
    drifted = len(review.changes) + len(unmatched)
    status, reason = (1, f"{drifted} object{'s differ' if drifted != 1 else ' differs'} from the synthesized stacks: "
                      "a hand edit in the workspace, or a deploy not yet applied") if drifted else (0, "no drift")
    if fmt == "json":
        click.echo(json.dumps({**review_json(review, "any", status, reason), "unmatched": unmatched}, indent=2))
    else:
        click.echo(review_markdown(review, status, reason))
        for line in unmatched:
            click.echo(f"- not compared: {line}")
    sys.exit(status)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _write_new(path: Path, text: str) -> None:
    """Create `path` whole (never half-written) and never over an existing record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.link(scratch, path)  # fails if a record of that name exists
    finally:
        Path(scratch).unlink(missing_ok=True)


def emergency_rollback(root, pilot, env, host, profile, timeout, retry_timeout) -> None:
    """Flip the live slot through the API, record it under evidence/, then edit the pilot file."""
    from pilotfactory.cli.app import engine_setting
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.emergency import flip
    from pilotfactory.release.plan import commit, plan_switch, prepare
    from pilotfactory.cli.commands.release import _load, _print_change, _refuse

    base, checked, typed = _load(root, pilot, env)
    diags = Diagnostics()
    plan = plan_switch(checked, typed, env, "rollback", diags)
    if plan is None:
        _refuse(diags, typed.file)
    prepared = prepare(base, checked, plan, diags, engine=engine_setting(base, None), envs=[env])
    if prepared is None:
        click.echo(f"the edited {plan.file} does not validate:", err=True)
        _refuse(diags, typed.file)
    stack = f"{pilot}-{env}"
    if stack not in prepared.after_stacks:
        _fail(f"no stack `{stack}` is synthesized for {pilot} in {env}: nothing live to roll back")
    ws = _connect(checked, env, host, profile, timeout, retry_timeout)
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
    _write_new(base / audit, json.dumps(record, indent=2, sort_keys=False) + "\n")
    click.echo(f"Emergency rollback of {pilot} in {env} ({ws.host}): {active} -> {plan.slot}")
    for s in steps:
        click.echo(f"  {'done' if s.ok else 'FAIL'}: {s.action}" + (f": {s.detail}" if s.detail else ""))
    click.echo(f"recorded {audit.as_posix()}")
    if not done:
        click.echo(f"{plan.file} unchanged: the steps marked done are live, the others are not. Fix the "
                   "cause and run the command again (each step is idempotent).", err=True)
        sys.exit(1)
    _print_change(prepared)
    commit(base, prepared)
    click.echo(f"wrote {plan.file}: the next `npx cdktf deploy {stack}` keeps the rollback instead of undoing it")


def register(cli: click.Group) -> None:
    @cli.command("preflight")
    @_ENV
    @live_options
    @_ROOT
    def preflight_(env, host, profile, timeout, retry_timeout, root):
        """Before a deploy: the workspace answers and has every Spark version, node type, group,
        service principal and SQL warehouse the standards and catalog name. Exit 1 on any failure."""
        _preflight(root, env, host, profile, timeout, retry_timeout)

    @cli.command("verify")
    @_ENV
    @live_options
    @_ROOT
    def verify_(env, host, profile, timeout, retry_timeout, root):
        """After a deploy: every synthesized job exists with its slot's pause state, and serving
        traffic and model aliases match. Exit 1 on any mismatch."""
        _verify(root, env, host, profile, timeout, retry_timeout)

    @cli.command("drift")
    @_ENV
    @live_options
    @click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
    @_ROOT
    def drift_(env, host, profile, timeout, retry_timeout, fmt, root):
        """Live job settings and permissions against the synthesized ones, in review's words.
        Exit 1 on any drift."""
        _drift(root, env, host, profile, timeout, retry_timeout, fmt)
