"""`pilotfactory evidence`: pack, or verify, the evidence an auditor receives for one pilot."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option, engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog, pilot_named
from pilotfactory.tfjson.stacknames import pilot_stack

__all__ = ["register"]


def _pack(base: Path, pilot: str, env: str, out: Path, ref: str | None, engine: str) -> None:
    from pilotfactory.catalog.load import CONFIG_FILES, OPTIONAL_CONFIG_FILES
    from pilotfactory.catalog.parse import suggest
    from pilotfactory.governance.evidence_pack import gate_report, write_archive
    from pilotfactory.governance.handoff_docs import pilot_documents, synthesize_stacks
    from pilotfactory.catalog.model.pilot import TestReport
    from pilotfactory.review import exit_code
    from pilotfactory.review.compose import review_refs
    from pilotfactory.review.render_json import review_json
    from pilotfactory.review.render_markdown import review_markdown
    from pilotfactory.synth.cache import StackCache

    # Other pilots' errors never block this pilot's pack; its own withheld stacks do (the pack
    # would hold documents and stacks that do not exist).
    checked = checked_catalog(base, "no evidence pack written", per_pilot=True)
    typed = pilot_named(checked, pilot)
    own = [w for w in checked.withheld() if w.pilot == pilot]
    if own:
        _refuse(pilot, own[0].reason)
    reached = [rp.env_name for rp in checked.resolution.catalog.pilots if rp.name == pilot]
    if env not in reached:
        raise click.UsageError(f"pilot `{pilot}` has no stack in `{env}`{suggest(env, reached)} "
                               f"(its phase `{typed.pilot.phase}` reaches: {', '.join(reached) or 'none'})")
    stack = pilot_stack(pilot, env)
    members: dict[str, bytes] = {}

    def add_file(rel: str) -> None:
        path = base / rel
        if not path.is_file():
            raise click.ClickException(f"{rel} is missing; the pack would be incomplete")
        members[rel] = path.read_bytes()

    add_file(typed.file)
    for rel, _model in CONFIG_FILES.values():
        add_file(rel)
    for rel, _model in OPTIONAL_CONFIG_FILES.values():
        if (base / rel).is_file():
            add_file(rel)
    entry = checked.catalog.templates.get(typed.pilot.template)
    if entry is not None:
        add_file(f"{entry.directory}/template.yaml")
        if (base / entry.directory / "pilot.yaml.j2").is_file():
            add_file(f"{entry.directory}/pilot.yaml.j2")
    for item in typed.pilot.evidence:
        if isinstance(item, TestReport):
            add_file(item.path)
    # What `verify` recorded after each deploy of this stack: what actually ran.
    for path in sorted((base / "evidence" / pilot / "deployments").glob("*.json")):
        if _record_env(path) == env:
            add_file(path.relative_to(base).as_posix())
    members["reports/gates.json"] = (json.dumps(gate_report(checked, pilot), indent=2, sort_keys=True)
                                     + "\n").encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="pilotfactory-evidence-") as scratch:
        stacks = synthesize_stacks(checked, Path(scratch) / "head", engine)
        if pilot in stacks.withheld:
            _refuse(pilot, stacks.withheld[pilot].reason)
        stack_json = (stacks.folder / stack / "cdk.tf.json").read_bytes()
        members[f"stacks/{stack}/cdk.tf.json"] = stack_json
        if checked.catalog.controls is not None:
            members["reports/controls.json"] = _controls_report(checked, pilot, stacks.folder / stack / "cdk.tf.json",
                                                                f"stacks/{stack}/cdk.tf.json")
        for rel, text in pilot_documents(checked, stacks, pilot).items():
            members[f"docs/{rel}"] = text.encode("utf-8")
    if ref is not None:
        # The same review a pull request gets (review/), narrowed to this pilot's stack.
        result = review_refs(base, ref, None, engine, StackCache.at(base), stacks={stack})
        status, reason = exit_code(result, "never")
        members["review/review.md"] = review_markdown(result, status, reason).encode("utf-8")
        members["review/review.json"] = (json.dumps(review_json(result, "never", status, reason), indent=2,
                                                    ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    about = {"pilot": pilot, "env": env, "base": ref}
    record = typed.pilot.release.changes.get(env)
    if record is not None:  # the change this environment's release was last made under
        about["change"] = record.model_dump(mode="json", exclude_defaults=True)
    whole = write_archive(members, out, about)
    click.echo(f"wrote {out} with {len(members)} members; sha256:{whole}")


def _controls_report(checked, pilot: str, stack_path: Path, display: str) -> bytes:
    """Per control of config/controls.yaml: the pilot's gate results and the guardrail results of
    the packed stack that are its evidence."""
    from pilotfactory.controls.evidence import control_evidence
    from pilotfactory.guardrails import Platform, evaluate, load_document

    catalog = checked.resolution.catalog
    platform = Platform.from_config(catalog.environments, catalog.standards, catalog.roles)
    violations = evaluate([load_document(stack_path, display)], platform)
    results = [p for p in checked.gates.pilots if p.pilot == pilot] if checked.gates is not None else []
    controls = control_evidence(checked.catalog.controls, results[0], violations) if results else []
    report = {"pilot": pilot, "framework": checked.catalog.controls.framework, "controls": controls}
    return (json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _refuse(pilot: str, reason: str) -> None:
    click.echo(f"no evidence pack written: the stacks of `{pilot}` are withheld: {reason}", err=True)
    sys.exit(1)


def _record_env(path: Path) -> str | None:
    """The environment a deployment record is about (its name alone could mislead: `prod-eu`)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("env")
    except (OSError, ValueError, AttributeError):
        return None


def _verify(path: Path) -> None:
    from pilotfactory.governance.evidence_pack import verify_archive

    result = verify_archive(path)
    for name in result.altered:
        click.echo(f"altered: {name}", err=True)
    for name in result.added:
        click.echo(f"added: {name}", err=True)
    for name in result.missing:
        click.echo(f"missing: {name}", err=True)
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    if not result.ok:
        click.echo(f"{path}: does NOT match its manifest", err=True)
        sys.exit(1)
    click.echo(f"{path}: {result.members} members match the manifest; sha256:{result.sha256}")


def register(cli: click.Group) -> None:
    @cli.command("evidence")
    @click.argument("pilot", required=False)
    @click.option("--env", help="Environment whose stack is packed.")
    @click.option("--out", "out", type=click.Path(dir_okay=False), help="The .tar.gz to write.")
    @click.option("--base", "ref", help="Git ref to review the stack against (adds review/review.md and .json).")
    @click.option("--verify", "verify", type=click.Path(dir_okay=False),
                  help="Check an evidence pack against its manifest instead of writing one.")
    @root_option
    @engine_option
    def evidence(pilot, env, out, ref, verify, root, engine) -> None:
        """Pack a pilot's evidence into a deterministic tar.gz with a sha256 manifest, or --verify one."""
        if verify:
            if pilot or env or out or ref:
                raise click.UsageError("--verify takes only the archive")
            if not Path(verify).is_file():
                raise click.UsageError(f"{verify}: no such file")
            _verify(Path(verify))
            return
        missing = [name for name, value in (("PILOT", pilot), ("--env", env), ("--out", out)) if not value]
        if missing:
            raise click.UsageError(f"missing {', '.join(missing)} (or give --verify FILE.tar.gz)")
        base = repo_root(root)
        _pack(base, pilot, env, Path(out).absolute(), ref, engine_setting(base, engine))
