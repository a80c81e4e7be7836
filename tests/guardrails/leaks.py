"""Finding secret material in generated text: known token shapes, and high-entropy strings.

Allowed: hex digests (sha256 and shorter), UUIDs, cdktf unique ids, and base64 that decodes to
text, which is scanned in turn (workspace files are shipped base64-encoded).
"""
from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from typing import Iterator

from pilotfactory.yamlio.secrets import TOKEN_PATTERNS

CANDIDATE = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
HEX = re.compile(r"^[0-9a-fA-F]+$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CDKTF_ID = re.compile(r"^[A-Za-z0-9_-]+_[0-9A-F]{8}$")       # construct path + 8-hex hash
BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
THRESHOLD = 4.3  # bits per character; English and identifiers sit well below, keys near 5-6


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _decoded(candidate: str) -> str | None:
    if len(candidate) % 4 or not BASE64.match(candidate):
        return None
    try:
        return base64.b64decode(candidate, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def leaks(text: str, depth: int = 0) -> Iterator[str]:
    """Describe each token or high-entropy string in `text` (redacted to its first 4 characters)."""
    for kind, pattern in TOKEN_PATTERNS.items():
        for match in pattern.finditer(text):
            yield f"{kind}: {match.group(0)[:4]}****"
    for match in CANDIDATE.finditer(UUID.sub("", text)):
        word = match.group(0)
        if HEX.match(word) or CDKTF_ID.match(word):
            continue
        decoded = _decoded(word)
        if decoded is not None and depth < 2:
            yield from leaks(decoded, depth + 1)
            continue
        # paths (/Volumes/..., /Workspace/...) are judged segment by segment
        for part in (p for p in word.split("/") if len(p) >= 20):
            if not (HEX.match(part) or CDKTF_ID.match(part)) and entropy(part) > THRESHOLD:
                yield f"high-entropy string ({entropy(part):.1f} bits/char): {part[:4]}****"
