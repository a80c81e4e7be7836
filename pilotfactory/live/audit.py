"""The audit record of an emergency rollback: written as intent before the first API call, completed after.

Each run gets a file of its own (`<UTC time>-rollback-<env>-<random>.json`, created exclusively),
so two runs in one second never collide; completing it replaces the file whole, so a crash leaves
the intent (`result: started`) readable rather than half a record.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pilotfactory.files.atomic import create_file, replace_file
from pilotfactory.gates import clock

__all__ = ["AuditRecord", "start"]


def _now() -> str:
    return clock.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class AuditRecord:
    root: Path
    path: Path                       # repository-relative
    data: dict[str, Any] = field(default_factory=dict)

    def update(self, **values: Any) -> None:
        """Merge `values` in and replace the file whole."""
        self.data.update(values)
        replace_file(self.root / self.path, _dump(self.data))


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=False) + "\n").encode()


def start(root: Path, pilot: str, env: str, intent: dict[str, Any]) -> AuditRecord:
    """Create the record of a run that is about to call the workspace: `result: started`."""
    started = _now()
    stamp = started[:10] + "T" + started[11:19].replace(":", "") + "Z"
    for _ in range(5):
        path = Path("evidence") / pilot / "emergency" / f"{stamp}-rollback-{env}-{secrets.token_hex(3)}.json"
        data = {"kind": "emergency_rollback", "pilot": pilot, "env": env, "started": started,
                "result": "started", **intent}
        try:
            create_file(root / path, _dump(data))
        except FileExistsError:
            continue
        return AuditRecord(root, path, data)
    raise FileExistsError(f"no free audit record name under evidence/{pilot}/emergency/")
