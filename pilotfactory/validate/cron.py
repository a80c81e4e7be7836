"""Quartz cron expressions, as Databricks job schedules use them.

Seven fields (the year optional): seconds minutes hours day-of-month month day-of-week [year].
Exactly one of day-of-month and day-of-week is `?`.
"""
from __future__ import annotations

import re

__all__ = ["quartz_error", "day_of_week_names"]

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

# name, low, high, names (valued from low)
_FIELDS = [
    ("seconds", 0, 59, None),
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2099, None),
]


def _number(token: str, low: int, high: int, names) -> int:
    if names and token.upper() in names:
        return names.index(token.upper()) + low
    if not token.isdigit():
        raise ValueError(f"`{token}` is not a number")
    value = int(token)
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}-{high}")
    return value


def _check_field(text: str, index: int) -> None:
    name, low, high, names = _FIELDS[index]
    if text == "?":
        if name not in ("day-of-month", "day-of-week"):
            raise ValueError("`?` is only allowed in day-of-month or day-of-week")
        return
    for part in text.split(","):
        if not part:
            raise ValueError("empty list item")
        if name == "day-of-month" and (part in ("L", "LW") or re.fullmatch(r"L-\d{1,2}", part)):
            continue
        if name == "day-of-month" and re.fullmatch(r"\d{1,2}W", part):
            _number(part[:-1], low, high, None)
            continue
        if name == "day-of-week" and re.fullmatch(r"[1-7A-Za-z]{1,3}#[1-5]", part):
            _number(part.split("#")[0], low, high, names)
            continue
        if name == "day-of-week" and re.fullmatch(r"[1-7A-Za-z]{0,3}L", part):
            if part != "L":
                _number(part[:-1], low, high, names)
            continue
        base, _, step = part.partition("/")
        if step:
            if not step.isdigit() or int(step) == 0:
                raise ValueError(f"step `/{step}` is not a positive number")
        if base == "*":
            continue
        start, dash, end = base.partition("-")
        first = _number(start, low, high, names)
        if dash:
            last = _number(end, low, high, names)
            if last < first and name not in ("day-of-week", "month", "hours", "minutes", "seconds"):
                raise ValueError(f"range {base} runs backwards")


def _from_unix(fields: list[str]) -> str:
    """The Quartz spelling of a five-field Unix cron, for the hint."""
    minute, hour, dom, month, dow = fields
    if dow == "*":
        dow = "?"
    elif dom == "*":
        dom = "?"
    return " ".join(["0", minute, hour, dom, month, dow])


def quartz_error(expression: str) -> str | None:
    """Why `expression` is not a valid Quartz cron expression, or None when it is."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        unix = len(fields) == 5
        hint = f"; in Quartz this one is `{_from_unix(fields)}`" if unix else ""
        return f"has {len(fields)} fields{', like a Unix cron' if unix else ''}; Quartz needs 6 or " \
               f"7: seconds minutes hours day-of-month month day-of-week [year]{hint}"
    for index, text in enumerate(fields):
        try:
            _check_field(text, index)
        except ValueError as exc:
            return f"{_FIELDS[index][0]} field `{text}`: {exc}"
    dom, dow = fields[3], fields[5]
    if (dom == "?") == (dow == "?"):
        return "exactly one of day-of-month and day-of-week must be `?`"
    return None


def day_of_week_names(expression: str) -> str | None:
    """The day-of-week field with numbers written as names (`2-6` -> `MON-FRI`), or None when it
    has no numbered day: in Quartz 1 is Sunday, where Unix cron counts from 0 = Sunday, 1 = Monday."""
    fields = expression.split()
    if len(fields) not in (6, 7) or not re.search(r"(?<![#/])\b[1-7]\b", fields[5]):
        return None
    return re.sub(r"(?<![#/])\b([1-7])\b", lambda m: _DAYS[int(m.group(1)) - 1], fields[5])
