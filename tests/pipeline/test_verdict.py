"""`validate` through the per-file cache (pilotfactory.verdict, issue 16): it says what pipeline.check
says, cold and warm; a warm run loads and gates only the changed files; every input a file's
results depend on (config, templates, the date, evidence, git) is seen; a damaged or foreign
entry is computed again, never believed."""
from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

import pilotfactory.verdict as verdict_module
from pilotfactory.files.content_cache import ContentCache, caching_by_default
from pilotfactory.pipeline import check
from pilotfactory.verdict import KIND, verdict
from tests.factory import AS_OF


def _cache(root: Path) -> ContentCache:
    return ContentCache(root / ".pilotfactory" / "cache" / "content", "v1")


def _same_as_check(root: Path, v, today: dt.date = AS_OF) -> None:
    c = check(root, today=today)
    assert [(d, d.step) for d in v.diagnostics.sorted()] == [(d, d.step) for d in c.diagnostics.sorted()]
    assert (v.usable, v.ok) == (c.usable, c.ok)
    if c.usable:
        assert v.withheld == c.withheld()
        assert (v.pilots, v.stacks) == (len(c.resolution.pilots), len(c.resolution.catalog.pilots))


@pytest.fixture
def messy(make_estate):
    """Something to report at every step: a rule, a stale approval, a key twice, a name twice,
    builders who are the platform admins (an estate rule), a file that does not type."""
    estate = make_estate(7)
    estate.break_pilot("pilot-001")
    estate.edit_pilot("pilot-000", lambda d: d.setdefault("compute", {}).update(min_workers=2))
    path = estate.pilot_file("pilot-003")
    path.write_text(path.read_text(encoding="utf-8") + "cost_center: CC-2\nnotes: fine\n", encoding="utf-8")
    estate.edit_pilot("pilot-004", lambda d: d.update(name="pilot-005"))
    estate.edit_pilot("pilot-005", lambda d: d["owners"].update(builders="platform-admins"))
    estate.break_pilot("pilot-006", "resolve")
    return estate


def test_cold_and_warm_say_what_check_says(messy):
    cold = verdict(messy.root, cache=_cache(messy.root))
    assert {d.step for d in cold.diagnostics} == {"load", "resolve", "validate", "gates"}
    assert {"PF007", "PF204", "PF210", "PF211", "PF244"} <= {d.code for d in cold.diagnostics}
    assert cold.withheld and len(cold.parsed) == 7
    _same_as_check(messy.root, cold)
    warm = verdict(messy.root, cache=_cache(messy.root))
    assert warm.parsed == [] and warm.gated == []
    _same_as_check(messy.root, warm)
    assert [d.render() for d in warm.diagnostics.sorted()] == [d.render() for d in cold.diagnostics.sorted()]
    _same_as_check(messy.root, verdict(messy.root, cache=False))


def test_a_warm_run_loads_and_gates_only_the_changed_file(make_estate, monkeypatch):
    estate = make_estate(6)
    verdict(estate.root, cache=_cache(estate.root))
    typed = []
    real = verdict_module.type_pilot
    monkeypatch.setattr(verdict_module, "type_pilot", lambda *a: typed.append(a[1].file) or real(*a))
    estate.break_pilot("pilot-003")
    warm = verdict(estate.root, cache=_cache(estate.root))
    assert typed == ["catalog/pilots/pilot-003.yaml"] == warm.parsed
    assert warm.gated == []  # its own errors keep it from the gates
    _same_as_check(estate.root, warm)
    estate.edit_pilot("pilot-003", lambda d: d["compute"].pop("max_workers"))
    typed.clear()
    again = verdict(estate.root, cache=_cache(estate.root))
    assert typed == again.parsed == again.gated == ["catalog/pilots/pilot-003.yaml"]
    _same_as_check(estate.root, again)


@pytest.mark.parametrize("target", ["config/standards.yaml", "config/gates.yaml",
                                    "catalog/templates/batch/template.yaml"])
def test_a_changed_config_or_template_validates_every_file_again(make_estate, target):
    estate = make_estate(4)
    verdict(estate.root, cache=_cache(estate.root))
    path = estate.root / target
    path.write_text(path.read_text(encoding="utf-8") + "# one byte more\n", encoding="utf-8")
    warm = verdict(estate.root, cache=_cache(estate.root))
    assert len(warm.parsed) == 4 and len(warm.gated) == 4


def test_a_tighter_standard_is_seen_by_every_cached_pilot(make_estate):
    estate = make_estate(4)
    assert verdict(estate.root, cache=_cache(estate.root)).ok
    path = estate.root / "config" / "standards.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sizes"]["small"]["max_workers"] = 1
    data["sizes"]["small"]["min_workers"] = 1
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    estate.edit_pilot("pilot-000", lambda d: d.setdefault("compute", {}).update(max_workers=2))
    warm = verdict(estate.root, cache=_cache(estate.root))
    assert "PF211" in {d.code for d in warm.diagnostics}
    _same_as_check(estate.root, warm)


def test_evidence_expires_on_a_warm_run(make_estate):
    """The date is in the key of gate results: a rehearsal that ages out is seen without any file
    changing (a warning while the approved content stands; no cutover passes)."""
    estate = make_estate(3)
    assert verdict(estate.root, cache=_cache(estate.root), today=AS_OF).ok
    later = AS_OF + dt.timedelta(days=120)
    warm = verdict(estate.root, cache=_cache(estate.root), today=later)
    assert warm.parsed == [] and len(warm.gated) == 3
    assert "PF320" in {d.code for d in warm.diagnostics}
    _same_as_check(estate.root, warm, later)


def test_a_changed_evidence_file_is_read_again(make_estate):
    estate = make_estate(3)
    verdict(estate.root, cache=_cache(estate.root))
    report = next((estate.root / "evidence" / "pilot-000").rglob("junit.xml"))
    report.write_bytes(report.read_bytes().replace(b'name="test_score"/>', b'name="test_score"><failure/></testcase>'))
    warm = verdict(estate.root, cache=_cache(estate.root))
    assert warm.gated == ["catalog/pilots/pilot-000.yaml"] and not warm.ok
    _same_as_check(estate.root, warm)


def test_a_new_commit_gates_again_when_approvals_are_verified_in_git(make_estate):
    estate = make_estate(3)
    gates = estate.root / "config" / "gates.yaml"
    gates.write_text(gates.read_text(encoding="utf-8").replace("verify: none", "verify: author"), encoding="utf-8")
    git = ["git", "-C", str(estate.root), "-c", "user.name=T", "-c", "user.email=t@bank.example",
           "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "estate"], check=True)
    verdict(estate.root, cache=_cache(estate.root))
    assert verdict(estate.root, cache=_cache(estate.root)).gated == []
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "another"], check=True)
    warm = verdict(estate.root, cache=_cache(estate.root))
    assert warm.parsed == [] and len(warm.gated) == 3
    _same_as_check(estate.root, warm)


def test_a_damaged_pack_is_ignored(messy):
    verdict(messy.root, cache=_cache(messy.root))
    (entry,) = [p for p in (messy.root / ".pilotfactory" / "cache" / "content" / KIND).rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")
    warm = verdict(messy.root, cache=_cache(messy.root))
    assert len(warm.parsed) == 7
    _same_as_check(messy.root, warm)


def test_a_foreign_entry_is_computed_again(messy):
    """A well-formed entry of another file (or other content) under a file's name is not believed."""
    store = _cache(messy.root)
    verdict(messy.root, cache=store)
    key = store.key(KIND, "pack")
    pilots, gates = store.get(KIND, key)
    clean, broken = "catalog/pilots/pilot-002.yaml", "catalog/pilots/pilot-001.yaml"
    pilots[broken], gates[broken] = pilots[clean], gates[clean]
    store.put(KIND, key, (pilots, gates))
    warm = verdict(messy.root, cache=_cache(messy.root))
    assert warm.parsed == [broken]
    assert "PF211" in {d.code for d in warm.diagnostics}
    _same_as_check(messy.root, warm)


def test_the_validate_command_reads_the_cache(make_estate):
    from click.testing import CliRunner

    from pilotfactory.cli.app import cli

    estate = make_estate(3)
    estate.break_pilot("pilot-001")
    with caching_by_default():  # as pilotfactory.cli.app.main runs every command
        cold = CliRunner().invoke(cli, ["validate", "--root", str(estate.root)])
        assert list((estate.root / ".pilotfactory" / "cache" / "content" / KIND).rglob("*"))
        warm = CliRunner().invoke(cli, ["validate", "--root", str(estate.root)])
    assert cold.exit_code == warm.exit_code == 3
    assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr) and "PF211" in warm.stderr
    assert "withheld" in warm.stdout and "2 pilot stacks" not in warm.stdout


def test_a_one_pilot_command_after_validate_reads_every_name_from_one_entry(make_estate):
    estate = make_estate(4)
    path = estate.pilot_file("pilot-002")
    path.write_text(path.read_text(encoding="utf-8") + "cost_center: [\n", encoding="utf-8")  # no name it can read
    verdict(estate.root, cache=_cache(estate.root))
    store = _cache(estate.root)
    checked = check(estate.root, only=["pilot-001"], cache=store)
    assert store.hits["pilot-names"] == 1 and not store.misses["pilot-name"]
    assert checked.catalog.names == check(estate.root, only=["pilot-001"]).catalog.names
