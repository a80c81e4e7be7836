"""Scaffolding: check template parameters, render a template's skeleton into a new pilot file.

Skeletons come from contributors, so they render in jinja2's sandbox with StrictUndefined: a
skeleton can neither reach Python internals nor silently print an empty value.
"""
from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from pilotfactory.catalog.load import TemplateEntry
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.model.config import Parameter
from pilotfactory.catalog.model.fields import Slug

__all__ = [
    "SKELETON", "RESERVED", "SLUG", "Value", "check_value", "parameter_values", "render_skeleton",
    "check_pilot_text", "pilot_path",
]

SKELETON = "pilot.yaml.j2"
# Injected into every skeleton; a template may not declare parameters with these names.
RESERVED = ("template_name", "template_version")
SLUG = re.compile(Slug.__metadata__[0].pattern)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRUE, _FALSE = ("true", "yes", "y", "on", "1"), ("false", "no", "n", "off", "0")

Value = str | int | float | bool | None


def pilot_path(root: Path, name: str) -> Path:
    return root / "catalog" / "pilots" / f"{name}.yaml"


def _number(text: str, integer: bool) -> int | float | None:
    try:
        if integer:
            return int(text.strip(), 10)
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def check_value(name: str, param: Parameter, raw: Any) -> tuple[Value, str | None]:
    """(value, None) when `raw` satisfies the parameter, else (None, why not)."""
    text = raw if isinstance(raw, str) else None
    if param.type == "boolean":
        if isinstance(raw, bool):
            value: Value = raw
        elif text is not None and text.strip().lower() in _TRUE + _FALSE:
            value = text.strip().lower() in _TRUE
        else:
            return None, f"should be true or false, not `{raw}`"
    elif param.type in ("integer", "number"):
        integer = param.type == "integer"
        if isinstance(raw, bool) or (integer and isinstance(raw, float) and not raw.is_integer()):
            value = None
        elif isinstance(raw, (int, float)):
            value = int(raw) if integer else raw
        else:
            value = _number(str(raw), integer)
        if value is None:
            return None, f"should be {'a whole number' if integer else 'a number'}, not `{raw}`"
        if param.min is not None and value < param.min:
            return None, f"{value} is below the minimum {_plain(param.min)}"
        if param.max is not None and value > param.max:
            return None, f"{value} is above the maximum {_plain(param.max)}"
    else:
        value = str(raw)
        if _CONTROL.search(value):
            return None, "line breaks and control characters are not allowed"
        if param.pattern is not None and not re.fullmatch(param.pattern, value):
            what = param.pattern_message or f"matching `{param.pattern}`"
            return None, f"`{value}` is not {what}"
    if param.enum is not None and value not in param.enum:
        options = ", ".join(str(o) for o in param.enum)
        return None, f"`{value}` is not one of {options}{suggest(str(value), param.enum)}"
    return value, None


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def parameter_values(entry: TemplateEntry, pilot_name: str, given: dict[str, str],
                     diags: Diagnostics, *, use_defaults: bool = False) -> tuple[dict[str, Value], list[str]]:
    """Check `given` (--set values) and fill defaults; returns (values, required names not given).

    A required parameter must be given even when it has a default (the default is what a prompt
    offers), unless `use_defaults`. `name` always comes from the pilot name.
    """
    template = entry.template
    params = template.parameters

    def where(name: str | None = None) -> Location:
        return entry.source.where(("parameters", name) if name else ("parameters",), key=True)

    for name in RESERVED:
        if name in params:
            diags.error(Code.BAD_PARAMETER, f"parameter `{name}` is reserved: Pilot Factory sets it "
                        "for every skeleton; rename it", where(name), ("parameters", name))
    if not SLUG.fullmatch(pilot_name):
        diags.error(Code.BAD_PARAMETER, f"pilot name `{pilot_name}` is not a slug: lower-case letters, "
                    "digits and '-', 3 to 40 characters, starting with a letter", None)
    if "name" in given and given["name"] != pilot_name:
        diags.error(Code.BAD_PARAMETER, f"--set name={given['name']} contradicts the pilot name "
                    f"`{pilot_name}`; the NAME argument sets it", None)
    values: dict[str, Value] = {}
    missing: list[str] = []
    for key, raw in given.items():
        if key not in params and key != "name":
            diags.error(Code.UNKNOWN_PARAMETER, f"template `{template.name}` has no parameter `{key}`"
                        f"{suggest(key, params)}", where(), ("parameters",))
    for name, param in params.items():
        if name == "name":
            raw: Any = pilot_name
        elif name in given:
            raw = given[name]
        elif param.required and not use_defaults:
            missing.append(name)
            continue
        else:
            values[name] = param.default
            continue
        value, problem = check_value(name, param, raw)
        if problem:
            shown = "NAME" if name == "name" else f"--set {name}={raw}"
            diags.error(Code.BAD_PARAMETER, f"{shown}: {problem}", where(name), ("parameters", name))
        else:
            values[name] = value
    values.setdefault("name", pilot_name)
    return values, missing


def _environment(directory: Path) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader

    return SandboxedEnvironment(loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
                                keep_trailing_newline=True, autoescape=False)


def render_skeleton(root: Path, entry: TemplateEntry, values: dict[str, Value],
                    diags: Diagnostics) -> str | None:
    """The skeleton rendered with `values` and the reserved variables, or None (reported)."""
    directory = root / entry.directory
    display = f"{entry.directory}/{SKELETON}"
    if not (directory / SKELETON).is_file():
        diags.error(Code.MISSING_FILE, f"template `{entry.template.name}` has no {SKELETON}",
                    Location(display, 1, 1))
        return None
    context = {**values, "template_name": entry.template.name,
               "template_version": entry.template.version}
    try:
        return _environment(directory).get_template(SKELETON).render(**context)
    except TemplateSyntaxError as exc:
        diags.error(Code.TEMPLATE_RENDER, f"skeleton syntax: {exc.message}",
                    Location(display, exc.lineno or 1, 1))
    except TemplateError as exc:
        diags.error(Code.TEMPLATE_RENDER, f"the skeleton does not render: {exc}",
                    Location(display, _template_line(exc) or 1, 1))
    return None


def _template_line(exc: BaseException) -> int | None:
    """The skeleton line a render error came from, read from the traceback jinja2 rewrites."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(SKELETON):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def check_pilot_text(root: Path, name: str, text: str, diags: Diagnostics):
    """Validate the pilot `name` as it would be with `text`, on a scratch copy: config, templates and
    the cross-file rules (names) hold; other pilots' own errors are theirs, never the new pilot's."""
    from pilotfactory.pipeline import check

    with tempfile.TemporaryDirectory(prefix="pilotfactory-new-") as scratch:
        copy = Path(scratch)
        for folder in ("config", "catalog", "evidence"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder)
        target = pilot_path(copy, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        checked = check(copy, only={name})
    diags.extend(checked.diagnostics)
    return checked
