"""Renders the PySpark script that a generated `contract_check` task runs for one data contract."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from pilotfactory.catalog.model.pilot import DataContract

__all__ = ["render_contract_check"]

# Templates ship with Pilot Factory (not contributors), so a sandbox is not needed here.
_JINJA = Environment(
    loader=PackageLoader("generators", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)
# Python literals via repr: catalog strings can never break out of the generated code.
_JINJA.filters["py"] = repr


def render_contract_check(contract: DataContract, *, source: str) -> str:
    """The check script for `contract`; `source` is the repository-relative pilot file it came from."""
    return _JINJA.get_template("contract_check.py.j2").render(
        contract=contract,
        columns=[(c.name, c.type) for c in contract.schema_],
        required=[c.name for c in contract.schema_ if not c.nullable],
        source=source,
    )
