"""The open-range boundary cases, one table for every place that judges allow lists (catalog's
`open_allow_lists`, validate PF240, guardrail PFG050, review PFR031): addresses -> whole family or None."""
from __future__ import annotations

import ipaddress


def _all_but_the_last(half: str) -> list[str]:
    """`half` as CIDR blocks, without its last address: one address short of it."""
    net = ipaddress.ip_network(half)
    return sorted((str(n) for n in net.address_exclude(ipaddress.ip_network(f"{net[-1]}/{net.max_prefixlen}"))),
                  key=lambda n: ipaddress.ip_network(n).prefixlen)

ONE_LIST = {
    "ipv4-whole": (["198.51.100.0/24", "0.0.0.0/0"], "0.0.0.0/0"),
    "ipv6-whole": (["198.51.100.0/24", "::/0"], "::/0"),
    "split-halves": (["0.0.0.0/1", "128.0.0.0/1"], "0.0.0.0/0"),
    "ipv6-halves": (["::/1", "8000::/1"], "::/0"),
    "host-bits-on-a-slash-0": (["10.0.0.0/0"], "0.0.0.0/0"),
    "one-half": (["0.0.0.0/1"], None),
    "slash-8": (["10.0.0.0/8"], None),
    "three-quarters": (["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"], None),
}

# A connection enters through any allow list, so halves in two lists open the workspace too.
ACROSS_LISTS = {
    "halves-in-two-lists": ([["198.51.100.0/24", "0.0.0.0/1"], ["128.0.0.0/1"]], "0.0.0.0/0"),
    "a-half-and-a-slash-8": ([["0.0.0.0/1"], ["128.0.0.0/8"]], None),
    "ipv6-halves-in-two-lists": ([["2001:db8::/32", "::/1"], ["8000::/1"]], "::/0"),
    # the boundary: every address but 255.255.255.255 (and ffff:…:ffff) is not the whole internet
    "all-but-one-address": ([["198.51.100.0/24", "0.0.0.0/1"], _all_but_the_last("128.0.0.0/1")], None),
    "ipv6-all-but-one-address": ([["2001:db8::/32", "::/1"], _all_but_the_last("8000::/1")], None),
    "the-last-address-too": ([["198.51.100.0/24", "0.0.0.0/1"],
                              [*_all_but_the_last("128.0.0.0/1"), "255.255.255.255/32"]], "0.0.0.0/0"),
}
