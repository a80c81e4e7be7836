"""`pilotfactory docs`: the documents reviewers, operators and auditors read, per pilot."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option, engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog, pilot_named

__all__ = ["register"]


def register(cli: click.Group) -> None:
    @cli.command("docs")
    @click.argument("pilot", required=False)
    @root_option
    @click.option("--out", "out", default=None, help="Output folder (default: docs/pilots under the root).")
    @click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a document is stale.")
    @engine_option
    def docs(pilot: str | None, root: str | None, out: str | None, check_only: bool, engine: str | None) -> None:
        """Write runbook, security review, rollback plan, RACI and data contracts for each pilot."""
        from pilotfactory.governance.handoff_docs import DEFAULT_OUT, pilot_documents, synthesize_stacks, write_documents

        base = repo_root(root)
        checked = checked_catalog(base, "no documents written")
        if pilot is not None:
            pilot_named(checked, pilot)
        target = Path(out) if out else base / DEFAULT_OUT
        with tempfile.TemporaryDirectory(prefix="pilotfactory-docs-") as scratch:
            stacks = synthesize_stacks(checked, Path(scratch), engine_setting(base, engine))
            documents = pilot_documents(checked, stacks, pilot)
        changed = write_documents(target, documents, check_only=check_only)
        shown = _shown(target)
        for rel in changed:
            click.echo(f"{'stale' if check_only else 'wrote'} {shown}/{rel}")
        if check_only and changed:
            click.echo(f"run `pilotfactory docs{' ' + pilot if pilot else ''}` to regenerate", err=True)
            sys.exit(1)
        click.echo(f"{len(documents)} documents, {len(changed)} "
                   f"{'stale' if check_only else 'changed'}, in {shown}")


def _shown(path: Path) -> str:
    path = path.absolute()
    return path.relative_to(Path.cwd()).as_posix() if path.is_relative_to(Path.cwd()) else str(path)
