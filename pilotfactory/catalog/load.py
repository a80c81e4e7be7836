"""The load step: read every YAML file under config/ and catalog/ into typed documents."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Mapping

from pilotfactory.catalog.allowed_signers import Principal, read_principals
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.catalog.parse import parse_document
from pilotfactory.catalog.model import Environments, Gates, Roles, Standards, Template
from pilotfactory.catalog.model.config import Controls
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.yamlio.cached import load_yaml_cached
from pilotfactory.yamlio.source import MAX_FILE_BYTES, Source, load_yaml_text, read_yaml_bytes

__all__ = ["Catalog", "TemplateEntry", "load_catalog", "pilot_files", "template_files", "remember_names",
           "CONFIG_FILES",
           "OPTIONAL_CONFIG_FILES"]

_NAME = "pilot-name"  # content-cache kind: the name a pilot file declares
_NAMES = "pilot-names"  # content-cache kind: every pilot file's sha256 and declared name, in one entry

CONFIG_FILES = {
    "environments": ("config/environments.yaml", Environments),
    "standards": ("config/standards.yaml", Standards),
    "roles": ("config/roles.yaml", Roles),
    "gates": ("config/gates.yaml", Gates),
}
# Read when present; without them the features they drive are off, and say so where they are asked for.
OPTIONAL_CONFIG_FILES = {
    "controls": ("config/controls.yaml", Controls),
}


@dataclass(frozen=True)
class TemplateEntry:
    template: Template
    source: Source
    directory: str  # repository-relative


@dataclass
class Catalog:
    """Everything read from disk, typed where a file can be typed on its own."""

    root: Path
    environments: Environments | None = None
    standards: Standards | None = None
    roles: Roles | None = None
    gates: Gates | None = None
    controls: Controls | None = None   # config/controls.yaml, optional
    config_sources: dict[str, Source] = field(default_factory=dict)
    templates: dict[str, TemplateEntry] = field(default_factory=dict)
    # template folders whose template.yaml has errors (reported): not unknown, just unusable
    broken_templates: set[str] = field(default_factory=set)
    pilot_sources: list[Source] = field(default_factory=list)  # typed by resolve: templates layer under them
    # results by content digest, when the caller keeps them
    cache: ContentCache | None = field(default=None, compare=False, repr=False)
    # Loaded for these pilots only (None: all): the files that declare one of these names.
    only: frozenset[str] | None = None
    # pilot file -> the name it declares, for every pilot file (the cross-file facts a subset needs)
    names: dict[str, str | None] = field(default_factory=dict)
    # principals of gates.yaml `approvals.allowed_signers`; None when there is no such file
    signers: list[Principal] | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.environments, self.standards, self.roles, self.gates)


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def pilot_files(root: Path) -> list[Path]:
    """The pilot files under root, in the order every step reads them."""
    return _yaml_files(root / "catalog" / "pilots")


def template_files(root: Path) -> list[Path]:
    """Each template folder's template.yaml (present or not), in the order load reads them."""
    templates_dir = root / "catalog" / "templates"
    if not templates_dir.is_dir():
        return []
    return [directory / "template.yaml" for directory in sorted(p for p in templates_dir.iterdir() if p.is_dir())]


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))


def _declared_name(path: Path, display: str, replaced: Mapping[str, str], cache: ContentCache | None) -> str | None:
    """The `name` a pilot file declares, from the cache when its bytes were seen before."""
    scratch = Diagnostics()  # that file's problems are its own pilot's, reported when it is checked
    if display in replaced:
        source = load_yaml_text(replaced[display], display, scratch)
    else:
        raw = read_yaml_bytes(path, display, scratch)
        if raw is None:
            return None
        key = cache.key(_NAME, display, raw) if cache is not None else ""
        hit = cache.get(_NAME, key, _name_fact) if cache is not None else None
        if hit is not None:
            return hit[0]
        source = load_yaml_cached(path, display, scratch, cache)
    name = source.data.get("name") if source is not None else None
    name = name if isinstance(name, str) else None
    if cache is not None and display not in replaced:
        cache.put(_NAME, key, (name,))
    return name


def _declared_names(root: Path, paths: list[Path], replaced: Mapping[str, str],
                    cache: ContentCache | None) -> dict[str, str | None]:
    """Pilot file -> the `name` it declares, for every file in `paths`. One cache entry holds every
    file's sha256 and name as last seen: a file whose bytes are unchanged takes its name from there,
    so a one-pilot command after an edit reads one entry and parses only the changed files; the
    files in `replaced` are read from their text."""
    known = cache.get(_NAMES, cache.key(_NAMES), _names_fact) or {} if cache is not None else {}
    names: dict[str, str | None] = {}
    seen: dict[str, tuple[str, str | None]] = {}
    for path in paths:
        display = _display(root, path)
        if display not in replaced and cache is not None:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = None  # that file's problem is reported when it is read below
            held = known.get(display)
            if digest is not None and held is not None and held[0] == digest:
                names[display] = held[1]
                seen[display] = held
                continue
        names[display] = _declared_name(path, display, replaced, cache)
        if display not in replaced and cache is not None and digest is not None:
            seen[display] = (digest, names[display])
    if cache is not None and not replaced and seen != known:
        cache.put(_NAMES, cache.key(_NAMES), seen)
    return names


def remember_names(cache: ContentCache, names: list[tuple[str, str, str | None]]) -> None:
    """Keep (file, sha256 hex, declared name) of every pilot file, for the next one-pilot command."""
    cache.put(_NAMES, cache.key(_NAMES), {file: (digest, name) for file, digest, name in names})


def _names_fact(value) -> dict[str, tuple[str, str | None]]:
    if not isinstance(value, dict):
        raise TypeError("not the names of pilot files")
    for file, (digest, name) in value.items():
        if not isinstance(file, str) or not isinstance(digest, str) or not (name is None or isinstance(name, str)):
            raise TypeError("not a pilot file's digest and name")
    return value


def _name_fact(value) -> tuple[str | None]:
    (name,) = value
    if name is not None and not isinstance(name, str):
        raise TypeError("not a pilot name")
    return (name,)


def _signers(root: Path, relpath: str, replaced: Mapping[str, str], diags: Diagnostics) -> list[Principal] | None:
    """The allowed-signers file's principals; None when it is absent or lies outside the repository."""
    if relpath in replaced:
        return read_principals(replaced[relpath], relpath)
    path = (root / relpath).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    try:
        raw = path.read_bytes()[:MAX_FILE_BYTES + 1]
        text = raw.decode("utf-8")
    except OSError as exc:
        diags.error(Code.UNREADABLE, f"cannot read the file: {exc.strerror or exc}", Location(relpath, 1, 1))
        return None
    except UnicodeDecodeError:
        diags.error(Code.ENCODING, "the file is not UTF-8", Location(relpath, 1, 1))
        return None
    if len(raw) > MAX_FILE_BYTES:
        diags.error(Code.TOO_LARGE, f"the file is over {MAX_FILE_BYTES:,} bytes (1 MiB)", Location(relpath, 1, 1))
        return None
    return read_principals(text, relpath)


def load_catalog(root: Path, diags: Diagnostics, replaced: Mapping[str, str] | None = None,
                 cache: ContentCache | None = None, only: Collection[str] | None = None,
                 pilots: bool = True) -> Catalog:
    """Read config/*.yaml, catalog/templates/*/template.yaml and catalog/pilots/*.yaml under root.

    `replaced` maps a repository-relative file to text read in its place: an edit checked before
    it is written. `cache`: parsed files by content digest (an unchanged file is not parsed again).
    `only`: load just the pilot files declaring these names (or named after them); every other
    pilot file is read for the name it declares only, into `Catalog.names`. `pilots=False`: config/
    and templates only (the validate cache reads the pilot files itself).
    """
    root = root.resolve()
    catalog = Catalog(root, cache=cache, only=None if only is None else frozenset(only))
    replaced = replaced or {}

    def read(path: Path, display: str) -> Source | None:
        if display in replaced:
            return load_yaml_text(replaced[display], display, diags)
        return load_yaml_cached(path, display, diags, cache)

    for attr, (relpath, model) in CONFIG_FILES.items():
        path = root / relpath
        if not path.is_file():
            diags.error(Code.MISSING_FILE, f"missing `{relpath}`: the platform configuration needs it",
                        Location(relpath, 1, 1))
            continue
        source = read(path, relpath)
        if source is None:
            continue
        catalog.config_sources[attr] = source
        setattr(catalog, attr, parse_document(source, model, diags))
    for attr, (relpath, model) in OPTIONAL_CONFIG_FILES.items():
        path = root / relpath
        if path.is_file() or relpath in replaced:
            source = read(path, relpath)
            if source is not None:
                catalog.config_sources[attr] = source
                setattr(catalog, attr, parse_document(source, model, diags))
    if catalog.gates is not None:
        catalog.signers = _signers(root, catalog.gates.approvals.allowed_signers, replaced, diags)

    for path in template_files(root):
        directory = path.parent
        display = _display(root, path)
        if not path.is_file():
            diags.error(Code.MISSING_FILE, f"template folder `{directory.name}` has no template.yaml",
                        Location(_display(root, directory), 1, 1))
            catalog.broken_templates.add(directory.name)
            continue
        source = read(path, display)
        template = parse_document(source, Template, diags) if source is not None else None
        if template is None:
            catalog.broken_templates.add(directory.name)
            continue
        if template.name != directory.name:
            diags.error(Code.FILE_NAME, f"template `{template.name}` lives in folder "
                        f"`{directory.name}`; the folder name is the template's name",
                        source.where(("name",)), ("name",))
            catalog.broken_templates.add(directory.name)
            continue
        catalog.templates[template.name] = TemplateEntry(template, source, _display(root, directory))

    if not pilots:
        return catalog
    pilot_files = _yaml_files(root / "catalog" / "pilots")
    if catalog.only is not None:
        catalog.names = _declared_names(root, pilot_files, replaced, cache)
    for path in pilot_files:
        display = _display(root, path)
        if catalog.only is not None:
            if path.stem not in catalog.only and catalog.names[display] not in catalog.only:
                continue
        source = read(path, display)
        if source is not None:
            catalog.pilot_sources.append(source)
    return catalog
