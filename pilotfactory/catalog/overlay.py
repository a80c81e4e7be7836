"""Layering YAML documents (template defaults, pilot, environment overlay), keeping positions.

Mappings merge key by key; lists of named items (`name`, or `key` for tasks) merge item by item;
anything else is replaced by the upper layer. Every value keeps the file, line and column of the
layer it came from, so a diagnostic on the result still points at the line to edit.
"""
from __future__ import annotations

from typing import Any

from pilotfactory.yamlio.source import Source

__all__ = ["Layer", "layer", "IDENTITY_KEYS"]

IDENTITY_KEYS = ("name", "key")

Layer = tuple[Source, tuple]  # a document and the path of the subtree to use


def _identity(items: list) -> str | None:
    """The key that names items of this list, when every item is a mapping that has it."""
    for ident in IDENTITY_KEYS:
        if items and all(isinstance(i, dict) and isinstance(i.get(ident), str) for i in items):
            return ident
    return None


class _Writer:
    def __init__(self, out: Source):
        self.out = out

    def copy(self, value: Any, src: Source, src_path: tuple, out_path: tuple) -> Any:
        if src_path in src.values:
            self.out.values[out_path] = src.values[src_path]
        if src_path in src.keys:
            self.out.keys[out_path] = src.keys[src_path]
        if src_path in src.ambiguous:
            self.out.ambiguous[out_path] = src.ambiguous[src_path]
        if src_path in src.load_errors:
            self.out.load_errors.add(out_path)
        if isinstance(value, dict):
            return {k: self.copy(v, src, src_path + (k,), out_path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.copy(v, src, src_path + (i,), out_path + (i,)) for i, v in enumerate(value)]
        return value

    def merge(self, base: Any, bsrc: Source, bpath: tuple,
              over: Any, osrc: Source, opath: tuple, out_path: tuple) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            self.copy(None, osrc, opath, out_path)  # the mapping's own position: the upper layer
            merged = {}
            for key, value in base.items():
                if key not in over:
                    merged[key] = self.copy(value, bsrc, bpath + (key,), out_path + (key,))
            for key, value in over.items():
                if key in base:
                    merged[key] = self.merge(base[key], bsrc, bpath + (key,),
                                             value, osrc, opath + (key,), out_path + (key,))
                    if opath + (key,) in osrc.keys:
                        self.out.keys[out_path + (key,)] = osrc.keys[opath + (key,)]
                else:
                    merged[key] = self.copy(value, osrc, opath + (key,), out_path + (key,))
            return merged
        if isinstance(base, list) and isinstance(over, list):
            ident = _identity(base) if _identity(over) == _identity(base) else None
            if ident:
                self.copy(None, osrc, opath, out_path)
                by_name = {item[ident]: i for i, item in enumerate(over)}
                merged = []
                for i, item in enumerate(base):
                    j = by_name.pop(item[ident], None)
                    here = out_path + (len(merged),)
                    if j is None:
                        merged.append(self.copy(item, bsrc, bpath + (i,), here))
                    else:
                        merged.append(self.merge(item, bsrc, bpath + (i,),
                                                 over[j], osrc, opath + (j,), here))
                for j in sorted(by_name.values()):
                    merged.append(self.copy(over[j], osrc, opath + (j,), out_path + (len(merged),)))
                return merged
        return self.copy(over, osrc, opath, out_path)


def _subtree(source: Source, path: tuple) -> Any:
    data = source.data
    for part in path:
        data = data[part]
    return data


def layer(*layers: Layer, drop: tuple[str, ...] = ()) -> Source:
    """Merge layers bottom to top; `drop` removes top-level keys from the result."""
    top_src, top_path = layers[-1]
    out = Source(top_src.file)
    writer = _Writer(out)
    base_src, base_path = layers[0]
    data = writer.copy(_subtree(base_src, base_path), base_src, base_path, ())
    current = Source(base_src.file, data, dict(out.values), dict(out.keys), dict(out.ambiguous),
                     load_errors=set(out.load_errors))
    for src, path in layers[1:]:
        out = Source(top_src.file)
        writer = _Writer(out)
        data = writer.merge(current.data, current, (), _subtree(src, path), src, path, ())
        current = Source(top_src.file, data, out.values, out.keys, out.ambiguous,
                         load_errors=out.load_errors)
    current.clean = all(src.clean for src, _ in layers)
    if drop and isinstance(current.data, dict):
        current.data = {k: v for k, v in current.data.items() if k not in drop}
    return current
