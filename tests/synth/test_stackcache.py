"""Incremental synth: unchanged stacks come from the cache byte for byte; a changed input of any
kind (pilot file, template, config, code, engine) gives the stack a new digest, so it is rebuilt."""
from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path

import pytest

from pilotfactory.synth import cache as stackcache
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.synth.cache import StackCache, stack_digests, synth_incremental
from pilotfactory.synth.build import synthesize

from tests.conftest import REPO
from tests.synth.conftest import tree, valid_catalog


def _pilot_with_template(root: Path) -> tuple[Path, str]:
    rp = valid_catalog(root).pilots[0]
    return root / rp.file, rp.pilot.template


@pytest.fixture
def warm(repo_copy: Path, tmp_path: Path):
    """A catalog whose every stack is in the cache; returns (root, cache, run)."""
    cache = StackCache(tmp_path / "cache")
    runs = iter(range(1000))

    def run(root: Path = repo_copy) -> tuple[set[str], set[str], Path]:
        out = tmp_path / f"out{next(runs)}"
        out.mkdir()
        done = synth_incremental(valid_catalog(root), root, out, "cdktf", cache)
        done.store(cache, out)
        return set(done.rebuilt), set(done.reused), out

    rebuilt, reused, _ = run()
    assert reused == set() and rebuilt
    return repo_copy, cache, run


def test_a_warm_cache_gives_the_bytes_a_full_synth_gives(warm, tmp_path: Path):
    root, _, run = warm
    rebuilt, reused, out = run()
    assert rebuilt == set()
    full = tmp_path / "full"
    synthesize(valid_catalog(root), full)
    whole = tree(full)
    assert json.loads(whole.pop("withheld.json"))["withheld"] == []  # synth's own record, beside the stacks
    assert tree(out) == whole  # manifest.json included: it still lists every stack
    assert set(json.loads((out / "manifest.json").read_text())["stacks"]) == set(reused)


def test_a_pilot_file_change_rebuilds_only_that_pilots_stacks(warm):
    root, _, run = warm
    path, _ = _pilot_with_template(root)
    name = valid_catalog(root).pilots[0].name
    path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Renamed ", 1))
    rebuilt, reused, out = run()
    assert rebuilt == {rp.stack_id for rp in valid_catalog(root).pilots if rp.name == name}
    assert all(not s.startswith(f"{name}-") for s in reused)
    stack = (out / "stacks" / sorted(rebuilt)[0] / "cdk.tf.json").read_text()
    assert "Renamed " in stack  # rebuilt from the new file, not served stale


def test_a_template_change_rebuilds_the_stacks_of_its_pilots(warm):
    root, _, run = warm
    _, template = _pilot_with_template(root)
    with (root / "catalog" / "templates" / template / "template.yaml").open("a") as f:
        f.write("# a contributor's note\n")
    rebuilt, _, _ = run()
    assert rebuilt == {rp.stack_id for rp in valid_catalog(root).pilots if rp.pilot.template == template}


def test_a_config_change_rebuilds_every_stack(warm):
    root, _, run = warm
    with (root / "config" / "roles.yaml").open("a") as f:
        f.write("# reviewed\n")
    rebuilt, reused, _ = run()
    assert reused == set() and "account" in rebuilt and any(s.startswith("platform-") for s in rebuilt)


@pytest.mark.parametrize("package", ["pilotfactory", "stacks", "generators"])
def test_a_code_change_gives_every_stack_a_new_digest(package: str, repo_copy: Path, tmp_path: Path, monkeypatch):
    code = tmp_path / "code"
    for name in ("pilotfactory", "stacks", "generators"):
        shutil.copytree(REPO / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stackcache, "_CODE_ROOT", code)
    stackcache.code_digest.cache_clear()
    catalog = valid_catalog(repo_copy)
    before = stack_digests(repo_copy, catalog, "cdktf")
    source = sorted((code / package).rglob("*.py"))[0]
    source.write_text(source.read_text() + "\n# changed\n")
    stackcache.code_digest.cache_clear()
    after = stack_digests(repo_copy, catalog, "cdktf")
    stackcache.code_digest.cache_clear()
    assert set(before) == set(after) and all(before[s] != after[s] for s in before)


def test_an_engine_or_provider_version_change_gives_every_stack_a_new_digest(repo_copy: Path, monkeypatch):
    catalog = valid_catalog(repo_copy)
    cdktf = stack_digests(repo_copy, catalog, "cdktf")
    assert all(cdktf[s] != d for s, d in stack_digests(repo_copy, catalog, "cdktn").items())
    real = metadata.version
    monkeypatch.setattr(stackcache.metadata, "version",
                        lambda dist: "99.0.0" if dist == "cdktf-cdktf-provider-databricks" else real(dist))
    stackcache.engine_fingerprint.cache_clear()
    try:
        bumped = stack_digests(repo_copy, catalog, "cdktf")
    finally:
        stackcache.engine_fingerprint.cache_clear()
    assert all(cdktf[s] != bumped[s] for s in cdktf)


def test_a_stack_stopped_by_a_guardrail_is_never_cached(repo_copy: Path, tmp_path: Path, monkeypatch):
    import pilotfactory.synth.build as synth_module
    from pilotfactory.synth.guard import GuardrailViolations

    def refuse(catalog, outdir, only=None):
        raise GuardrailViolations(Diagnostics())
    monkeypatch.setattr(synth_module, "check_synthesized", refuse)
    cache = StackCache(tmp_path / "cache")
    with pytest.raises(GuardrailViolations):
        synthesize(valid_catalog(repo_copy), tmp_path / "out", cache=(repo_copy, cache))
    assert not cache.directory.exists() or not any(cache.directory.iterdir())


def test_a_damaged_cache_entry_is_rebuilt_not_read(warm):
    root, cache, run = warm
    digests = stack_digests(root, valid_catalog(root), "cdktf")
    (cache.directory / digests["account"] / "stack" / "cdk.tf.json").unlink()
    rebuilt, _, out = run()
    assert rebuilt == {"account"} and (out / "stacks" / "account" / "cdk.tf.json").is_file()
    assert cache.get(digests["account"]) is not None  # and repaired for the next run


def test_the_code_digest_covers_the_code_it_names():
    """A digest over no files never changes: every cached stack would survive a code change."""
    import hashlib

    from pilotfactory.synth.cache import code_digest, tree_digest

    assert code_digest() == tree_digest(REPO) != hashlib.sha256().hexdigest()


def test_a_rebuilt_pilot_stack_does_not_rebuild_what_it_depends_on(warm, tmp_path: Path, monkeypatch):
    # The account stack grows with the catalog: defining it for every changed pilot cost seconds.
    import stacks.app

    root, _, run = warm
    path, _ = _pilot_with_template(root)
    path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Renamed ", 1))
    defined = []
    for fn in ("define_account_stack", "define_platform_stack"):
        real = getattr(stacks.app, fn)
        monkeypatch.setattr(stacks.app, fn, lambda *a, _real=real, _fn=fn, **k: defined.append(_fn) or _real(*a, **k))
    rebuilt, reused, out = run()
    assert rebuilt and all(not name.startswith(("account", "platform-")) for name in rebuilt)
    assert defined == []
    monkeypatch.undo()
    full = tmp_path / "full"
    synthesize(valid_catalog(root), full)
    whole = tree(full)
    whole.pop("withheld.json")
    assert tree(out) == whole  # every stack and manifest.json (its dependencies) byte for byte


def test_an_entry_is_read_once_a_run(tmp_path: Path):
    """Review asks for each stack of both sides more than once: one StackCache reads an entry once
    (an entry never changes once stored); a new one, as the next run makes, reads it again."""
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "cdk.tf.json").write_text("{}")
    cache = StackCache(tmp_path / "cache")
    cache.put("d1", tmp_path / "stack", {"entry": {"x": 1}, "version": "v"})
    assert cache.get("d1")[1]["entry"] == {"x": 1}
    (tmp_path / "cache" / "d1" / "manifest.json").write_text("damaged")
    assert cache.get("d1")[1]["entry"] == {"x": 1}
    assert StackCache(tmp_path / "cache").get("d1") is None
    assert cache.get("d2") is None
