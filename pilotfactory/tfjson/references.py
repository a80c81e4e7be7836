"""References between resources, as cdktf writes them into Terraform JSON: `${<type>.<name>.<attribute>}`.

One resource pointing at another (`job_id = "${databricks_job.jobs_score_1A2B3C4D.id}"`) is a
string token; this module is the only place that knows its shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Reference", "reference", "reference_to", "referenced_addresses", "is_reference", "resolve_literal"]

# Terraform resource types are lower-case provider_resource names; cdktf names keep the construct
# path's letters, digits, `_` and `-` (Terraform identifiers allow exactly these).
_TYPE = r"[a-z0-9_]+"
_NAME = r"[A-Za-z0-9_-]+"
_ATTRIBUTE = r"[A-Za-z0-9_]+"
_WHOLE = re.compile(rf"^\$\{{({_TYPE})\.({_NAME})\.({_ATTRIBUTE})\}}$")
_INSIDE = re.compile(rf"\$\{{({_TYPE}\.{_NAME})(?:\.{_ATTRIBUTE})*\}}")


@dataclass(frozen=True)
class Reference:
    type: str
    name: str
    attribute: str

    @property
    def address(self) -> str:
        """`databricks_job.jobs_score_1A2B3C4D`: the resource the reference points at."""
        return f"{self.type}.{self.name}"


def reference(value: Any) -> Reference | None:
    """The reference a value is, when the whole value is one `${type.name.attribute}` token."""
    match = _WHOLE.match(value) if isinstance(value, str) else None
    return Reference(*match.groups()) if match else None


def reference_to(address: str, attribute: str) -> str:
    """The reference to `attribute` of the resource (or `data.` source) at `address`, as stacks/
    write it: what `reference` reads back."""
    return "${" + address + "." + attribute + "}"


def referenced_addresses(text: str) -> list[str]:
    """Addresses (`type.name`) of every reference inside a string, nested attributes included."""
    return _INSIDE.findall(text)


def is_reference(value: Any) -> bool:
    """A value only Terraform knows at apply (any `${...}` expression), never a literal to compare."""
    return isinstance(value, str) and "${" in value


def resolve_literal(value: Any, resources: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Any:
    """A reference to a literal attribute of another resource of the same stack, replaced by that
    attribute's value; anything else (or a reference that leads nowhere) unchanged.

    `resources`: the stack's `resource` block, type -> name -> values.
    """
    ref = reference(value)
    if ref is None:
        return value
    return resources.get(ref.type, {}).get(ref.name, {}).get(ref.attribute, value)
