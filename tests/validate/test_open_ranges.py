"""PF240 over the shared open-range table: config/environments.yaml allow lists, alone and together."""
from __future__ import annotations

import pytest

from pilotfactory.pipeline import check

from tests.catalog.open_ranges import ACROSS_LISTS, ONE_LIST


def _lists(repo, lists: list[list[str]]) -> list:
    block = "    security:\n      ip_access_lists:\n" + "".join(
        f"        - label: list{n}\n          addresses: [{', '.join(repr(a) for a in addresses)}]\n"
        for n, addresses in enumerate(lists))
    path = repo / "config" / "environments.yaml"
    anchor = "    min_phase: staging\n"
    path.write_text(path.read_text().replace(anchor, anchor + block, 1))
    return [d for d in check(repo).diagnostics.errors if d.code == "PF240"]


@pytest.mark.parametrize("case", sorted(ONE_LIST) + sorted(ACROSS_LISTS))
def test_open_ranges_are_refused_where_they_are_written(repo_copy, case):
    lists, whole = ([ONE_LIST[case][0]], ONE_LIST[case][1]) if case in ONE_LIST else ACROSS_LISTS[case]
    errors = _lists(repo_copy, lists)
    if whole is None:
        assert errors == []
        return
    (error,) = errors
    assert whole in error.summary or "0.0.0.0/0" in error.summary
    assert error.location.file == "config/environments.yaml"
    line = (repo_copy / "config" / "environments.yaml").read_text().splitlines()[error.location.line - 1]
    assert "addresses:" in line and line[error.location.column - 1:].lstrip("'").startswith(("0.", "10.", ":"))
    if case in ACROSS_LISTS:
        assert "`list0`, `list1` together" in error.summary


def test_a_block_list_of_everything_is_not_an_open_allow_list(repo_copy):
    path = repo_copy / "config" / "environments.yaml"
    anchor = "    min_phase: staging\n"
    path.write_text(path.read_text().replace(anchor, anchor + "    security:\n      ip_access_lists:\n"
                                             "        - label: deny-all\n          list_type: BLOCK\n"
                                             "          addresses: ['0.0.0.0/0', '::/0']\n", 1))
    assert [d for d in check(repo_copy).diagnostics.errors if d.code == "PF240"] == []
