"""What every gate criterion reads (one typed pilot, the platform config, the date) and returns."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pilotfactory.catalog.model import Pilot
from pilotfactory.catalog.model.config import Gates, Roles
from pilotfactory.diagnostics.diagnostic import Location
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.yamlio.source import Source

__all__ = ["Criterion", "GateContext"]


@dataclass(frozen=True)
class Criterion:
    name: str
    passed: bool
    reason: str
    where: Location            # the catalog line involved
    path: tuple = ()           # its YAML path in the pilot file
    code: str = ""             # reported when this criterion keeps a declared phase from being earned
    rule: Location | None = None  # the line of config/gates.yaml that asks for it
    warning: str = ""          # passes, but evidence ages out soon (or has, under content approved before)
    aged: bool = False         # passes only because its content was approved while the evidence was fresh
    key: str = ""              # what config/controls.yaml names it by: `intake.<name>` or the exit-gate key


@dataclass
class GateContext:
    root: Path
    pilot: Pilot
    src: Source
    roles: Roles
    gates: Gates
    gates_src: Source | None
    today: dt.date
    opens: dict[str, tuple[str, ...]]  # gate -> the environments it opens (what its digest covers)
    cache: ContentCache | None = None  # evidence already read, by digest

    def at(self, path: tuple, *, key: bool = False) -> tuple[Location, tuple]:
        """Where `path` is in the pilot; if the pilot does not have it at all, its `phase:` line."""
        if path and path[0] in self.src.data:
            return self.src.where(path, key=key), path
        return self.src.where(("phase",)), ("phase",)

    def rule(self, *path, key: bool = False) -> Location | None:
        return self.gates_src.where(path, key=key) if self.gates_src is not None else None

    def criterion(self, name: str, passed: bool, reason: str, path: tuple, code: str,
                  rule: Location | None, *, key: bool = False) -> Criterion:
        where, path = self.at(path, key=key)
        return Criterion(name, passed, reason, where, path, code, rule)

    def age(self, date: dt.date) -> int:
        return (self.today - date).days
