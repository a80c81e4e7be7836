"""Blast radius: an error in a pilot's own file is that pilot's alone; any other error is everyone's.

A pilot whose file has errors (load, resolve, validate) is withheld whole; a pilot whose gates
fail is withheld from the environments it has not earned. Every other pilot, the platform and
the account stacks go on. Errors in config/, in templates, or without a location stop everything:
they shape every pilot.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

from pilotfactory.diagnostics.diagnostic import Diagnostic

__all__ = ["PILOTS_DIR", "Withheld", "by_pilot", "pilot_file_of", "split_errors"]

PILOTS_DIR = "catalog/pilots"


@dataclass(frozen=True)
class Withheld:
    """A stack synth does not build this time, and why."""

    stack: str
    pilot: str
    file: str            # the pilot file the reason is in
    kind: str            # "errors": its file has errors; "gates": environment not earned; "guardrails"
    reason: str

    def as_dict(self) -> dict:
        return {"stack": self.stack, "pilot": self.pilot, "file": self.file, "kind": self.kind,
                "reason": self.reason}


def pilot_file_of(diagnostic: Diagnostic) -> str | None:
    """The pilot file a diagnostic is located in, or None when it is not located in one."""
    loc = diagnostic.location
    if loc is None:
        return None
    path = PurePosixPath(loc.file)
    if path.parent.as_posix() == PILOTS_DIR and path.suffix in (".yaml", ".yml"):
        return loc.file
    return None


def split_errors(errors: Iterable[Diagnostic]) -> tuple[list[Diagnostic], dict[str, list[Diagnostic]]]:
    """(everyone's errors, pilot file -> that pilot's own errors)."""
    shared: list[Diagnostic] = []
    own: dict[str, list[Diagnostic]] = {}
    for d in errors:
        file = pilot_file_of(d)
        if file is None:
            shared.append(d)
        else:
            own.setdefault(file, []).append(d)
    return shared, own


def by_pilot(withheld: Iterable[Withheld]) -> dict[str, Withheld]:
    """Pilot -> the first of its withheld stacks: a generated output made per pilot (documents,
    owners, CI projects) is withheld whole for a pilot any of whose stacks is withheld."""
    out: dict[str, Withheld] = {}
    for w in withheld:
        out.setdefault(w.pilot, w)
    return dict(sorted(out.items()))
