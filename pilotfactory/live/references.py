"""Terraform references in a synthesized stack, resolved to what they are in the workspace.

A job's `policy_id` is `${databricks_cluster_policy.x.id}` in the stack: the id of the policy the
stack names, found live by that name (names are unique in a workspace). A contract task's file is
`${databricks_workspace_file.x.workspace_path}`: `/Workspace` + the file's `path` (provider
v1.99.0 docs/resources/workspace_file.md:54). A reference that cannot be resolved is reported, never
silently skipped: drift says the value was not compared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pilotfactory.live.client import Workspace
from pilotfactory.tfjson.references import is_reference, reference
from pilotfactory.tfjson.workspace_paths import wsfs_path

__all__ = ["Unresolved", "References"]

# (type, attribute) -> the literal attribute of the same resource it equals, known without the workspace.
_PATHS = {("databricks_workspace_file", "workspace_path"): ("path", wsfs_path),
          ("databricks_workspace_file", "path"): ("path", str),
          ("databricks_directory", "path"): ("path", str),
          ("databricks_notebook", "path"): ("path", str)}


@dataclass(frozen=True)
class Unresolved:
    path: str          # where in the resource, e.g. job_cluster[0].new_cluster.policy_id
    token: str
    why: str


class References:
    """Resolves one workspace's references; the live policies are listed once, when first needed."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        self._policies: dict[str, list[str]] | None = None   # name -> ids
        self._names: dict[str, str] = {}                      # id -> name

    def _load(self) -> dict[str, list[str]]:
        if self._policies is None:
            self._policies = {}
            for policy in self._ws.call("cluster policies list", self._ws.client.cluster_policies.list):
                if policy.name and policy.policy_id:
                    self._policies.setdefault(policy.name, []).append(policy.policy_id)
                    self._names[policy.policy_id] = policy.name
        return self._policies

    def policy_shown(self, policy_id: Any) -> Any:
        """A live policy id as a reviewer reads it: `<id> (policy `name`)`; an unknown id as it is."""
        self._load()
        name = self._names.get(policy_id) if isinstance(policy_id, str) else None
        return f"{policy_id} (policy `{name}`)" if name else policy_id

    def _one(self, token: str, resources: Mapping[str, Mapping[str, Any]]) -> tuple[Any, str | None]:
        ref = reference(token)
        if ref is None:
            return token, "not a reference to one attribute of a resource of the stack"
        rtype, name, attr = ref.type, ref.name, ref.attribute
        values = resources.get(rtype, {}).get(name)
        if values is None:
            return token, f"the stack has no {rtype}.{name}"
        if (rtype, attr) in _PATHS:
            source, shape = _PATHS[(rtype, attr)]
            literal = values.get(source)
            if isinstance(literal, str) and not is_reference(literal):
                return shape(literal), None
            return token, f"its `{source}` is not a literal"
        if (rtype, attr) == ("databricks_cluster_policy", "id"):
            wanted = values.get("name")
            ids = self._load().get(wanted, []) if isinstance(wanted, str) else []
            if len(ids) != 1:
                return token, (f"no cluster policy is named `{wanted}` in the workspace" if not ids
                               else f"{len(ids)} cluster policies are named `{wanted}`")
            return self.policy_shown(ids[0]), None
        return token, f"{rtype}.{attr} is not read from the workspace"

    def resolve(self, value: Any, resources: Mapping[str, Mapping[str, Any]],
                path: str = "") -> tuple[Any, list[Unresolved]]:
        """`value` with every reference replaced by what it is live; the references that could not be."""
        if isinstance(value, Mapping):
            out, missed = {}, []
            for key, inner in value.items():
                out[key], more = self.resolve(inner, resources, f"{path}.{key}" if path else str(key))
                missed += more
            return out, missed
        if isinstance(value, list):
            items = [self.resolve(v, resources, f"{path}[{i}]") for i, v in enumerate(value)]
            return [v for v, _ in items], [m for _, ms in items for m in ms]
        if is_reference(value):
            resolved, why = self._one(value, resources)
            return resolved, ([Unresolved(path, value, why)] if why else [])
        return value, []

    def shown_live(self, value: Any) -> Any:
        """Live settings with each `policy_id` shown as `policy_shown` shows it, so both sides read alike."""
        if isinstance(value, Mapping):
            return {k: (self.policy_shown(v) if k == "policy_id" else self.shown_live(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.shown_live(v) for v in value]
        return value
