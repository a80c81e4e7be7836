"""One row of a live check, and the table the commands print."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = ["Check", "table", "failed"]


@dataclass(frozen=True)
class Check:
    area: str        # workspace, spark version, node type, group, service principal, job, serving, model
    subject: str     # what was looked for
    ok: bool
    detail: str      # why it passed or failed, one line
    stack: str = ""  # the stack the checked object belongs to, where there is one


def failed(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


def table(checks: list[Check]) -> list[str]:
    """Aligned `status  area  subject  detail` lines, header first."""
    rows = [("status", "check", "subject", "detail")] + [
        ("ok" if c.ok else "FAIL", c.area, c.subject, c.detail) for c in checks]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows]
