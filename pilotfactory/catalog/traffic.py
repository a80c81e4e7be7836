"""Live traffic of one release in one environment: the active slot, an optional canary, idle slots.

The one reading of `release.active` and `release.canary`: resolve (and so the stacks), validate,
the release commands, the runbook and the emergency rollback all ask this module which slot
takes what, so no reader can guess the canary onto the wrong slot.
"""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.model.pilot import Release

__all__ = ["Traffic", "traffic_of"]


@dataclass(frozen=True)
class Traffic:
    """Who takes traffic in one environment. `percent` is the canary's share (0 without one)."""

    active: str
    canary: str | None
    percent: int
    idle: tuple[str, ...]

    def role(self, slot: str) -> str:
        """`active`, `canary` or `idle`."""
        return "active" if slot == self.active else "canary" if slot == self.canary else "idle"

    def share(self, slot: str) -> int:
        """Percent of serving traffic the slot takes."""
        return {"active": 100 - self.percent, "canary": self.percent}.get(self.role(slot), 0)

    def live(self, slot: str) -> bool:
        """Takes traffic and runs its jobs on schedule: the active slot and the canary."""
        return self.role(slot) != "idle"

    def words(self) -> str:
        """`blue 90%, canary green 10%, idle: none`: the state as the commands print it."""
        out = f"active `{self.active}` {100 - self.percent}%"
        if self.canary is not None:
            out += f", canary `{self.canary}` {self.percent}%"
        return out + f", idle {', '.join(f'`{s}`' for s in self.idle) or 'none'}"


def traffic_of(release: Release, env: str) -> Traffic | None:
    """The traffic of `env`; None when the release names no valid active slot there (validate says why).
    A canary on an undeclared slot or on the active slot is ignored here and refused by validate."""
    if release.strategy == "single":
        if len(release.slots) != 1:
            return None
        (only,) = release.slots
        return Traffic(only, None, 0, ())
    active = release.active.get(env)
    if active not in release.slots:
        return None
    canary = release.canary.get(env)
    if canary is not None and (canary.slot == active or canary.slot not in release.slots):
        canary = None
    idle = tuple(sorted(s for s in release.slots if s != active and (canary is None or s != canary.slot)))
    return Traffic(active, canary.slot if canary else None, canary.percent if canary else 0, idle)
