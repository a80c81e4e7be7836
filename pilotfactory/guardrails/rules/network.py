"""PFG050: an IP allow list never lets the whole internet in."""
from __future__ import annotations

from pilotfactory.catalog.model.security import open_to_internet
from pilotfactory.guardrails.registry import Finding, rule


@rule("PFG050", "ip-allow-not-open", "Allowing 0.0.0.0/0 (or ranges adding up to it, or ::/0) switches the IP access list off while it looks on.",
      "databricks_ip_access_list")
def allow_not_open(resource, ctx):
    if str(resource.values.get("list_type", "")).upper() != "ALLOW":
        return
    whole = open_to_internet(resource.values.get("ip_addresses") or [])
    if whole:
        yield Finding(f"allows {whole}: every address on the internet", ("ip_addresses",))
