"""PFR031 over the shared open-range table: an allow list edited to cover the internet is named so."""
from __future__ import annotations

import pytest

from ..catalog.open_ranges import ACROSS_LISTS, ONE_LIST
from .test_review_risks import IP, assert_flagged, platform, run


@pytest.mark.parametrize("case", sorted(ONE_LIST))
def test_an_allow_list_edited_to_cover_the_internet(case):
    addresses, whole = ONE_LIST[case]
    head = {"platform-prod": platform(ips=({**IP, "ip_addresses": addresses},))}
    if whole:
        found = assert_flagged({"platform-prod": platform()}, head, "PFR031", words="every address on the internet")
        assert whole in found["text"]
    else:
        review, _, _, _ = run({"platform-prod": platform()}, head)
        texts = [f.text for f in review.findings if f.rule_id == "PFR031"]
        assert texts and not any("every address" in t for t in texts), texts   # a range added, not the internet


@pytest.mark.parametrize("case", sorted(ACROSS_LISTS))
def test_ranges_added_over_several_lists_are_broadening(case):
    lists, _ = ACROSS_LISTS[case]
    head = {"platform-prod": platform(ips=tuple({**IP, "label": f"l{n}", "ip_addresses": a}
                                                for n, a in enumerate(lists)))}
    assert_flagged({"platform-prod": platform()}, head, "PFR031", words="+ ")
