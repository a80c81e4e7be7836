"""The shared steps of every command that edits a pilot's release slots (release, cutover,
rollback, rehearse, emergency rollback): load the pilot, show the change, refuse with reasons."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from typing import TYPE_CHECKING

from pilotfactory.cli.options import repo_root
from pilotfactory.cli.output import print_diagnostics
from pilotfactory.diagnostics.diagnostic import Diagnostics

if TYPE_CHECKING:  # the domain loads when a command runs, not for --help
    from pilotfactory.catalog.resolve import TypedPilot
    from pilotfactory.pipeline import Checked
    from pilotfactory.release.plan import Prepared

__all__ = ["refuse", "change_ref_or_refuse", "load_pilot", "print_change", "print_file_warnings"]


def refuse(diags: Diagnostics, unchanged: str | None) -> None:
    print_diagnostics(diags, "text")
    click.echo(f"refused: {unchanged} unchanged" if unchanged else "refused: nothing changed", err=True)
    sys.exit(1)


def change_ref_or_refuse(checked: "Checked", env: str, change: str | None, unchanged: str, hint: str = "") -> None:
    """Refuse before anything is planned when `env` asks for a change reference `change` is not."""
    from pilotfactory.catalog.change_refs import change_ref_problem
    from pilotfactory.diagnostics.codes import Code

    problem = change_ref_problem(env, checked.catalog.environments.environments.get(env), change)
    if problem is not None:
        diags = Diagnostics()
        source = checked.catalog.config_sources.get("environments")
        path = ("environments", env, "change_control", "ticket_pattern")
        diags.error(Code.BAD_CHANGE_REF, problem + hint, source.where(path) if source else None, path)
        refuse(diags, unchanged)


def commit_or_refuse(base: Path, prepared) -> None:
    """Write the prepared edit, or exit 1 with the located reason (the file changed meanwhile)."""
    from pilotfactory.diagnostics.diagnostic import DiagnosticsError
    from pilotfactory.release.plan import commit

    try:
        commit(base, prepared)
    except DiagnosticsError as exc:
        refuse(exc.diagnostics, None)


def load_pilot(root: str | None, pilot: str, env: str, action: str) -> tuple[Path, Checked, TypedPilot]:
    """The checked catalog and the pilot `action` applies to, or exit 1 with every reason."""
    from pilotfactory.pipeline import check
    from pilotfactory.release.plan import find_pilot

    base = repo_root(root)
    checked = check(base, only={pilot})  # a release edit is of one pilot
    if not checked.usable:
        click.echo("the platform configuration has errors; fix them before changing a release", err=True)
        refuse(checked.diagnostics, None)
    diags = Diagnostics()
    typed = find_pilot(checked, pilot, env, diags, action)
    if typed is None:
        refuse(diags, None)
    # Other pilots' errors are theirs (blast radius); this pilot's own content errors stop the edit.
    if typed.file in checked.broken:
        click.echo(f"{typed.file} has errors; fix them before changing its release", err=True)
        own = Diagnostics()
        own.extend(checked.broken[typed.file])
        refuse(own, None)
    return base, checked, typed


def print_change(prepared: Prepared) -> None:
    plan = prepared.plan
    click.echo(plan.summary)
    click.echo(f"{plan.file}:")
    for line in plan.changes_yaml:
        click.echo(f"  {line}")
    changes = prepared.changes
    for change in changes:
        click.echo(f"{change.stack}:")
        for line in change.lines():
            click.echo(f"  - {line}")
    if not changes:
        click.echo("no stack changes")


def print_file_warnings(diags: Diagnostics, file: str) -> None:
    """Warnings about the edited file only; the rest of the catalog is not this command's news."""
    mine = Diagnostics()
    mine.extend(d for d in diags.warnings if d.location and d.location.file == file)
    if mine.items:
        print_diagnostics(mine, "text")
