"""One home for open ranges: `open_allow_lists` over the shared boundary table."""
from __future__ import annotations

import pytest

from pilotfactory.catalog.model.security import open_allow_lists, open_to_internet

from .open_ranges import ACROSS_LISTS, ONE_LIST


@pytest.mark.parametrize("case", sorted(ONE_LIST))
def test_one_list(case):
    addresses, whole = ONE_LIST[case]
    assert open_to_internet(addresses) == whole
    found = open_allow_lists([addresses])
    assert (found.whole if found else None) == whole


@pytest.mark.parametrize("case", sorted(ACROSS_LISTS))
def test_lists_add_up(case):
    lists, whole = ACROSS_LISTS[case]
    found = open_allow_lists(lists)
    assert (found.whole if found else None) == whole
    if whole:
        assert found.lists == (0, 1) and found.split and found.at == (0, 1)


def test_the_open_range_itself_is_pointed_at_and_references_are_ignored():
    found = open_allow_lists([["${var.x}", "192.0.2.0/24"], ["::/1", "::/0"]])
    assert found.whole == "::/0" and found.at == (1, 1) and not found.split
