"""The workspace security baseline of one environment (`security:` in config/environments.yaml)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from pilotfactory.catalog.model.fields import Model, Uuid, doc

__all__ = ["Cidr", "IpAccessList", "AuditLogDelivery", "Security", "OPEN_NETWORKS", "CSP_INSTANCE_FAMILIES",
           "OpenRange", "instance_family", "profile_runs", "open_allow_lists", "open_to_internet"]

# Allowing these lets the whole internet reach the workspace: validate (PF240), PFG050 and the
# review refuse them, also when split into smaller ranges, or over several lists, that add up to one.
OPEN_NETWORKS = frozenset({ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")})


@dataclass(frozen=True)
class OpenRange:
    """Allow lists that let every address of one family in."""

    whole: str                    # `0.0.0.0/0` or `::/0`
    lists: tuple[int, ...]        # the lists (by index) with ranges of that family
    at: tuple[int, int]           # (list, entry) to point at: the open range itself, else the widest range
    split: bool                   # True: no single entry is open, the ranges add up to it


# AWS instance families with encryption in transit between nodes, which the compliance security
# profile requires (Databricks "Compliance security profile", AWS EC2 "Encryption in transit").
CSP_INSTANCE_FAMILIES = frozenset({
    "c5a", "c5ad", "c5n", "c6a", "c6i", "c6id", "c6in", "c7a", "c7i", "d3", "d3en", "g4dn", "g5", "g6",
    "i3en", "i4i", "m5dn", "m5n", "m5zn", "m6a", "m6i", "m6id", "m6idn", "m6in", "m7a", "m7i", "p3dn",
    "p4d", "p4de", "p5", "r5dn", "r5n", "r6a", "r6i", "r6id", "r6idn", "r6in", "r7a", "r7i", "r7iz",
    "x2idn", "x2iedn",
})


def instance_family(node_type: str) -> str:
    """`r5d.xlarge` -> `r5d`."""
    return node_type.split(".", 1)[0].lower()


def profile_runs(node_type: str) -> bool:
    """Whether a workspace with the compliance security profile starts a cluster on `node_type`."""
    return instance_family(node_type) in CSP_INSTANCE_FAMILIES


def open_allow_lists(lists) -> OpenRange | None:
    """Whether the ALLOW lists of one workspace, taken together, cover a whole address family.

    The workspace lets a connection in when its address matches any allow list (databricks-sdk
    0.162 service/settings.py:8624-8627), so ranges add up across lists. Entries that are not
    ranges (Terraform references) are ignored."""
    found: list[tuple[int, int, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    for i, addresses in enumerate(lists):
        for j, address in enumerate(addresses or ()):
            try:
                found.append((i, j, ipaddress.ip_network(str(address), strict=False)))
            except ValueError:
                continue
    for whole in sorted(OPEN_NETWORKS, key=lambda n: n.version):
        mine = [(i, j, n) for i, j, n in found if n.version == whole.version]
        if mine and list(ipaddress.collapse_addresses(n for _, _, n in mine)) == [whole]:
            widest = min(mine, key=lambda m: m[2].prefixlen)   # the first of the widest ranges
            return OpenRange(str(whole), tuple(sorted({i for i, _, _ in mine})), (widest[0], widest[1]),
                             widest[2] != whole)
    return None


def open_to_internet(addresses) -> str | None:
    """The whole address family one list covers (`0.0.0.0/0`, also as `0.0.0.0/1` + `128.0.0.0/1`;
    `::/0`), or None."""
    found = open_allow_lists([addresses])
    return found.whole if found else None


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"`{value}` is not an IP address or CIDR block (e.g. 203.0.113.0/24)") from None
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]


# The Databricks settings API's ComplianceStandard values (databricks-sdk 0.162).
ComplianceStandard = Literal[
    "CANADA_PROTECTED_B", "CYBER_ESSENTIAL_PLUS", "FEDRAMP_HIGH", "FEDRAMP_IL5", "FEDRAMP_MODERATE",
    "GERMANY_C5", "GERMANY_TISAX", "HIPAA", "HITRUST", "IRAP_PROTECTED", "ISMAP", "ITAR_EAR",
    "KSA_ECC_CCC_DCC", "K_FSI", "PCI_DSS"]


class IpAccessList(Model):
    """One `databricks_ip_access_list`; with any list present, the workspace enforces IP access lists."""

    label: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")]
    list_type: Literal["ALLOW", "BLOCK"] = "ALLOW"
    addresses: list[Cidr] = doc("IP addresses or CIDR blocks.", min_length=1)


class AuditLogDelivery(Model):
    """Account-wide audit log delivery (`databricks_mws_log_delivery` in the `account` stack)."""

    credentials_id: Uuid = doc("Account credentials configuration that may write to the bucket.")
    storage_configuration_id: Uuid = doc("Account storage configuration naming the bucket.")
    delivery_path_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,127}$")] = "audit-logs"


class Security(Model):
    """Defaults are the bank's floor; an environment may switch conveniences off, never on audit."""

    max_token_lifetime_days: int = doc("Longest personal access token the workspace issues.",
                                       default=90, ge=1, le=730)
    verbose_audit_logs: bool = doc("Log every notebook command and query (enableVerboseAuditLogs).",
                                   default=True)
    results_downloading: bool = doc("Users may download notebook and SQL results.", default=True)
    notebook_table_clipboard: bool = doc("Users may copy tables out of notebook output.", default=True)
    notebook_export: bool = doc("Users may export notebooks.", default=True)
    ip_access_lists: list[IpAccessList] = doc("Empty: IP access lists stay off.", default=[])
    disable_legacy_access: bool = doc("Turn off Hive metastore, no-isolation clusters and legacy access.",
                                      default=True)
    disable_legacy_dbfs: bool = doc("Turn off DBFS root and mounts.", default=True)
    compliance_standards: list[ComplianceStandard] | None = doc(
        "Turns the compliance security profile on with these standards; omit to leave it off.", default=None)
    enhanced_security_monitoring: bool = doc("Turn on enhanced security monitoring.", default=False)
