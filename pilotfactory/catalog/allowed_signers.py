"""The git allowed-signers file (`approvals.allowed_signers`): who may sign approvals, as written.

Format from ssh-keygen(1), ALLOWED SIGNERS: one key per line, `principals [options] keytype key`;
principals is a comma-separated pattern-list (`*`, `?`, `!` allowed), optionally in double quotes;
blank lines and lines starting with `#` are comments. Only the principals, options and keys are
read here (the review compares them); git and ssh-keygen do the cryptography when the gates verify
a commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from pilotfactory.diagnostics.diagnostic import Location

__all__ = ["Principal", "SignerKey", "read_principals", "read_keys"]


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


@dataclass(frozen=True)
class SignerKey:
    """One key line: who it signs for, under which options, with which key."""
    principals: tuple[str, ...]
    options: str        # as written, e.g. `namespaces="git"`; "" for none
    key: str            # `<keytype> <base64>`
    line: int

    @property
    def short(self) -> str:
        """The key type and the end of the key: enough for a reviewer to tell two keys apart."""
        kind, _, blob = self.key.partition(" ")
        return f"{kind} …{blob[-12:]}" if blob else kind


def _tokens(text: str) -> list[str]:
    """Whitespace-separated tokens; double quotes keep spaces inside one (options such as
    `valid-before="20270101"`)."""
    out, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char.isspace() and not quoted:
            if current:
                out.append(current)
            current = ""
        else:
            current += char
    if current:
        out.append(current)
    return out


def _key_lines(text: str) -> Iterator[tuple[int, str, str, int]]:
    """(line number, line, principals field, where the field starts) of each key line: blank lines
    and `#` comments are not key lines."""
    for number, line in enumerate(text.splitlines(), start=1):
        start = len(line) - len(line.lstrip())
        if start == len(line) or line[start] == "#":
            continue
        yield number, line, *_field(line, start)


def read_keys(text: str) -> list[SignerKey]:
    """Every key line; a line without a recognisable key type keeps its whole rest as its key, so
    any change to it still shows."""
    out: list[SignerKey] = []
    for number, line, field, at in _key_lines(text):
        quoted = at > 0 and line[at - 1] == '"'
        rest = line[at + len(field) + (1 if quoted else 0):]
        tokens = _tokens(rest)
        kind = next((i for i, t in enumerate(tokens) if t.startswith(("ssh-", "ecdsa-", "sk-"))), None)
        if kind is None:
            options, key = "", " ".join(tokens)
        else:
            options, key = " ".join(tokens[:kind]), " ".join(tokens[kind:kind + 2])
        principals = tuple(p.strip() for p in field.split(",") if p.strip())
        out.append(SignerKey(principals, options, key, number))
    return out


def read_principals(text: str, file: str) -> list[Principal]:
    """Every principal of every key line, located (1-based line and column)."""
    out: list[Principal] = []
    for number, _, field, at in _key_lines(text):
        for part in field.split(","):
            name = part.strip()
            if name:
                out.append(Principal(name, Location(file, number, at + part.index(name) + 1)))
            at += len(part) + 1
    return out
