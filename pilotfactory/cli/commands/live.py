"""`preflight`, `verify`, `drift`: the workspace itself, checked through databricks-sdk.

`rollback --emergency` (registered with `rollback` in release.py) is pilotfactory/cli/emergency.py.
"""
from __future__ import annotations

import json
import sys

import click

from pilotfactory.cli.options import env_option as _ENV, live_options, root_option as _ROOT
from pilotfactory.cli.workspace import checked_env, connect_env, env_stacks, fail

__all__ = ["register"]


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
    from pilotfactory.live.expected import expected_of
    from pilotfactory.live.preflight import preflight

    base, checked = checked_env(root, env)
    expected = expected_of(env_stacks(base, checked, env))
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    _print_checks(preflight(ws, checked.resolution.catalog, env, expected), f"preflight of {env} ({ws.host})")


def _aliases(root, env, host, profile, timeout, retry_timeout, check_only) -> None:
    from pilotfactory.live.aliases import sync_aliases
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.expected import expected_of

    base, checked = checked_env(root, env)
    expected = expected_of(env_stacks(base, checked, env))
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    try:
        checks = sync_aliases(ws, expected, dry_run=check_only)
    except LiveError as err:
        fail(str(err))
    if not checks:
        click.echo(f"aliases of {env}: no registered model reaches {env}; nothing to set")
        return
    _print_checks(checks, f"aliases of {env} ({ws.host})")


def _verify(root, env, host, profile, timeout, retry_timeout, record: bool = True) -> None:
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.deployments import write_deployment_records
    from pilotfactory.live.expected import expected_of
    from pilotfactory.live.verify import verify

    base, checked = checked_env(root, env)
    expected = expected_of(env_stacks(base, checked, env))
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    try:
        checks = verify(ws, expected)
    except LiveError as err:
        fail(str(err))
    if not checks:
        click.echo(f"verify of {env}: no pilot stack reaches {env}; nothing to check")
        return
    if record:  # what ran is evidence whatever the result: a failed deploy is recorded too
        for path in write_deployment_records(base, checked, env, checks, ws.host):
            click.echo(f"recorded {path.as_posix()}")
    _print_checks(checks, f"verify of {env} ({ws.host})")


def _drift(root, env, host, profile, timeout, retry_timeout, fmt, fail_on) -> None:
    from pilotfactory.live.client import LiveError
    from pilotfactory.live.drift import drift
    from pilotfactory.live.drift_verdict import drift_exit
    from pilotfactory.live.expected import expected_of
    from pilotfactory.live.membership import membership
    from pilotfactory.review.render_json import review_json
    from pilotfactory.review.render_markdown import review_markdown

    base, checked = checked_env(root, env)
    # the platform stack too: the artifact allowlist and the policies' library rules live there
    stacks = env_stacks(base, checked, env, platform=True)
    ws = connect_env(checked, env, host, profile, timeout, retry_timeout)
    envs = {n: e.protected for n, e in checked.resolution.catalog.environments.environments.items()}
    try:
        review, unmatched = drift(ws, expected_of(stacks), stacks, envs)
        # Governance drift: the people in the live groups against config/roles.yaml.
        members = [c for c in membership(ws, checked.resolution.catalog.roles) if not c.ok]
    except LiveError as err:
        fail(str(err))
    status, reason = drift_exit(review, unmatched, members, fail_on)
    if fmt == "json":
        click.echo(json.dumps({**review_json(review, fail_on, status, reason), "unmatched": unmatched,
                               "membership": [{"group": c.subject, "finding": c.detail} for c in members]},
                              indent=2))
    else:
        click.echo(review_markdown(review, status, reason))
        for line in unmatched:
            click.echo(f"- not compared: {line}")
        for c in members:
            click.echo(f"- membership of `{c.subject}`: {c.detail}")
    sys.exit(status)


def register(cli: click.Group) -> None:
    @cli.command("preflight")
    @_ENV
    @live_options
    @_ROOT
    def preflight_(env, host, profile, timeout, retry_timeout, root):
        """Before a deploy: the workspace answers and has every Spark version, node type, group,
        service principal and SQL warehouse the standards and catalog name. Exit 1 on any failure."""
        _preflight(root, env, host, profile, timeout, retry_timeout)

    @cli.command("aliases")
    @_ENV
    @live_options
    @click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if an alias would move.")
    @_ROOT
    def aliases_(env, host, profile, timeout, retry_timeout, check_only, root):
        """After a deploy, cutover or rollback: point each model's champion/challenger aliases at the
        versions the stacks declare, through the API (provider 1.99 never sets them), and read them back."""
        _aliases(root, env, host, profile, timeout, retry_timeout, check_only)

    @cli.command("verify")
    @_ENV
    @click.option("--record/--no-record", default=True,
                  help="Append a deployment record per pilot stack under evidence/<pilot>/deployments/ "
                       "(what runs, where, when, by which CI run and commit, under which change, the result).")
    @live_options
    @_ROOT
    def verify_(env, record, host, profile, timeout, retry_timeout, root):
        """After a deploy: every synthesized job exists with its slot's pause state, and serving
        traffic and model aliases match; the result is recorded as evidence. Exit 1 on any mismatch."""
        _verify(root, env, host, profile, timeout, retry_timeout, record)

    @cli.command("drift")
    @_ENV
    @live_options
    @click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
    @click.option("--fail-on", type=click.Choice(["broadening", "destructive", "any", "never"]),
                  default="broadening", show_default=True,
                  help="As `review`: exit 1 on broadening (and governance, protected destroys); on destructive "
                       "too; on any drift; or never. What cannot be compared fails under all but `never`.")
    @_ROOT
    def drift_(env, host, profile, timeout, retry_timeout, fmt, fail_on, root):
        """Live job settings and permissions against the synthesized ones, in review's words.
        Exit 1 on drift that `--fail-on` names (default: broadening or a weakened control)."""
        _drift(root, env, host, profile, timeout, retry_timeout, fmt, fail_on)
