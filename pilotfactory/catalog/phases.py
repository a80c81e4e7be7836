"""The phase ladder a pilot climbs, in order; free of pydantic so the CLI can offer it cheaply."""
from __future__ import annotations

__all__ = ["PHASES"]

PHASES: tuple[str, ...] = ("pilot", "staging", "production")
