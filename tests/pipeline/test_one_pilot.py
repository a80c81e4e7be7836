"""Checking one pilot (issue 16): a command acting on one pilot loads that pilot, config/ and the
templates, and reads every other pilot file for its name only; what it says of that pilot is
what the whole catalog's check says of it."""
from __future__ import annotations

import pytest

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.pipeline import check


def _of(checked, name: str) -> tuple:
    """Everything a check says of pilot `name`: its own errors and warnings, its gates, its stacks."""
    typed = next(t for t in checked.resolution.pilots if t.pilot.name == name)
    own = [d.render() for d in checked.diagnostics.sorted() if d.location and d.location.file == typed.file]
    gates = [(p.declared, p.earned, [(g.title, g.passed, [(c.name, c.passed, c.reason) for c in g.criteria])
                                     for g in p.gates]) for p in checked.gates.pilots if p.pilot == name]
    stacks = sorted(rp.stack_id for rp in checked.resolution.catalog.pilots if rp.name == name)
    return own, gates, stacks


def test_one_pilot_is_checked_as_the_whole_catalog_checks_it(make_estate):
    estate = make_estate(6)
    estate.edit_pilot("pilot-003", lambda d: d.update(title="Changed after approval"))  # a gate fails
    estate.break_pilot("pilot-004")
    for name in ("pilot-000", "pilot-003", "pilot-004"):
        whole, one = check(estate.root), check(estate.root, only={name})
        assert [t.pilot.name for t in one.resolution.pilots] == [name]
        assert _of(one, name) == _of(whole, name)
    assert check(estate.root, only={"pilot-003"}).gates.pilots[0].earned == "staging"


def test_another_file_declaring_the_same_name_is_checked_with_it(make_estate):
    estate = make_estate(3)
    copy = estate.root / "catalog" / "pilots" / "pilot-zzz.yaml"
    copy.write_text(estate.pilot_file("pilot-001").read_text(encoding="utf-8"), encoding="utf-8")
    one = check(estate.root, only={"pilot-001"})
    whole = check(estate.root)
    duplicate = [d.render() for d in whole.diagnostics if d.code == "PF210"]
    assert duplicate and [d.render() for d in one.diagnostics if d.code == "PF210"] == duplicate
    assert sorted(t.file for t in one.resolution.pilots) == ["catalog/pilots/pilot-001.yaml",
                                                             "catalog/pilots/pilot-zzz.yaml"]


def test_other_pilots_are_read_for_their_names_only(make_estate):
    estate = make_estate(4)
    (estate.root / "catalog" / "pilots" / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    assert any(d.location.file.endswith("broken.yaml") for d in check(estate.root).diagnostics)
    one = check(estate.root, only={"pilot-002"})
    assert not one.diagnostics.has_errors
    assert one.catalog.names == {f"catalog/pilots/pilot-00{i}.yaml": f"pilot-00{i}" for i in range(4)} | \
        {"catalog/pilots/broken.yaml": None}
    cache = ContentCache(estate.root / "cache", "v1")
    check(estate.root, only={"pilot-002"}, cache=cache)
    warm = ContentCache(estate.root / "cache", "v1")
    check(estate.root, only={"pilot-002"}, cache=warm)
    # warm: 4 config files, 2 templates and the one pilot parsed from the cache; the 5 names in one entry
    assert warm.hits == {"yaml": 7, "pilot-names": 1, "junit": 2} and not warm.misses


def test_the_names_entry_follows_every_pilot_file(make_estate):
    estate = make_estate(4)
    check(estate.root, only={"pilot-002"}, cache=ContentCache(estate.root / "cache", "v1"))
    estate.edit_pilot("pilot-001", lambda d: d.update(name="renamed"))
    changed = ContentCache(estate.root / "cache", "v1")
    one = check(estate.root, only={"pilot-002"}, cache=changed)
    assert one.catalog.names["catalog/pilots/pilot-001.yaml"] == "renamed"
    # one entry read: the three unchanged files' names by their sha256, only the edited file read again
    assert changed.hits["pilot-names"] == 1 and not changed.hits["pilot-name"]
    assert changed.misses["pilot-name"] == 1
    again = ContentCache(estate.root / "cache", "v1")
    assert check(estate.root, only={"pilot-002"}, cache=again).catalog.names == one.catalog.names
    assert again.hits["pilot-names"] == 1 and not again.misses["pilot-name"] and not again.hits["pilot-name"]
    # a file whose bytes changed while keeping its length and name is read again, not believed
    path3 = estate.pilot_file("pilot-003")
    path3.write_text(path3.read_text(encoding="utf-8").replace("name: pilot-003", "name: pilot-00X"), encoding="utf-8")
    assert check(estate.root, only={"pilot-002"}, cache=ContentCache(estate.root / "cache", "v1")).catalog.names[
        "catalog/pilots/pilot-003.yaml"] == "pilot-00X"
    path3.write_text(path3.read_text(encoding="utf-8").replace("name: pilot-00X", "name: pilot-003"), encoding="utf-8")
    path = "catalog/pilots/pilot-003.yaml"
    edited = estate.pilot_file("pilot-003").read_text(encoding="utf-8").replace("name: pilot-003", "name: other")
    seen = ContentCache(estate.root / "cache", "v1")
    replaced = check(estate.root, {path: edited}, only={"pilot-002"}, cache=seen)
    assert replaced.catalog.names[path] == "other"
    # an edit not yet written (approve, release re-checking): the other names from the one entry
    assert seen.hits["pilot-names"] == 1 and not seen.hits["pilot-name"] and not seen.misses["pilot-name"]
    (estate.root / "catalog" / "pilots" / "pilot-000.yaml").unlink()
    gone = check(estate.root, only={"pilot-002"}, cache=ContentCache(estate.root / "cache", "v1"))
    assert "catalog/pilots/pilot-000.yaml" not in gone.catalog.names


def test_an_unknown_pilot_still_gets_a_did_you_mean_from_every_file(make_estate):
    estate = make_estate(3)
    with pytest.raises(PilotFactoryError, match="did you mean `pilot-002`"):
        check(estate.root, only={"pilot-02"}).pilot("pilot-02")
