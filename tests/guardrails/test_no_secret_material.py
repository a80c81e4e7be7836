"""No secret material in anything we generate: stacks, documents, reports."""
from __future__ import annotations

import base64
import json
import secrets

from click.testing import CliRunner

from pilotfactory.cli.app import cli

from ..conftest import REPO, ESTATE
from .leaks import leaks

TEXT_SUFFIXES = {".json", ".py", ".md", ".txt", ".yaml", ".yml", ".html", ".csv", ".xml", ".sarif"}


def test_the_scanner_sees_tokens_keys_and_encoded_secrets_but_not_digests_or_ids():
    assert list(leaks("token: dapi" + "0123456789abcdef" * 2))
    assert list(leaks(f"key={secrets.token_urlsafe(32)}"))
    assert list(leaks(base64.b64encode(b"password = 'dapi" + b"a1" * 16 + b"'").decode()))
    harmless = ("sha256: " + "ab12" * 16 + " id 2f6a8b3c-71e4-4d9a-b052-e83c1d6f47a0 "
                "jobs_classify-blue_DFA8890E " + base64.b64encode(b"print('hello world, contract check')").decode()
                + " /Volumes/prod/platform/artifacts/wheels/kyc_triage-1.4.0-py3-none-any.whl")
    assert list(leaks(harmless)) == []


def test_synthesized_stacks_hold_no_secret_material(synthesized):
    found = {str(p.relative_to(synthesized)): list(leaks(p.read_text()))
             for p in synthesized.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES}
    assert found and {f: hits for f, hits in found.items() if hits} == {}


def test_generated_documents_and_reports_hold_no_secret_material(synthesized):
    reports = {
        fmt: CliRunner().invoke(cli, ["check", str(synthesized), "--root", str(ESTATE), "--format", fmt]).output
        for fmt in ("text", "json", "sarif")
    }
    json.loads(reports["sarif"])
    documents = {str(p.relative_to(REPO)): p.read_text() for folder in ("docs", "evidence")
                 if (REPO / folder).is_dir() for p in (REPO / folder).rglob("*")
                 if p.is_file() and p.suffix in TEXT_SUFFIXES}
    found = {name: list(leaks(text)) for name, text in {**reports, **documents}.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
