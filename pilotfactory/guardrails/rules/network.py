"""PFG050: the IP allow lists of a workspace never let the whole internet in."""
from __future__ import annotations

from pilotfactory.catalog.model.security import open_allow_lists
from pilotfactory.guardrails.registry import Finding, rule


def _allows(resource) -> bool:
    return (str(resource.values.get("list_type", "")).upper() == "ALLOW"
            and resource.values.get("enabled", True) is not False)


@rule("PFG050", "ip-allow-not-open", "Allowing 0.0.0.0/0 (or ranges adding up to it, in one list or several, or ::/0) "
      "switches the IP access list off while it looks on.", "databricks_ip_access_list")
def allow_not_open(resource, ctx):
    if not _allows(resource):
        return
    # a connection may enter through any allow list of its workspace (one provider), so they are judged together
    lists = [r for r in ctx.document.resources if r.type == "databricks_ip_access_list" and _allows(r)
             and r.values.get("provider") == resource.values.get("provider")]
    found = open_allow_lists([r.values.get("ip_addresses") or [] for r in lists])
    if found is None or lists[found.at[0]] is not resource:
        return
    others = [lists[i].values.get("label") or lists[i].name for i in found.lists if lists[i] is not resource]
    together = f", together with {', '.join(f'`{o}`' for o in others)}" if others else ""
    yield Finding(f"allows {found.whole}{together}: every address on the internet", ("ip_addresses",))
