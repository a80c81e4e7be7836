"""The inference-table retention a pilot stack enforces, read from the SQL its retention job runs.

A serving pilot's stack writes `<pilot folder>/housekeeping/inference-retention.sql` (a
`databricks_workspace_file`) and a job running it daily; the SQL deletes rows older than
`date_sub(current_date(), <days>)` (generators/housekeeping_sql.py). What runs is the file, so the
days are read from it, not from a description or a tag that could say otherwise.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Mapping

__all__ = ["RETENTION_KEY", "is_retention_file", "retention_days"]

# The housekeeping key of the retention job: its name's suffix, its task key and its file's name.
RETENTION_KEY = "inference-retention"
_FILE_SUFFIX = f"/housekeeping/{RETENTION_KEY}.sql"
_DAYS = re.compile(r"date_sub\(\s*current_date\(\)\s*,\s*(\d+)\s*\)")


def is_retention_file(values: Mapping[str, Any] | None) -> bool:
    """Whether a `databricks_workspace_file`'s values are a retention job's SQL file."""
    path = (values or {}).get("path")
    return isinstance(path, str) and path.endswith(_FILE_SUFFIX)


def retention_days(values: Mapping[str, Any] | None) -> int | None:
    """The days the file's SQL keeps rows, or None when it cannot be read as our retention SQL
    (a reference, another encoding, no `date_sub`, or two different ages in one file)."""
    content = (values or {}).get("content_base64")
    if not isinstance(content, str):
        return None
    try:
        sql = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    found = {int(days) for days in _DAYS.findall(sql)}
    return found.pop() if len(found) == 1 else None
