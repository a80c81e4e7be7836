"""The content cache of parsed files and read evidence (issue 16): a warm run says exactly what a
cold run says, a change to any input is seen, and a damaged or forged entry is never believed."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from pilotfactory.files.content_cache import MAGIC, ContentCache
from pilotfactory.pipeline import check, content_cache
from tests.factory import AS_OF


def _said(checked) -> list:
    """Everything a run reports, in order, with positions and steps: what must not differ."""
    out = [d.as_dict() for d in checked.diagnostics]
    if checked.gates is not None:
        out += [(p.pilot, p.earned, [(g.title, g.passed, [(c.name, c.passed, c.reason, str(c.where))
                                                          for c in g.criteria]) for g in p.gates])
                for p in checked.gates.pilots]
    out += [(rp.stack_id, rp.pilot.model_dump_json(), repr(rp.compute), rp.tags) for rp in checked.resolution.catalog.pilots] \
        if checked.resolution.catalog else []
    return out


@pytest.fixture
def messy(make_estate):
    """An estate whose run reports something at every step: YAML problems, a rule, a gate."""
    estate = make_estate(4)
    estate.break_pilot("pilot-001")                                   # validate: PF211
    estate.edit_pilot("pilot-002", lambda d: d.update(title="Changed after approval"))
    path = estate.pilot_file("pilot-003")
    path.write_text(path.read_text(encoding="utf-8") + "cost_center: CC-2\nnotes: yes\n", encoding="utf-8")
    return estate


def _cache(root: Path, version: str = "v1") -> ContentCache:
    return ContentCache(root / ".pilotfactory" / "cache" / "content", version)


def test_a_warm_run_says_byte_for_byte_what_a_cold_run_says(messy):
    cold_cache = _cache(messy.root)
    cold = check(messy.root, cache=cold_cache)
    uncached = check(messy.root)
    warm_cache = _cache(messy.root)
    warm = check(messy.root, cache=warm_cache)
    assert cold.diagnostics.items and any(d.code == "PF007" for d in cold.diagnostics)
    assert _said(warm) == _said(cold) == _said(uncached)
    assert [d.render() for d in warm.diagnostics.sorted()] == [d.render() for d in uncached.diagnostics.sorted()]
    # 4 config files, 2 templates, 4 pilots; two reports each of pilot-000 and pilot-002 (the
    # pilots with errors of their own are not taken to the gates)
    assert cold_cache.misses == {"yaml": 10, "junit": 4} and not cold_cache.hits
    assert warm_cache.hits == {"yaml": 10, "junit": 4} and not warm_cache.misses


@pytest.mark.parametrize("target", ["catalog/pilots/pilot-001.yaml", "catalog/templates/batch/template.yaml",
                                    "config/standards.yaml"])
def test_one_changed_byte_in_a_file_reparses_that_file_only_and_its_effect_is_seen(make_estate, target):
    estate = make_estate(3)
    before = _said(check(estate.root, cache=_cache(estate.root)))
    path = estate.root / target
    text = path.read_text(encoding="utf-8")
    # one byte that changes meaning: a title, a default run limit, the default autotermination
    edited = text.replace("pilot-001\n", "pilot-00l\n", 1) if "pilots" in target else \
        text.replace("120", "121", 1) if "templates" in target else text.replace(": 60", ": 61", 1)
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")
    cache = _cache(estate.root)
    warm = _said(check(estate.root, cache=cache))
    assert warm == _said(check(estate.root)), "a warm run after the change differs from a cold one"
    assert warm != before
    assert cache.misses["yaml"] == 1 and cache.hits["yaml"] == 8  # 4 config files, 2 templates, 3 pilots


def test_a_new_tool_version_finds_nothing_of_the_old_one(make_estate):
    estate = make_estate(2)
    check(estate.root, cache=_cache(estate.root, "v1"))
    other = _cache(estate.root, "v2")
    check(estate.root, cache=other)
    assert not other.hits and other.misses["yaml"] == 8
    # the repository's cache is keyed by the code's digest and the package version
    assert content_cache(estate.root).version != "v1" and len(content_cache(estate.root).version) > 64


def test_the_repository_cache_changes_with_the_package_version_and_with_the_code(make_estate, monkeypatch):
    from importlib import metadata

    import pilotfactory.synth.cache as stackcache

    estate = make_estate(1)
    check(estate.root, cache=content_cache(estate.root))
    base = content_cache(estate.root).version
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda dist: "99.0.0" if dist == "pilotfactory" else real(dist))
    bumped = content_cache(estate.root)
    assert bumped.version != base
    check(estate.root, cache=bumped)
    assert not bumped.hits and bumped.misses["yaml"] == 7  # 4 config files, 2 templates, 1 pilot
    monkeypatch.undo()
    monkeypatch.setattr(stackcache, "code_digest", lambda: "0" * 64)
    assert content_cache(estate.root).version not in (base, bumped.version)


def test_a_report_is_read_again_when_its_bytes_change(make_estate):
    estate = make_estate(1)
    check(estate.root, cache=_cache(estate.root))
    report = estate.root / "evidence" / "pilot-000" / "v1.0.0" / "junit.xml"
    failing = report.read_bytes().replace(b'name="test_contract"/>',
                                          b'name="test_contract"><failure message="x"/></testcase>')
    report.write_bytes(failing)
    digest = hashlib.sha256(failing).hexdigest()
    estate.edit_pilot("pilot-000", lambda d: [e.update(sha256=digest) for e in d["evidence"]
                                              if e.get("path") == "evidence/pilot-000/v1.0.0/junit.xml"])
    cache = _cache(estate.root)
    warm = check(estate.root, cache=cache)
    assert cache.misses["junit"] == 1 and cache.hits["junit"] == 1
    assert any("1 of 2 tests failed" in d.summary for d in warm.diagnostics.errors)
    assert _said(warm) == _said(check(estate.root))


def test_a_report_is_judged_again_on_another_day(make_estate):
    """A report dated after today fails until that day: the day judged on is part of the key."""
    estate = make_estate(1)
    before = AS_OF - dt.timedelta(days=40)  # the factory's reports are dated 2026-11-01
    early = _cache(estate.root)
    assert any(d.code == "PF312" for d in check(estate.root, cache=early, today=before).diagnostics)
    later = _cache(estate.root)
    assert not any(d.code == "PF312" for d in check(estate.root, cache=later).diagnostics)
    assert later.misses["junit"] == 2


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".pilotfactory" / "cache" / "content").rglob("*") if p.is_file())


def test_a_forged_entry_is_never_believed(make_estate):
    """An entry edited after it was written (its checksum no longer matches) is read as absent:
    the title forged into the cached tree never reaches the catalog."""
    estate = make_estate(1)
    check(estate.root, cache=_cache(estate.root))
    forged = 0
    for entry in _entries(estate.root):
        raw = entry.read_bytes()
        if b"Generated pilot pilot-000" in raw:
            entry.write_bytes(raw.replace(b"Generated pilot pilot-000", b"Generated pilot FORGED-00"))
            forged += 1
    assert forged == 1
    cache = _cache(estate.root)
    warm = check(estate.root, cache=cache)
    assert warm.resolution.pilots[0].pilot.title == "Generated pilot pilot-000"
    assert cache.misses["yaml"] == 1
    assert _said(warm) == _said(check(estate.root))
    again = _cache(estate.root)
    check(estate.root, cache=again)
    assert not again.misses, "the damaged entry was replaced by a good one"


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "other shape"])
def test_a_damaged_entry_is_ignored_and_replaced(make_estate, damage):
    estate = make_estate(2)
    cold = check(estate.root, cache=_cache(estate.root))
    for entry in _entries(estate.root):
        raw = entry.read_bytes()
        if damage == "truncated":
            entry.write_bytes(raw[:len(raw) // 2])
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "garbage":
            entry.write_bytes(MAGIC + b"0" * 64 + b"\xff\x00garbage")
        else:  # a valid checksum over data of the wrong shape: what another version might write
            import marshal
            payload = marshal.dumps({"not": "a cached result"})
            entry.write_bytes(MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
    cache = _cache(estate.root)
    warm = check(estate.root, cache=cache)
    assert _said(warm) == _said(cold)
    assert not cache.hits
