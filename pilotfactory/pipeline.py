"""The pipeline, in order: each step is a named function below, reading what the one before returned.

    load     config/ and catalog/ YAML                 -> Catalog (typed config, templates, raw pilots)
    resolve  Catalog                                   -> Resolution (typed pilots, one ResolvedPilot per env)
    validate Catalog, Resolution                       -> diagnostics only
    gates    Catalog, Resolution                       -> GateResults, and a new Resolution without
                                                          the environments a pilot has not earned
    synth    Checked                                   -> cdktf.out/ (stacks/, imported lazily), after
                                                          the guardrail rules (PFG...) pass on every stack

Every diagnostic carries the step that reported it. No step changes what an earlier one returned.
Blast radius (isolation.py): errors in a pilot's own file withhold that pilot only, and gates
withhold a pilot's unearned environments only; every other pilot goes on. Any other error (config/,
templates) is everyone's: nothing after `validate` runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Collection, Mapping

from pilotfactory.catalog.load import Catalog, load_catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import Resolution, TypedPilot, reached_environments, resolve as resolve_catalog
from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, PilotFactoryError
from pilotfactory.files.content_cache import ContentCache, enabled_by_default
from pilotfactory.gates.earn import GateResults, gates as earn_gates, unearned_reason, withhold_unearned
from pilotfactory.isolation import Withheld, split_errors
from pilotfactory.tfjson.stacknames import pilot_stack
from pilotfactory.validate.run import validate as run_rules
from pilotfactory.controls.coverage import check_controls

__all__ = ["Checked", "check", "load", "resolve", "validate", "gates", "synth", "unknown_pilot", "withheld_stacks",
           "STEPS"]

STEPS = ("load", "resolve", "validate", "gates", "synth")


@dataclass(frozen=True)
class Checked:
    catalog: Catalog
    resolution: Resolution        # after gates: only the environments each pilot earned
    diagnostics: Diagnostics
    gates: GateResults | None = None  # None when an earlier step reported an error

    # pilot file -> the errors load, resolve and validate found in it: that pilot is withheld whole
    broken: dict[str, list] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Nothing anywhere is wrong."""
        return not self.diagnostics.has_errors and self.resolution.catalog is not None

    @property
    def usable(self) -> bool:
        """No error is everyone's: the healthy pilots, the platform and the account can go on."""
        return self.gates is not None

    def pilot_errors(self, name: str) -> list:
        """Every error located in the pilot `name`'s own file (content and gates)."""
        files = {t.file for t in self.resolution.pilots if t.pilot.name == name}
        files |= {f for f in self.broken if PurePosixPath(f).stem == name}
        return [d for d in self.diagnostics.errors if d.location and d.location.file in files]

    def withheld(self) -> list[Withheld]:
        """Each stack a healthy catalog would have and this one does not build, with the reason."""
        if self.gates is None:
            return []
        typed = {t.file: (t.pilot.name, t.pilot.phase) for t in self.resolution.pilots}
        return withheld_stacks(self.catalog, self.broken, typed,
                               [(p.pilot, p.file, p.unearned_environments, unearned_reason(p))
                                for p in self.gates.pilots if p.unearned_environments])

    def pilot(self, name: str) -> TypedPilot:
        """The pilot named `name`; a user error naming the closest one otherwise."""
        for typed in self.resolution.pilots:
            if typed.pilot.name == name:
                return typed
        known = [n for n in self.catalog.names.values() if n] if self.catalog.only is not None else \
            [t.pilot.name for t in self.resolution.pilots]
        raise PilotFactoryError(unknown_pilot(name, known))


def withheld_stacks(catalog: Catalog, broken: Mapping[str, list], typed: Mapping[str, tuple[str, str]],
                    unearned: list[tuple[str, str, tuple[str, ...], str]]) -> list[Withheld]:
    """The stacks withheld: every stack of a file with errors of its own (`broken`: file -> its
    errors in the order reported; `typed`: file -> (name, phase) of each file that typed), then the
    unearned environments (pilot, file, environments, reason) of each pilot whose gates fail."""
    out = []
    for file, errors in sorted(broken.items()):
        t = typed.get(file)
        name = t[0] if t else PurePosixPath(file).stem
        # a file that does not even type says no phase: any of its stacks may exist already
        envs = reached_environments(catalog, t[1]) if t else list(catalog.environments.environments)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        reason = f"{file} has errors: {errors[0].render()}{more}"
        out += [Withheld(pilot_stack(name, env), name, file, "errors", reason) for env in envs]
    for pilot, file, envs, reason in unearned:
        out += [Withheld(pilot_stack(pilot, env), pilot, file, "gates", reason) for env in envs]
    return out


def unknown_pilot(name: str, known) -> str:
    return f"no pilot `{name}` in catalog/pilots/{suggest(name, known)}"


def load(root: Path, diags: Diagnostics, replaced: Mapping[str, str] | None = None,
         cache: ContentCache | None = None, only: Collection[str] | None = None) -> Catalog:
    """Reads config/, catalog/templates/ and catalog/pilots/ (unchanged files from `cache`; with
    `only`, just those pilots' files); returns the Catalog."""
    with diags.step("load"):
        return load_catalog(root, diags, replaced, cache, only)


def resolve(catalog: Catalog, diags: Diagnostics) -> Resolution:
    """Reads the Catalog; returns each pilot typed, and resolved per environment its phase reaches."""
    with diags.step("resolve"):
        return resolve_catalog(catalog, diags)


def validate(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Reads the Catalog and Resolution; returns nothing, reports what the validate rules find."""
    with diags.step("validate"):
        run_rules(catalog, resolution, diags)
        check_controls(catalog, diags)


def gates(catalog: Catalog, resolution: Resolution, diags: Diagnostics,
          today: dt.date | None, skip: frozenset[str] = frozenset()) -> tuple[GateResults, Resolution]:
    """Reads the Catalog, Resolution and evidence/; returns the GateResults and a new Resolution
    holding only the environments each pilot earned (`skip`: pilot files with errors of their own,
    none of whose stacks it holds)."""
    with diags.step("gates"):
        results = earn_gates(catalog, resolution, diags, today, skip)
    return results, withhold_unearned(resolution, results, skip)


def content_cache(root: Path) -> ContentCache:
    """The repository's cache of parsed files and read evidence, keyed by content and this code."""
    from importlib import metadata

    from pilotfactory.synth.cache import CACHE_DIR, code_digest

    return ContentCache(Path(root).resolve() / CACHE_DIR / "content",
                        f"{metadata.version('pilotfactory')}+{code_digest()}")


def check(root: Path, replaced: Mapping[str, str] | None = None, *,
          today: dt.date | None = None, cache: bool | ContentCache | None = None,
          only: Collection[str] | None = None) -> Checked:
    """load -> resolve -> validate -> gates, collecting every diagnostic on the way.

    `replaced`: repository-relative file -> text to check in its place (an edit not yet written).
    `today`: the date evidence is judged against (default: pilotfactory.gates.clock.today()).
    `cache`: True for the repository's content cache, or a ContentCache; None follows
    pilotfactory.files.content_cache.enabled_by_default() (the command line turns it on).
    `only`: pilot names; check just those pilots, with config/ and templates (a command acting
    on one pilot). Their cross-file rules still hold: every file declaring one of these names is
    checked with them, and `Catalog.names` has every pilot file's name. Other pilots' own
    errors are not looked at.
    """
    if cache is None:
        cache = enabled_by_default()
    store = content_cache(root) if cache is True else (cache or None)
    diags = Diagnostics()
    catalog = load(root, diags, replaced, store, only)
    resolution = resolve(catalog, diags)
    validate(catalog, resolution, diags)
    shared, own = split_errors(diags.errors)
    if shared or resolution.catalog is None:
        return Checked(catalog, resolution, diags)
    results, earned = gates(catalog, resolution, diags, today, frozenset(own))
    return Checked(catalog, earned, diags, results, own)


def synth(checked: Checked, outdir: Path, engine: str, *, on_stack: Callable[[str], None] | None = None,
          cache=None, jobs: int | None = None) -> list[str]:
    """Reads a Checked catalog without errors; writes every earned stack to `outdir` (replaced only
    when all stacks synthesized and passed the guardrails) and returns the stack names."""
    from pilotfactory.synth.build import synthesize

    if not checked.ok:
        raise DiagnosticsError(checked.diagnostics)
    return synthesize(checked.resolution.catalog, outdir, engine, on_stack=on_stack, cache=cache, jobs=jobs)
