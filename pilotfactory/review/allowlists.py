"""A workspace's IP allow lists judged together: halves in two lists open it as one list would.

The workspace lets a connection in when its address matches any allow list (databricks-sdk 0.162
service/settings.py:8624-8627), so the review, like PFG050 and validate PF240, adds up every
enabled ALLOW list of one workspace (one stack and provider) before and after the change.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from pilotfactory.catalog.model.security import open_allow_lists
from pilotfactory.review.changes import Finding, ResourceChange, StackRef

__all__ = ["allow_list_findings", "sides_of"]

_TYPE = "databricks_ip_access_list"


def _allows(values: Any) -> bool:
    return (isinstance(values, Mapping) and str(values.get("list_type", "")).upper() == "ALLOW"
            and values.get("enabled", True) is not False)


def _workspaces(doc: Mapping[str, Any] | None) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
    """provider (`""`: the default one) -> [(name, values)] of its enabled ALLOW lists."""
    out: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for name, values in ((doc or {}).get("resource", {}).get(_TYPE) or {}).items():
        if _allows(values):
            out.setdefault(str(values.get("provider") or ""), []).append((name, values))
    return out


def _open(lists: list[tuple[str, Mapping[str, Any]]]):
    return open_allow_lists([v.get("ip_addresses") or [] for _, v in lists])


def allow_list_findings(stack: StackRef, before: Mapping[str, Any] | None,
                        after: Mapping[str, Any] | None) -> list[Finding]:
    """PFR031 for each workspace whose allow lists, together, newly cover a whole address family."""
    out = []
    was = _workspaces(before)
    for provider, lists in _workspaces(after).items():
        found = _open(lists)
        if found is None:
            continue
        earlier = _open(was.get(provider, []))
        if earlier is not None and earlier.whole == found.whole:
            continue
        named = [lists[i] for i in found.lists]
        labels = ", ".join(f"`{v.get('label') or n}`" for n, v in named)
        if len(named) == 1:
            text = (f"IP access list {labels} allows **every address on the internet** "
                    f"(its ranges cover {found.whole})")
        else:
            text = (f"IP access lists {labels} together allow **every address on the internet** "
                    f"(their ranges add up to {found.whole}; a connection enters through any of them)")
        out.append(Finding("broadening", stack, text, f"{_TYPE}.{lists[found.at[0]][0]}", rule="PFR031"))
    return out


def sides_of(changes: Iterable[ResourceChange]) -> dict[str, tuple[dict, dict]]:
    """Stack -> (before, after) documents holding only the changed allow lists: the fallback when
    the caller has no whole stacks (a drift check), so at least the changed lists add up."""
    out: dict[str, tuple[dict, dict]] = {}
    for c in changes:
        if c.type != _TYPE:
            continue
        b, a = out.setdefault(c.stack.name, ({"resource": {_TYPE: {}}}, {"resource": {_TYPE: {}}}))
        name = c.address.rsplit(".", 1)[-1]
        if c.before is not None:
            b["resource"][_TYPE][name] = c.before
        if c.after is not None:
            a["resource"][_TYPE][name] = c.after
    return out
