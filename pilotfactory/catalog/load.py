"""The load step: read every YAML file under config/ and catalog/ into typed documents."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.catalog.parse import parse_document
from pilotfactory.catalog.model import Environments, Gates, Roles, Standards, Template
from pilotfactory.catalog.model.config import Controls
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.yamlio.cached import load_yaml_cached
from pilotfactory.yamlio.source import Source, load_yaml_text

__all__ = ["Catalog", "TemplateEntry", "load_catalog", "CONFIG_FILES", "OPTIONAL_CONFIG_FILES"]

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

    @property
    def complete(self) -> bool:
        return None not in (self.environments, self.standards, self.roles, self.gates)


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))


def load_catalog(root: Path, diags: Diagnostics, replaced: Mapping[str, str] | None = None,
                 cache: ContentCache | None = None) -> Catalog:
    """Read config/*.yaml, catalog/templates/*/template.yaml and catalog/pilots/*.yaml under root.

    `replaced` maps a repository-relative file to text read in its place: an edit checked before
    it is written. `cache`: parsed files by content digest (an unchanged file is not parsed again).
    """
    root = root.resolve()
    catalog = Catalog(root, cache=cache)
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

    templates_dir = root / "catalog" / "templates"
    if templates_dir.is_dir():
        for directory in sorted(p for p in templates_dir.iterdir() if p.is_dir()):
            path = directory / "template.yaml"
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

    for path in _yaml_files(root / "catalog" / "pilots"):
        source = read(path, _display(root, path))
        if source is not None:
            catalog.pilot_sources.append(source)
    return catalog
