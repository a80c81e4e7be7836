"""Blast radius of the generated outputs (issue 13): documents, evidence packs, CODEOWNERS and the
inventory are made per pilot. A withheld pilot gets nothing new, its previous files stay byte for
byte, the output says which and why, the exit status is 3; every other pilot gets its own.
Estates come from the catalog factory; nothing here leans on the example catalog."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generators.pilot_docs import DOCUMENTS
from pilotfactory.cli.app import cli

CODEOWNERS = Path(".github") / "CODEOWNERS"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: content and modification time (a rewrite of equal bytes shows too)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _retitle(estate, name: str, title: str) -> None:
    estate.edit_pilot(name, lambda d: d.update(title=title))
    estate.sign(name)  # a new title needs a new approval: only the break below withholds anything


@pytest.mark.parametrize("how", ["validate", "resolve"])
def test_a_broken_pilot_keeps_its_documents_and_the_others_get_theirs(make_estate, tmp_path, how):
    estate = make_estate(3)  # pilot-000 production, pilot-001 staging, pilot-002 pilot
    out = tmp_path / "docs"
    first = run("docs", "--root", str(estate.root), "--out", str(out))
    assert first.exit_code == 0, first.output
    before = _tree(out / "pilot-001")
    assert sorted(before) == sorted(DOCUMENTS)

    for name in ("pilot-000", "pilot-001", "pilot-002"):
        _retitle(estate, name, f"Renamed {name}")
    estate.break_pilot("pilot-001", how)
    result = run("docs", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert _tree(out / "pilot-001") == before            # not a byte, not a timestamp
    for name in ("pilot-000", "pilot-002"):
        assert "Renamed " + name in (out / name / "runbook.md").read_text(encoding="utf-8")
        assert f"wrote {out}/{name}/runbook.md" in result.output
    assert (f"withheld the documents of `pilot-001` ({len(DOCUMENTS)} previous files kept as they were): "
            "catalog/pilots/pilot-001.yaml has errors") in result.output
    assert "documents of 1 pilot withheld" in result.output
    # nothing half-written: each folder holds exactly the documents, no scratch files beside them
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        f"{n}/{d}" for n in ("pilot-000", "pilot-001", "pilot-002") for d in DOCUMENTS)


def test_without_previous_documents_a_broken_pilot_gets_none(make_estate, tmp_path):
    estate = make_estate(3)
    estate.break_pilot("pilot-002")
    out = tmp_path / "fresh"
    result = run("docs", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert not (out / "pilot-002").exists()
    assert "withheld the documents of `pilot-002` (0 previous files kept" in result.output
    assert {p.name for p in out.iterdir()} == {"pilot-000", "pilot-001"}
    # the one broken pilot asked for by name: nothing written, the reason given
    alone = run("docs", "pilot-002", "--root", str(estate.root), "--out", str(tmp_path / "alone"))
    assert alone.exit_code == 3 and not (tmp_path / "alone").exists()
    assert "withheld the documents of `pilot-002`" in alone.output


def test_unearned_gates_withhold_that_pilots_documents(make_estate, tmp_path):
    estate = make_estate(2)
    out = tmp_path / "docs"
    assert run("docs", "--root", str(estate.root), "--out", str(out)).exit_code == 0
    before = _tree(out / "pilot-000")
    # a content change without a new approval: the production approvals are stale, prod is unearned
    estate.edit_pilot("pilot-000", lambda d: d["compute"].update(max_workers=3) if "compute" in d
                      else d.update(compute={"size": "small", "max_workers": 3}))
    result = run("docs", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert _tree(out / "pilot-000") == before
    assert "withheld the documents of `pilot-000`" in result.output and "not earned" in result.output
    assert "pilot-001" not in result.output.split("withheld", 1)[1]


def test_docs_check_reports_stale_documents_of_healthy_pilots_only(make_estate, tmp_path):
    estate = make_estate(2)
    out = tmp_path / "docs"
    assert run("docs", "--root", str(estate.root), "--out", str(out)).exit_code == 0
    estate.break_pilot("pilot-001")
    assert run("docs", "--root", str(estate.root), "--out", str(out), "--check").exit_code == 3
    _retitle(estate, "pilot-000", "Renamed")
    stale = run("docs", "--root", str(estate.root), "--out", str(out), "--check")
    assert stale.exit_code == 1 and f"stale {out}/pilot-000/runbook.md" in stale.output
    assert "pilot-001/" not in stale.output


def test_an_everyone_error_writes_no_documents(make_estate, tmp_path):
    estate = make_estate(2)
    (estate.root / "config" / "standards.yaml").write_text("apiVersion: pilotfactory/v1\nkind: Standards\n")
    result = run("docs", "--root", str(estate.root), "--out", str(tmp_path / "docs"))
    assert result.exit_code == 1 and "no documents written" in result.output
    assert not (tmp_path / "docs").exists()


def test_an_evidence_pack_of_one_pilot_ignores_another_pilots_errors(make_estate, tmp_path):
    estate = make_estate(2)
    estate.break_pilot("pilot-001")
    good = run("evidence", "pilot-000", "--env", "prod", "--out", str(tmp_path / "good.tar.gz"),
               "--root", str(estate.root))
    assert good.exit_code == 0, good.output
    assert run("evidence", "--verify", str(tmp_path / "good.tar.gz")).exit_code == 0
    broken = run("evidence", "pilot-001", "--env", "staging", "--out", str(tmp_path / "broken.tar.gz"),
                 "--root", str(estate.root))
    assert broken.exit_code == 1
    assert "no evidence pack written: the stacks of `pilot-001` are withheld" in broken.output
    assert not (tmp_path / "broken.tar.gz").exists()


def _owners(root: Path) -> dict[str, str]:
    return {line.split()[0]: line for line in (root / CODEOWNERS).read_text().splitlines()
            if line.startswith("/catalog/pilots/")}


def test_codeowners_keeps_a_broken_pilots_line_and_updates_the_others(make_estate):
    estate = make_estate(3)
    assert run("codeowners", "--root", str(estate.root)).exit_code == 0
    before = _owners(estate.root)
    # both a healthy and a broken pilot change their builders: only the healthy one's line follows
    for name in ("pilot-001", "pilot-002"):
        estate.edit_pilot(name, lambda d: d["owners"].update(builders="pilot-000-builders"))
    estate.break_pilot("pilot-001")
    result = run("codeowners", "--root", str(estate.root))
    assert result.exit_code == 3, result.output
    after = _owners(estate.root)
    assert after["/catalog/pilots/pilot-001.yaml"] == before["/catalog/pilots/pilot-001.yaml"]
    assert "@pilot-000-builders" in after["/catalog/pilots/pilot-002.yaml"]
    assert after["/catalog/pilots/pilot-000.yaml"] == before["/catalog/pilots/pilot-000.yaml"]
    assert ("withheld the owners of catalog/pilots/pilot-001.yaml (its previous line kept)"
            in result.output)


def test_codeowners_gives_a_new_broken_pilot_to_the_platform_owners(make_estate):
    """Never unowned (anyone could merge it) and never owned by what its broken content claims."""
    estate = make_estate(2)
    (estate.root / "catalog" / "pilots" / "newcomer.yaml").write_text("apiVersion: pilotfactory/v1\nkind: Pilot\n")
    result = run("codeowners", "--root", str(estate.root))
    assert result.exit_code == 3, result.output
    line = _owners(estate.root)["/catalog/pilots/newcomer.yaml"]
    platform = next(l for l in (estate.root / CODEOWNERS).read_text().splitlines() if l.startswith("/config/ "))
    assert line.split()[1:] == platform.split()[1:]
    assert "no previous line: owned by the platform owners until fixed" in result.output
    assert {"/catalog/pilots/pilot-000.yaml", "/catalog/pilots/pilot-001.yaml"} <= set(_owners(estate.root))


def test_the_inventory_names_a_broken_pilot_and_lists_the_others(make_estate):
    estate = make_estate(3)
    estate.break_pilot("pilot-001")
    result = run("inventory", "--root", str(estate.root), "--format", "json")
    assert result.exit_code == 3
    rows = json.loads(result.stdout)
    assert sorted(r["pilot"] for r in rows) == ["pilot-000", "pilot-002"]
    assert "withheld from the inventory: catalog/pilots/pilot-001.yaml has errors of its own" in result.stderr


def test_a_guardrail_violation_withholds_that_pilots_documents_only(make_estate, tmp_path, monkeypatch):
    from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
    import pilotfactory.synth.build as build

    def violation_in(stack):
        def found(catalog, outdir, only=None):
            diags = Diagnostics()
            diags.error("PFG013", "job runs concurrently", Location("catalog/pilots/pilot-001.yaml", 3, 1))
            return {stack: diags}
        return found

    estate = make_estate(2)  # a fresh estate: no cached stack escapes the (patched) rules
    monkeypatch.setattr(build, "violations_by_stack", violation_in("pilot-001-staging"))
    out = tmp_path / "docs"
    result = run("docs", "--root", str(estate.root), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert sorted(p.name for p in (out / "pilot-000").iterdir()) == sorted(DOCUMENTS)
    assert not (out / "pilot-001").exists()
    assert "withheld the documents of `pilot-001`" in result.output

    # in a platform stack the violation is everyone's: nothing written
    monkeypatch.setattr(build, "violations_by_stack", violation_in("platform-dev"))
    before = _tree(out)
    stopped = run("docs", "--root", str(estate.root), "--out", str(out))
    assert stopped.exit_code == 1, stopped.output
    assert "no documents written" in stopped.output and _tree(out) == before
