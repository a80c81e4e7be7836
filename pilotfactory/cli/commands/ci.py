"""`pilotfactory ci-matrix` and `pilotfactory atlantis`: running stacks on existing CI engines."""
from __future__ import annotations

import json
import sys

import click

from pilotfactory.cli.options import engine_option, root_option

__all__ = ["register"]


@click.command("ci-matrix")
@root_option
@click.option("--base", "base_ref", metavar="REF", help="Only stacks changed since this git ref.")
@engine_option
def ci_matrix(root: str | None, base_ref: str | None, engine: str | None) -> None:
    """Print JSON of the stacks to plan (`include`, for a CI matrix; removed ones with `destroy: true`),
    and those withheld by their own pilot's errors or gates (neither planned nor removed). Each stack of a
    protected environment names its change window (`window`: open now, or when it next opens)."""
    from pilotfactory.ci.matrix import changed_stacks
    from pilotfactory.cli.options import engine_setting, repo_root
    from pilotfactory.cli.output import print_diagnostics
    from pilotfactory.review.plan import ReviewInputError
    from pilotfactory.review.source import CatalogErrors

    base = repo_root(root)
    try:
        entries, notes = changed_stacks(base, engine_setting(base, engine), base_ref)
    except CatalogErrors as exc:
        print_diagnostics(exc.diagnostics, "text")
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ReviewInputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    include = [e.as_dict() for e in entries if e.change in ("added", "changed", "removed")]
    removed = [e.as_dict() for e in entries if e.change == "removed"]
    withheld = [e.as_dict() for e in entries if e.change == "withheld"]
    for entry in removed:
        why = "its pilot is decommissioned" if entry["decommission"] else "it is removed"
        click.echo(f"note: stack `{entry['stack']}`: {why}: its destruction is planned (terraform plan "
                   "-destroy) from the base ref's synthesis; applying that plan is what removes its jobs "
                   f"(destroy order {entry['destroy_order']}: last environment first)", err=True)
    for entry in entries:
        if entry.change in ("added", "changed", "removed") and entry.window is not None and not entry.window.open:
            click.echo(f"note: stack `{entry.stack}` is {entry.window.words()}: plan it now, apply it then",
                       err=True)
    click.echo(json.dumps({"base": base_ref, "count": len(include), "include": include,
                           "removed": removed, "withheld": withheld}, indent=2))


@click.command("atlantis", epilog="Exit status: 0 written (or up to date); 3 written, but some stacks are "
                                  "withheld (their previous projects kept); 1 nothing written, or out of date "
                                  "with --check.")
@root_option
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if atlantis.yaml is out of date.")
def atlantis(root: str | None, check_only: bool) -> None:
    """Write atlantis.yaml: one project per stack, applied only when approved, mergeable, undiverged.

    A stack withheld by its own pilot's errors or gates keeps the project it had in the current
    atlantis.yaml (a deployed stack never drops out of CI silently); each is named with the reason.
    """
    from pilotfactory.catalog.resolve import reached_environments
    from pilotfactory.ci.atlantis import Retiring, atlantis_config, keep_withheld, previous_projects, render, write
    from pilotfactory.ci.matrix import BASE_OUT, destroy_sequence, output_dir
    from pilotfactory.cli.options import repo_root
    from pilotfactory.cli.output import checked_catalog
    from pilotfactory.diagnostics.diagnostic import PilotFactoryError
    from pilotfactory.tfjson.stacknames import env_of_pilot_stack, stack_names

    base = repo_root(root)
    checked = checked_catalog(base, "atlantis.yaml not written", per_pilot=True)
    path = base / "atlantis.yaml"
    withheld = checked.withheld()
    declared = checked.resolution.declared or checked.resolution.catalog
    envs = list(declared.environments.environments)
    # as synth lists them: by pilot file, then environment; a pilot that does not resolve keeps its place
    pilot_stacks = {(rp.file, envs.index(rp.env_name), rp.stack_id) for rp in declared.pilots}
    pilot_stacks |= {(w.file, envs.index(env_of_pilot_stack(w.stack, w.pilot)), w.stack) for w in withheld}
    order = stack_names(envs, (s for *_, s in sorted(pilot_stacks)))
    # a decommissioned pilot's stacks, where its phase had deployed it, destroyed last environment first
    retiring = [Retiring(str(t.source.file), tuple(destroy_sequence(
        [f"{t.pilot.name}-{e}" for e in reached_environments(checked.catalog, t.pilot.phase)], envs)))
        for t in checked.resolution.pilots if t.pilot.decommission is not None]
    order = [*order, *(s for r in retiring for s in r.stacks)]
    config = atlantis_config(checked.resolution.catalog, output_dir(base), retiring, BASE_OUT)
    try:
        previous = previous_projects(path) if withheld else {}
    except PilotFactoryError as exc:
        click.echo(f"atlantis.yaml not written: {exc}", err=True)
        sys.exit(1)
    config, notes = keep_withheld(config, previous, withheld, order)
    text = render(config)
    if check_only:
        if write(path, text, check_only=True):
            click.echo("atlantis.yaml is out of date: run `pilotfactory atlantis`", err=True)
            sys.exit(1)
    else:
        changed = write(path, text)
        click.echo(f"{'wrote' if changed else 'unchanged:'} atlantis.yaml ({len(config['projects'])} projects)")
    for note in notes:
        how = ("its previous project kept" if note.kept
               else "not in the previous atlantis.yaml, so no project (nothing was planned from it)")
        click.echo(f"withheld {note.withheld.stack} ({how}): {note.withheld.reason}")
    if withheld:
        sys.exit(3)


def register(cli: click.Group) -> None:
    cli.add_command(ci_matrix)
    cli.add_command(atlantis)
