"""Spotting literal secrets in catalog data, and redacting them before they are printed."""
from __future__ import annotations

import re
from typing import Any, Iterator

__all__ = ["find_literal_secrets", "redact", "TOKEN_PATTERNS", "SECRET_KEY"]

# Credentials with a recognisable shape: Databricks PATs and OAuth secrets, cloud and forge keys.
TOKEN_PATTERNS: dict[str, re.Pattern] = {
    "Databricks personal access token": re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b"),
    "Databricks OAuth secret": re.compile(r"\bdose[0-9a-f]{32}\b"),
    # AKIA: long-lived keys; ASIA: temporary (STS) keys, which come with a secret and a session token.
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16,}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}

# Keys whose scalar value is a secret by name: `password: hunter2`, `client_secret: ...`.
SECRET_KEY = re.compile(
    r"^(?:.*[_-])?(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|token|"
    r"access[_-]?token|auth[_-]?token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|"
    r"private[_-]?key|credentials?)$",
    re.IGNORECASE,
)


def redact(value: str) -> str:
    """Enough to recognise which value it was, never enough to use it."""
    for pattern in TOKEN_PATTERNS.values():
        match = pattern.search(value)
        if match:
            return match.group(0)[:4] + "*" * 8
    return "*" * 8


# `--db-password VALUE` in an argument list, or `--db-password=VALUE` / `password=VALUE` in one string.
_FLAG = re.compile(r"^--?([A-Za-z][\w-]*)$")
_ASSIGNED = re.compile(r"(?:^|\s)-{0,2}([A-Za-z][\w-]*)=(\S+)")
# A Databricks secret reference names a secret; it is not one.
_REFERENCE = re.compile(r"^\{\{secrets/[^/}]+/[^/}]+\}\}$")


def _secret_value(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and bool(str(value).strip()) \
        and not _REFERENCE.match(str(value).strip())


def find_literal_secrets(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (path, message) for each literal secret found in loaded YAML data."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = path + (key,)
            if SECRET_KEY.match(str(key)) and isinstance(value, (str, int, float)) \
                    and not isinstance(value, bool) and str(value).strip():
                yield here, (f"`{key}` holds a literal secret (`{redact(str(value))}`); declare the "
                             "key under `secrets.keys` and keep its value in the secret scope")
            else:
                yield from find_literal_secrets(value, here)
    elif isinstance(data, list):
        flagged: set[int] = set()
        for index, value in enumerate(data):
            flag = _FLAG.match(value) if isinstance(value, str) else None
            if flag and SECRET_KEY.match(flag.group(1)) and index + 1 < len(data) and _secret_value(data[index + 1]) \
                    and not any(p.search(str(data[index + 1])) for p in TOKEN_PATTERNS.values()):
                flagged.add(index + 1)
                yield path + (index + 1,), (f"`{value}` is followed by a literal secret (`{redact(str(data[index + 1]))}`); "
                                            "pass a `{{secrets/<scope>/<key>}}` reference instead")
            elif index not in flagged:
                yield from find_literal_secrets(value, path + (index,))
    elif isinstance(data, str):
        for kind, pattern in TOKEN_PATTERNS.items():
            if pattern.search(data):
                yield path, (f"a literal {kind} (`{redact(data)}`); secrets never live in the "
                             "catalog: declare the key under `secrets.keys` instead")
                return
        for name, value in _ASSIGNED.findall(data):
            if SECRET_KEY.match(name) and _secret_value(value):
                yield path, (f"`{name}=` sets a literal secret (`{redact(value)}`); pass a "
                             "`{{secrets/<scope>/<key>}}` reference instead")
                return
