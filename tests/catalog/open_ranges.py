"""The open-range boundary cases, one table for every place that judges allow lists (catalog's
`open_allow_lists`, validate PF240, guardrail PFG050, review PFR031): addresses -> whole family or None."""
from __future__ import annotations

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
}
