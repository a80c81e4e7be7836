"""Terraform JSON in its three shapes, read into one list of resources per file.

    configuration   {"resource": {type: {name: {...}}}}: .tf.json, and cdktf's cdk.tf.json
    plan            `terraform show -json`: planned_values...resources[].values, and
                    resource_changes[].change.after for anything planned_values lacks
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from pilotfactory.diagnostics.diagnostic import Location, PilotFactoryError
from pilotfactory.guardrails.positions import json_lines
from pilotfactory.tfjson.references import is_reference, referenced_addresses

__all__ = ["TfResource", "TfDocument", "TerraformInputError", "load_document", "document_from_json", "blocks"]



class TerraformInputError(PilotFactoryError):
    """A file `check` cannot read as Terraform JSON; carries where."""

    def __init__(self, message: str, location: Location):
        self.location = location
        super().__init__(f"{location}: {message}")


def blocks(value: Any) -> list[dict]:
    """A nested block as a list: Terraform JSON writes one block as an object or a list of objects."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


@dataclass
class TfResource:
    type: str
    name: str
    address: str
    values: dict
    file: str
    line: int | None = None
    lifecycle: dict | None = None        # None: the shape does not say (plans)
    construct_path: str | None = None    # cdktf's `//.metadata.path`, e.g. "kyc-prod/jobs/score/Resource"
    literals: dict[str, bool] = field(default_factory=dict)   # plans: attribute -> written as a constant
    # Finds `line` on first use (`where_line`): locating every resource of every stack cost a third
    # of a cold synth, and only a finding needs its line.
    locate: Callable[[], int | None] | None = field(default=None, repr=False, compare=False)

    @property
    def where_line(self) -> int | None:
        """`line`, found in the file's text the first time it is asked for."""
        if self.line is None and self.locate is not None:
            self.line, self.locate = self.locate(), None
        return self.line

    @property
    def stack(self) -> str | None:
        return self.construct_path.split("/", 1)[0] if self.construct_path else None

    def references(self, attribute: str) -> list[str]:
        """Addresses an attribute points at: `${type.name...}` in configuration, expressions in plans."""
        value = self.values.get(attribute)
        found = referenced_addresses(value) if isinstance(value, str) else []
        return found or list(self.literals.get(f"refs:{attribute}", ()))

    def is_literal(self, attribute: str) -> bool:
        value = self.values.get(attribute)
        if attribute in self.literals:
            return bool(self.literals[attribute])
        return isinstance(value, str) and not is_reference(value)


@dataclass
class TfDocument:
    file: str
    kind: str                            # "configuration" or "plan"
    resources: list[TfResource]
    stack: str | None = None             # cdktf's `//.metadata.stackName`
    provider_host: str | None = None

    def by_address(self) -> dict[str, TfResource]:
        return {r.address: r for r in self.resources}


def load_document(path: Path, shown: str | None = None) -> TfDocument:
    shown = shown or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TerraformInputError(f"cannot read: {exc}", Location(shown, 1, 1)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TerraformInputError(f"not JSON: {exc.msg}", Location(shown, exc.lineno, exc.colno)) from None
    return document_from_json(data, shown, text)


class _Lines:
    """Path -> line of a JSON text, computed on the first question."""

    def __init__(self, text: str | None):
        self._text, self._lines = text, None

    def get(self, path: tuple) -> int | None:
        if self._lines is None:
            self._lines = json_lines(self._text, max_depth=6) if self._text is not None else {}
            self._text = None
        return self._lines.get(path)


def document_from_json(data: Any, shown: str, text: str | None = None) -> TfDocument:
    lines = _Lines(text)
    if isinstance(data, dict) and ("planned_values" in data or "resource_changes" in data):
        return _plan(data, shown, lines)
    if isinstance(data, dict) and isinstance(data.get("resource", {}), (dict, list)):
        return _configuration(data, shown, lines)
    raise TerraformInputError("neither Terraform JSON configuration (`resource`) nor a plan "
                              "(`terraform show -json`: `planned_values`)", Location(shown, 1, 1))


def _configuration(data: dict, shown: str, lines: _Lines) -> TfDocument:
    resources: list[TfResource] = []
    by_type = data.get("resource", {})
    if isinstance(by_type, list):  # HCL JSON also allows a list of single-key objects
        merged: dict = {}
        for item in by_type:
            for key, value in (item.items() if isinstance(item, dict) else ()):
                merged.setdefault(key, {}).update(value if isinstance(value, dict) else {})
        by_type = merged
    for rtype, named in by_type.items():
        if rtype == "//" or not isinstance(named, dict):
            continue
        for name, body in named.items():
            if name == "//" or not isinstance(body, dict):
                continue
            meta = body.get("//", {}).get("metadata", {}) if isinstance(body.get("//"), dict) else {}
            values = {k: v for k, v in body.items() if k not in ("//", "lifecycle")}
            lifecycle = blocks(body.get("lifecycle"))
            resources.append(TfResource(
                type=rtype, name=name, address=f"{rtype}.{name}", values=values, file=shown,
                locate=partial(lines.get, ("resource", rtype, name)),
                lifecycle=lifecycle[0] if lifecycle else {},
                construct_path=meta.get("path") if isinstance(meta, dict) else None))
    meta = data.get("//", {}).get("metadata", {}) if isinstance(data.get("//"), dict) else {}
    return TfDocument(shown, "configuration", resources, stack=meta.get("stackName"),
                      provider_host=_provider_host(data.get("provider", {})))


def _provider_host(providers: Any) -> str | None:
    for block in blocks(providers.get("databricks")) if isinstance(providers, dict) else []:
        if isinstance(block.get("host"), str):
            return block["host"]
    return None


def _plan(data: dict, shown: str, lines: _Lines) -> TfDocument:
    expressions = {}
    config = data.get("configuration", {})

    def config_module(module: dict, prefix: str) -> None:
        for res in module.get("resources", []) if isinstance(module, dict) else []:
            if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                expressions[prefix + res.get("address", "")] = res.get("expressions", {})
        for call_name, call in (module.get("module_calls", {}) or {}).items() if isinstance(module, dict) else ():
            config_module(call.get("module", {}), f"{prefix}module.{call_name}.")

    config_module(config.get("root_module", {}), "")

    found: dict[str, TfResource] = {}

    def add(res: dict, values: Any, line_path: tuple) -> None:
        if not isinstance(res, dict) or res.get("mode", "managed") != "managed" or not isinstance(values, dict):
            return
        address = res.get("address") or f"{res.get('type')}.{res.get('name')}"
        if address in found:
            return
        config_address = re.sub(r"\[[^\]]*\]", "", address)
        literals: dict = {}
        for attr, expr in (expressions.get(config_address) or {}).items():
            if isinstance(expr, dict):
                literals[attr] = "constant_value" in expr
                literals[f"refs:{attr}"] = tuple(
                    ".".join(r.split(".")[:2]) for r in expr.get("references", []) if r.count(".") >= 1)
        found[address] = TfResource(
            type=res.get("type", ""), name=res.get("name", ""), address=address, values=values,
            file=shown, locate=partial(lines.get, line_path), lifecycle=None, literals=literals)

    def planned(module: dict, path: tuple) -> None:
        for i, res in enumerate(module.get("resources", []) if isinstance(module, dict) else []):
            add(res, res.get("values") if isinstance(res, dict) else None, path + ("resources", i))
        for j, child in enumerate(module.get("child_modules", []) if isinstance(module, dict) else []):
            planned(child, path + ("child_modules", j))

    planned(data.get("planned_values", {}).get("root_module", {}), ("planned_values", "root_module"))
    for i, change in enumerate(data.get("resource_changes", []) or []):
        if isinstance(change, dict):
            add(change, (change.get("change") or {}).get("after"), ("resource_changes", i))
    host = None
    for provider in (config.get("provider_config", {}) or {}).values():
        if isinstance(provider, dict) and provider.get("name") == "databricks":
            host = ((provider.get("expressions") or {}).get("host") or {}).get("constant_value")
    return TfDocument(shown, "plan", list(found.values()), provider_host=host)
