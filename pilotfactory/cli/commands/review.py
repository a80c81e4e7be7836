"""`pilotfactory review`: the infrastructure diff a reviewer approves, risk first."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option

__all__ = ["register"]

# Exit status when no review could be made (bad ref, invalid catalog, unreadable plan); 1 is "blocked".
NO_REVIEW = 2


def _plan_args(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    from pilotfactory.review.compose import plan_stack_name

    out = []
    for value in values:
        stack, sep, path = value.partition("=")
        if not sep:
            stack, path = plan_stack_name(Path(value)), value
        out.append((stack, Path(path)))
    return out


@click.command("review")
@root_option
@click.option("--base", "base_ref", metavar="REF", help="Git ref to compare against (e.g. origin/main).")
@click.option("--head", "head_ref", metavar="REF", help="Git ref to review (default: the working tree).")
@click.option("--plan", "plans", multiple=True, metavar="[STACK=]PLAN.json",
              help="Review `terraform show -json` output instead; repeat for several stacks. "
                   "Without STACK=, the file name (or its folder, for plan.json) names the stack.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
@click.option("--fail-on", type=click.Choice(["broadening", "destructive", "any", "never"]),
              default="broadening", show_default=True,
              help="Exit 1 on broadening; on destructive or broadening; on any change; or never.")
@engine_option
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Also write the report here.")
@click.option("--json-output", type=click.Path(dir_okay=False),
              help="Also write the JSON review here (e.g. a CI artifact beside the Markdown comment).")
def review(root: str | None, base_ref: str | None, head_ref: str | None, plans: tuple[str, ...],
           fmt: str, fail_on: str, engine: str | None, output: str | None, json_output: str | None) -> None:
    """Compare two syntheses (or read plans) and report broadening, destructive changes, releases,
    gate changes, then everything else by pilot and environment.

    Exit status: 0 nothing to block; 1 something `--fail-on` names; 2 no review could be made.
    """
    from pilotfactory.cli.options import engine_setting, repo_root
    from pilotfactory.cli.output import print_diagnostics
    from pilotfactory.review import exit_code
    from pilotfactory.review.compose import review_plans, review_refs
    from pilotfactory.review.plan import ReviewInputError
    from pilotfactory.review.render_json import review_json
    from pilotfactory.review.render_markdown import review_markdown
    from pilotfactory.review.source import CatalogErrors
    from pilotfactory.synth.cache import StackCache

    base = repo_root(root)
    if bool(plans) == bool(base_ref):
        raise click.UsageError("give either --base REF or --plan PLAN.json")
    if head_ref and not base_ref:
        raise click.UsageError("--head needs --base")
    try:
        if plans:
            result = review_plans(base, _plan_args(plans))
        else:
            from pilotfactory.files.content_cache import enabled_by_default
            from pilotfactory.pipeline import content_cache

            result = review_refs(base, base_ref, head_ref, engine_setting(base, engine), StackCache.at(base),
                                 content=content_cache(base) if enabled_by_default() else None)
    except CatalogErrors as exc:
        print_diagnostics(exc.diagnostics, "text")
        click.echo(f"error: {exc}", err=True)
        sys.exit(NO_REVIEW)
    except ReviewInputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(NO_REVIEW)
    status, reason = exit_code(result, fail_on)
    as_json = json.dumps(review_json(result, fail_on, status, reason), indent=2, ensure_ascii=False) + "\n"
    text = as_json if fmt == "json" else review_markdown(
        result, status, reason, json_hint=Path(json_output).name if json_output else "pilotfactory review --format json")
    if json_output:
        Path(json_output).write_text(as_json, encoding="utf-8")
    if output:
        Path(output).write_text(text, encoding="utf-8")
    click.echo(text, nl=False)
    sys.exit(status)


def register(cli: click.Group) -> None:
    cli.add_command(review)
