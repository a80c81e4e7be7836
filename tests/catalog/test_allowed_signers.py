"""The allowed-signers file's principals, each located where it is written (ssh-keygen(1) format)."""
from __future__ import annotations

from pilotfactory.catalog.allowed_signers import read_principals

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJ0ZXN0a2V5MDAwMDAwMDAwMDAwMDAwMDAwMDAwMA"


def test_principals_comma_lists_quotes_and_comments():
    text = (f"# approvers\n\n"
            f"helen.marsh@bank.example namespaces=\"git\" {KEY}\n"
            f"  a@bank.example,b@bank.example {KEY}\n"
            f"\"c@bank.example,*@evil.example\" cert-authority {KEY}\n")
    found = [(p.name, p.where.line, p.where.column, p.is_pattern) for p in read_principals(text, "f")]
    assert found == [("helen.marsh@bank.example", 3, 1, False),
                     ("a@bank.example", 4, 3, False), ("b@bank.example", 4, 18, False),
                     ("c@bank.example", 5, 2, False), ("*@evil.example", 5, 17, True)]


def test_an_empty_file_has_no_principals():
    assert read_principals("# nobody yet\n   \n", "f") == []
