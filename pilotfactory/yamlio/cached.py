"""Loading a YAML file through the content cache: the positioned tree and what loading reported,
keyed by the file's name and bytes, so an unchanged file is read back instead of parsed again."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pilotfactory.diagnostics.codes import all_codes
from pilotfactory.diagnostics.diagnostic import Diagnostic, Diagnostics, Location, Severity
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.yamlio.source import Source, load_yaml_bytes, read_yaml_bytes

__all__ = ["load_yaml_cached", "freeze_diagnostics", "thaw_diagnostics"]

KIND = "yaml"


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    return {str(c): c for c in all_codes()}


def freeze_diagnostics(items: list[Diagnostic], *, step: bool = False) -> list:
    """Diagnostics as plain data; without their step unless `step` (a replaying step stamps its own)."""
    return [(d.severity.value, str(d.code), d.summary,
             None if d.location is None else (d.location.file, d.location.line, d.location.column),
             tuple(d.path), *((d.step,) if step else ())) for d in items]


def thaw_diagnostics(frozen: list) -> list[Diagnostic]:
    """What freeze_diagnostics froze; TypeError or ValueError when it is not that."""
    codes = _codes()
    out = []
    for sev, code, summary, loc, path, *step in frozen:
        if not (isinstance(code, str) and isinstance(summary, str) and all(s is None or isinstance(s, str)
                                                                            for s in step)):
            raise TypeError("not a diagnostic")
        out.append(Diagnostic(Severity(sev), codes.get(code, code), summary,
                              None if loc is None else Location(*loc), tuple(path), *step))
    return out


def _freeze(source: Source | None) -> tuple | None:
    if source is None:
        return None
    return (source.data,
            [(p, loc.line, loc.column) for p, loc in source.values.items()],
            [(p, loc.line, loc.column) for p, loc in source.keys.items()],
            [(p, text, what) for p, (text, what) in source.ambiguous.items()],
            source.clean, sorted(source.load_errors, key=repr))


def _thaw(frozen: tuple | None, file: str) -> Source | None:
    if frozen is None:
        return None
    data, values, keys, ambiguous, clean, load_errors = frozen
    return Source(file, data, {p: Location(file, line, col) for p, line, col in values},
                  {p: Location(file, line, col) for p, line, col in keys},
                  {p: (text, what) for p, text, what in ambiguous}, clean, set(load_errors))


def load_yaml_cached(path: Path, display: str, diags: Diagnostics, cache: ContentCache | None) -> Source | None:
    """As load_yaml_file; with a cache, an unchanged file costs a read, a hash and a decode."""
    raw = read_yaml_bytes(path, display, diags)
    if raw is None:
        return None
    if cache is None:
        return load_yaml_bytes(raw, display, diags)
    key = cache.key(KIND, display, raw)
    hit = cache.get(KIND, key, lambda value: (_thaw(value[0], display), thaw_diagnostics(value[1])))
    if hit is not None:
        source, found = hit
        diags.extend(found)
        return source
    scratch = Diagnostics()
    source = load_yaml_bytes(raw, display, scratch)
    cache.put(KIND, key, (_freeze(source), freeze_diagnostics(scratch.items)))
    diags.extend(scratch.items)
    return source
