"""Which system tables each scheduled SQL job of a stack reads, and as whom: read from the SQL file the
job runs (a `databricks_workspace_file` its `sql_task.file.path` points at), so preflight checks the
statements that will run, not a second list of them.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Mapping

from pilotfactory.tfjson.references import reference

__all__ = ["SqlJobReads", "system_tables", "sql_job_reads"]

# `system.<schema>.<table>` as an identifier; literals and comments are blanked first (a source label
# like 'system.lakeflow.job_run_timeline' reads nothing).
_TABLE = re.compile(r"(?<![\w.`])system\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)(?![\w`])", re.IGNORECASE)
_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.|'')*'", re.DOTALL)


@dataclass(frozen=True)
class SqlJobReads:
    stack: str
    job: str                         # the job's name in the workspace
    run_as: str | None               # the service principal's application id (None: runs as its owner)
    tables: tuple[str, ...]          # system.<schema>.<table>, sorted


def system_tables(sql: str) -> tuple[str, ...]:
    """Every `system.<schema>.<table>` the statements name outside comments and string literals."""
    code = _NOISE.sub(" ", sql)
    return tuple(sorted({f"system.{m.group(1).lower()}.{m.group(2).lower()}" for m in _TABLE.finditer(code)}))


def _file_sql(resources: Mapping[str, Any], path_value: Any) -> str | None:
    ref = reference(path_value)
    if ref is None or ref.type != "databricks_workspace_file":
        return None
    values = resources.get("databricks_workspace_file", {}).get(ref.name)
    content = values.get("content_base64") if values else None
    return base64.b64decode(content).decode("utf-8") if isinstance(content, str) else None


def sql_job_reads(stacks: Mapping[str, Mapping[str, Any]]) -> list[SqlJobReads]:
    """One entry per job with a SQL task reading a system table, in stack and job order."""
    out = []
    for stack_name, stack in stacks.items():
        resources = stack.get("resource", {})
        for values in resources.get("databricks_job", {}).values():
            tables: set[str] = set()
            for task in values.get("task", []) or []:
                file = (task.get("sql_task") or {}).get("file") or {}
                sql = _file_sql(resources, file.get("path"))
                if sql is not None:
                    tables.update(system_tables(sql))
            if tables:
                run_as = (values.get("run_as") or {}).get("service_principal_name")
                out.append(SqlJobReads(stack_name, values["name"], run_as, tuple(sorted(tables))))
    return out
