"""The evidence pack: one deterministic tar.gz an auditor can check without trusting us.

Members are sorted, with fixed mtime, owner and mode, and gzip's own timestamp zeroed, so the
same inputs give the same bytes. `manifest.json` records each member's sha256 and the sha256
of the whole listing (`sha256  path` lines, as `sha256sum` prints them).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pilotfactory.files.atomic import replace_file
from pilotfactory.diagnostics.diagnostic import PilotFactoryError

__all__ = ["MANIFEST", "FORMAT", "Verification", "listing_sha256", "write_archive", "verify_archive",
           "gate_report"]

MANIFEST = "manifest.json"
FORMAT = "pilotfactory-evidence/1"
_MTIME = 0          # 1970-01-01: no build time leaks into the archive
_MODE = 0o644


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listing_sha256(hashes: dict[str, str]) -> str:
    """The sha256 of the whole: of the sorted `sha256  path` listing of every member."""
    return _sha("".join(f"{h}  {p}\n" for p, h in sorted(hashes.items())).encode("utf-8"))


def _manifest(members: dict[str, bytes], about: dict[str, Any]) -> bytes:
    hashes = {path: _sha(data) for path, data in sorted(members.items())}
    body = {"format": FORMAT, **about, "members": hashes, "sha256": listing_sha256(hashes)}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_archive(members: dict[str, bytes], out: Path, about: dict[str, Any]) -> str:
    """Write `members` and their manifest to `out` (atomically); returns the whole's sha256."""
    if MANIFEST in members:
        raise PilotFactoryError(f"`{MANIFEST}` is reserved for the manifest")
    manifest = _manifest(members, about)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in [(MANIFEST, manifest), *sorted(members.items())]:
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), _MTIME, _MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue())
    replace_file(out, packed.getvalue())
    return json.loads(manifest)["sha256"]


@dataclass
class Verification:
    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # an unreadable archive or manifest
    sha256: str | None = None
    members: int = 0

    @property
    def ok(self) -> bool:
        return not (self.altered or self.added or self.missing or self.problems)


def verify_archive(path: Path) -> Verification:
    """Recompute every member's sha256 against the manifest; nothing is extracted to disk."""
    result = Verification()
    found: dict[str, str] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile():
                    result.added.append(f"{info.name} (not a regular file)")
                    continue
                if info.name in found or (info.name == MANIFEST and manifest_bytes is not None):
                    result.problems.append(f"{info.name} appears twice")
                    continue
                data = tar.extractfile(info).read()
                if info.name == MANIFEST:
                    manifest_bytes = data
                else:
                    found[info.name] = _sha(data)
    except (OSError, tarfile.TarError, EOFError, gzip.BadGzipFile) as exc:
        result.problems.append(f"not a readable tar.gz: {exc}")
        return result
    if manifest_bytes is None:
        result.problems.append(f"no {MANIFEST}")
        return result
    try:
        manifest = json.loads(manifest_bytes)
        recorded: dict[str, str] = dict(manifest["members"])
        whole = manifest["sha256"]
    except (ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"{MANIFEST} is not a manifest: {exc}")
        return result
    result.altered = sorted(p for p in recorded if p in found and found[p] != recorded[p])
    result.missing = sorted(p for p in recorded if p not in found)
    result.added = sorted(result.added + [p for p in found if p not in recorded])
    if listing_sha256(recorded) != whole:
        result.problems.append(f"{MANIFEST}: the whole's sha256 does not match its member list")
    result.sha256 = whole
    result.members = len(recorded)
    return result


def gate_report(checked, pilot: str) -> dict[str, Any]:
    """The pilot's gate results, as `pilotfactory gates --format json` shows them, and every
    diagnostic about its file or the platform config."""
    from pilotfactory.gates.report import render_json

    results = checked.gates
    gates = None
    if results is not None:
        gates = json.loads(render_json(results, [p for p in results.pilots if p.pilot == pilot]))
    files = {t.file for t in checked.resolution.pilots if t.pilot.name == pilot}
    diagnostics = [d.as_dict() for d in checked.diagnostics.sorted()
                   if d.location is None or d.location.file in files or d.location.file.startswith("config/")]
    return {"pilot": pilot, "gates": gates, "diagnostics": diagnostics}
