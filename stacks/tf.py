"""Terraform elements built in Python, handed to the CDK engine once per stack.

A stack's resources, data sources and provider are plain Python objects in a tree of `Scope`s
under one `Stack`; `Stack.close()` gives their JSON to the engine's `TerraformStack` in one
override per top-level block. The engine still makes the app, the stacks, their backends,
outputs, remote-state reads, dependencies and the manifest; it no longer makes a jsii object per
construct and per nested struct, which was most of a cold synth (README, "Benchmarks").

What the engine did for each element, done here the same way so nothing a reviewer or Terraform
sees moves:
- addresses: `logical_id` is cdktf's naming scheme (cdktf 0.21 `lib/private/unique.js`,
  `TerraformStack.allocateLogicalId`), so every resource keeps its address (tests compare it with
  the engine's on many paths);
- construct ids: a "/" in an id becomes "--" and an id is unique among its siblings, as in
  `constructs` (`sanitizeId`, `Node.addChild`);
- each element's `//` metadata (its construct path and unique id), `depends_on` as addresses and
  `lifecycle`;
- arguments that are None are left out, as the provider classes left out what was not set.

The provider classes also checked attribute names and types as each object was made; that check
is now `tests/deploy/test_provider_schema.py`, which holds every block of every stack of its
catalogs against the provider schema the installed provider package carries.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable, Mapping

from pilotfactory.tfjson.references import reference_to

from .engine import PROVIDER, Engine

__all__ = ["Scope", "Stack", "Resource", "DataSource", "logical_id"]

_HIDDEN = "Default"              # left out of a logical id entirely
_HIDDEN_FROM_HUMAN = "Resource"  # in the hash, not in the readable part
_MAX_HUMAN, _MAX_ID, _HASH_LEN = 240, 255, 8
_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")


def logical_id(components: Iterable[str]) -> str:
    """The address name of an element whose construct path below its stack is `components`:
    the readable path (repeats and "Resource" dropped, at most 240 characters) and 8 hex digits
    of the md5 of the full path; a top-level element keeps its id."""
    parts = [c for c in components if c != _HIDDEN]
    if not parts:
        raise ValueError("an element needs a construct id")
    if len(parts) == 1:
        candidate = _DISALLOWED.sub("", parts[0])
        if len(candidate) <= _MAX_ID:
            return candidate
    digest = hashlib.md5("/".join(parts).encode("utf-8")).hexdigest()[:_HASH_LEN].upper()
    readable: list[str] = []
    for part in parts:
        if not readable or not readable[-1].endswith(part):
            readable.append(part)
    human = "_".join(_DISALLOWED.sub("", p) for p in readable if p != _HIDDEN_FROM_HUMAN)[:_MAX_HUMAN]
    return f"{human}_{digest}"


class Scope:
    """A node of a stack's construct tree: an id below a parent, and the path they make."""

    def __init__(self, scope: "Scope", id: str):
        id = id.replace("/", "--")
        if not id:
            raise ValueError(f"an empty construct id below {scope.node_path!r}")
        scope._claim(id)
        self.node_id = id
        self.stack: Stack = scope.stack
        self.components: tuple[str, ...] = scope.components + (id,)
        self.node_path = f"{scope.node_path}/{id}"
        self._children: set[str] = set()

    def _claim(self, id: str) -> None:
        """Take `id` among this scope's children; ids are unique among siblings (constructs' addChild)."""
        if id in self._children:
            raise ValueError(f"There is already a construct with id {id!r} in {self.node_path!r}")
        self._children.add(id)


class Stack(Scope):
    """The Python side of one `TerraformStack`: elements are added to it, then `close()` hands
    them to the engine's stack, which the app synthesizes."""

    def __init__(self, app: Any, stack_id: str):
        self.engine = Engine.of(app)
        self.tf = self.engine.TerraformStack(app, stack_id)
        Engine.of(app, child=self.tf)
        self.node_id = stack_id
        self.stack = self
        self.components = ()
        self.node_path = stack_id
        self._children = set()
        self._blocks: dict[str, dict[str, dict[str, dict]]] = {"resource": {}, "data": {}}
        self._provider: dict | None = None
        self._closed = False

    def reserve(self, id: str) -> str:
        """Claim a top-level id for an element the engine makes itself (a remote-state read, an
        output), so no Python element takes it too."""
        self._claim(id)
        return id

    def provider(self, config: Mapping[str, Any]) -> None:
        """The stack's Databricks provider block (no alias: one provider per stack)."""
        if self._provider is not None:
            raise ValueError(f"{self.node_path}: the Databricks provider is configured already")
        self._provider = _clean(config)

    def _add(self, element: "Resource") -> None:
        if self._closed:
            raise ValueError(f"{element.node_path}: the stack was handed to the engine already")
        of_type = self._blocks[element.block].setdefault(element.type, {})
        if element.logical_id in of_type:
            raise ValueError(f"{element.node_path}: logical id {element.logical_id!r} is taken in {self.node_path}")
        of_type[element.logical_id] = element.body

    def close(self) -> Any:
        """Hand every element to the engine's stack (one override per top-level block); returns it."""
        if self._closed:
            return self.tf
        self._closed = True
        if self._provider is not None:
            source, version = PROVIDER
            self.tf.add_override("terraform.required_providers", {"databricks": {"source": source, "version": version}})
            self.tf.add_override("provider", {"databricks": [self._provider]})
        for block, types in self._blocks.items():
            if types:
                self.tf.add_override(block, {t: dict(sorted(named.items())) for t, named in sorted(types.items())})
        return self.tf


class Resource(Scope):
    """One Terraform resource: its type, arguments, dependencies and lifecycle."""

    block = "resource"

    def __init__(self, scope: Scope, id: str, type: str, arguments: Mapping[str, Any], *,
                 depends_on: Iterable["Resource"] = (), prevent_destroy: bool = False):
        super().__init__(scope, id)
        self.type = type
        self.logical_id = logical_id(self.components)
        body = _clean(arguments)
        after = [d.address for d in depends_on]
        if after:
            body["depends_on"] = after
        if prevent_destroy:
            body["lifecycle"] = {"prevent_destroy": True}
        body["//"] = {"metadata": {"path": self.node_path, "uniqueId": self.logical_id}}
        self.body = body
        self.stack._add(self)

    @property
    def address(self) -> str:
        """`type.name`, as `depends_on` and `terraform state` name it."""
        return f"{self.type}.{self.logical_id}"

    def attr(self, name: str) -> str:
        """A reference to one of its attributes, resolved by Terraform at plan or apply."""
        return reference_to(self.address, name)

    @property
    def id(self) -> str:
        """A reference to its `id` attribute."""
        return self.attr("id")


class DataSource(Resource):
    """One Terraform data source: read at plan time, so a missing object stops the plan."""

    block = "data"

    @property
    def address(self) -> str:
        return f"data.{self.type}.{self.logical_id}"


def _clean(value: Any) -> Any:
    """`value` without the None arguments (at any depth), as the provider classes wrote it."""
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value
