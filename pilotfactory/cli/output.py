"""What commands print: diagnostics with a summary line, a progress bar on terminals, and the
one door every command takes to a checked catalog."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pilotfactory.diagnostics.diagnostic import Diagnostics, PilotFactoryError, Severity

__all__ = ["print_diagnostics", "checked_catalog", "pilot_named", "progress"]


def print_diagnostics(diags: Diagnostics, fmt: str) -> None:
    items = diags.sorted()
    if fmt == "json":
        click.echo(json.dumps([d.as_dict() for d in items], indent=2))
        return
    for d in items:
        click.echo(d.render(), err=True)
    errors = sum(1 for d in items if d.severity is Severity.ERROR)
    warnings = len(items) - errors
    if items:
        files = len({d.location.file for d in items if d.location})
        parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
        parts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
        click.echo(f"{', '.join(parts)} in {files} file{'s' * (files != 1)}", err=True)


def checked_catalog(base: Path, refusal: str, *, per_pilot: bool = False):
    """The catalog through the pipeline, its diagnostics printed; on errors, exit 1 saying
    `refusal` (what was not done), so no command ever acts on a catalog that does not validate.
    `per_pilot`: a command that needs only config/ goes on past errors that withhold single pilots."""
    from pilotfactory.pipeline import check

    checked = check(base)
    print_diagnostics(checked.diagnostics, "text")
    if not (checked.usable if per_pilot else checked.ok):
        click.echo(f"{refusal}: fix the errors above", err=True)
        sys.exit(1)
    return checked


def pilot_named(checked, name: str):
    """The pilot `name` of a checked catalog, or a usage error naming the closest one."""
    try:
        return checked.pilot(name)
    except PilotFactoryError as exc:
        raise click.UsageError(str(exc)) from None


class _Progress:
    """A progress bar per stack on a terminal; nothing in CI logs."""

    def __init__(self, total: int, label: str):
        from rich.progress import Progress

        self._label = label
        self._progress = Progress(transient=True)
        self._task = self._progress.add_task(label, total=total)
        self._progress.start()

    def step(self, name: str) -> None:
        self._progress.update(self._task, advance=1, description=f"{self._label} {name}")

    def close(self) -> None:
        self._progress.stop()


def progress(total: int, label: str) -> _Progress | None:
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return _Progress(total, label)
