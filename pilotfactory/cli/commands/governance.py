"""Governance commands: `gates`, `approve`, `codeowners`, `inventory`, `controls`."""
from __future__ import annotations

import sys

import click

from pilotfactory.cli.options import repo_root
from pilotfactory.cli.output import print_diagnostics
from pilotfactory.catalog.phases import PHASES

__all__ = ["register"]

from pilotfactory.cli.options import root_option as _ROOT


def _checked(root: str | None, pilot: str | None = None):
    """The catalog through the gates step (with `pilot`: that pilot only, and the cross-file
    facts it needs); a catalog that does not validate stops here."""
    from pilotfactory.pipeline import check

    checked = check(repo_root(root), only=None if pilot is None else {pilot})
    if checked.gates is None:
        print_diagnostics(checked.diagnostics, "text")
        click.echo("gates not evaluated: fix the errors above", err=True)
        sys.exit(1)
    return checked


@click.command("gates")
@click.argument("pilot", required=False)
@_ROOT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def gates_command(pilot: str | None, root: str | None, fmt: str) -> None:
    """Each gate and criterion per pilot, pass or fail, with the reason and the catalog line.

    Exits 1 when a pilot declares a phase its gates have not earned.
    """
    from pilotfactory.cli.output import pilot_named
    from pilotfactory.gates.report import render_json, render_text

    from pilotfactory.diagnostics.diagnostic import Diagnostics

    checked = _checked(root, pilot)
    results = checked.gates
    pilots = results.pilots
    broken = dict(checked.broken)  # pilot files with errors of their own: their gates are not evaluated
    if pilot is not None:
        typed = pilot_named(checked, pilot)
        pilots = [p for p in pilots if p.pilot == pilot]
        broken = {f: e for f, e in broken.items() if f == typed.file}
    if broken:
        own = Diagnostics()
        for errors in broken.values():
            own.extend(errors)
        print_diagnostics(own, "text")
        click.echo(f"gates not evaluated for {', '.join(sorted(broken))}: fix the errors above", err=True)
    if fmt == "json":
        controls = None
        if checked.catalog.controls is not None:
            from pilotfactory.controls.evidence import control_evidence

            controls = {p.pilot: control_evidence(checked.catalog.controls, p) for p in pilots}
        click.echo(render_json(results, pilots, controls), nl=False)
    else:
        click.echo(render_text(results, pilots), nl=False)
    if broken or not all(p.ok for p in pilots):
        sys.exit(1)


@click.command("approve")
@click.argument("pilot")
@click.option("--gate", type=click.Choice(list(PHASES)), required=True,
              help="The gate approved: `pilot` (intake review), `staging` or `production`.")
@click.option("--role", required=True, help="The control role approved as (config/roles.yaml).")
@_ROOT
def approve_command(pilot: str, gate: str, role: str, root: str | None) -> None:
    """Record your approval (your git identity) bound to what the gate approves (sha256 digest),
    committed and signed with your key as config/gates.yaml `approvals.verify` asks."""
    from pilotfactory.governance.approve import record_approval
    from pilotfactory.diagnostics.diagnostic import DiagnosticsError, PilotFactoryError

    try:
        recorded = record_approval(repo_root(root), pilot, gate, role)
    except DiagnosticsError as exc:
        print_diagnostics(exc.diagnostics, "text")
        click.echo("nothing written: fix the errors above", err=True)
        sys.exit(1)
    except PilotFactoryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    a = recorded.approval
    verb = "refreshed" if recorded.updated else "recorded"
    click.echo(f"{verb} {a.role} approval of gate `{a.gate}` by {a.approver} on {a.date} in "
               f"{recorded.file} ({a.digest})" + (f"; committed {recorded.commit[:12]}" if recorded.commit else ""))


@click.command("codeowners")
@_ROOT
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if .github/CODEOWNERS is out of date.")
def codeowners_command(root: str | None, check_only: bool) -> None:
    """Write .github/CODEOWNERS: pilot files owned by their approvers, platform paths by admins and security.

    A pilot file with errors of its own keeps its previous line (or, without one, the platform
    owners'), said on the output, and the exit status is 3; every other line is written.
    """
    from pilotfactory.governance.codeowners import CODEOWNERS_PATH, kept_lines, render_codeowners, write_codeowners

    base = repo_root(root)
    checked = _checked(root)
    print_diagnostics(checked.diagnostics, "text")
    kept = kept_lines(base, checked.catalog, checked.broken)
    pilots = [t for t in checked.resolution.pilots if t.file not in checked.broken]
    text = render_codeowners(checked.catalog, pilots, {f: line for f, (line, _) in kept.items()})
    changed = write_codeowners(base, text, check_only)
    if check_only and changed:
        click.echo(f"stale {CODEOWNERS_PATH}: run `pilotfactory codeowners`", err=True)
        sys.exit(1)
    click.echo(f"{'wrote' if changed else 'up to date:'} {CODEOWNERS_PATH}")
    for file, (line, previous) in kept.items():
        how = "its previous line kept" if previous else "no previous line: owned by the platform owners until fixed"
        click.echo(f"withheld the owners of {file} ({how}): it has errors of its own (above)")
    if kept:
        sys.exit(3)


@click.command("inventory")
@_ROOT
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md"]), default="md")
def inventory_command(root: str | None, fmt: str) -> None:
    """The model inventory: one row per pilot model, for model-risk audit.

    A pilot file with errors of its own has no row (its content cannot be trusted); it is named on
    stderr with the reason, and the exit status is 3. A pilot whose gates fail has its row, saying so.
    """
    from pilotfactory.governance.inventory import inventory_rows, render_inventory

    checked = _checked(root)
    pilots = [t for t in checked.resolution.pilots if t.file not in checked.broken]
    rows = inventory_rows(checked.catalog, pilots, checked.gates)
    click.echo(render_inventory(rows, fmt), nl=False)
    for file, errors in sorted(checked.broken.items()):
        click.echo(f"withheld from the inventory: {file} has errors of its own: {errors[0].render()}", err=True)
    if checked.broken:
        sys.exit(3)


@click.command("controls")
@_ROOT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--check", is_flag=True, help="Exit 1 unless every gate criterion and guardrail maps to a control.")
def controls_command(root: str | None, fmt: str, check: bool) -> None:
    """The control catalog's coverage: which gate criteria and guardrails are evidence for each
    control (config/controls.yaml), and every check no control owns."""
    import json

    from pilotfactory.controls.coverage import CONTROLS_FILE, coverage, criterion_keys, guardrail_ids
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    from pilotfactory.isolation import split_errors
    from pilotfactory.pipeline import load

    diags = Diagnostics()
    catalog = load(repo_root(root), diags)
    shared, _ = split_errors(diags.errors)  # coverage reads config/ only: a pilot's own errors are not its
    if shared:
        print_diagnostics(diags, "text")
        click.echo("no coverage report: fix the errors above", err=True)
        sys.exit(1)
    found = coverage(catalog)
    criteria, guardrails = criterion_keys(), guardrail_ids()
    if fmt == "json":
        click.echo(json.dumps({"file": CONTROLS_FILE if found.present else None, "complete": found.complete,
                               "controls": found.by_control, "unmapped_criteria": found.unmapped_criteria,
                               "unmapped_guardrails": found.unmapped_guardrails, "unknown": found.unknown},
                              indent=2, ensure_ascii=False))
    elif not found.present:
        click.echo(f"no control catalog: {CONTROLS_FILE} is missing, so no gate criterion or guardrail "
                   "is evidence for any control")
    else:
        for control_id, control in found.by_control.items():
            click.echo(f"{control_id}  {control['title']}" + (f"  (owner: {control['owner']})" if control["owner"] else ""))
            for key in control["criteria"]:
                click.echo(f"  criterion  {key}: {criteria.get(key, 'DOES NOT EXIST')}")
            for rule_id in control["guardrails"]:
                click.echo(f"  guardrail  {rule_id}: {guardrails.get(rule_id, 'DOES NOT EXIST')}")
        for key in found.unmapped_criteria:
            click.echo(f"unmapped criterion  {key}: {criteria[key]}")
        for rule_id in found.unmapped_guardrails:
            click.echo(f"unmapped guardrail  {rule_id}: {guardrails[rule_id]}")
        for problem in found.unknown:
            click.echo(f"unknown  {problem}")
        mapped = len(criteria) + len(guardrails) - len(found.unmapped_criteria) - len(found.unmapped_guardrails)
        click.echo(f"{mapped} of {len(criteria) + len(guardrails)} checks map to a control")
    if check and not found.complete:
        sys.exit(1)


def register(cli: click.Group) -> None:
    for command in (gates_command, approve_command, codeowners_command, inventory_command, controls_command):
        cli.add_command(command)
