"""Turning a loaded YAML document into a typed model, with every schema problem located."""
from __future__ import annotations

import calendar
import re

import difflib
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.model.fields import PATTERN_HELP, Version
from pilotfactory.catalog.model.retired import retired_hint
from pilotfactory.yamlio.source import Source

__all__ = ["parse_document", "suggest", "closest"]

VERSION_PATTERN = Version.__metadata__[0].pattern  # its mismatches have a code of their own

M = TypeVar("M", bound=BaseModel)


def closest(word: str, choices) -> str | None:
    """The one choice `word` is most likely a slip for, if any: a close spelling (case aside),
    else the only choice that is a prefix of `word` or has it as a prefix (`production`/`prod`)."""
    word = str(word)
    by_folded: dict[str, str] = {}
    for choice in map(str, choices):
        by_folded.setdefault(choice.casefold(), choice)
    match = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    if match:
        return by_folded[match[0]]
    folded = word.casefold()
    prefixed = [c for f, c in by_folded.items() if min(len(f), len(folded)) >= 3 and f != folded
                and (folded.startswith(f) or f.startswith(folded))]
    return prefixed[0] if len(prefixed) == 1 else None


def suggest(word: str, choices) -> str:
    """`; did you mean `x`?` when one choice is close, else nothing."""
    match = closest(word, choices)
    return f"; did you mean `{match}`?" if match is not None else ""


def _one_of(options: list[str]) -> str:
    quoted = [f"'{o}'" for o in options]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@lru_cache(maxsize=None)
def _schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(by_alias=True)


def _deref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _candidates(schema: dict, node: dict, data: Any) -> list[dict]:
    """The object schemas that `node` may stand for, narrowed by a discriminator in `data`."""
    node = _deref(schema, node)
    options = node.get("anyOf") or node.get("oneOf")
    if not options:
        return [node]
    out = []
    for option in options:
        option = _deref(schema, option)
        kind = option.get("properties", {}).get("kind", {}).get("const") or \
            option.get("properties", {}).get("type", {}).get("const")
        if kind is not None and isinstance(data, dict) and data.get("kind", data.get("type")) != kind:
            continue
        out.extend(_candidates(schema, option, data))
    return out


def _allowed_keys(model: type[BaseModel], data: Any, path: tuple) -> list[str]:
    """The keys the schema allows in the mapping at `path` of `data`."""
    keys: list[str] = []
    for cand in _schemas_at(model, data, path):
        keys.extend(k for k in cand.get("properties", {}) if k not in keys)
    return keys


def _expected_types(model: type[BaseModel], data: Any, path: tuple) -> set[str]:
    """The JSON types (`string`, `boolean`, `integer`...) the schema allows at `path`."""
    return {c["type"] for c in _schemas_at(model, data, path) if isinstance(c.get("type"), str)}


def _schemas_at(model: type[BaseModel], data: Any, path: tuple) -> list[dict]:
    """The schemas the value at `path` of `data` may have to satisfy."""
    schema = _schema(model)
    nodes = [schema]
    for part in path:
        nxt = []
        for node in nodes:
            for cand in _candidates(schema, node, data):
                if isinstance(part, int) and "items" in cand:
                    nxt.append(cand["items"])
                elif part in cand.get("properties", {}):
                    nxt.append(cand["properties"][part])
                elif isinstance(cand.get("additionalProperties"), dict):
                    nxt.append(cand["additionalProperties"])
                else:  # dict[Pattern, X]: pydantic writes the key pattern as patternProperties
                    nxt.extend(cand.get("patternProperties", {}).values())
        data = data[part] if isinstance(data, (dict, list)) and _has(data, part) else None
        nodes = nxt
    return [cand for node in nodes for cand in _candidates(schema, node, data)]


def _has(data, part) -> bool:
    if isinstance(data, dict):
        return part in data
    return isinstance(part, int) and 0 <= part < len(data)


def _data_path(data: Any, loc: tuple) -> tuple:
    """Drop the parts of a pydantic location that name union members, not data."""
    out = []
    for part in loc:
        if isinstance(data, (dict, list)) and _has(data, part):
            out.append(part)
            data = data[part]
    return tuple(out)


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_NAMES = {
    "string_type": "a string", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string `{_shown(value)}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _no_such_date(text: str) -> str:
    """`2026-11-31 is no such date (November 2026 has 30 days)`, or how a date is written."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not match:
        return f"`{text}` is not a date; write YYYY-MM-DD"
    year, month, day = map(int, match.groups())
    if not 1 <= month <= 12:
        return f"`{text}` is no such date: there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    return f"`{text}` is no such date ({calendar.month_name[month]} {year} has {days} days)"


def _message(err: dict, model: type[BaseModel], data: Any, path: tuple) -> tuple[str, str, bool]:
    """(code, summary, at_key) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    field = path[-1] if path else None
    if kind == "extra_forbidden":
        key = err["loc"][-1]
        parent = path[:-1] if path and path[-1] == key else path
        titles = {c.get("title") for c in _schemas_at(model, data, parent)} - {None}
        retired = retired_hint(titles, key, _value_at(data, parent))
        if retired is not None:
            return Code.RETIRED_KEY, retired, True
        allowed = _allowed_keys(model, data, parent)
        return Code.UNKNOWN_KEY, f"unknown key `{key}`{suggest(key, allowed)}", True
    if kind == "missing":
        return Code.MISSING_KEY, f"missing required key `{err['loc'][-1]}`", True
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        return Code.BAD_VALUE, (f"`{_shown(value)}` is not allowed for `{field}`; expected "
                                f"{expected}{suggest(value, options)}"), False
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        options = [o.strip().strip("'") for o in expected.split(",")]
        return Code.BAD_VALUE, (f"`{ctx.get('tag')}` is not a known `{ctx.get('discriminator', 'kind').strip(chr(39))}`; "
                                f"expected {_one_of(options)}{suggest(ctx.get('tag'), options)}"), False
    if kind == "union_tag_not_found":
        return Code.MISSING_KEY, f"missing required key `{ctx.get('discriminator', 'kind').strip(chr(39))}`", False
    if kind == "string_pattern_mismatch":
        helptext = PATTERN_HELP.get(ctx.get("pattern"), f"matching `{ctx.get('pattern')}`")
        code = Code.BAD_VERSION if ctx.get("pattern") == VERSION_PATTERN else Code.BAD_VALUE
        return code, f"`{_shown(value)}` is not {helptext}", False
    if kind.startswith("date") and isinstance(value, str):
        return Code.BAD_VALUE, f"`{field}`: {_no_such_date(value)}", False
    if kind in _TYPE_NAMES:
        return Code.WRONG_TYPE, f"`{field}` should be {_TYPE_NAMES[kind]}, not {_kind_of(value)}", False
    if kind == "value_error":
        # A rule over a whole mapping: name the mapping, and point at its key.
        msg = err["msg"].removeprefix("Value error, ")
        named = ".".join(str(p) for p in path if not isinstance(p, int))
        return Code.BAD_VALUE, (f"`{named}`: {msg}" if named else msg), True
    if kind in ("too_short", "too_long"):
        return Code.BAD_VALUE, f"`{field}` {err['msg'].lower()}", False
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal",
                "string_too_short", "string_too_long"):
        return Code.BAD_VALUE, f"`{field}` {err['msg'].lower()} (got {_shown(value)})", False
    return Code.BAD_VALUE, f"`{field}`: {err['msg']}", False


def _value_at(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, (dict, list)) and _has(data, part):
            data = data[part]
        else:
            return _MISSING
    return data


_MISSING = object()


def parse_document(source: Source, model: type[M], diags: Diagnostics) -> M | None:
    """Validate `source.data` against `model`; report problems at their line and column."""
    data = source.data
    obj: M | None = None
    errored: set[tuple] = set()
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        paths = [_data_path(data, err["loc"]) for err in errors]
        # A misspelt required key gives `unknown key` and `missing required key` for one slip;
        # the unknown key's did-you-mean already names the missing one, so that one is enough.
        meant = {(path[:-1], closest(path[-1], _allowed_keys(model, data, path[:-1])))
                 for err, path in zip(errors, paths) if err["type"] == "extra_forbidden" and path}
        for err, path in zip(errors, paths):
            if any(path[:len(p)] == p for p in source.load_errors):
                continue  # loading reported this value already (alias, refused tag)
            if err["type"] == "missing" and (path, err["loc"][-1]) in meant:
                continue
            if err["type"] == "union_tag_invalid":
                disc = str((err.get("ctx") or {}).get("discriminator", "")).strip("'")
                if isinstance(_value_at(data, path), dict) and disc in _value_at(data, path):
                    path = path + (disc,)  # point at the bad `kind:` value, not the mapping
            code, summary, at_key = _message(err, model, data, path)
            if err["type"] == "missing":
                where = source.where(path, key=True)
            elif at_key:
                where = source.where(path, key=True)
            else:
                where = source.where(path)
            errored.add(path)
            if path in source.ambiguous and code in (Code.WRONG_TYPE, Code.BAD_VALUE):
                yaml11 = _yaml11(model, data, path, *source.ambiguous[path], errored=True)
                if yaml11:
                    code, summary = Code.YAML11, yaml11
            diags.error(code, summary, where, path)
    for path, (text, reading) in source.ambiguous.items():
        if path in errored or any(path[:len(p)] == p for p in source.load_errors):
            continue
        summary = _yaml11(model, data, path, text, reading, errored=False)
        if summary:
            diags.error(Code.YAML11, summary, source.where(path), path)
            obj = None
    return obj if source.clean else None


def _yaml11(model: type[BaseModel], data: Any, path: tuple, text: str, reading: str, *,
            errored: bool) -> str | None:
    """What to tell about a plain scalar that YAML 1.1 tools read differently, or None.

    The advice depends on what the field expects: `true` for a boolean field (`yes`), quotes for
    a string field (`NO`, `0777`). When quoting would not help (the value is already a string
    and still wrong, or the field wants a number), the schema error says it better.
    """
    value = _value_at(data, path)
    types = _expected_types(model, data, path)
    now = "a string" if isinstance(value, str) else f"{_kind_of(value)}"
    if reading.startswith("the boolean ") and "boolean" in types:
        word = reading.rsplit(" ", 1)[-1]
        if "string" in types:
            return (f"`{text}` is {reading} in YAML 1.1 and a string in YAML 1.2; write `{word}` "
                    f"for the boolean or quote it for the string: \"{text}\"")
        return f"`{text}` is {reading} only in YAML 1.1; write `{word}`"
    if "string" in types and not (errored and isinstance(value, str)):
        return f"`{text}` is {reading} in YAML 1.1 and {now} in YAML 1.2; quote it: \"{text}\""
    return None
