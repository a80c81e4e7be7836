"""A cache of results keyed by the sha256 of everything they were computed from.

Each entry is one file `<directory>/<kind>/<key[:2]>/<key>`: a magic line, the sha256 of the
payload, then the payload (marshal of plain data: dicts, lists, tuples, str, int, float, bool,
None). The key covers the inputs and a `version` (the code's digest), so a changed input or tool
never finds a stale entry. An entry whose checksum does not match, or that does not decode, is
treated as absent and replaced: a damaged cache costs time, never a wrong answer.
"""
from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from pilotfactory.files.atomic import replace_file

__all__ = ["ContentCache", "MAGIC", "enabled_by_default", "caching_by_default"]

MAGIC = b"pilotfactory-content-cache/1\n"
_SUM = 64  # hex characters of the payload's sha256
# Off for library callers and tests (no files appear beside their catalogs); the CLI turns it on.
_default = {"enabled": False}


def enabled_by_default() -> bool:
    return _default["enabled"]


@contextmanager
def caching_by_default(on: bool = True) -> Iterator[None]:
    """Inside the block, check() keeps the repository's content cache unless told otherwise."""
    previous, _default["enabled"] = _default["enabled"], on
    try:
        yield
    finally:
        _default["enabled"] = previous


class ContentCache:
    def __init__(self, directory: Path, version: str):
        self.directory = Path(directory)
        self.version = version
        self.hits: Counter[str] = Counter()    # by kind: what this run reused
        self.misses: Counter[str] = Counter()  # by kind: what it had to compute

    def key(self, kind: str, *parts: bytes | str) -> str:
        """The key of `kind` computed from `parts` (file bytes, names, digests) by this version."""
        h = hashlib.sha256(b"\0".join([kind.encode(), self.version.encode()]))
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "big") + data)  # length-prefixed: no two splits collide
        return h.hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / key

    def get(self, kind: str, key: str, decode: Callable[[Any], Any] = lambda value: value) -> Any | None:
        """`decode` of the stored value, or None when absent, damaged, unreadable, or not of the
        shape `decode` expects (it raises TypeError, ValueError, KeyError or IndexError)."""
        try:
            raw = self._path(kind, key).read_bytes()
        except OSError:
            self.misses[kind] += 1
            return None
        head, payload = raw[:len(MAGIC) + _SUM], raw[len(MAGIC) + _SUM:]
        value = None
        if head[:len(MAGIC)] == MAGIC and head[len(MAGIC):] == hashlib.sha256(payload).hexdigest().encode():
            try:
                value = decode(marshal.loads(payload))
            except (ValueError, EOFError, TypeError, KeyError, IndexError):
                value = None
        if value is None:
            self.misses[kind] += 1
            return None
        self.hits[kind] += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store `value` whole (a reader sees the old entry or the new); a full disk only costs the entry."""
        payload = marshal.dumps(value)
        try:
            replace_file(self._path(kind, key), MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
        except OSError:
            pass
