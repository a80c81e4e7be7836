"""Validate rules on each environment's `security:` block (config/environments.yaml)."""
from __future__ import annotations

import ipaddress

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model.security import OPEN_NETWORKS, open_to_internet
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import catalog_rule


@catalog_rule(Code.OPEN_IP_ACCESS_LIST)
def allow_lists_are_not_open(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """An IP allow list never covers 0.0.0.0/0 or ::/0, whole or split (PFG050 checks the same in Terraform)."""
    if catalog.environments is None:
        return
    src = catalog.config_sources["environments"]
    for env_name, env in catalog.environments.environments.items():
        for i, entry in enumerate(env.security.ip_access_lists):
            if entry.list_type != "ALLOW":
                continue
            whole = open_to_internet(entry.addresses)
            if whole is None:
                continue
            # point at the open range itself, else at the first range of the family that adds up to it
            nets = [ipaddress.ip_network(a, strict=False) for a in entry.addresses]
            j = next((j for j, n in enumerate(nets) if n in OPEN_NETWORKS),
                     next(j for j, n in enumerate(nets) if n.version == ipaddress.ip_network(whole).version))
            path = ("environments", env_name, "security", "ip_access_lists", i, "addresses", j)
            shown = entry.addresses[j] if nets[j] in OPEN_NETWORKS else f"ranges adding up to {whole}"
            diags.error(Code.OPEN_IP_ACCESS_LIST, f"allow list `{entry.label}` holds {shown}, which "
                        "lets every address on the internet in; list the egress ranges instead",
                        src.where(path), path)
