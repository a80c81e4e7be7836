"""`release`, `cutover`, `rollback`, `rehearse`: slot changes as reviewed edits of a pilot file (blue/green;
a single-slot pilot only releases).

Each edits the pilot's YAML in place (only the changed values move), runs the pipeline on the
result before writing, and prints what the change does to the infrastructure in reviewer terms.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

import click

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.cli.options import dry_run_option as _DRY_RUN, engine_setting, env_option as _ENV, live_options, root_option as _ROOT
from pilotfactory.cli.output import print_diagnostics
from pilotfactory.cli.slotedit import (change_ref_or_refuse, commit_or_refuse, load_pilot, print_change,
                                       print_file_warnings, refuse)

__all__ = ["register"]


if TYPE_CHECKING:  # the domain loads when a command runs, not for --help
    from pilotfactory.catalog.resolve import TypedPilot
    from pilotfactory.pipeline import Checked
    from pilotfactory.release.plan import SlotPlan

Planner = Callable[["Checked", "TypedPilot", Diagnostics], Optional["SlotPlan"]]


def _apply(root: str | None, pilot: str, env: str, action: str, planner: Planner, dry_run: bool,
           allow_gate_errors: bool = False, change: str | None = None) -> None:
    from pilotfactory.gates import clock
    from pilotfactory.release.plan import prepare, with_change_record

    base, checked, typed = load_pilot(root, pilot, env, action)
    change_ref_or_refuse(checked, env, change, typed.file)
    diags = Diagnostics()
    plan = planner(checked, typed, diags)
    if plan is None:
        refuse(diags, typed.file)
    for other in plan.record_envs:   # a single slot moves these protected environments too
        change_ref_or_refuse(checked, other, change, typed.file,
                             f" ({plan.pilot}'s one slot runs in {other} too: the release moves it there)")
    if not plan.edits:
        click.echo(f"nothing to change: slot `{plan.slot}` already has that in {plan.file}")
        return
    if change is not None:  # a protected environment never gets here without one
        plan = with_change_record(plan, typed, change, clock.today())
    prepared = prepare(base, checked, plan, diags, engine=engine_setting(base, None),
                       allow_gate_errors=allow_gate_errors)
    if prepared is None:
        click.echo(f"the edited {plan.file} does not validate:", err=True)
        refuse(diags, typed.file)
    print_file_warnings(diags, plan.file)
    print_change(prepared)
    if dry_run:
        click.echo(f"dry run: {plan.file} unchanged")
        return
    commit_or_refuse(base, prepared)
    from pilotfactory.catalog.deploy_command import deploy_command

    stacks = " and ".join(f"`{deploy_command(c.stack)}`" for c in prepared.changes)
    own = Diagnostics()
    own.extend(prepared.after.pilot_errors(plan.pilot))
    if own.items and plan.action == "rollback":
        print_diagnostics(own, "text")
        click.echo(f"wrote {plan.file}: rolled back to content approved before, allowed despite the gates "
                   f"above (recorded in {plan.file}'s history); deploy with {stacks or 'nothing to deploy'}")
        return
    if own.items:
        print_diagnostics(own, "text")
        click.echo(f"wrote {plan.file}; the gates above withhold environments until the new content "
                   f"is approved (`pilotfactory approve {plan.pilot} --gate ... --role ...`), "
                   f"then deploy with {stacks or 'nothing to deploy'}")
        return
    click.echo(f"wrote {plan.file}; review it, then deploy with {stacks or 'nothing to deploy'}")


def _release(root, pilot, env, version, model_version, dry_run, change=None) -> None:
    """Stage a version (and model version) on the idle slot; no traffic moves."""
    from pilotfactory.release.plan import plan_release

    _apply(root, pilot, env, "release", lambda c, t, d: plan_release(c, t, env, version, model_version, d),
           dry_run, allow_gate_errors=True, change=change)


def _switch(action: str, root, pilot, env, dry_run, canary: int | None = None, change=None) -> None:
    """`cutover` promotes the canary or the idle slot; `rollback` removes a canary, else swaps back."""
    from pilotfactory.release.plan import plan_switch

    # Rolling back returns to content approved before: the pilot's own gates never block it.
    _apply(root, pilot, env, action, lambda c, t, d: plan_switch(c, t, env, action, d, canary), dry_run,
           allow_gate_errors=action == "rollback", change=change)


def _rehearse(root, pilot, env, record) -> None:
    """Compute the cutover and the rollback, check they are safe, print the operator's script."""
    from pilotfactory.diagnostics.codes import Code
    from pilotfactory.release.rehearsal import rehearse
    from pilotfactory.release.plan import plan_rehearsal_record, prepare

    base, checked, typed = load_pilot(root, pilot, env, "rehearse")
    diags = Diagnostics()
    result = rehearse(base, checked, typed, env, diags, engine_setting(base, None))
    if result is None:
        refuse(diags, typed.file)
    active, target = typed.pilot.release.active[env], result.cutover.plan.slot
    click.echo(f"Rollback rehearsal of {pilot} in {env}: {active} -> {target} -> {active}")
    if not result.ok:
        failed = Diagnostics()
        for problem in result.problems:
            failed.error(Code.REHEARSAL_FAILED, problem)
        click.echo("the cutover is not safe to rehearse; no script, nothing recorded", err=True)
        refuse(failed, typed.file)
    click.echo("Checked in memory:")
    for line in result.checks:
        click.echo(f"  ok: {line}")
    click.echo("Script for the operator:")
    for line in result.script():
        click.echo(line)
    if record is None:
        return
    plan = plan_rehearsal_record(typed, env, record)
    prepared = prepare(base, checked, plan, diags, envs=[])
    if prepared is None:
        click.echo(f"the edited {plan.file} does not validate:", err=True)
        refuse(diags, typed.file)
    commit_or_refuse(base, prepared)
    click.echo(f"wrote {plan.file}: {plan.summary}")


_CHANGE = click.option(
    "--change", "change", metavar="REF", default=None,
    help="The change reference (ticket id) this is made under; required for a protected environment, "
         "in the format its `change_control.ticket_pattern` asks for. Recorded in release.changes.ENV. "
         "With --emergency it may follow later (the retrospective change).")


def register(cli: click.Group) -> None:
    @cli.command("release")
    @click.argument("pilot")
    @_ENV
    @click.option("--version", "version", required=True, help="Code version: a tag of release.repo (v1.2.3).")
    @click.option("--model-version", type=click.IntRange(min=1), default=None,
                  help="Registered model version for the slot (default: keep the slot's).")
    @_CHANGE
    @_DRY_RUN
    @_ROOT
    def release(pilot, env, version, model_version, change, dry_run, root):
        """Stage VERSION on the slot that is idle in ENV: a slot with no traffic (neither active nor
        canary) in any environment, so no request and no scheduled run changes. Refused when ENV runs
        a canary (no idle slot: `cutover` promotes it, `rollback` removes it) or when the idle slot
        takes traffic in another environment. A single-slot pilot's one slot takes VERSION in every
        environment it reaches at once: ENV names the last of them."""
        _release(root, pilot, env, version, model_version, dry_run, change)

    @cli.command("cutover")
    @click.argument("pilot")
    @_ENV
    @click.option("--canary", type=click.IntRange(1, 50), default=None, metavar="PERCENT",
                  help="Instead of promoting: send PERCENT of serving traffic to the idle slot (or set the "
                       "running canary's share); its jobs start running on schedule.")
    @_CHANGE
    @_DRY_RUN
    @_ROOT
    def cutover(pilot, env, canary, change, dry_run, root):
        """Promote in ENV: the canary becomes active at 100% (and the old active slot idle); without a
        canary, the idle slot becomes active. The slot taking traffic has its jobs unpaused and the
        `champion` alias; the slot leaving goes idle (jobs paused, 0%). Protected environments need a
        passing test report for the promoted version."""
        _switch("cutover", root, pilot, env, dry_run, canary, change)


    @cli.command("rollback")
    @click.argument("pilot")
    @_ENV
    @_DRY_RUN
    @click.option("--emergency", is_flag=True,
                  help="Incident: make the same move through the API now. Reads the workspace first, prints each "
                       "traffic, alias and schedule change (skipping what is already live), checks the caller's "
                       "rights, asks, acts; records it under evidence/, then edits the pilot file so the next "
                       "deploy keeps it.")
    @click.option("--yes", is_flag=True, help="With --emergency: act without asking, after printing the moves.")
    @_CHANGE
    @live_options
    @_ROOT
    def rollback(pilot, env, dry_run, emergency, yes, change, host, profile, timeout, retry_timeout, root):
        """Back to the last known good in ENV. With a canary: the canary's share returns to the active
        slot (100%) and the canary goes idle (jobs paused); nothing else moves. Without one: the idle
        slot (the previous active) becomes active at 100% and the active slot goes idle."""
        if emergency and dry_run:
            raise click.UsageError("--emergency acts at once; see what it would do with --dry-run alone")
        if emergency:
            from pilotfactory.cli.emergency import emergency_rollback

            emergency_rollback(root, pilot, env, host, profile, timeout, retry_timeout, yes, change)
            return
        _switch("rollback", root, pilot, env, dry_run, change=change)

    @cli.command("rehearse")
    @click.argument("pilot")
    @_ENV
    @click.option("--record", type=click.Choice(["pass", "fail"]), default=None,
                  help="Append a dated rollback_rehearsal evidence entry with this result.")
    @_ROOT
    def rehearse_(pilot, env, record, root):
        """Check a cutover and its rollback in memory and print the rehearsal script for ENV."""
        _rehearse(root, pilot, env, record)
