"""Validate rules on each environment's `security:` block (config/environments.yaml)."""
from __future__ import annotations

import ipaddress

from pilotfactory.catalog.load import Catalog
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.model.security import OPEN_NETWORKS

__all__ = ["check_security"]


def check_security(catalog: Catalog, diags: Diagnostics) -> None:
    """PF240: an allow list never holds 0.0.0.0/0 or ::/0 (the guardrail PFG050 checks the same in Terraform)."""
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
