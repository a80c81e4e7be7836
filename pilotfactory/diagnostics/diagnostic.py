"""Diagnostics: what every step of the pipeline reports instead of raising."""
from __future__ import annotations

import dataclasses
import enum
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator

__all__ = [
    "Severity",
    "Location",
    "Diagnostic",
    "Diagnostics",
    "PilotFactoryError",
    "DiagnosticsError",
]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file; line and column are 1-based, as editors show them."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    summary: str
    location: Location | None = None
    path: tuple[str | int, ...] = ()
    step: str | None = None       # the pipeline step that reported it (pilotfactory.pipeline.STEPS)

    @property
    def yaml_path(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.summary}"

    def sort_key(self) -> tuple:
        loc = self.location or Location("")
        return (loc.file, loc.line, loc.column, self.code, self.summary)

    def as_dict(self) -> dict:
        loc = self.location
        return {
            "severity": self.severity.value,
            "code": self.code,
            "summary": self.summary,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "path": self.yaml_path or None,
            "step": self.step,
        }


@dataclass
class Diagnostics:
    """An ordered collection that every step appends to; nothing stops at the first problem."""

    items: list[Diagnostic] = field(default_factory=list)
    current_step: str | None = None   # stamped on what is reported while a step runs

    @contextmanager
    def step(self, name: str) -> Iterator["Diagnostics"]:
        """Everything reported inside the block carries `step=name`."""
        outer, self.current_step = self.current_step, name
        try:
            yield self
        finally:
            self.current_step = outer

    def error(self, code: str, summary: str, location: Location | None = None,
              path: tuple = ()) -> None:
        self.items.append(Diagnostic(Severity.ERROR, code, summary, location, tuple(path), self.current_step))

    def warning(self, code: str, summary: str, location: Location | None = None,
                path: tuple = ()) -> None:
        self.items.append(Diagnostic(Severity.WARNING, code, summary, location, tuple(path), self.current_step))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(d if d.step or not self.current_step else dataclasses.replace(d, step=self.current_step)
                          for d in other)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        seen: set[Diagnostic] = set()
        unique = [d for d in self.items if not (d in seen or seen.add(d))]
        return sorted(unique, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class PilotFactoryError(Exception):
    """Root of the errors a user can cause; anything else escaping is a bug in Pilot Factory."""


class DiagnosticsError(PilotFactoryError):
    """Raised at a step boundary when the collected diagnostics contain errors."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics.sorted()))
