"""Keys earlier catalog versions used: an old file is told the key and shape that replaced them,
with its own values filled in, instead of a bare `unknown key`."""
from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["retired_hint"]


def _canary_percent(release: Mapping[str, Any]) -> str:
    """`release.canary_percent: {env: N}` put N% on whichever slot was not active (298a75c); the
    canary now names its slot, so the hint names the slot that old rule put on traffic."""
    old = release.get("canary_percent")
    active = release.get("active") if isinstance(release.get("active"), dict) else {}
    slots = list(release.get("slots")) if isinstance(release.get("slots"), dict) else []
    shapes, dropped = [], []
    for env, percent in (old.items() if isinstance(old, dict) else ()):
        if isinstance(percent, bool) or not isinstance(percent, int) or percent <= 0:
            dropped.append(str(env))
            continue
        others = [s for s in slots if s != active.get(env)]
        slot = others[0] if len(others) == 1 else "<a slot not active there>"
        shapes.append(f"{env}: {{slot: {slot}, percent: {percent}}}")
    hint = ("`canary_percent` was replaced by `canary`, which names the canary slot and its share per "
            "environment (the slot must not be the active one)")
    if shapes:
        hint += f": write `canary: {{{', '.join(shapes)}}}`"
    else:
        hint += ": `canary: {ENV: {slot: SLOT, percent: N}}`"
    if dropped:
        hint += f"; a share of 0 is no canary, so {', '.join(f'`{e}`' for e in dropped)} needs no entry"
    return hint


# (model class name, key) -> the hint, from the mapping the key is in
_RETIRED: dict[tuple[str, str], Callable[[Mapping[str, Any]], str]] = {
    ("Release", "canary_percent"): _canary_percent,
}


def retired_hint(model_names: set[str], key: str, mapping: Any) -> str | None:
    """What replaced `key` in a mapping typed as one of `model_names`, or None if it never existed."""
    for name in sorted(model_names):
        hint = _RETIRED.get((name, key))
        if hint is not None:
            return hint(mapping if isinstance(mapping, Mapping) else {})
    return None
