"""`pilotfactory templates` and `pilotfactory new`: start a pilot from a template."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from pilotfactory.cli.options import root_option, repo_root
from pilotfactory.cli.output import print_diagnostics
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location

__all__ = ["register"]


def _interactive() -> bool:
    """Prompt only a person at a terminal; CI and pipes get a list of what is missing."""
    return sys.stdin.isatty()


def _constraints(param) -> str:
    out = []
    if param.enum is not None:
        out.append("one of " + ", ".join(str(o) for o in param.enum))
    if param.pattern_message or param.pattern:
        out.append(param.pattern_message or f"matching {param.pattern}")
    if param.min is not None or param.max is not None:
        low = "" if param.min is None else f"{param.min:g}"
        high = "" if param.max is None else f"{param.max:g}"
        out.append(f"{low}..{high}")
    return f"; {'; '.join(out)}" if out else ""


def _show_default(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _list_templates(root: Path) -> None:
    from pilotfactory.catalog.load import load_catalog

    diags = Diagnostics()
    catalog = load_catalog(root, diags)
    template_errors = [d for d in diags.errors if d.location and d.location.file.startswith("catalog/templates/")]
    if not catalog.templates and not template_errors:
        click.echo("no templates in catalog/templates/")
    for name, entry in sorted(catalog.templates.items()):
        t = entry.template
        click.echo(f"{name} {t.version}: {t.title}")
        for pname, param in t.parameters.items():
            flags = f"{param.type}{', required' if param.required else ''}{_constraints(param)}"
            default = "" if param.default is None else f" [default: {_show_default(param.default)}]"
            click.echo(f"  {pname} ({flags}){default}: {param.description}")
    if template_errors:
        broken = Diagnostics()
        broken.extend(template_errors)
        print_diagnostics(broken, "text")
        sys.exit(1)


def _list_outdated(root: Path) -> None:
    from pilotfactory.catalog.load import load_catalog
    from pilotfactory.scaffold.history import skeleton_at_version, skeleton_diff, version_key

    diags = Diagnostics()
    catalog = load_catalog(root, diags)
    behind = 0
    for source in catalog.pilot_sources:
        data = source.data
        name, template_name, recorded = data.get("name"), data.get("template"), data.get("template_version")
        entry = catalog.templates.get(template_name) if isinstance(template_name, str) else None
        if entry is None:
            continue  # `validate` reports unknown templates
        current = entry.template.version
        if recorded is None:
            click.echo(f"{source.file}: records no template_version; cannot tell how far behind "
                       f"{template_name} {current} it is")
            behind += 1
            continue
        recorded = str(recorded)
        try:
            if version_key(recorded) >= version_key(current):
                continue
        except ValueError:
            continue  # `validate` reports a malformed version
        behind += 1
        click.echo(f"{source.file}: pilot {name} is on {template_name} {recorded}; the template is at {current}")
        found = skeleton_at_version(root, entry.directory, recorded)
        if found is None:
            click.echo(f"  the skeleton of {template_name} {recorded} is not in git history; "
                       f"compare the pilot with {entry.directory}/pilot.yaml.j2 by hand")
            continue
        commit, old = found
        new = (root / entry.directory / "pilot.yaml.j2").read_text(encoding="utf-8")
        diff = skeleton_diff(old, new, entry.directory, f"{recorded}, {commit[:12]}", current)
        click.echo(diff if diff else "  the skeleton itself did not change; only template.yaml did\n", nl=False)
    if not behind:
        click.echo("every pilot is on its template's current version")


def _parse_sets(items: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"`{item}` is not key=value", param_hint="--set")
        if key.strip() in out:
            raise click.BadParameter(f"`{key.strip()}` is set twice", param_hint="--set")
        out[key.strip()] = value
    return out


def _prompt(entry, missing: list[str]) -> dict:
    from pilotfactory.scaffold.render import check_value

    values = {}
    params = entry.template.parameters
    for name in missing:
        param = params[name]

        def convert(raw, name=name, param=param):
            value, problem = check_value(name, param, raw)
            if problem:
                raise click.BadParameter(problem)
            return value

        default = None if param.default is None else _show_default(param.default)
        values[name] = click.prompt(f"{name} ({param.description})", default=default,
                                    value_proc=convert, err=True)
    return values


def _new(root: Path, name: str, template_name: str, sets: dict[str, str]) -> None:
    from pilotfactory.catalog.load import load_catalog
    from pilotfactory.catalog.parse import suggest
    from pilotfactory.scaffold.render import SLUG, check_pilot_text, parameter_values, pilot_path, render_skeleton

    out = Diagnostics()
    if not SLUG.fullmatch(name):
        out.error(Code.BAD_PARAMETER, f"pilot name `{name}` is not a slug: lower-case letters, digits "
                  "and '-', 3 to 40 characters, starting with a letter; the file name derives from it")
        print_diagnostics(out, "text")
        sys.exit(1)
    diags = Diagnostics()
    catalog = load_catalog(root, diags)
    target = pilot_path(root, name)
    shown = target.relative_to(root).as_posix()
    entry = catalog.templates.get(template_name)
    if entry is None:
        template_diags = [d for d in diags.errors if d.location and
                          d.location.file.startswith(f"catalog/templates/{template_name}/")]
        out = Diagnostics()
        if template_diags:
            out.extend(template_diags)
        else:
            out.error(Code.UNKNOWN_TEMPLATE, f"no template `{template_name}` in catalog/templates/"
                      f"{suggest(template_name, catalog.templates)}"
                      f" (available: {', '.join(sorted(catalog.templates)) or 'none'})")
        print_diagnostics(out, "text")
        sys.exit(1)
    if target.exists():
        out.error(Code.PILOT_EXISTS, f"pilot `{name}` already exists; `pilotfactory new` never "
                  "overwrites a pilot: edit it, or choose another name", Location(shown, 1, 1))
        print_diagnostics(out, "text")
        sys.exit(1)
    values, missing = parameter_values(entry, name, sets, out)
    if not out.has_errors and missing:
        if _interactive():
            values.update(_prompt(entry, missing))
        else:
            out.error(Code.MISSING_PARAMETER, f"template `{template_name}` needs {len(missing)} more "
                      f"parameter{'s' * (len(missing) != 1)} and there is no terminal to ask: "
                      f"{', '.join(missing)}; give each with --set KEY=VALUE (`pilotfactory templates` "
                      "describes them)",
                      entry.source.where(("parameters",), key=True), ("parameters",))
    if out.has_errors:
        print_diagnostics(out, "text")
        click.echo(f"nothing written: {shown} was not created", err=True)
        sys.exit(1)
    text = render_skeleton(root, entry, values, out)
    if text is not None:
        check_pilot_text(root, name, text, out)
    # An unearned gate withholds the pilot's environments (synth builds none of them); it is not a
    # reason to refuse the file: the approvals it waits for can only be given for written content.
    blocking = [d for d in out.errors if not d.code.startswith("PF3")]
    if text is None or blocking:
        print_diagnostics(out, "text")
        click.echo(f"nothing written: the rendered pilot does not validate, so {shown} was not created",
                   err=True)
        sys.exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as handle:  # exclusive: never clobber a racing write
            handle.write(text)
    except FileExistsError:
        click.echo(f"{shown}:1:1: error[{Code.PILOT_EXISTS}]: pilot `{name}` appeared while rendering; "
                   "nothing overwritten", err=True)
        sys.exit(1)
    print_diagnostics(out, "text")  # warnings, and the gates it has not earned yet
    click.echo(f"wrote {shown} from template {template_name} {entry.template.version}; "
               "run `pilotfactory validate` after each edit")
    if out.has_errors:
        click.echo(f"{shown}: its gates are not earned yet (above), so synth builds none of its "
                   "environments until they are; `pilotfactory gates` shows what each needs", err=True)


def register(cli: click.Group) -> None:
    @cli.command("templates")
    @root_option
    @click.option("--outdated", is_flag=True,
                  help="List pilots behind their template's version, with the skeleton's diff.")
    def templates(root: str | None, outdated: bool) -> None:
        """List templates with their version and parameters (or the pilots behind them)."""
        if outdated:
            _list_outdated(repo_root(root))
        else:
            _list_templates(repo_root(root))

    @cli.command("new")
    @click.argument("name")
    @click.option("--template", "template_name", required=True, help="A folder of catalog/templates/.")
    @click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                  help="A template parameter; repeat for each.")
    @root_option
    def new(name: str, template_name: str, sets: tuple[str, ...], root: str | None) -> None:
        """Render catalog/pilots/NAME.yaml from a template, validated before it is written."""
        _new(repo_root(root), name, template_name, _parse_sets(sets))
