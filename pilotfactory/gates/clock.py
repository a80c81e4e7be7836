"""The one source of "today" for governance: evidence ages and future dates are judged against it.

Tests replace `today` (monkeypatch); nothing reads the date from the environment, so a CI variable
cannot make stale evidence look fresh.
"""
from __future__ import annotations

import datetime as dt

__all__ = ["today", "now"]


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    """This instant, aware, in UTC: change windows are judged against it."""
    return dt.datetime.now(dt.timezone.utc)
