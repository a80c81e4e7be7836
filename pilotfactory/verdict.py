"""`validate` of a whole catalog, each pilot file's results kept by content digest.

The pipeline's steps (pipeline.py) run per pilot file: load, type, resolve and the pilot rules,
then its gates. What each reported is kept, with the facts the estate rules read, in one cache
entry for the whole catalog (one read and one write a run, where an entry per file cost more to
write than to compute). Each file's results are keyed on its name and bytes and on every input its
rules read: config/, the templates, the allowed-signers file, the evidence folder's place and the
code (the cache's version); its gate results also on the date, the git state the signature check
reads (when approvals are verified) and the evidence files they read, hashed again every run. A
result whose key does not match is recomputed, never trusted. The catalog and estate rules run
every time, so a warm validate costs the changed files plus the cross-file rules.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pilotfactory.catalog.load import CONFIG_FILES, OPTIONAL_CONFIG_FILES, Catalog, load_catalog, pilot_files, \
    remember_names, template_files
from pilotfactory.catalog.model.pilot import TestReport
from pilotfactory.catalog.resolve import Resolution, TypedPilot, resolve_pilot, type_pilot
from pilotfactory.controls.coverage import check_controls
from pilotfactory.diagnostics.diagnostic import Diagnostic, Diagnostics
from pilotfactory.files.content_cache import ContentCache, enabled_by_default
from pilotfactory.files.git import run_git
from pilotfactory.gates import clock
from pilotfactory.gates.earn import gate_pilot, unearned_reason
from pilotfactory.gates.evidence import EVIDENCE_DIR, entries
from pilotfactory.isolation import Withheld, split_errors
from pilotfactory.pipeline import content_cache, withheld_stacks
from pilotfactory.validate.facts import PilotFacts, facts_of
from pilotfactory.validate.run import validate_catalog, validate_pilot
from pilotfactory.yamlio.cached import freeze_diagnostics, load_yaml_cached, thaw_diagnostics

__all__ = ["Verdict", "FileVerdict", "verdict", "KIND"]

KIND = "validate"  # content-cache kind: the one entry holding every pilot file's results


@dataclass(frozen=True)
class FileVerdict:
    """One pilot file's results as `review` compares them between two trees. `identity` digests
    every input its results were computed from, by path relative to the tree: two trees with the
    same identity for a file got the same results for it (as a cache hit would)."""

    identity: str
    name: str | None              # None: the file did not type
    template: str | None
    envs: tuple[str, ...]         # environments it resolved to, before its gates
    unearned: tuple[str, ...]     # environments its gates withhold
    broken: bool                  # errors of its own: none of its stacks is built, its gates do not run


@dataclass
class Verdict:
    """What `validate` reports: the same diagnostics, withheld stacks and counts as pipeline.check."""

    diagnostics: Diagnostics
    usable: bool                  # no error is everyone's: the gates ran
    complete: bool                # config/ has every file it needs
    withheld: list[Withheld] = field(default_factory=list)
    pilots: int = 0               # pilot files that typed
    stacks: int = 0               # pilot stacks synth would build
    environments: int = 0
    parsed: list[str] = field(default_factory=list)   # pilot files loaded and typed by this run
    gated: list[str] = field(default_factory=list)    # pilot files whose gates this run evaluated
    files: dict[str, FileVerdict] = field(default_factory=dict)  # pilot file -> its results, in file order
    environment_names: tuple[str, ...] = ()   # usable: config/'s environments, in promotion order

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors and self.complete


# ---- keys -----------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        return f"unreadable: {exc.errno}"


def _place(root: Path, path: str | Path) -> str:
    """A path as keys hold it: relative to the tree when inside it, so two trees with the same
    content (the working tree, a ref exported elsewhere) get the same keys; absolute otherwise."""
    path = Path(path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _context(root: Path, catalog: Catalog) -> str:
    """The digest of everything besides the pilot file that its load, resolve and rules read."""
    h = hashlib.sha256()
    paths = [root / relpath for relpath, _ in (*CONFIG_FILES.values(), *OPTIONAL_CONFIG_FILES.values())]
    paths += template_files(root)
    if catalog.gates is not None:
        paths.append(root / catalog.gates.approvals.allowed_signers)
    for path in paths:
        h.update(f"{_place(root, path)}\0{_digest(path)}\0".encode())
    h.update(_place(root, os.path.realpath(root / EVIDENCE_DIR)).encode())
    return h.hexdigest()


def _git_state(root: Path, catalog: Catalog) -> str:
    """What the signature check reads of git besides the file: HEAD and whether history is shallow."""
    if catalog.gates is None or catalog.gates.approvals.verify == "none":
        return "not verified"
    code, out = run_git(root, "rev-parse", "--is-shallow-repository", "HEAD", timeout_s=30)
    return f"{code}\0{out}"


def _fingerprint(root: Path, relpath: str) -> str:
    """What evidence.check_test_report reads of one file: where it leads, and its bytes."""
    path = root / relpath
    return f"{_place(root, os.path.realpath(path))}\0{_digest(path) if path.is_file() else 'not a file'}"


# ---- frozen results -------------------------------------------------------------------------


def _freeze(items: list[Diagnostic]) -> list:
    return freeze_diagnostics(items, step=True)


def _thaw(frozen: list) -> list[Diagnostic]:
    return thaw_diagnostics(frozen)


@dataclass
class _Pilot:
    """One pilot file's results before its gates."""

    before: list[Diagnostic]      # load and resolve
    after: list[Diagnostic]       # its pilot rules
    facts: PilotFacts | None      # None: it did not type
    phase: str | None
    envs: tuple[str, ...]         # environments it resolved to
    declared: str | None          # the `name` the file declares, typed or not (catalog.load's names)
    template: str | None = None   # typed: its template (review digests its stacks with it)

    def freeze(self, key: str) -> tuple:
        return (key, _freeze(self.before), _freeze(self.after),
                None if self.facts is None else self.facts.freeze(), self.phase, self.envs, self.declared,
                self.template)

    @classmethod
    def thaw(cls, value, key: str) -> "_Pilot":
        stored, before, after, facts, phase, envs, declared, template = value
        if stored != key:
            raise KeyError("an entry for other content")
        if not all(v is None or isinstance(v, str) for v in (declared, template)):
            raise TypeError("not a pilot name")
        if not (isinstance(envs, tuple) and all(isinstance(e, str) for e in envs)):
            raise TypeError("not environment names")
        if (facts is None) != (phase is None) or not (phase is None or isinstance(phase, str)):
            raise TypeError("not a phase")
        return cls(_thaw(before), _thaw(after), None if facts is None else PilotFacts.thaw(facts), phase, envs,
                   declared, template)


@dataclass
class _Gates:
    """One pilot file's gate results, and the evidence files they read."""

    evidence: list[tuple[str, str]]   # (path, fingerprint)
    found: list[Diagnostic]
    pilot: str
    unearned: tuple[str, ...]
    reason: str

    def freeze(self, key: str) -> tuple:
        return (key, self.evidence, _freeze(self.found), self.pilot, self.unearned, self.reason)

    @classmethod
    def thaw(cls, value, key: str) -> "_Gates":
        stored, evidence, found, pilot, unearned, reason = value
        if stored != key:
            raise KeyError("an entry for other content")
        if not (isinstance(pilot, str) and isinstance(reason, str) and isinstance(unearned, tuple)
                and all(isinstance(e, str) for e in unearned)):
            raise TypeError("not gate results")
        return cls([(str(p), str(f)) for p, f in evidence], _thaw(found), pilot, unearned, reason)


def _thawed(kind, value, key: str):
    try:
        return kind.thaw(value, key)
    except (TypeError, ValueError, KeyError, IndexError):
        return None  # damaged or foreign: computed again


def _pack(value) -> dict:
    pilots, gates = value
    if not (isinstance(pilots, dict) and isinstance(gates, dict)):
        raise TypeError("not a validate pack")
    return {"pilots": pilots, "gates": gates}


def _file_verdict(p: _Pilot, gated: _Gates | None, broken: bool, inputs: tuple[str, ...]) -> FileVerdict:
    """`inputs`: the tree's context, the file's name and digest, the date and git state."""
    h = hashlib.sha256(b"pilotfactory-file-verdict/1")
    for part in (*inputs, "broken" if broken else "gated" if gated is not None else "not gated",
                 *(f"{rel}\0{fp}" for rel, fp in (gated.evidence if gated is not None else ()))):
        data = part.encode()
        h.update(len(data).to_bytes(8, "big") + data)
    return FileVerdict(h.hexdigest(), p.facts.name if p.facts is not None else None, p.template,
                       p.envs, gated.unearned if gated is not None else (), broken)


# ---- the run --------------------------------------------------------------------------------


def _typed(catalog: Catalog, path: Path, display: str, diags: Diagnostics) -> tuple[TypedPilot | None, str | None]:
    """The file typed, and the name it declares."""
    with diags.step("load"):
        source = load_yaml_cached(path, display, diags, None)
    if source is None:
        return None, None
    declared = source.data.get("name") if isinstance(source.data, dict) else None
    with diags.step("resolve"):
        return type_pilot(catalog, source, diags), declared if isinstance(declared, str) else None


def _check_pilot(catalog: Catalog, path: Path, display: str) -> tuple[_Pilot, TypedPilot | None]:
    """load -> resolve -> the pilot rules, for one pilot file."""
    diags = Diagnostics()
    typed, declared = _typed(catalog, path, display, diags)
    envs: tuple[str, ...] = ()
    if typed is not None and catalog.complete:
        with diags.step("resolve"):
            envs = tuple(rp.env_name for rp in resolve_pilot(catalog, typed, diags))
    before = list(diags.items)
    diags.items.clear()
    if typed is not None:
        with diags.step("validate"):
            validate_pilot(catalog, typed, diags)
    return (_Pilot(before, list(diags.items), None if typed is None else facts_of(typed),
                   None if typed is None else typed.pilot.phase, envs, declared,
                   None if typed is None else typed.pilot.template), typed)


def _gate(catalog: Catalog, root: Path, typed: TypedPilot, today: dt.date) -> _Gates:
    diags = Diagnostics()
    with diags.step("gates"):
        result = gate_pilot(catalog, typed, today, diags)
    evidence = sorted({r.path for _, r in entries(typed.pilot, TestReport)})
    return _Gates([(p, _fingerprint(root, p)) for p in evidence], diags.items, result.pilot,
                  result.unearned_environments, unearned_reason(result) if result.unearned_environments else "")


def verdict(root: Path, *, today: dt.date | None = None, cache: bool | ContentCache | None = None,
            per_file: bool = False) -> Verdict:
    """load -> resolve -> validate -> gates over the whole catalog, as pipeline.check, each pilot
    file's results read back from the cache when nothing they depend on changed.
    `cache`: True for the repository's content cache, or a ContentCache; None follows
    files.content_cache.enabled_by_default(). `per_file`: also fill `Verdict.files` (for review)."""
    if cache is None:
        cache = enabled_by_default()
    store = content_cache(root) if cache is True else (cache or None)
    root = Path(root).resolve()
    diags = Diagnostics()
    with diags.step("load"):
        catalog = load_catalog(root, diags, cache=store, pilots=False)
    catalog.cache = None  # the pack below holds what per-file entries would, in one write
    context = _context(root, catalog) if store is not None or per_file else ""
    pack_key = store.key(KIND, "pack") if store is not None else ""
    old = (store.get(KIND, pack_key, _pack) if store is not None else None) or {"pilots": {}, "gates": {}}
    new: dict = {"pilots": {}, "gates": {}}
    out = Verdict(diags, usable=False, complete=catalog.complete)

    files = [(path, path.relative_to(root).as_posix()) for path in pilot_files(root)]
    pilots: dict[str, _Pilot] = {}
    typed: dict[str, TypedPilot] = {}
    raw: dict[str, str] = {}
    for path, display in files:
        raw[display] = _digest(path)
        key = store.key(KIND, "pilot", context, display, raw[display]) if store is not None else ""
        hit = _thawed(_Pilot, old["pilots"][display], key) if display in old["pilots"] else None
        if hit is None:
            hit, t = _check_pilot(catalog, path, display)
            out.parsed.append(display)
            if t is not None:
                typed[display] = t
        pilots[display] = hit
        new["pilots"][display] = hit.freeze(key)

    # the order pipeline.check reports in, so each file's first error is the same
    for display in pilots:
        diags.extend(pilots[display].before)
    facts = [p.facts for p in pilots.values() if p.facts is not None]
    with diags.step("validate"):
        validate_catalog(catalog, Resolution(), facts, diags)
        for display in pilots:
            diags.extend(pilots[display].after)
        check_controls(catalog, diags)
    out.pilots = len(facts)

    shared, own = split_errors(diags.errors)
    state, results = "", {}
    if not shared and catalog.complete:
        out.usable = True
        out.environments = len(catalog.environments.environments)
        out.environment_names = tuple(catalog.environments.environments)
        when = today or clock.today()
        state = f"{when.isoformat()}\0{_git_state(root, catalog)}" if store is not None or per_file else ""
        unearned = []
        for path, display in files:
            p = pilots[display]
            if p.facts is None or display in own:
                continue
            key = store.key(KIND, "gates", context, display, raw[display], state) if store is not None else ""
            hit = _thawed(_Gates, old["gates"][display], key) if display in old["gates"] else None
            if hit is not None and any(_fingerprint(root, rel) != fp for rel, fp in hit.evidence):
                hit = None
            if hit is None:
                t = typed.get(display) or _typed(catalog, path, display, Diagnostics())[0]
                hit = _gate(catalog, root, t, when)
                out.gated.append(display)
            new["gates"][display] = hit.freeze(key)
            results[display] = hit
            with diags.step("gates"):
                diags.extend(hit.found)
            out.stacks += len([e for e in p.envs if e not in hit.unearned])
            if hit.unearned:
                unearned.append((hit.pilot, display, hit.unearned, hit.reason))
        named = {d: (p.facts.name, p.phase) for d, p in pilots.items() if p.facts is not None}
        out.withheld = withheld_stacks(catalog, own, named, unearned)
    if per_file:
        out.files = {display: _file_verdict(pilots[display], results.get(display), display in own,
                                            (context, display, raw[display], state)) for _, display in files}
    if store is not None and (out.parsed or out.gated or set(old["pilots"]) != set(new["pilots"])
                              or set(old["gates"]) != set(new["gates"])):
        store.put(KIND, pack_key, (new["pilots"], new["gates"]))
        remember_names(store, [(display, raw[display], pilots[display].declared) for _, display in files])
    return out
