"""Spotting literal secrets in catalog data, and redacting them before they are printed."""
from __future__ import annotations

import re
from typing import Any, Iterator

__all__ = ["find_literal_secrets", "redact", "TOKEN_PATTERNS", "SECRET_KEY"]

# Credentials with a recognisable shape: Databricks PATs and OAuth secrets, cloud and forge keys.
TOKEN_PATTERNS: dict[str, re.Pattern] = {
    "Databricks personal access token": re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b"),
    "Databricks OAuth secret": re.compile(r"\bdose[0-9a-f]{32}\b"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
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
        for index, value in enumerate(data):
            yield from find_literal_secrets(value, path + (index,))
    elif isinstance(data, str):
        for kind, pattern in TOKEN_PATTERNS.items():
            if pattern.search(data):
                yield path, (f"a literal {kind} (`{redact(data)}`); secrets never live in the "
                             "catalog: declare the key under `secrets.keys` instead")
                break
