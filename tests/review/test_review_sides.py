"""A review's two sides loaded in proportion to the change (issue 16): each tree judged file by file
(pilotfactory/verdict.py), only the pilots that differ checked in full, stacks read where the stack
cache keeps them and only when their digests differ. Whatever it skips, the review says exactly what
the whole load (both sides checked in full, every stack read) says: each scenario is reviewed both
ways and compared, Markdown and JSON."""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import pilotfactory.review.compose as compose
import pilotfactory.review.source as source
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.review import exit_code
from pilotfactory.review.compose import review_refs
from pilotfactory.review.render_json import review_json
from pilotfactory.review.render_markdown import review_markdown
from pilotfactory.review.source import Stacks, Tree, load_sides
from pilotfactory.synth.build import synthesize, synthesize_cached
from pilotfactory.synth.cache import StackCache, stack_digests
from pilotfactory.pipeline import check
from pilotfactory.verdict import FileVerdict, verdict
from tests.factory import Estate, specs, write_estate
from tests.review.test_review_golden import _committed


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> Path:
    """Six pilots committed as `main`, their stacks cached."""
    root = tmp_path_factory.mktemp("sides") / "repo"
    write_estate(root, specs(6))
    return _committed(root)


@pytest.fixture
def repo(committed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(committed, root, symlinks=True)
    return root


def _content(root: Path) -> ContentCache:
    return ContentCache(root / ".pilotfactory" / "cache" / "content", "test")


def _rendered(review) -> tuple[str, str]:
    status, reason = exit_code(review, "broadening")
    return (review_markdown(review, status, reason),
            json.dumps(review_json(review, "broadening", status, reason), indent=2, sort_keys=True))


def _both_ways(root: Path, monkeypatch, content: bool = True) -> tuple[str, str]:
    """The review by load_sides, after asserting the whole load says the same."""
    cache = _content(root) if content else None
    paired = _rendered(review_refs(root, "main", None, "cdktf", StackCache.at(root), content=cache))
    with monkeypatch.context() as m:
        m.setattr(compose, "load_sides", source._whole)
        whole = _rendered(review_refs(root, "main", None, "cdktf", StackCache.at(root), content=cache))
    assert paired == whole
    return paired


def _pilots(root: Path, phase: str) -> list[Path]:
    return [p for p in sorted((root / "catalog" / "pilots").glob("*.yaml"))
            if yaml.safe_load(p.read_text())["phase"] == phase]


def _pilot(root: Path, phase: str) -> Path:
    return _pilots(root, phase)[0]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cutover(root: Path) -> None:
    _edit(_pilot(root, "production"), "\n    prod: green\n", "\n    prod: blue\n")


def new_pilot(root: Path) -> None:
    source_ = _pilot(root, "pilot")
    target = source_.with_name("pilot-new.yaml")
    target.write_text(source_.read_text().replace(f"name: {source_.stem}", "name: pilot-new"))


def deleted_pilot(root: Path) -> None:
    _pilot(root, "production").unlink()


def broken_pilot(root: Path) -> None:
    Estate(root, []).break_pilot(_pilot(root, "staging").stem)


def demoted_pilot(root: Path) -> None:
    _edit(_pilot(root, "staging"), "phase: staging", "phase: pilot")


def failing_evidence(root: Path) -> None:
    """The last production pilot's test reports turn red (the production exit reads them): its file
    is the same, its gates and stacks are not."""
    for report in (root / "evidence" / _pilots(root, "production")[-1].stem).rglob("*.xml"):
        report.write_text(report.read_text().replace("<testcase ", "<testcase><failure/></testcase><testcase ", 1))


def config_change(root: Path) -> None:
    _edit(root / "config" / "standards.yaml", "max_workers: 4", "max_workers: 5")


def new_approver(root: Path) -> None:
    """Someone joins an unchanged pilot's approvers group: config/roles.yaml is in every pilot file's
    identity, so every pilot (and its approvers group) is checked in full."""
    _edit(root / "config" / "roles.yaml", "- approver.pilot-004@bank.example",
          "- approver.pilot-004@bank.example\n    - someone.else@bank.example")


def unchanged(root: Path) -> None:
    pass


SCENARIOS = [cutover, new_pilot, deleted_pilot, broken_pilot, demoted_pilot, failing_evidence, config_change,
             new_approver, unchanged]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_the_paired_load_says_what_the_whole_load_says(scenario, repo, monkeypatch):
    scenario(repo)
    markdown, as_json = _both_ways(repo, monkeypatch)
    assert (json.loads(as_json)["findings"] == []) == (scenario is unchanged), markdown


def test_without_the_content_cache_too(repo, monkeypatch):
    cutover(repo)
    _both_ways(repo, monkeypatch, content=False)


def test_a_pilot_whose_gates_fail_on_both_sides_is_still_in_the_banner(repo, monkeypatch):
    """Its file is the same on both sides, so only its failing gates make it one to check in full."""
    failing_evidence(repo)
    git(repo, "commit", "-q", "-am", "a red report")
    cutover(repo)
    markdown, _ = _both_ways(repo, monkeypatch)
    assert "would be withheld" in markdown, markdown


def _sides(root: Path, monkeypatch, content=True):
    """load_sides of `main` and the working tree, recording which pilots were checked in full."""
    seen = []
    real = source.check
    monkeypatch.setattr(source, "check", lambda root_, **kw: seen.append(kw.get("only")) or real(root_, **kw))
    import tempfile
    from pilotfactory.review.source import export_ref
    tmp = Path(tempfile.mkdtemp(dir=root.parent))
    base_root, top = export_ref(root, "main", tmp / "tree")
    sides = load_sides([Tree("main", base_root, top), Tree("working tree", root)], "cdktf", StackCache.at(root),
                       tmp, _content(root) if content else None)
    return sides, seen


def test_only_the_changed_pilot_is_checked_in_full(repo, monkeypatch):
    cutover(repo)
    changed = _pilot(repo, "production").stem
    _, seen = _sides(repo, monkeypatch)
    assert seen == [frozenset({changed})] * 2


def _cutover_with_an_uncached_staging_stack(repo: Path) -> str:
    """A cutover edit, and another pilot's staging stack dropped from the cache: that pilot's name."""
    cutover(repo)
    other = _pilot(repo, "staging").stem
    digests = stack_digests(repo, check(repo).resolution.catalog, "cdktf")
    shutil.rmtree(StackCache.at(repo).directory / digests[f"{other}-staging"])
    return other


def test_a_stack_the_cache_lost_is_built_by_checking_its_pilot(repo, monkeypatch):
    """An unchanged pilot whose stack is not cached is checked in full so its stack can be built;
    nothing falls back to the whole load."""
    other = _cutover_with_an_uncached_staging_stack(repo)
    monkeypatch.setattr(source, "_whole", lambda *a: pytest.fail("fell back to the whole load"))
    (base, head), seen = _sides(repo, monkeypatch)
    assert other in seen[0] and seen[0] == seen[1]
    assert head.stacks[f"{other}-staging"] == base.stacks[f"{other}-staging"]


def test_stacks_both_sides_have_are_never_read(repo, monkeypatch):
    """An unchanged stack is not even opened: its cache entry may hold anything."""
    cutover(repo)
    changed = _pilot(repo, "production").stem
    checked = check(repo)
    digests = stack_digests(repo, checked.resolution.catalog, "cdktf")
    untouched = next(n for n in digests if n.endswith("-dev") and not n.startswith(changed))
    (StackCache.at(repo).directory / digests[untouched] / "stack" / "cdk.tf.json").write_text("not json")
    result = review_refs(repo, "main", None, "cdktf", StackCache.at(repo), content=_content(repo))
    assert [s.name for s in result.stacks] == [f"{changed}-prod"]


def test_cached_stacks_are_read_in_place_and_new_ones_built_and_cached(repo, tmp_path):
    cutover(repo)
    checked = check(repo)
    cache = StackCache.at(repo)
    built = synthesize_cached(checked.resolution.catalog, tmp_path / "scratch", checked.withheld(), "cdktf",
                              cache=(repo, cache))
    pilot = _pilot(repo, "production").stem   # its file changed: each of its stacks has a new digest
    digests = stack_digests(repo, checked.resolution.catalog, "cdktf")
    assert {n: d for n, (d, _) in built.stacks.items()} == digests
    for name, (digest, path) in built.stacks.items():
        if name.startswith(f"{pilot}-"):
            assert path == tmp_path / "scratch" / "stacks" / name / "cdk.tf.json"
        else:
            assert path == cache.directory / digest / "stack" / "cdk.tf.json"
    assert cache.get(digests[f"{pilot}-prod"]) is not None   # cached for the next run


def test_file_verdicts_do_not_depend_on_where_the_tree_is(repo, tmp_path):
    """Two copies of a tree judge each file the same (identity and cache entries): the exported base
    of a review hits what the working tree's validate kept."""
    copy = tmp_path / "elsewhere" / "repo"
    shutil.copytree(repo, copy, symlinks=True)
    here = verdict(repo, cache=_content(repo), per_file=True)
    there = verdict(copy, cache=_content(repo), per_file=True)
    assert there.parsed == [] and there.gated == []
    assert {f: v.identity for f, v in here.files.items()} == {f: v.identity for f, v in there.files.items()}
    cutover(copy)
    moved = verdict(copy, cache=_content(repo), per_file=True)
    differ = [f for f in here.files if here.files[f].identity != moved.files[f].identity]
    assert differ == [f"catalog/pilots/{_pilot(copy, 'production').name}"]


def test_a_file_verdict_changes_with_the_evidence_its_gates_read(repo):
    before = verdict(repo, per_file=True)
    failing_evidence(repo)
    after = verdict(repo, per_file=True)
    differ = [f for f in before.files if before.files[f].identity != after.files[f].identity]
    assert len(differ) == 1
    assert before.files[differ[0]].unearned == () and after.files[differ[0]].unearned != ()


def test_a_ref_with_its_own_code_is_loaded_whole_and_compared_by_content(repo, monkeypatch):
    """A base whose code differs is built by that code; both sides' stacks are then keyed by their
    bytes, so those they share are still parsed once and compared without a diff."""
    cutover(repo)
    monkeypatch.setattr(source, "_own_code", lambda code_root: code_root is not None)

    def own_synth(code_root, root, out, engine):
        c = check(root)
        synthesize(c.resolution.catalog, out, engine, cache=(root, StackCache.at(repo)))
    monkeypatch.setattr(source, "_synth_with_own_code", own_synth)
    (base, head), seen = _sides(repo, monkeypatch)
    assert seen == [None, None]
    shared = [n for n in head.stacks if base.stacks.same(head.stacks, n)]
    assert len(shared) == len(head.stacks) - 1 and all(base.stacks[n] is head.stacks[n] for n in shared)
    result = review_refs(repo, "main", None, "cdktf", StackCache.at(repo), content=_content(repo))
    assert [s.name for s in result.stacks] == [f"{_pilot(repo, 'production').stem}-prod"]


def test_stacks_keys_say_same_only_for_the_same_key(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"x": 1}')
    b.write_text('{"x": 2}')
    parsed: dict = {}
    one = Stacks({"s": ("digest:1", a), "t": ("digest:2", b)}, parsed)
    two = Stacks({"s": ("digest:1", b), "t": ("digest:3", b)}, parsed)
    assert one.same(two, "s") and not one.same(two, "t") and not one.same({"s": {}}, "s")
    assert two["t"] == {"x": 2} and list(one.keep(lambda n: n == "t")) == ["t"]


def _file(identity: str, envs: tuple[str, ...] = ("dev",), unearned: tuple[str, ...] = ()) -> FileVerdict:
    return FileVerdict(identity, "p", "t", envs, unearned, False)


@pytest.mark.parametrize("case,checked", [
    ("identity differs", True),
    ("gates withhold in the head", True),
    ("digests differ", True),
    ("not cached", True),
    ("the same", False),
])
def test_which_pilots_are_checked_in_full(case, checked):
    """Each reason to check a pilot in full on both sides, alone; a pilot with none is not."""
    from types import SimpleNamespace
    base, head = _file("same"), _file("same")
    if case == "identity differs":   # a pilot without stacks on either side: only its identity says it moved
        base, head = _file("same", envs=()), _file("other", envs=())
    if case == "gates withhold in the head":
        base, head = _file("same", unearned=("dev",)), _file("same", unearned=("dev",))
    verdicts = [SimpleNamespace(files={"catalog/pilots/p.yaml": f}, withheld=[]) for f in (base, head)]
    plans = [source._plan(v) for v in verdicts]
    digests = [{s: "d1" for s in plan} for plan in plans]
    missing: list[set[str]] = [set(), set()]
    if case == "digests differ":
        digests[1] = {s: "d2" for s in plans[1]}
    if case == "not cached":
        missing[1] = set(plans[1])
    assert source._to_check(verdicts, plans, digests, missing) == (frozenset({"p"}) if checked else frozenset())


def test_a_pilot_the_verdict_finds_broken_has_no_gate_results(repo, monkeypatch):
    """The full check of a few pilots cannot see every cross-file error: a file the whole verdict
    finds broken gets no gate results, as in a check of the whole catalog."""
    import pilotfactory.verdict as verdict_module
    cutover(repo)
    changed = f"catalog/pilots/{_pilot(repo, 'production').name}"
    real = verdict_module.verdict

    def broken_in_the_head(root, **kw):
        found = real(root, **kw)
        if Path(root) == repo:
            found.files[changed] = dataclasses.replace(found.files[changed], broken=True)
        return found
    monkeypatch.setattr(verdict_module, "verdict", broken_in_the_head)
    (base, head), _ = _sides(repo, monkeypatch)
    assert changed in {p.file for p in base.checked.gates.pilots}
    assert changed not in {p.file for p in head.checked.gates.pilots}


def test_checks_that_do_not_cover_a_stack_to_build_fall_back_to_the_whole_load(repo, monkeypatch):
    """Should the pilots checked in full miss one whose stack must be built, both sides are loaded
    whole rather than a stack left out."""
    other = _cutover_with_an_uncached_staging_stack(repo)
    monkeypatch.setattr(source, "_to_check", lambda *a: frozenset())
    whole = []
    real = source._whole
    monkeypatch.setattr(source, "_whole", lambda *a: whole.append(1) or real(*a))
    (base, head), _ = _sides(repo, monkeypatch)
    assert whole == [1] and f"{other}-staging" in head.stacks and f"{other}-staging" in base.stacks


def test_governance_files_the_same_on_both_sides_are_not_parsed(repo, monkeypatch):
    """config/roles.yaml grows with the catalog: parsed only when its bytes differ, and then judged."""
    import pilotfactory.review.governance as governance
    loaded = []
    real = governance._load
    monkeypatch.setattr(governance, "_load", lambda root, name: loaded.append(name) or real(root, name))
    cutover(repo)
    review_refs(repo, "main", None, "cdktf", StackCache.at(repo), content=_content(repo))
    assert not {"config/roles.yaml", "config/gates.yaml"} & set(loaded)
    new_approver(repo)
    result = review_refs(repo, "main", None, "cdktf", StackCache.at(repo), content=_content(repo))
    assert "config/roles.yaml" in loaded and "config/gates.yaml" not in loaded
    assert any(f.rule_id == "PFR002" and "someone.else@bank.example" in f.text for f in result.findings)
