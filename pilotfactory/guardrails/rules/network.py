"""PFG050: an IP allow list never lets the whole internet in."""
from __future__ import annotations

import ipaddress

from pilotfactory.guardrails.registry import Finding, rule

OPEN = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


@rule("PFG050", "ip-allow-not-open", "Allowing 0.0.0.0/0 switches the IP access list off while it looks on.",
      "databricks_ip_access_list")
def allow_not_open(resource, ctx):
    if str(resource.values.get("list_type", "")).upper() != "ALLOW":
        return
    for address in resource.values.get("ip_addresses") or []:
        try:
            network = ipaddress.ip_network(str(address), strict=False)
        except ValueError:
            continue
        if network in OPEN:
            yield Finding(f"allows {address}: every address on the internet", ("ip_addresses",))
