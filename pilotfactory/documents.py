"""Turning a loaded YAML document into a typed model, with every schema problem located."""
from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .codes import Code
from .diagnostics import Diagnostics
from .model.common import PATTERN_HELP
from .yamlsource import Source

__all__ = ["parse_document", "suggest"]

M = TypeVar("M", bound=BaseModel)


def suggest(word: str, choices) -> str:
    """`; did you mean `x`?` when one choice is close, else nothing."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else ""


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
        data = data[part] if isinstance(data, (dict, list)) and _has(data, part) else None
        nodes = nxt
    keys: list[str] = []
    for node in nodes:
        for cand in _candidates(schema, node, data):
            keys.extend(k for k in cand.get("properties", {}) if k not in keys)
    return keys


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


def _message(err: dict, model: type[BaseModel], data: Any, path: tuple) -> tuple[str, str, bool]:
    """(code, summary, at_key) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    field = path[-1] if path else None
    if kind == "extra_forbidden":
        key = err["loc"][-1]
        allowed = _allowed_keys(model, data, path[:-1] if path and path[-1] == key else path)
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
                                f"expected {expected}{suggest(ctx.get('tag'), options)}"), False
    if kind == "union_tag_not_found":
        return Code.MISSING_KEY, f"missing required key `{ctx.get('discriminator', 'kind').strip(chr(39))}`", False
    if kind == "string_pattern_mismatch":
        helptext = PATTERN_HELP.get(ctx.get("pattern"), f"matching `{ctx.get('pattern')}`")
        return Code.BAD_VALUE, f"`{_shown(value)}` is not {helptext}", False
    if kind in _TYPE_NAMES:
        return Code.WRONG_TYPE, f"`{field}` should be {_TYPE_NAMES[kind]}, not {_kind_of(value)}", False
    if kind == "value_error":
        msg = err["msg"].removeprefix("Value error, ")
        return Code.BAD_VALUE, msg, False
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
        for err in exc.errors(include_url=False):
            path = _data_path(data, err["loc"])
            code, summary, at_key = _message(err, model, data, path)
            if err["type"] == "missing":
                where = source.where(path, key=True)
            elif at_key:
                where = source.where(path, key=True)
            else:
                where = source.where(path)
            errored.add(path)
            if path in source.ambiguous and code in (Code.WRONG_TYPE, Code.BAD_VALUE):
                text, reading = source.ambiguous[path]
                code, summary = Code.YAML11, (f"`{text}` is {reading} in YAML 1.1 and a string in "
                                              f"YAML 1.2; {_advice(text, reading)}")
            diags.error(code, summary, where, path)
    dumped = obj.model_dump(by_alias=True, mode="python") if obj is not None else None
    for path, (text, reading) in source.ambiguous.items():
        if path in errored:
            continue
        value = _value_at(dumped, path) if dumped is not None else _MISSING
        if isinstance(value, bool):
            summary = f"`{text}` is {reading} only in YAML 1.1; write `{str(value).lower()}`"
        elif value is _MISSING or isinstance(value, str) or dumped is None:
            summary = (f"`{text}` is {reading} in YAML 1.1 and a string in YAML 1.2; quote it: "
                       f"\"{text}\"")
        else:
            continue
        diags.error(Code.YAML11, summary, source.where(path), path)
        obj = None
    return obj if source.clean else None


def _advice(text: str, reading: str) -> str:
    return f"quote it: \"{text}\""
