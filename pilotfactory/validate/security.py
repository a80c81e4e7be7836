"""Validate rules on each environment's `security:` block (config/environments.yaml)."""
from __future__ import annotations

import ipaddress

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.model.security import OPEN_NETWORKS
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import catalog_rule


@catalog_rule(Code.OPEN_IP_ACCESS_LIST)
def allow_lists_are_not_open(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """An IP allow list never holds 0.0.0.0/0 or ::/0 (the guardrail PFG050 checks the same in Terraform)."""
    if catalog.environments is None:
        return
    src = catalog.config_sources["environments"]
    for env_name, env in catalog.environments.environments.items():
        for i, entry in enumerate(env.security.ip_access_lists):
            if entry.list_type != "ALLOW":
                continue
            for j, address in enumerate(entry.addresses):
                if ipaddress.ip_network(address, strict=False) in OPEN_NETWORKS:
                    path = ("environments", env_name, "security", "ip_access_lists", i, "addresses", j)
                    diags.error(Code.OPEN_IP_ACCESS_LIST, f"allow list `{entry.label}` holds {address}, which "
                                "lets every address on the internet in; list the egress ranges instead",
                                src.where(path), path)
