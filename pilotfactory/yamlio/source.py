"""Strict YAML loading that remembers where every value came from.

Built on PyYAML's event stream (libyaml when available) rather than its constructors, so that
anchors, aliases, tags, duplicate keys and YAML 1.1 look-alikes are seen and reported, never
silently accepted. Plain scalars resolve with the YAML 1.2 core schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.yamlio.secrets import find_literal_secrets

__all__ = ["Source", "load_yaml_file", "load_yaml_text", "load_yaml_bytes", "read_yaml_bytes", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1024 * 1024

try:  # libyaml is an order of magnitude faster; the pure-Python parser gives the same events
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

YamlPath = tuple  # of str | int


@dataclass
class Source:
    """One YAML document: its data and the position of each value and each mapping key."""

    file: str
    data: Any = None
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)
    # plain scalars that YAML 1.1 reads differently: path -> (text, what YAML 1.1 makes of it)
    ambiguous: dict[YamlPath, tuple[str, str]] = field(default_factory=dict)
    clean: bool = True  # False when loading reported errors
    # paths whose value loading already reported (alias, refused tag): schema errors there would
    # only repeat the same problem in other words
    load_errors: set[YamlPath] = field(default_factory=set)

    def where(self, path: YamlPath, *, key: bool = False) -> Location:
        """The position of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]


# YAML 1.2 core schema, plain scalars only.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

# What YAML 1.1 (PyYAML, many older tools) reads differently from YAML 1.2.
_Y11_BOOL = {
    **{w: "true" for w in ("yes", "Yes", "YES", "on", "On", "ON", "y", "Y")},
    **{w: "false" for w in ("no", "No", "NO", "off", "Off", "OFF", "n", "N")},
}
_Y11_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_Y11_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_Y11_UNDERSCORE = re.compile(r"^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)$")

_CORE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


def _resolve_plain(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT10.match(text):
        return int(text)
    if _INT8.match(text):
        return int(text[2:], 8)
    if _INT16.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _yaml11_reading(text: str) -> str | None:
    """What YAML 1.1 makes of a plain scalar, when that differs from YAML 1.2."""
    if text in _Y11_BOOL:
        return f"the boolean {_Y11_BOOL[text]}"
    if _Y11_SEXAGESIMAL.match(text):
        return "a base-60 number"
    if _Y11_OCTAL.match(text):
        return "an octal number"
    if "_" in text and _Y11_UNDERSCORE.match(text):
        return "a number"
    if text.startswith(("0b", "-0b", "+0b")) and _Y11_UNDERSCORE.match(text):
        return "a binary number"
    return None


def _tag_value(tag: str, text: str) -> tuple[Any, bool]:
    """Apply an explicit core tag; returns (value, ok)."""
    short = tag.rsplit(":", 1)[-1]
    if short == "str":
        return text, True
    value = _resolve_plain(text)
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "null": value is None,
    }.get(short, False)
    if short == "float" and ok:
        value = float(value)
    return value, ok


def _explicit_tag(event) -> bool:
    return event.tag is not None and event.tag != "!" and not any(event.implicit)


class _Builder:
    def __init__(self, file: str, diags: Diagnostics):
        self.file = file
        self.diags = diags
        self.source = Source(file)
        self.anchors: set[str] = set()

    def loc(self, mark) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def check_node(self, event) -> None:
        if getattr(event, "anchor", None):
            self.diags.error(Code.ANCHOR, f"anchor `&{event.anchor}`: anchors and aliases are not "
                             "allowed; write the value out in full", self.loc(event.start_mark))

    def build(self, events, path: YamlPath) -> Any:
        event = next(events)
        if isinstance(event, yaml.AliasEvent):
            self.source.values[path] = self.loc(event.start_mark)
            # Never expanded: an alias of an alias of ... is how a small file becomes gigabytes.
            # Schema errors under this path would repeat the same problem, so they are skipped.
            if event.anchor in self.anchors:
                self.diags.error(Code.ANCHOR, f"alias `*{event.anchor}`: anchors and aliases are "
                                 "not allowed; write the value out in full", self.loc(event.start_mark))
            else:
                self.diags.error(Code.ANCHOR, f"alias `*{event.anchor}` refers to no anchor; anchors "
                                 "and aliases are not allowed anyway: write the value out in full",
                                 self.loc(event.start_mark))
            self.source.load_errors.add(path)
            return None
        self.check_node(event)
        self.source.values[path] = self.loc(event.start_mark)
        value = self.node(event, events, path)
        if getattr(event, "anchor", None):
            self.anchors.add(event.anchor)
        return value

    def node(self, event, events, path: YamlPath) -> Any:
        tag = getattr(event, "tag", None)
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event, path, tag)
        if tag and not event.implicit and tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            self.bad_tag(tag, event, path)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(self.peek(events), yaml.SequenceEndEvent):
                items.append(self.build(events, path + (len(items),)))
            next(events)
            return items
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(events, path)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def bad_tag(self, tag: str, event, path: YamlPath | None = None) -> None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        self.diags.error(Code.TAG, f"tag `{shown}` is not allowed: the catalog is plain data",
                         self.loc(event.start_mark))
        if path is not None:
            self.source.load_errors.add(path)

    def scalar(self, event, path: YamlPath, tag: str | None) -> Any:
        text = event.value
        if _explicit_tag(event):
            if tag not in _CORE_TAGS or tag.endswith((":map", ":seq")):
                self.bad_tag(tag, event, path)
                return text
            value, ok = _tag_value(tag, text)
            if not ok:
                self.diags.error(Code.TAG, f"`{text}` is not a valid {tag.rsplit(':', 1)[-1]}",
                                 self.loc(event.start_mark))
                self.source.load_errors.add(path)
            return value
        if event.style:  # quoted or block scalar: always a string
            return text
        reading = _yaml11_reading(text)
        if reading:
            self.source.ambiguous[path] = (text, reading)
        return _resolve_plain(text)

    def mapping(self, events, path: YamlPath) -> dict:
        out: dict[str, Any] = {}
        while not isinstance(self.peek(events), yaml.MappingEndEvent):
            key_event = next(events)
            if not isinstance(key_event, yaml.ScalarEvent):
                self.diags.error(Code.SYNTAX, "a mapping key must be a plain name, not a "
                                 "list, a mapping or an alias", self.loc(key_event.start_mark))
                self.skip(events, key_event)
                self.build(events, path + ("?",))
                continue
            self.check_node(key_event)
            if _explicit_tag(key_event) and key_event.tag != "tag:yaml.org,2002:str":
                self.bad_tag(key_event.tag, key_event)
            key = key_event.value
            key_loc = self.loc(key_event.start_mark)
            if key in out:
                first = self.source.keys[path + (key,)]
                self.diags.error(Code.DUPLICATE_KEY, f"duplicate key `{key}`: first defined at "
                                 f"line {first.line}, column {first.column}", key_loc, path + (key,))
                _Builder(self.file, self.diags).build(events, path + (key,))  # read past it
                continue
            self.source.keys[path + (key,)] = key_loc
            out[key] = self.build(events, path + (key,))
        next(events)
        return out

    @staticmethod
    def peek(events):
        return events.peek()

    def skip(self, events, start) -> None:
        depth = 1 if isinstance(start, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
        while depth:
            ev = next(events)
            if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1


class _Peekable:
    def __init__(self, it):
        self._it = iter(it)
        self._head: list = []

    def __iter__(self):
        return self

    def __next__(self):
        if self._head:
            return self._head.pop()
        return next(self._it)

    def peek(self):
        if not self._head:
            self._head.append(next(self._it))
        return self._head[-1]


def _decode(raw: bytes, file: str, diags: Diagnostics) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        diags.error(Code.ENCODING, f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as "
                    "UTF-8", Location(file, line, col))
        return None


def _check_tabs(text: str, file: str, diags: Diagnostics) -> bool:
    ok = True
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab >= 0:
            diags.error(Code.TAB, "tab character in indentation; indent with spaces",
                        Location(file, number, tab + 1))
            ok = False
    return ok


def load_yaml_text(text: str, file: str, diags: Diagnostics) -> Source | None:
    """Parse one YAML document held in `text`; every problem goes to `diags`."""
    if not _check_tabs(text, file, diags):
        return None
    builder = _Builder(file, diags)
    before = len(diags.errors)
    events = _Peekable(yaml.parse(text, Loader=_Parser))
    try:
        next(events)  # StreamStart
        if isinstance(events.peek(), yaml.StreamEndEvent):
            diags.error(Code.EMPTY, "the file is empty; it should hold one YAML mapping",
                        Location(file, 1, 1))
            return None
        next(events)  # DocumentStart
        data = builder.build(events, ())
        next(events)  # DocumentEnd
        extra = next(events)
        if not isinstance(extra, yaml.StreamEndEvent):
            diags.error(Code.SYNTAX, "a second YAML document (`---`); keep one document per file",
                        builder.loc(extra.start_mark))
            return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            cm = exc.context_mark
            started = f" started at line {cm.line + 1}, column {cm.column + 1}" if cm and mark and \
                (cm.line, cm.column) != (mark.line, mark.column) else ""
            problem = f"{problem} ({exc.context}{started})"
        diags.error(Code.SYNTAX, f"YAML syntax: {problem}",
                    Location(file, mark.line + 1, mark.column + 1) if mark else Location(file))
        return None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a position too
        pos = getattr(exc, "position", None)
        if pos is not None:
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            loc = Location(file, line, col)
        else:
            loc = Location(file)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        diags.error(Code.SYNTAX, f"YAML syntax: {reason}", loc)
        return None
    if data is None:
        diags.error(Code.EMPTY, "the file is empty; it should hold one YAML mapping",
                    Location(file, 1, 1))
        return None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        diags.error(Code.NOT_MAPPING, f"the top level is {kind}; it must be a mapping of keys "
                    "to values", builder.source.values.get((), Location(file)))
        return None
    builder.source.data = data
    for path, summary in find_literal_secrets(data):
        diags.error(Code.LITERAL_SECRET, summary, builder.source.where(path), path)
    # Duplicates, anchors, tags and secrets are reported, yet the data is still whole enough to be
    # checked against the schema, so the user sees every problem of the file in one run.
    builder.source.clean = len(diags.errors) == before
    return builder.source


def read_yaml_bytes(path: Path, display: str, diags: Diagnostics) -> bytes | None:
    """The file's bytes, or None with the reason in `diags` (too large, unreadable)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.error(Code.TOO_LARGE, f"the file is {size:,} bytes; the limit is "
                        f"{MAX_FILE_BYTES:,} (1 MiB)", Location(display, 1, 1))
            return None
        return path.read_bytes()
    except OSError as exc:
        diags.error(Code.UNREADABLE, f"cannot read the file: {exc.strerror or exc}",
                    Location(display, 1, 1))
        return None


def load_yaml_bytes(raw: bytes, display: str, diags: Diagnostics) -> Source | None:
    """Decode (UTF-8, an optional BOM) and parse one file's bytes."""
    text = _decode(raw, display, diags)
    if text is None:
        return None
    return load_yaml_text(text, display, diags)


def load_yaml_file(path: Path, display: str, diags: Diagnostics) -> Source | None:
    """Read and parse `path`, reporting it as `display` (a repository-relative name)."""
    raw = read_yaml_bytes(path, display, diags)
    return None if raw is None else load_yaml_bytes(raw, display, diags)
