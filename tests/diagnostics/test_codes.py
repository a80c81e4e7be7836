"""Diagnostic codes: one table of code and explanation, each code unique and stable in shape."""
from __future__ import annotations

import json
import re

from pilotfactory.diagnostics.codes import Code, DiagnosticCode, all_codes


def test_every_code_is_unique_well_formed_and_explained():
    codes = all_codes()
    assert len(codes) == len(set(codes)) == len([v for v in vars(Code).values() if isinstance(v, DiagnosticCode)])
    assert [c for c in codes if not re.fullmatch(r"PF\d{3}", c)] == []
    assert [c for c in codes if not c.explanation.strip()] == []


def test_a_code_behaves_as_its_plain_string():
    """Diagnostics compare, hash and serialise codes as strings; the explanation rides along."""
    assert Code.BAD_CRON == "PF209" and hash(Code.BAD_CRON) == hash("PF209")
    assert {"PF209": 1}[Code.BAD_CRON] == 1
    assert json.dumps({"code": Code.BAD_CRON}) == '{"code": "PF209"}'
    assert f"[{Code.BAD_CRON}]" == "[PF209]" and repr(Code.BAD_CRON) == "'PF209'"
    assert "Quartz" in Code.BAD_CRON.explanation
