"""Edit values in a YAML file's text so that only the edited values change, byte for byte.

A round-trip dump (ruamel.yaml's included) re-indents sequences and collapses the spaces that
align flow mappings, so a reviewer would see lines change that nobody touched. Instead
ruamel.yaml's round-trip composer finds the exact character span of each node, the new text is
spliced in there, and the result is re-read with the catalog's strict loader and compared with
the data the edits were meant to produce.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Sequence, Union

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pilotfactory.diagnostics.diagnostic import Diagnostics, PilotFactoryError
from pilotfactory.yamlio.source import load_yaml_text

__all__ = ["SetValue", "AppendItem", "DeleteKey", "Edit", "apply_edits", "render_scalar", "YamlEditError"]

Scalar = Union[str, int, bool, dt.date]

# Plain scalars that read back as the same string under YAML 1.2 and under YAML 1.1 tools.
_SAFE_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.@/+-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})


class YamlEditError(PilotFactoryError):
    """The edit cannot be made in place (the path is missing or not the expected kind)."""


@dataclass(frozen=True)
class SetValue:
    """Set the scalar at `path`; a missing last key is added to its mapping (a mapping value only so:
    it is written in flow style)."""

    path: tuple
    value: Scalar | dict


@dataclass(frozen=True)
class AppendItem:
    """Append a flat mapping to the sequence at `path`; a missing top-level key is added."""

    path: tuple
    item: dict[str, Scalar]


@dataclass(frozen=True)
class DeleteKey:
    """Remove the entry at `path` from its mapping; an emptied mapping becomes `{}`."""

    path: tuple


Edit = Union[SetValue, AppendItem, DeleteKey]


def render_scalar(value: Scalar, style: str | None = None) -> str:
    """YAML text for a scalar; keeps the quote style of the value it replaces."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and _SAFE_PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _render_flow(item: dict) -> str:
    return "{" + ", ".join(f"{k}: {_render_flow(v) if isinstance(v, dict) else render_scalar(v)}"
                           for k, v in item.items()) + "}"


def _loaded(value: Scalar) -> Any:
    """The value as the strict loader reads it back (dates stay strings under YAML 1.2)."""
    if isinstance(value, dict):
        return {k: _loaded(v) for k, v in value.items()}
    return value.isoformat() if isinstance(value, dt.date) else value


def _compose(text: str) -> Node:
    try:
        node = YAML().compose(text)
    except YAMLError as exc:
        raise YamlEditError(f"cannot read the file to edit it: {exc}") from exc
    if not isinstance(node, MappingNode):
        raise YamlEditError("the file's top level is not a mapping")
    return node


def _child(node: Node, part: Any) -> Node | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if k.value == part), None)
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _find(root: Node, path: tuple) -> Node | None:
    node = root
    for part in path:
        node = _child(node, part) if node is not None else None
    return node


def _content_end(text: str, node: Node) -> int:
    """Index just after the last character of the node's own content (no trailing blank lines)."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(text, last[1] if isinstance(last, tuple) else last)
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _line_end(text: str, index: int) -> int:
    """Index of the line break ending the line that holds `index` (after any trailing comment)."""
    match = re.compile(r"\r?\n").search(text, index)
    return match.start() if match else len(text)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _is_null(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _replace_null(text: str, root: Node, path: tuple, new: str) -> str:
    """Put `new` where the empty value at `path` is (`key:` alone on its line, or `key: ~`)."""
    *parents, key = path
    key_node, value = next((k, v) for k, v in _find(root, tuple(parents)).value if k.value == key)
    if value.start_mark.index < value.end_mark.index:
        return _splice(text, value.start_mark.index, value.end_mark.index, new)
    colon = text.index(":", key_node.end_mark.index) + 1
    return _splice(text, colon, colon, " " + new)


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _set(text: str, root: Node, edit: SetValue) -> str:
    *parents, key = edit.path
    parent = _find(root, tuple(parents))
    where = ".".join(map(str, edit.path))
    if parent is None:
        raise YamlEditError(f"`{'.'.join(map(str, parents))}` is not in the file, so `{where}` cannot be set")
    node = _child(parent, key)
    if node is not None:
        if not isinstance(node, ScalarNode) or isinstance(edit.value, dict):
            raise YamlEditError(f"`{where}` is not a single value")
        return _splice(text, node.start_mark.index, node.end_mark.index,
                       render_scalar(edit.value, node.style))
    rendered = _render_flow(edit.value) if isinstance(edit.value, dict) else render_scalar(edit.value)
    entry = f"{key}: {rendered}"
    if _is_null(parent):  # `green:` or `green: ~` becomes `green: {key: value}`
        return _replace_null(text, root, tuple(parents), "{" + entry + "}")
    if not isinstance(parent, MappingNode) or not isinstance(key, str):
        raise YamlEditError(f"`{where}` cannot be added: its parent is not a mapping")
    return _add_entry(text, parent, entry)


def _separator(inner: str) -> str:
    """What goes between a flow collection's last item and a new one (it may end in a comma)."""
    inner = inner.rstrip()
    return "" if not inner else " " if inner.endswith(",") else ", "


def _add_entry(text: str, mapping: MappingNode, entry: str) -> str:
    """Add `key: value` text as the mapping's last entry, in the mapping's own style."""
    if mapping.flow_style:
        close = text.rindex("}", mapping.start_mark.index, mapping.end_mark.index)
        inner = text[mapping.start_mark.index + 1:close]
        body_end = mapping.start_mark.index + 1 + len(inner.rstrip())
        return _splice(text, body_end, body_end, _separator(inner) + entry)
    if not mapping.value:
        raise YamlEditError("cannot add a key to an empty block mapping")
    indent = " " * mapping.value[0][0].start_mark.column
    nl = _newline(text)
    at = _line_end(text, _content_end(text, mapping))
    lines = entry.replace("\n", nl + indent)
    return _splice(text, at, at, nl + indent + lines)


def _append(text: str, root: Node, edit: AppendItem) -> str:
    node = _find(root, edit.path)
    item = _render_flow(edit.item)
    where = ".".join(map(str, edit.path))
    if node is None:
        *parents, key = edit.path
        parent = _find(root, tuple(parents))
        if not isinstance(parent, MappingNode) or parent.flow_style:
            raise YamlEditError(f"`{where}` is not in the file and cannot be added here")
        return _add_entry(text, parent, f"{key}:\n  - {item}")
    if _is_null(node):
        return _replace_null(text, root, edit.path, f"[{item}]")
    if not isinstance(node, SequenceNode):
        raise YamlEditError(f"`{where}` is not a list")
    if node.flow_style:
        close = text.rindex("]", node.start_mark.index, node.end_mark.index)
        inner = text[node.start_mark.index + 1:close]
        body_end = node.start_mark.index + 1 + len(inner.rstrip())
        return _splice(text, body_end, body_end, _separator(inner) + item)
    at = _line_end(text, _content_end(text, node))
    indent = " " * node.start_mark.column
    return _splice(text, at, at, _newline(text) + indent + "- " + item)


def _delete(text: str, root: Node, edit: DeleteKey) -> str:
    *parents, key = edit.path
    parent = _find(root, tuple(parents))
    where = ".".join(map(str, edit.path))
    if not isinstance(parent, MappingNode) or _child(parent, key) is None:
        raise YamlEditError(f"`{where}` is not in the file, so it cannot be removed")
    if len(parent.value) == 1:  # the mapping's only entry: the mapping stays, empty
        start = parent.start_mark.index
        end = parent.end_mark.index if parent.flow_style else _content_end(text, parent)
        return _splice(text, start, end, "{}")
    i = next(n for n, (k, _) in enumerate(parent.value) if k.value == key)
    key_node, value = parent.value[i]
    if parent.flow_style:
        if i + 1 < len(parent.value):  # `a: 1, b: 2` -> `b: 2`: up to the next key
            return _splice(text, key_node.start_mark.index, parent.value[i + 1][0].start_mark.index, "")
        prev_end = _content_end(text, parent.value[i - 1][1])  # last entry: from the previous value's end
        return _splice(text, prev_end, _content_end(text, value), "")
    line_start = text.rfind("\n", 0, key_node.start_mark.index) + 1
    end = _line_end(text, _content_end(text, value))
    return _splice(text, line_start, min(end + len(_newline(text)), len(text)), "")


def _expected(data: Any, edit: Edit) -> Any:
    """The strict loader's reading of `data` once `edit` is made."""
    *parents, key = edit.path
    target = data
    for part in parents:
        if target[part] is None:  # `green:` with no value: the edit made it a mapping
            target[part] = {}
        target = target[part]
    if isinstance(edit, SetValue):
        target[key] = _loaded(edit.value)
    elif isinstance(edit, DeleteKey):
        del target[key]
    else:
        if target.get(key) is None:
            target[key] = []
        target[key].append({k: _loaded(v) for k, v in edit.item.items()})
    return data


def apply_edits(text: str, edits: Sequence[Edit], file: str = "<text>") -> str:
    """`text` with each edit made in place; raises YamlEditError when one cannot be made exactly."""
    diags = Diagnostics()
    before = load_yaml_text(text, file, diags)
    if before is None or diags.has_errors:
        raise YamlEditError(f"{file} does not load cleanly; fix it before editing it")
    expected = copy.deepcopy(before.data)
    for edit in edits:
        root = _compose(text)
        text = (_set(text, root, edit) if isinstance(edit, SetValue) else
                _delete(text, root, edit) if isinstance(edit, DeleteKey) else _append(text, root, edit))
        expected = _expected(expected, edit)
    after = load_yaml_text(text, file, Diagnostics())
    if after is None or after.data != expected:
        # Reaching this is a bug in the splicing above, never a user error: refuse to write.
        raise YamlEditError(f"editing {file} in place would not give the intended values; nothing written")
    return text
