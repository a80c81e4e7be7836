"""Can each run-as principal read the system tables its scheduled SQL jobs read?

Facts relied on (each cited in tests/live/test_system_access.py):
- system tables live in the `system` catalog, one schema per area, and each schema must be enabled on
  the metastore by an account admin; `GET /api/2.1/unity-catalog/metastores/{id}/systemschemas` lists
  each schema's state (ENABLE_COMPLETED: enabled; MANAGED: Databricks enables it) and answers only an
  account or metastore admin;
- reading a table takes USE CATALOG on its catalog, USE SCHEMA on its schema and SELECT on it;
- `GET /api/2.1/unity-catalog/effective-permissions/{type}/{name}` (databricks-sdk
  `grants.get_effective`) includes what a principal inherits from the parent securables.
A privilege the API does not show us is missing, never assumed.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.membership import scim_filter
from pilotfactory.tfjson.system_reads import SqlJobReads

__all__ = ["system_access_checks", "ENABLED_STATES"]

ENABLED_STATES = frozenset({"ENABLE_COMPLETED", "MANAGED"})
ALL = "ALL_PRIVILEGES"
_WORDS = {"USE_CATALOG": "USE CATALOG", "USE_SCHEMA": "USE SCHEMA", "SELECT": "SELECT"}


def _held(ws: Workspace, kind: str, name: str, identities: set[str]) -> set[str]:
    """The privileges `identities` hold on `name`, inherited ones included (LiveError when it cannot say)."""
    answer = ws.call(f"effective permissions on {kind} `{name}`", ws.client.grants.get_effective, kind, name)
    return {p.privilege.value for a in answer.privilege_assignments or [] if a.principal in identities
            for p in a.privileges or [] if p.privilege is not None}


def _identities(ws: Workspace, application_id: str) -> set[str]:
    """A grant names the principal by application id, or a group it belongs to."""
    found = ws.call(f"SCIM service principal `{application_id}`", ws.client.service_principals.list,
                    filter=f'applicationId eq "{scim_filter(application_id)}"', attributes="id,applicationId,groups")
    groups = {g.display for s in found if s.application_id == application_id for g in s.groups or [] if g.display}
    return {application_id, *groups}


def _schema_states(ws: Workspace) -> tuple[str | None, dict[str, str] | None, str]:
    """(metastore id, schema -> state or None when it may not be listed, why not)."""
    try:
        metastore = ws.call("current metastore assignment", ws.client.metastores.current).metastore_id
    except LiveError as err:
        if err.fatal:
            raise
        return None, None, str(err)
    try:
        schemas = ws.call(f"system schemas of metastore `{metastore}`", ws.client.system_schemas.list, metastore)
    except LiveError as err:
        if err.fatal:
            raise
        return metastore, None, str(err)
    return metastore, {s.schema: s.state or "" for s in schemas}, ""


def system_access_checks(ws: Workspace, reads: Iterable[SqlJobReads], names: Mapping[str, str]) -> list[Check]:
    """Per system schema: enabled; per run-as principal (`names`: application id -> display name):
    USE CATALOG on `system`, USE SCHEMA on each schema and SELECT on each table its jobs read."""
    reads = [r for r in reads if r.tables]
    if not reads:
        return []
    checks: list[Check] = []
    schemas = sorted({t.split(".")[1] for r in reads for t in r.tables})
    metastore, states, why = _schema_states(ws)
    exists: dict[str, bool] = {}
    for schema in schemas:
        if states is None:
            continue
        state = states.get(schema, "")
        ok = state in ENABLED_STATES
        checks.append(Check("system schema", f"system.{schema}", ok, f"enabled ({state})" if ok else
                            f"{state or 'not listed'}: not enabled; an account admin enables it "
                            f"(databricks system-schemas enable {metastore} {schema})"))
    for principal in sorted({r.run_as for r in reads if r.run_as}):
        who = f"{names.get(principal, principal)} ({principal})"
        try:
            identities = _identities(ws, principal)
        except LiveError as err:
            if err.fatal:
                raise
            checks.append(Check("system tables", who, False, str(err)))
            continue
        mine = [r for r in reads if r.run_as == principal]
        wanted = [("catalog", "system", "USE_CATALOG")]
        wanted += [("schema", f"system.{s}", "USE_SCHEMA") for s in sorted({t.split(".")[1] for r in mine for t in r.tables})]
        wanted += [("table", t, "SELECT") for t in sorted({t for r in mine for t in r.tables})]
        for kind, name, privilege in wanted:
            readers = sorted({r.job for r in mine if any(t == name or t.startswith(name + ".") for t in r.tables)})
            subject = f"{who} {_WORDS[privilege]} {name}"
            try:
                held = _held(ws, kind, name, identities)
            except LiveError as err:
                if err.fatal:
                    raise
                if err.missing and kind == "schema":
                    exists[name] = False
                checks.append(Check("system tables", subject, False, f"{err}" + (
                    ": the system schema is not enabled; an account admin enables it" if err.missing and kind == "schema"
                    else "")))
                continue
            if kind == "schema":
                exists[name] = True
            ok = bool({privilege, ALL} & held)
            checks.append(Check("system tables", subject, ok, f"held ({', '.join(sorted(held & {privilege, ALL}))})"
                                if ok else f"missing: {', '.join(readers)} read{'s' if len(readers) == 1 else ''} it; "
                                f"an account admin grants it: GRANT {_WORDS[privilege]} ON {kind.upper()} {name} "
                                f"TO `{principal}`"))
    if states is None:
        # Listing needs an account or metastore admin; a schema the grants API found is enabled.
        checks[:0] = [Check("system schema", f"system.{s}", bool(exists.get(f"system.{s}")),
                            f"exists (its grants were read; listing refused: {why})" if exists.get(f"system.{s}")
                            else f"cannot be shown enabled: {why}") for s in schemas]
    return checks
