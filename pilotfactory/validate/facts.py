"""What the cross-file (estate) rules read of each pilot: a few values and where they are, the same
whether the pilot was just typed or its results were read back from the validate cache."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.diagnostic import Location

__all__ = ["PilotFacts", "facts_of"]


@dataclass(frozen=True)
class PilotFacts:
    file: str
    name: str
    name_at: Location
    builders: str | None
    builders_at: Location

    def freeze(self) -> tuple:
        return (self.file, self.name, _at(self.name_at), self.builders,
                _at(self.builders_at))

    @classmethod
    def thaw(cls, value) -> "PilotFacts":
        file, name, name_at, builders, builders_at = value
        if not (isinstance(file, str) and isinstance(name, str) and (builders is None or isinstance(builders, str))):
            raise TypeError("not pilot facts")
        return cls(file, name, Location(*name_at), builders, Location(*builders_at))


def _at(loc: Location) -> tuple:
    return (loc.file, loc.line, loc.column)


def facts_of(typed: TypedPilot) -> PilotFacts:
    return PilotFacts(typed.file, typed.pilot.name, typed.source.where(("name",)), typed.pilot.owners.builders,
                      typed.source.where(("owners", "builders")))
