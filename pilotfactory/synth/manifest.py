"""manifest.json, written byte for byte as cdktf writes it (for merged and cached stacks)."""
from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["write_manifest"]


def write_manifest(path: Path, stacks: dict[str, dict], version: str) -> None:
    """manifest.json byte for byte as cdktf writes it: sorted keys, empty lists opened on two lines."""
    text = json.dumps({"stacks": dict(sorted(stacks.items())), "version": version}, indent=2, sort_keys=True)
    text = re.sub(r"^( *)(.*)\[\](,?)$", lambda m: f"{m[1]}{m[2]}[\n{m[1]}]{m[3]}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
