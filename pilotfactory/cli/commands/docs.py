"""`pilotfactory docs`: the documents reviewers, operators and auditors read, per pilot."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option, engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog, pilot_named, print_diagnostics

__all__ = ["register"]

EXIT_WITHHELD = 3  # as `synth`: the rest written, some pilots' documents withheld


def register(cli: click.Group) -> None:
    @cli.command("docs", epilog="Exit status: 0 every document current; 3 written, but some pilots' documents "
                                "withheld (their previous ones kept); 1 nothing written (an error everyone "
                                "shares), or stale documents with --check.")
    @click.argument("pilot", required=False)
    @root_option
    @click.option("--out", "out", default=None, help="Output folder (default: docs/pilots under the root).")
    @click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a document is stale.")
    @engine_option
    def docs(pilot: str | None, root: str | None, out: str | None, check_only: bool, engine: str | None) -> None:
        """Write runbook, security review, rollback plan, RACI and data contracts for each pilot.

        A pilot any of whose stacks is withheld (errors in its own file, unearned gates, a guardrail
        violation) gets no new documents: its previous ones stay as they were, and the reason is
        printed. Every other pilot gets its own.
        """
        from pilotfactory.governance.handoff_docs import DEFAULT_OUT, pilot_documents, synthesize_stacks, write_documents
        from pilotfactory.synth.guard import GuardrailViolations

        base = repo_root(root)
        checked = checked_catalog(base, "no documents written", per_pilot=True)
        if pilot is not None and pilot not in {w.pilot for w in checked.withheld()}:
            pilot_named(checked, pilot)
        target = Path(out) if out else base / DEFAULT_OUT
        try:
            with tempfile.TemporaryDirectory(prefix="pilotfactory-docs-") as scratch:
                stacks = synthesize_stacks(checked, Path(scratch), engine_setting(base, engine))
                documents = pilot_documents(checked, stacks, pilot)
        except GuardrailViolations as exc:
            print_diagnostics(exc.diagnostics, "text")
            click.echo(f"no documents written: {str(exc).splitlines()[0]}", err=True)
            sys.exit(1)
        withheld = {name: w for name, w in stacks.withheld.items() if pilot is None or name == pilot}
        changed = write_documents(target, documents, check_only=check_only)
        shown = _shown(target)
        for rel in changed:
            click.echo(f"{'stale' if check_only else 'wrote'} {shown}/{rel}")
        for name, w in withheld.items():
            kept = sum(1 for p in (target / name).rglob("*") if p.is_file()) if (target / name).is_dir() else 0
            click.echo(f"withheld the documents of `{name}` ({kept} previous file{'s' * (kept != 1)} kept as "
                       f"they were): {w.reason}")
        if check_only and changed:
            click.echo(f"run `pilotfactory docs{' ' + pilot if pilot else ''}` to regenerate", err=True)
            sys.exit(1)
        click.echo(f"{len(documents)} documents, {len(changed)} "
                   f"{'stale' if check_only else 'changed'}, in {shown}"
                   + (f"; documents of {len(withheld)} pilot{'s' * (len(withheld) != 1)} withheld" if withheld else ""))
        if withheld:
            sys.exit(EXIT_WITHHELD)


def _shown(path: Path) -> str:
    path = path.absolute()
    return path.relative_to(Path.cwd()).as_posix() if path.is_relative_to(Path.cwd()) else str(path)
