"""One side of a review: the catalog at a git ref (exported to a temporary folder) or in the
working tree, checked and synthesized; its stacks read from where the stack cache keeps them, each
when first asked for (`Stacks`). `load_sides` loads both sides of a review in proportion to what
differs between them.

A ref is exported as a clone of its own (sharing the repository's objects), never checked out in
the repository: the working tree, the index and the worktree list stay as they were, and the
history the approvals' signatures are verified against is there. The ref's stacks are built with the ref's own code when it
differs from the running code, so a change to stacks/ shows in the review like any other.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.pipeline import Checked, check
from pilotfactory.synth.cache import StackCache, code_digest, planned_stack_digests, tree_digest
from pilotfactory.isolation import Withheld
from pilotfactory.synth.build import WITHHELD_FILE, synthesize_cached
from pilotfactory.review.plan import ReviewInputError
from pilotfactory.tfjson.stacknames import pilot_stack

__all__ = ["Side", "Stacks", "Tree", "CatalogErrors", "export_ref", "load_side", "load_sides", "git_toplevel"]


class CatalogErrors(ReviewInputError):
    """The catalog on one side does not validate; `diagnostics` says where."""

    def __init__(self, side: str, diagnostics: Diagnostics):
        super().__init__(f"the catalog at {side} has errors; nothing to review")
        self.diagnostics = diagnostics


class Stacks(Mapping[str, dict]):
    """Stack id -> its cdk.tf.json document, read and parsed when first asked for. Each stack has a
    key, equal on two sides only when their documents are byte for byte the same: its stack digest
    (one digest, one cache entry, one file) or the sha256 of its bytes. One parse serves every
    stack with the same key, on either side."""

    def __init__(self, entries: Mapping[str, tuple[str, Path]], parsed: dict[str, dict]):
        self._entries = dict(entries)   # stack id -> (key, path of its cdk.tf.json)
        self._parsed = parsed

    @classmethod
    def by_content(cls, out: Path, parsed: dict[str, dict]) -> "Stacks":
        """The stacks of a synth output folder (its manifest.json), each read now and keyed by its bytes."""
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        paths = {name: out / entry["synthesizedStackPath"] for name, entry in manifest["stacks"].items()}
        return cls({name: (_read_by_bytes(path, parsed), path) for name, path in paths.items()}, parsed)

    def key(self, name: str) -> str:
        return self._entries[name][0]

    def same(self, other: Mapping[str, dict], name: str) -> bool:
        """Whether `other` has stack `name` byte for byte as this side has it, known without reading it."""
        return isinstance(other, Stacks) and name in self._entries and name in other._entries \
            and other._entries[name][0] == self._entries[name][0]

    def keep(self, wanted: Callable[[str], bool]) -> "Stacks":
        return Stacks({n: e for n, e in self._entries.items() if wanted(n)}, self._parsed)

    def __getitem__(self, name: str) -> dict:
        key, path = self._entries[name]
        if key not in self._parsed:
            self._parsed[key] = json.loads(path.read_bytes().decode("utf-8"))
        return self._parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


@dataclass
class Side:
    label: str                 # what the reader calls it: the ref, or "working tree"
    root: Path
    checked: Checked | None    # None: only the ref's own code accepts its catalog
    stacks: Mapping[str, dict]  # stack id -> cdk.tf.json (a dict, or Stacks read on demand)
    skipped_links: tuple[str, ...] = ()   # tracked symlinks the export left out
    withheld: dict[str, Withheld] = field(default_factory=dict)  # stack id -> why synth did not build it


@dataclass(frozen=True)
class Tree:
    """One side to load: its label, catalog root, the ref's own code (None: the working tree's)
    and the tracked symlinks its export left out."""
    label: str
    root: Path
    code_root: Path | None = None
    skipped_links: tuple[str, ...] = ()


def _git(cwd: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=not binary, check=False)
    except OSError as exc:
        raise ReviewInputError(f"cannot run git ({exc})") from exc


def git_toplevel(root: Path) -> Path:
    out = _git(root, "rev-parse", "--show-toplevel")
    if out.returncode != 0:
        raise ReviewInputError(f"{root} is not in a git repository; `--base` needs one")
    return Path(out.stdout.strip()).resolve()


def export_ref(root: Path, ref: str, into: Path, skipped: list[str] | None = None) -> tuple[Path, Path]:
    """Write the tree of `ref` into `into`; (catalog root, repository top) inside the export.

    The export is a clone sharing the repository's objects, checked out at `ref`, so the history
    behind its approvals is there to verify (gates/signature.py). Tracked symlinks (which may point
    anywhere, even outside the repository) are left out and their paths appended to `skipped`."""
    top = git_toplevel(root)
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0 or not commit.stdout.strip():
        raise ReviewInputError(f"`{ref}` is not a commit in {top} (try `git fetch` or a branch name)")
    sha = commit.stdout.strip()
    tree = _git(top, "ls-tree", "-r", "-z", sha)
    links = [entry.split("\t", 1)[1] for entry in tree.stdout.split("\0")
             if entry.startswith("120000 ")] if tree.returncode == 0 else []
    into.parent.mkdir(parents=True, exist_ok=True)
    for args in (("clone", "-q", "--shared", "--no-checkout", str(top), str(into)),
                 # links come out as plain files holding their target, removed below: nothing points outside
                 ("-C", str(into), "-c", "core.symlinks=false", "-c", "advice.detachedHead=false",
                  "checkout", "-q", "--detach", sha)):
        done = _git(top, *args)
        if done.returncode != 0:
            raise ReviewInputError(f"exporting {ref} failed: {(done.stderr or done.stdout).strip()}")
    for link in links:
        (into / link).unlink(missing_ok=True)
    if skipped is not None:
        skipped.extend(links)
    return into / root.resolve().relative_to(top), into


def _synth_with_own_code(code_root: Path, root: Path, out: Path, engine: str) -> None:
    """The ref's stacks, built by the ref's code in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "PILOTFACTORY_ENGINE": engine, "CI": "1"}
    done = subprocess.run([sys.executable, "-m", "pilotfactory", "synth", "--root", str(root), "--out", str(out)],
                          cwd=code_root, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 3):  # 3: built, some pilots' stacks withheld (withheld.json)
        raise ReviewInputError(f"synth with the code at this ref failed:\n{(done.stderr or done.stdout).strip()}")


def _read_withheld(out: Path) -> dict[str, Withheld]:
    """What the side's synth withheld; code from before withheld.json withheld nothing."""
    path = out / WITHHELD_FILE
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8")).get("withheld", [])
    return {e["stack"]: Withheld(e["stack"], e["pilot"], e["file"], e["kind"], e["reason"]) for e in entries}


def _own_code(code_root: Path | None) -> bool:
    """Whether the ref's code differs from the running code (then it builds and judges its catalog)."""
    return code_root is not None and (code_root / "pilotfactory" / "__init__.py").is_file() \
        and tree_digest(code_root) != code_digest()


def _keyed(stacks: Mapping[str, tuple[str, Path]], parsed: dict[str, dict], by_content: bool) -> Stacks:
    """`stacks` (id -> digest, cdk.tf.json) keyed by digest, or with `by_content` read now and keyed
    by their bytes, to be compared with a side whose stacks have no digest (built by the ref's own code)."""
    if not by_content:
        return Stacks({name: ("digest:" + digest, path) for name, (digest, path) in stacks.items()}, parsed)
    return Stacks({name: (_read_by_bytes(path, parsed), path) for name, (_, path) in stacks.items()}, parsed)


def _read_by_bytes(path: Path, parsed: dict) -> str:
    """The stack file's key, `sha256:` of its bytes; parsed into `parsed` once per distinct content."""
    data = path.read_bytes()
    key = "sha256:" + hashlib.sha256(data).hexdigest()
    if key not in parsed:
        parsed[key] = json.loads(data.decode("utf-8"))
    return key


def load_side(label: str, root: Path, engine: str, cache: StackCache, scratch: Path,
              code_root: Path | None = None, content: ContentCache | None = None,
              parsed: dict[str, dict] | None = None, by_content: bool = False) -> Side:
    """Check and synthesize the catalog under `root`; `code_root`: the ref's own code, if it has any.

    A ref whose code differs from the running code is built by its own code; it is also judged
    by it when the running code's rules refuse it (a rule added since), so `checked` is None.
    `content`: the repository's content cache, for either side (its keys hold no absolute path).
    `parsed`: shared with the other side, so a stack both have is parsed once; `by_content`: key
    the stacks by their bytes (the other side is built by its own code).
    """
    parsed = {} if parsed is None else parsed
    checked = check(root, cache=content or False)
    own_code = _own_code(code_root)
    # Only pilots' own errors (content or gates): the rest is still built and reviewed (blast radius).
    gates_only = checked.usable
    if not checked.ok and not own_code and not gates_only:
        raise CatalogErrors(label, checked.diagnostics)
    usable = checked if checked.ok or gates_only else None
    if own_code:
        out = scratch / "cdktf.out"
        _synth_with_own_code(code_root, root, out, engine)
        return Side(label, root, usable, Stacks.by_content(out, parsed), withheld=_read_withheld(out))
    built = synthesize_cached(checked.resolution.catalog, scratch / "stacks", checked.withheld(), engine,
                              cache=(root, cache))
    return Side(label, root, usable, _keyed(built.stacks, parsed, by_content),
                withheld={w.stack: w for w in built.withheld})


def load_sides(trees: Sequence[Tree], engine: str, cache: StackCache, scratch: Path,
               content: ContentCache | None = None) -> tuple[Side, Side]:
    """Both sides of a review (base, head), with work in proportion to what differs between them.

    Each tree is judged file by file (pilotfactory/verdict.py: unchanged pilot files read back from
    the content cache), which gives its diagnostics, its withheld stacks and each pilot file's
    results with an identity, equal in two trees only when everything those results were computed
    from is. Only the pilots whose identity differs, whose stacks differ (by digest) or are not
    cached yet, or whose gates withhold stacks in the head are checked in full, the same ones on
    both sides: nothing a review says of the others could differ. Stacks are read where the stack
    cache keeps them, and only those whose digests differ between the sides. A ref with code of its
    own is loaded whole (`load_side`), as is a catalog whose checks do not agree with the verdicts.
    """
    base, head = trees
    if _own_code(base.code_root) or _own_code(head.code_root):
        parsed: dict[str, dict] = {}
        return tuple(dataclasses.replace(  # type: ignore[return-value]
            load_side(t.label, t.root, engine, cache, scratch / f"side{i}", t.code_root, content, parsed,
                      by_content=True), skipped_links=t.skipped_links) for i, t in enumerate(trees))
    from pilotfactory.verdict import verdict

    verdicts = []
    for tree in trees:
        found = verdict(tree.root, cache=content or False, per_file=True)
        if not found.usable:
            raise CatalogErrors(tree.label, found.diagnostics)
        verdicts.append(found)
    plans = [_plan(v) for v in verdicts]
    digests = [planned_stack_digests(t.root, v.environment_names, p.values(), engine)
               for t, v, p in zip(trees, verdicts, plans)]
    missing = [{stack for stack, d in digest.items() if stack in plan and cache.get(d) is None}
               for plan, digest in zip(plans, digests)]   # pilot stacks to build: their pilots are needed
    names = _to_check(verdicts, plans, digests, missing)
    parsed: dict[str, dict] = {}
    sides = []
    for i, (tree, found, digest, lacking) in enumerate(zip(trees, verdicts, digests, missing)):
        part = check(tree.root, cache=content or False, only=names)
        broken = {file for file, f in found.files.items() if f.broken}
        if part.gates is None or part.resolution.catalog is None or \
                not {rp.stack_id for rp in part.resolution.catalog.pilots} >= lacking:
            return _whole(trees, engine, cache, scratch, content)
        gates = dataclasses.replace(part.gates, pilots=[p for p in part.gates.pilots if p.file not in broken])
        checked = dataclasses.replace(part, diagnostics=found.diagnostics, gates=gates)
        built = synthesize_cached(part.resolution.catalog, scratch / f"side{i}" / "stacks", found.withheld, engine,
                                  cache=(tree.root, cache), digests=digest)
        sides.append(Side(tree.label, tree.root, checked, _keyed(built.stacks, parsed, False),
                          skipped_links=tree.skipped_links, withheld={w.stack: w for w in built.withheld}))
    return sides[0], sides[1]


def _whole(trees: Sequence[Tree], engine: str, cache: StackCache, scratch: Path,
           content: ContentCache | None) -> tuple[Side, Side]:
    parsed: dict[str, dict] = {}
    return tuple(dataclasses.replace(  # type: ignore[return-value]
        load_side(t.label, t.root, engine, cache, scratch / f"whole{i}", t.code_root, content, parsed),
        skipped_links=t.skipped_links) for i, t in enumerate(trees))


def _plan(found) -> dict[str, tuple[str, str, str]]:
    """Stack id -> (stack id, pilot file, template) of every pilot stack synth builds: each typed
    pilot file without errors of its own, in each environment it resolved to and earned."""
    withheld = {w.stack for w in found.withheld}
    out = {}
    for file, f in found.files.items():
        if f.name is None or f.broken:
            continue
        for env in f.envs:
            stack = pilot_stack(f.name, env)
            if env not in f.unearned and stack not in withheld:
                out[stack] = (stack, file, f.template)
    return out


def _to_check(verdicts, plans, digests, missing) -> frozenset[str]:
    """The pilots to check in full on both sides: everything else is the same on both. `missing`:
    each side's pilot stacks the cache lacks (to build them, synth needs their pilots resolved)."""
    (base, head), names = verdicts, set()
    for file in {*base.files, *head.files}:
        b, h = base.files.get(file), head.files.get(file)
        if b is None or h is None or b.identity != h.identity:
            names |= {f.name for f in (b, h) if f is not None and f.name is not None}
    names |= {f.name for f in head.files.values() if f.name is not None and f.unearned}
    owner = {stack: found.files[file].name for plan, found in zip(plans, verdicts)
             for stack, (_, file, _) in plan.items()}
    for stack in {*digests[0], *digests[1]}:
        if stack in owner and (digests[0].get(stack) != digests[1].get(stack)
                               or any(stack in lacking for lacking in missing)):
            names.add(owner[stack])
    return frozenset(names)
