"""Validate rules on names: pilots, their files, jobs and data contracts are each named once."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.tfjson.stacknames import RESERVED_PILOT_NAMES
from pilotfactory.validate.facts import PilotFacts
from pilotfactory.validate.registry import estate_rule, pilot_rule

__all__ = ["RESERVED_NAMES"]

# `<pilot>-<env>` must never equal `account` or `platform-<env>`.
RESERVED_NAMES = RESERVED_PILOT_NAMES


@estate_rule(Code.DUPLICATE_NAME)
def pilot_names_are_unique_and_not_reserved(catalog: Catalog, facts: list[PilotFacts], diags: Diagnostics) -> None:
    """No two pilots share a name, and no pilot takes a name whose stacks would collide."""
    names: dict[str, PilotFacts] = {}
    for pilot in facts:
        if pilot.name in RESERVED_NAMES:
            diags.error(Code.DUPLICATE_NAME, f"`{pilot.name}` is reserved: its stacks would "
                        f"collide with the `{pilot.name}` stacks; choose another name", pilot.name_at, ("name",))
        if pilot.name in names:
            first = names[pilot.name]
            diags.error(Code.DUPLICATE_NAME, f"pilot `{pilot.name}` is also defined in "
                        f"{first.file}", pilot.name_at, ("name",))
        names.setdefault(pilot.name, pilot)


@estate_rule(Code.AMBIGUOUS_STACK_NAME)
def stack_names_read_back(catalog: Catalog, facts: list[PilotFacts], diags: Diagnostics) -> None:
    """Review, drift and CI read a stack's pilot and environment back from its name (tfjson.stacknames).
    Environment names hold no dash, so `<pilot>-<env>` is ambiguous exactly when the pilot's name
    itself ends in `-<env>`: `fraud-prod` is also pilot `fraud`'s stack in prod."""
    if catalog.environments is None:
        return
    envs = list(catalog.environments.environments)
    for pilot in facts:
        name = pilot.name
        ending = next((e for e in envs if name.endswith(f"-{e}")), None)
        if ending is not None and name not in RESERVED_NAMES:
            diags.error(Code.AMBIGUOUS_STACK_NAME, f"`{name}` ends in `-{ending}`, an environment's name: it is "
                        f"also the name of pilot `{name[: -len(ending) - 1]}`'s stack in `{ending}`, so a stack "
                        "name would not tell which pilot it is; choose a name that ends in no environment",
                        pilot.name_at, ("name",))


@pilot_rule(Code.FILE_NAME)
def file_is_named_after_the_pilot(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A pilot named `x` lives in `catalog/pilots/x.yaml`."""
    pilot, src = typed.pilot, typed.source
    stem = typed.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != pilot.name:
        diags.error(Code.FILE_NAME, f"pilot `{pilot.name}` is in file `{typed.file}`; name the file "
                    f"`{pilot.name}.yaml`", src.where(("name",)), ("name",))


@pilot_rule(Code.DUPLICATE_NAME)
def jobs_and_contracts_are_named_once(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """No two jobs, and no two data contracts, of one pilot share a name."""
    pilot, src = typed.pilot, typed.source
    for field, label in (("jobs", "job"), ("data_contracts", "data contract")):
        seen: set[str] = set()
        for i, item in enumerate(getattr(pilot, field)):
            if item.name in seen:
                path = (field, i, "name")
                diags.error(Code.DUPLICATE_NAME, f"two {label}s are named `{item.name}`", src.where(path), path)
            seen.add(item.name)


@pilot_rule(Code.UNKNOWN_COLUMN)
def freshness_column_is_in_the_schema(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A data contract's freshness column is one of its schema's columns."""
    pilot, src = typed.pilot, typed.source
    for i, contract in enumerate(pilot.data_contracts):
        columns = {c.name for c in contract.schema_}
        if contract.freshness and contract.freshness.column not in columns:
            path = ("data_contracts", i, "freshness", "column")
            diags.error(Code.UNKNOWN_COLUMN, f"freshness column `{contract.freshness.column}` is not in "
                        f"the schema of `{contract.name}`{suggest(contract.freshness.column, columns)}",
                        src.where(path), path)
