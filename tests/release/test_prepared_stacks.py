"""A release edit's stacks come back from the content cache by stack digest (issue 16): the same
edit prepared again, or the next edit starting where the last ended, synthesizes nothing."""
from __future__ import annotations

import pytest

import pilotfactory.release.plan as plan_module
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.pipeline import check
from pilotfactory.release.plan import find_pilot, plan_switch, prepare


def _prepared(root, cache, action: str, text: str | None = None):
    checked = check(root, {"catalog/pilots/pilot-000.yaml": text} if text else None, cache=cache,
                    only={"pilot-000"})
    diags = Diagnostics()
    typed = find_pilot(checked, "pilot-000", "staging", diags)
    prepared = prepare(root, checked, plan_switch(checked, typed, "staging", action, diags), diags, text=text)
    assert prepared is not None, [d.render() for d in diags.errors]
    return prepared


@pytest.fixture
def synthesized(monkeypatch):
    """The stack ids each synthesis built, in order."""
    real, calls = plan_module.synth_pilot_stacks, []

    def counting(pilots, engine="cdktf"):
        calls.append(sorted(rp.stack_id for rp in pilots))
        return real(pilots, engine)

    monkeypatch.setattr(plan_module, "synth_pilot_stacks", counting)
    return calls


def test_the_same_edit_prepared_again_synthesizes_nothing(make_estate, synthesized):
    estate = make_estate(1)
    uncached = _prepared(estate.root, None, "cutover")
    cache = ContentCache(estate.root / "cache", "v1")
    first = _prepared(estate.root, cache, "cutover")
    assert len(synthesized) == 4 and cache.misses["pilot-stack"] == 6  # before and after, 3 environments each
    again = ContentCache(estate.root / "cache", "v1")
    second = _prepared(estate.root, again, "cutover")
    assert len(synthesized) == 4 and again.hits["pilot-stack"] == 6 and not again.misses["pilot-stack"]
    assert uncached.before_stacks == first.before_stacks == second.before_stacks
    assert uncached.after_stacks == first.after_stacks == second.after_stacks
    assert first.before_stacks != first.after_stacks
    assert [c.lines() for c in second.changes] == [c.lines() for c in uncached.changes]


def test_the_edit_text_not_the_file_on_disk_keys_the_stacks(make_estate, synthesized):
    estate = make_estate(1)
    cache = ContentCache(estate.root / "cache", "v1")
    cut = _prepared(estate.root, cache, "cutover")
    # rolling back from the cut-over text (not written) lands on the file on disk: every stack a hit
    back = _prepared(estate.root, cache, "rollback", text=cut.after_text)
    assert back.before_stacks == cut.after_stacks and back.after_stacks == cut.before_stacks
    assert len(synthesized) == 2
    # a version of the code, the package or config that differs is another key: synthesized again
    _prepared(estate.root, ContentCache(estate.root / "cache", "v2"), "cutover")
    assert len(synthesized) == 4
    config = estate.root / "config" / "standards.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    _prepared(estate.root, ContentCache(estate.root / "cache", "v1"), "cutover")
    assert len(synthesized) == 6
