"""Who may sign approvals (PFR008): adding a key to config/allowed_signers under an approver's
e-mail let whoever holds it approve as that person (the gates verify approval commits with this
file), and `review` said "No infrastructure changes". Every key added, widened, re-optioned or
removed is now a governance finding, blocking by default."""
from __future__ import annotations

from pathlib import Path

import pytest

from pilotfactory.catalog.allowed_signers import read_keys
from pilotfactory.review.governance import governance_findings

KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILWyFQjFYlQuP4SmvMswGURZ66O21TIBjWKuSz23DCg4"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHw0mXhVq1g8sRk4bE1cQ9wWnFh1u9Tz0oX2kR59kuWiy99Je"
SIGNERS = f"""# who may sign approvals
helen.marsh@bank.example namespaces="git" {KEY_A}
"""


def _findings(tmp_path: Path, base: str, head: str, gates: tuple[str, str] | None = None) -> list:
    for side, text in (("base", base), ("head", head)):
        (tmp_path / side / "config").mkdir(parents=True)
        name = "config/allowed_signers"
        if gates is not None:
            name = gates[0 if side == "base" else 1]
            (tmp_path / side / "config" / "gates.yaml").write_text(
                f"approvals:\n  allowed_signers: {name}\n")
        (tmp_path / side / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / side / name).write_text(text)
    return [f for f in governance_findings(tmp_path / "base", tmp_path / "head") if f.rule_id == "PFR008"]


@pytest.mark.parametrize("head,words", [
    (SIGNERS + f'helen.marsh@bank.example namespaces="git" {KEY_B}\n',
     "new signing key `ssh-ed25519 …R59kuWiy99Je` for **helen.marsh@bank.example**"),
    (SIGNERS + f'*@bank.example namespaces="git" {KEY_B}\n', "a pattern: **anyone matching *@bank.example**"),
    (SIGNERS.replace("helen.marsh@bank.example", '"helen.marsh@bank.example,m.rossi@bank.example"'),
     "now also signs for **m.rossi@bank.example** (**weaker**)"),
    (SIGNERS.replace('namespaces="git"', 'namespaces="git,file"'), '`namespaces="git"` → `namespaces="git,file"`'),
    ("# nobody\n", "removed: approvals it signed no longer verify (stricter)"),
])
def test_each_change_to_who_may_sign_is_flagged(tmp_path, head, words):
    [found] = _findings(tmp_path, SIGNERS, head)
    assert found.kind == "governance" and found.blocks_by_default and words in found.text, found.text
    assert found.source.startswith("config/allowed_signers:")


def test_comments_and_order_are_not_changes(tmp_path):
    both = SIGNERS + f'marcus.bell@bank.example namespaces="git" {KEY_B}\n'
    reordered = "# reordered\n\n" + f'marcus.bell@bank.example namespaces="git" {KEY_B}  # his laptop\n' + \
        f'helen.marsh@bank.example namespaces="git" {KEY_A}\n'
    assert _findings(tmp_path, both, reordered) == []


def test_the_file_gates_yaml_names_is_the_one_compared(tmp_path):
    added = SIGNERS + f'helen.marsh@bank.example namespaces="git" {KEY_B}\n'
    [found] = _findings(tmp_path, SIGNERS, added, gates=("security/signers", "security/signers"))
    assert found.source.startswith("security/signers:") and "new signing key" in found.text


def test_the_reader_keeps_principals_options_and_key_apart():
    [key] = read_keys(f'"a@b.example, c@d.example" namespaces="git",valid-before="20270101" {KEY_A} laptop\n')
    assert key.principals == ("a@b.example", "c@d.example")
    assert key.options == 'namespaces="git",valid-before="20270101"' and key.key == KEY_A and key.line == 1
    [odd] = read_keys("x@y.example something-unknown AAAA\n")
    assert odd.key == "something-unknown AAAA"   # any change to it still shows


def test_a_key_added_is_flagged_when_gates_yaml_is_the_same_on_both_sides(tmp_path):
    """gates.yaml unchanged and naming no path of its own: the default file is still compared (only
    a byte-identical default file on both sides is skipped unparsed)."""
    for side in ("base", "head"):
        (tmp_path / side / "config").mkdir(parents=True)
        (tmp_path / side / "config" / "gates.yaml").write_text("intake:\n  min_value_score: 3\n")
    (tmp_path / "base" / "config" / "allowed_signers").write_text(SIGNERS)
    (tmp_path / "head" / "config" / "allowed_signers").write_text(
        SIGNERS + f'helen.marsh@bank.example namespaces="git" {KEY_B}\n')
    found = [f for f in governance_findings(tmp_path / "base", tmp_path / "head") if f.rule_id == "PFR008"]
    assert len(found) == 1 and "new signing key" in found[0].text
    (tmp_path / "head" / "config" / "allowed_signers").write_text(SIGNERS)
    assert not [f for f in governance_findings(tmp_path / "base", tmp_path / "head") if f.rule_id == "PFR008"]


def test_a_symlinked_signers_file_is_compared_where_it_leads(tmp_path):
    """Both sides' gates.yaml the same and config/allowed_signers a symlink on each: not skipped as
    unchanged (the bytes at the link are not the file), compared where it leads."""
    for side, text in (("base", SIGNERS), ("head", SIGNERS + f'helen.marsh@bank.example namespaces="git" {KEY_B}\n')):
        (tmp_path / side / "config").mkdir(parents=True)
        (tmp_path / side / "config" / "gates.yaml").write_text("intake:\n  min_value_score: 3\n")
        (tmp_path / side / "keys").write_text(text)
        (tmp_path / side / "config" / "allowed_signers").symlink_to(tmp_path / side / "keys")
    found = [f for f in governance_findings(tmp_path / "base", tmp_path / "head") if f.rule_id == "PFR008"]
    assert len(found) == 1 and "new signing key" in found[0].text
