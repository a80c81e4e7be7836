"""The `security:` block of config/environments.yaml: an open allow list is refused where it is written."""
from __future__ import annotations

from pilotfactory.pipeline import check


def _with_security(repo, block: str):
    path = repo / "config" / "environments.yaml"
    text = path.read_text()
    anchor = "    min_phase: staging\n"
    path.write_text(text.replace(anchor, anchor + block, 1))
    return text.replace(anchor, anchor + block, 1).splitlines()


def test_an_allow_list_with_0_0_0_0_0_is_a_located_error(repo_copy):
    lines = _with_security(repo_copy, "    security:\n      ip_access_lists:\n        - label: anywhere\n"
                                      "          addresses: [198.51.100.0/24, 0.0.0.0/0]\n")
    errors = check(repo_copy).diagnostics.errors
    (error,) = [d for d in errors if d.code == "PF240"]
    assert error.location.file == "config/environments.yaml"
    assert "0.0.0.0/0" in lines[error.location.line - 1]
    assert lines[error.location.line - 1][error.location.column - 1:].startswith("0.0.0.0/0")
    assert "anywhere" in error.summary


def test_a_block_list_may_name_anything_and_bad_addresses_are_refused(repo_copy):
    _with_security(repo_copy, "    security:\n      ip_access_lists:\n        - label: deny-all\n"
                              "          list_type: BLOCK\n          addresses: [0.0.0.0/0, not-an-ip]\n")
    errors = check(repo_copy).diagnostics.errors
    assert [d.code for d in errors] == ["PF104"]
    assert "not-an-ip" in errors[0].summary and errors[0].location.file == "config/environments.yaml"


def test_ranges_adding_up_to_the_internet_are_refused_too(repo_copy):
    _with_security(repo_copy, "    security:\n      ip_access_lists:\n        - label: halves\n"
                              "          addresses: [0.0.0.0/1, 128.0.0.0/1]\n")
    (error,) = [d for d in check(repo_copy).diagnostics.errors if d.code == "PF240"]
    assert "ranges adding up to 0.0.0.0/0" in error.summary


def test_an_ipv6_open_range_is_refused(repo_copy):
    _with_security(repo_copy, "    security:\n      ip_access_lists:\n        - label: v6\n"
                              "          addresses: [198.51.100.0/24, '::/0']\n")
    (error,) = [d for d in check(repo_copy).diagnostics.errors if d.code == "PF240"]
    assert "::/0" in error.summary
