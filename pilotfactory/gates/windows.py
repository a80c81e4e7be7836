"""Change windows: whether a protected environment accepts a change at a given instant, and when next.

Windows are weekly and read in the environment's own time zone, on the wall clock: a window of
10:00-16:00 opens at 10:00 local time in winter and in summer alike. Freezes close every window
from the first day's 00:00 to the end of the last day. Instants are always timezone-aware; the
answer names the next opening as a local time with its offset, so a reviewer reads it unambiguously.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pilotfactory.catalog.model.config import ChangeControl

__all__ = ["WindowState", "window_state", "DAYS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HORIZON_DAYS = 400  # a freeze longer than a year is a decision, not a calendar: say "none"


@dataclass(frozen=True)
class WindowState:
    open: bool
    reason: str                              # why it is open or closed, in a reviewer's words
    next_open: dt.datetime | None = None     # when closed: the next instant changes are accepted
    closes: dt.datetime | None = None        # when open: the instant the current window ends


def _clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The instant the wall clock in `zone` shows `at` on `day`. In a spring-forward gap the clock
    never shows it: `fold=0` reads it with the offset before the gap, so it lands the gap's length
    later (01:30 on the London change day is 02:30 BST); in a fall-back hour, the first of the two."""
    naive = dt.datetime.combine(day, at)
    return naive.replace(tzinfo=zone).astimezone(dt.timezone.utc).astimezone(zone)


def _intervals(cc: ChangeControl, zone: ZoneInfo, first: dt.date, last: dt.date):
    """Every window occurrence starting on a day from `first` to `last`, in order of start."""
    out = []
    day = first
    while day <= last:
        name = DAYS[day.weekday()]
        for window in cc.windows:
            if name in window.days:
                start, end = _clock(window.start), _clock(window.end)
                end_day = day if end > start else day + dt.timedelta(days=1)
                out.append((_local(day, start, zone), _local(end_day, end, zone)))
        day += dt.timedelta(days=1)
    return sorted(out)


def _freezes(cc: ChangeControl, zone: ZoneInfo):
    """(start, end, reason) of each freeze as instants: first day 00:00 to the day after the last."""
    out = []
    for freeze in cc.freezes:
        first, last = dt.date.fromisoformat(freeze.start), dt.date.fromisoformat(freeze.end)
        out.append((_local(first, dt.time(0), zone), _local(last + dt.timedelta(days=1), dt.time(0), zone),
                    freeze.reason, freeze))
    return out


def _frozen(freezes, at: dt.datetime):
    return next((f for f in freezes if f[0] <= at < f[1]), None)


def window_state(cc: ChangeControl, at: dt.datetime) -> WindowState:
    """Whether `at` (aware) falls in a window and in no freeze; if not, the next instant that does."""
    if at.tzinfo is None:
        raise ValueError("window_state needs an aware datetime")
    zone = ZoneInfo(cc.timezone)
    now = at.astimezone(zone)
    freezes = _freezes(cc, zone)
    # Windows that started up to a day before today may still be open (overnight windows).
    intervals = _intervals(cc, zone, now.date() - dt.timedelta(days=1),
                           now.date() + dt.timedelta(days=_HORIZON_DAYS))
    current = next(((s, e) for s, e in intervals if s <= now < e), None)
    frozen = _frozen(freezes, now)
    if current and not frozen:
        return WindowState(True, f"in the window {_span(*current)}", closes=current[1])
    reason = (f"frozen until {_when(frozen[1])}: {frozen[2]}" if frozen
              else "outside every change window")
    for start, end in intervals:
        if end <= now:
            continue
        candidate = max(start, now)
        # Step past freezes that cover the candidate, staying inside this window occurrence.
        while (hit := _frozen(freezes, candidate)) is not None and candidate < end:
            candidate = hit[1]
        if candidate < end and candidate > now:
            return WindowState(False, reason, next_open=candidate)
    return WindowState(False, reason + f"; no window opens in the next {_HORIZON_DAYS} days")


def _when(at: dt.datetime) -> str:
    return at.strftime("%a %Y-%m-%d %H:%M %Z (UTC%z)")


def _span(start: dt.datetime, end: dt.datetime) -> str:
    return f"{_when(start)} to {_when(end)}"
