"""The git allowed-signers file (`approvals.allowed_signers`): who may sign approvals, as written.

Format from ssh-keygen(1), ALLOWED SIGNERS: one key per line, `principals [options] keytype key`;
principals is a comma-separated pattern-list (`*`, `?`, `!` allowed), optionally in double quotes;
blank lines and lines starting with `#` are comments. Only the principals are read here: git and
ssh-keygen do the cryptography when the gates verify a commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.diagnostics.diagnostic import Location

__all__ = ["Principal", "read_principals"]


@dataclass(frozen=True)
class Principal:
    name: str           # as written: an email, or a pattern such as `*@bank.example`
    where: Location     # the principal's own line and column

    @property
    def is_pattern(self) -> bool:
        return any(c in self.name for c in "*?!")


def _field(line: str, start: int) -> tuple[str, int]:
    """The principals field starting at `start` (quoted or not) and where its text begins."""
    if line[start] == '"':
        end = line.find('"', start + 1)
        return (line[start + 1:end] if end > 0 else line[start + 1:]), start + 1
    end = start
    while end < len(line) and not line[end].isspace():
        end += 1
    return line[start:end], start


def read_principals(text: str, file: str) -> list[Principal]:
    """Every principal of every key line, located (1-based line and column)."""
    out: list[Principal] = []
    for number, line in enumerate(text.splitlines(), start=1):
        start = len(line) - len(line.lstrip())
        if start == len(line) or line[start] == "#":
            continue
        field, at = _field(line, start)
        for part in field.split(","):
            name = part.strip()
            if name:
                out.append(Principal(name, Location(file, number, at + part.index(name) + 1)))
            at += len(part) + 1
    return out
