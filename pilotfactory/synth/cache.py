"""Incremental synth: each stack's content digest, and a cache of synthesized stacks keyed by it.

A `<pilot>-<env>` stack's digest covers every input that shapes it: the stack id, its pilot file,
its template folder, config/*.yaml, the code of pilotfactory/, stacks/ and generators/, and the
engine with its provider and runtime versions. `platform-<env>` and `account` stacks depend on
config, code and engine only. Same digest, same bytes: a cached stack is reused as it is, and a
change to any input gives a new digest, so a stale entry is never read.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Collection, Iterable, Mapping

from pilotfactory.catalog.resolved import ResolvedCatalog, ResolvedPilot
from pilotfactory.synth.manifest import write_manifest
from pilotfactory.synth.workers import build_stacks
from pilotfactory.tfjson.stacknames import ACCOUNT, platform_stack

__all__ = ["CACHE_DIR", "code_digest", "engine_fingerprint", "stack_inputs", "stack_digests", "pilot_stack_digests",
           "planned_stack_digests", "StackCache", "Incremental", "synth_incremental"]

CACHE_DIR = Path(".pilotfactory") / "cache"   # under the repository root; gitignored
_CODE_PACKAGES = ("pilotfactory", "stacks", "generators")
_CODE_ROOT = Path(__file__).resolve().parents[2]   # the repository: pilotfactory/synth/cache.py
# Packages whose version changes what synth writes, per engine.
_ENGINE_DISTRIBUTIONS = {
    "cdktf": ("cdktf", "cdktf-cdktf-provider-databricks", "constructs", "jsii"),
    "cdktn": ("cdktn", "cdktn-provider-databricks", "constructs", "jsii"),
}


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def tree_digest(root: Path, packages: Iterable[str] = _CODE_PACKAGES) -> str:
    """sha256 of every source file (path and bytes) under root/<package> for each package."""
    h = hashlib.sha256()
    for package in packages:
        for path in _files(root / package):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The running code's digest; computed once per process."""
    return tree_digest(_CODE_ROOT)


@lru_cache(maxsize=None)
def engine_fingerprint(engine: str) -> str:
    parts = [f"engine={engine}", f"python={sys.version_info.major}.{sys.version_info.minor}"]
    for dist in _ENGINE_DISTRIBUTIONS.get(engine, (engine,)):
        try:
            parts.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}==missing")
    return ";".join(parts)


def _config_files(root: Path) -> list[Path]:
    directory = root / "config"
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml")) \
        if directory.is_dir() else []


def _pilot_inputs(root: Path, rp: ResolvedPilot, config: list[Path]) -> list[Path]:
    return _inputs_of(root, rp.file, rp.pilot.template, config)


def _inputs_of(root: Path, file: str, template: str, config: list[Path],
               templates: dict[str, list[Path]] | None = None) -> list[Path]:
    """`templates`: each template folder's files, listed once for many pilots."""
    templates = {} if templates is None else templates
    if template not in templates:
        templates[template] = _files(root / "catalog" / "templates" / template)
    return [root / file, *templates[template], *config]


def _estate_inputs(root: Path, environments: Iterable[str],
                   pilots: Iterable[tuple[str, str, str]]) -> dict[str, list[Path]]:
    """Stack id -> the catalog files that shape it, for the account, each environment's platform
    and each (stack id, pilot file, template) of `pilots`."""
    config = _config_files(root)
    out: dict[str, list[Path]] = {ACCOUNT: list(config)}
    for env in environments:
        out[platform_stack(env)] = list(config)
    templates: dict[str, list[Path]] = {}
    for stack, file, template in pilots:
        out[stack] = _inputs_of(root, file, template, config, templates)
    return out


def stack_inputs(root: Path, catalog: ResolvedCatalog) -> dict[str, list[Path]]:
    """Stack id -> the catalog files that shape it (code and engine are added to every digest)."""
    return _estate_inputs(root, catalog.environments.environments,
                          ((rp.stack_id, rp.file, rp.pilot.template) for rp in catalog.pilots))


def _digests(root: Path, inputs: dict[str, list[Path]], engine: str, code: str | None,
             replaced: Mapping[str, str]) -> dict[str, str]:
    hashed: dict[Path, bytes] = {}   # each file's part of a digest, made once (config is in every stack's)
    common = f"{code or code_digest()}\0{engine_fingerprint(engine)}".encode()
    out = {}
    for stack, files in inputs.items():
        h = hashlib.sha256(b"pilotfactory-stack/1\0" + stack.encode() + b"\0" + common)
        for path in files:
            if path not in hashed:
                relpath = path.relative_to(root).as_posix()
                data = replaced[relpath].encode("utf-8") if relpath in replaced else path.read_bytes()
                hashed[path] = b"\0" + relpath.encode() + b"\0" + hashlib.sha256(data).digest()
            h.update(hashed[path])
        out[stack] = h.hexdigest()
    return out


def stack_digests(root: Path, catalog: ResolvedCatalog, engine: str, code: str | None = None) -> dict[str, str]:
    """Stack id -> digest of everything that shapes that stack; `code`: another tree's code digest."""
    root = root.resolve()
    return _digests(root, stack_inputs(root, catalog), engine, code, {})


def planned_stack_digests(root: Path, environments: Iterable[str], pilots: Iterable[tuple[str, str, str]],
                          engine: str) -> dict[str, str]:
    """The digests `stack_digests` gives a catalog with these environments and pilot stacks
    ((stack id, pilot file, template) each), known without typing or resolving the pilots."""
    root = root.resolve()
    return _digests(root, _estate_inputs(root, environments, pilots), engine, None, {})


def pilot_stack_digests(root: Path, pilots: Iterable[ResolvedPilot], engine: str,
                        replaced: Mapping[str, str] | None = None) -> dict[str, str]:
    """The digests `stack_digests` gives these pilot stacks, with `replaced` (repository-relative
    file -> text) read in place of the file on disk: an edit's stacks digest as once it is written."""
    root = root.resolve()
    config = _config_files(root)
    return _digests(root, {rp.stack_id: _pilot_inputs(root, rp, config) for rp in pilots}, engine, None,
                    replaced or {})


class StackCache:
    """Synthesized stack folders under `<directory>/<digest>/`, each with its manifest entry."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._found: dict[str, tuple[Path, dict]] = {}  # entries this run found: an entry never changes

    @classmethod
    def at(cls, root: Path) -> "StackCache":
        return cls(Path(root) / CACHE_DIR)

    def get(self, digest: str) -> tuple[Path, dict] | None:
        if digest in self._found:   # review asks for each of both sides' stacks twice
            return self._found[digest]
        entry = self.directory / digest
        try:
            manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        stack = entry / "stack"
        if not (stack / "cdk.tf.json").is_file():
            return None
        self._found[digest] = (stack, manifest)
        return stack, manifest

    def put(self, digest: str, stack_dir: Path, manifest: dict) -> None:
        """Store atomically: a reader sees a whole entry or none."""
        target = self.directory / digest
        if self.get(digest) is not None:
            return
        shutil.rmtree(target, ignore_errors=True)  # a damaged entry is replaced, never kept
        self.directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}.", dir=self.directory))
        try:
            shutil.copytree(stack_dir, scratch / "stack")
            (scratch / "manifest.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
            os.replace(scratch, target)
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)  # another run stored it first, or the disk is full


@dataclass(frozen=True)
class Incremental:
    rebuilt: tuple[str, ...]     # stacks built in this run
    reused: tuple[str, ...]      # stacks copied from the cache (or, not copied, read where it keeps them)
    digests: dict[str, str]
    paths: dict[str, Path]       # stack id -> its cdk.tf.json: in the output, or for a reused stack
                                 # not copied, in the cache entry

    def store(self, cache: StackCache, outdir: Path, skip: Collection[str] = ()) -> None:
        """Cache the rebuilt stacks; call only once they passed every check, so a reused stack is a
        stack that passed the same checks with the same inputs (`skip`: those that did not)."""
        built = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
        for name in self.rebuilt:
            if name in skip:
                continue
            cache.put(self.digests[name], outdir / "stacks" / name,
                      {"entry": built["stacks"][name], "version": built["version"]})


def synth_incremental(catalog: ResolvedCatalog, root: Path, outdir: Path, engine: str, cache: StackCache,
                      on_stack: Callable[[str], None] | None = None, jobs: int | None = None,
                      digests: Mapping[str, str] | None = None, copy: bool = True) -> Incremental:
    """Synthesize into the empty folder `outdir`, building only stacks the cache lacks (with `jobs`
    worker processes, synth/workers.py).

    The CDK is not even loaded when every stack is cached. `digests`: the stacks to have, with
    their digests, when already known (`catalog` then needs only the pilots of stacks the cache
    lacks). `copy=False` leaves reused stacks in the cache (`paths` says where): no manifest is
    written, and `outdir` holds only the rebuilt stacks.
    """
    digests = dict(digests) if digests is not None else stack_digests(root, catalog, engine)
    hits = {name: cache.get(d) for name, d in digests.items()}
    missing = [name for name, hit in hits.items() if hit is None]
    entries: dict[str, dict] = {}
    version = None
    if missing:
        # build_app defines what the missing stacks depend on as empty placeholders, so their
        # manifest entries name it; each placeholder is replaced by its cached copy below.
        build_stacks(catalog, outdir, engine, missing, jobs, on_stack)
        built = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
        version = built["version"]
        entries.update({name: built["stacks"][name] for name in missing})
    reused = [name for name in digests if name not in missing]
    paths = {name: outdir / "stacks" / name / "cdk.tf.json" for name in digests}
    if not copy:
        paths.update({name: hits[name][0] / "cdk.tf.json" for name in reused})
        return Incremental(tuple(missing), tuple(reused), digests, paths)
    if reused or not missing:
        for name in reused:
            stack_dir, entry = hits[name]
            shutil.rmtree(outdir / "stacks" / name, ignore_errors=True)  # a placeholder, if any
            shutil.copytree(stack_dir, outdir / "stacks" / name)
            entries[name] = entry["entry"]
            version = version or entry["version"]
            if on_stack:
                on_stack(name)
        write_manifest(outdir / "manifest.json", entries, version or "")
    return Incremental(tuple(missing), tuple(reused), digests, paths)
