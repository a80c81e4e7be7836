"""`pilotfactory check` (guardrail rules over Terraform JSON) and `pilotfactory rules`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pilotfactory.cli.options import repo_root
from pilotfactory.cli.output import print_diagnostics
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location

__all__ = ["register"]


def _files(paths: tuple[str, ...], diags: Diagnostics) -> list[Path]:
    """Files as given; folders expand to every *.tf.json under them (cdktf.out/ holds other JSON)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.tf.json") if p.is_file())
            if not found:
                diags.error(Code.MISSING_FILE, f"no *.tf.json under `{raw}`", Location(raw, 1, 1))
            out += found
        elif path.is_file():
            out.append(path)
        else:
            diags.error(Code.MISSING_FILE, f"`{raw}` does not exist", Location(raw, 1, 1))
    return out


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text")
    @click.option("--root", help="Repository root whose config/ holds the standards (default: here).")
    @click.option("--config", "config_dir", help="Folder with environments.yaml, standards.yaml, roles.yaml "
                  "(default: <root>/config).")
    @click.option("--env", "env_name", help="Treat every file as this environment of config/environments.yaml "
                  "(default: from the stack name or the provider host).")
    @click.option("--protected/--not-protected", default=None,
                  help="Override whether the files belong to a protected environment.")
    def check(paths, fmt, root, config_dir, env_name, protected):
        """Check Terraform JSON (.tf.json, cdk.tf.json, `terraform show -json` plans) against the guardrails."""
        from pilotfactory.guardrails import load_platform
        from pilotfactory.guardrails.evaluate import evaluate
        from pilotfactory.guardrails.registry import RULES
        from pilotfactory.guardrails.sarif import to_sarif
        from pilotfactory.guardrails.terraform import TerraformInputError, load_document

        base = repo_root(root)
        diags = Diagnostics()
        platform = load_platform(Path(config_dir) if config_dir else base / "config", diags, display_root=base)
        if platform is not None and env_name and env_name not in platform.environments:
            diags.error(Code.UNKNOWN_ENV, f"--env {env_name}: not an environment of config/environments.yaml "
                        f"({', '.join(platform.environments)})", Location("config/environments.yaml", 1, 1))
        if diags.has_errors:
            print_diagnostics(diags, "text")
            sys.exit(2)
        documents = []
        for path in _files(paths, diags):
            try:
                documents.append(load_document(path, _shown(path)))
            except TerraformInputError as exc:
                diags.error(Code.SYNTAX, str(exc).split(": ", 1)[1], exc.location)
        violations = evaluate(documents, platform, env=env_name, protected=protected)
        if fmt == "sarif":
            click.echo(json.dumps(to_sarif(violations, diags.items), indent=2))
        elif fmt == "json":
            click.echo(json.dumps({
                "violations": [{"rule": v.rule_id, "title": RULES[v.rule_id].title, "message": v.message,
                                "file": v.file, "line": v.line, "resource": v.resource.address,
                                "environment": v.env} for v in violations],
                "errors": [d.as_dict() for d in diags.sorted()],
                "files": len(documents),
            }, indent=2))
        else:
            for v in violations:
                diags.error(v.rule_id, v.message, Location(v.file, v.line or 1, 1))
            print_diagnostics(diags, "text")
            if not violations and not diags.has_errors:
                resources = sum(len(d.resources) for d in documents)
                click.echo(f"{len(documents)} file{'s' * (len(documents) != 1)}, {resources} resources: "
                           f"every guardrail holds ({len(RULES)} rules)")
        if violations or diags.has_errors:
            sys.exit(1)

    @cli.command("rules")
    @click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text")
    def list_rules(fmt):
        """List the guardrail rules (PFG...) with their rationale."""
        from pilotfactory.guardrails import RULES
        from pilotfactory.guardrails.table import rules_table

        if fmt == "markdown":
            click.echo(rules_table(), nl=False)
            return
        for rule_id in sorted(RULES):
            click.echo(f"{rule_id}  {RULES[rule_id].title}: {RULES[rule_id].rationale}")
