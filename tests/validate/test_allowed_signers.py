"""Allowed signers are members of config/roles.yaml: a key no one governs never signs an approval."""
from __future__ import annotations

from pilotfactory.pipeline import check

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJ0ZXN0a2V5MDAwMDAwMDAwMDAwMDAwMDAwMDAwMA"


def _members(repo) -> list[str]:
    import yaml

    roles = yaml.safe_load((repo / "config" / "roles.yaml").read_text())
    return sorted({m for g in roles["groups"].values() for m in g.get("members", [])})


def _signers(repo, text: str, where: str = "config/allowed_signers") -> list:
    (repo / where).write_text(text)
    return [d for d in check(repo).diagnostics.errors if d.code == "PF248"]


def test_every_member_may_be_an_allowed_signer_in_any_letter_case(repo_copy):
    members = _members(repo_copy)
    text = "".join(f'{m.upper() if i % 2 else m} namespaces="git" {KEY}\n' for i, m in enumerate(members))
    assert _signers(repo_copy, "# the approvers' keys\n" + text) == []


def test_a_stranger_is_a_located_error(repo_copy):
    member = _members(repo_copy)[0]
    (error,) = _signers(repo_copy, f'{member} {KEY}\n\n{member},mallory@evil.example namespaces="git" {KEY}\n')
    where = error.location
    assert (where.file, where.line, where.column) == ("config/allowed_signers", 3, len(member) + 2)
    assert "mallory@evil.example" in error.summary and "not a member" in error.summary


def test_a_pattern_is_refused_even_if_it_matches_members_only(repo_copy):
    domain = _members(repo_copy)[0].split("@")[1]
    (error,) = _signers(repo_copy, f"*@{domain} {KEY}\n")
    assert error.location.line == 1 and error.location.column == 1 and "pattern" in error.summary


def test_the_file_gates_yaml_names_is_the_one_read(repo_copy):
    gates = repo_copy / "config" / "gates.yaml"
    gates.write_text(gates.read_text().replace("  verify: none\n",
                                               "  verify: none\n  allowed_signers: config/signers.txt\n"))
    (repo_copy / "config" / "allowed_signers").write_text(f"ignored@evil.example {KEY}\n")
    (error,) = _signers(repo_copy, f"mallory@evil.example {KEY}\n", "config/signers.txt")
    assert error.location.file == "config/signers.txt"
