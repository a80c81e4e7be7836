"""Where a job task's libraries come from: a wheel, JAR or requirements file is code the task runs.

Provider v1.99.0 docs/resources/library.md:138, :142 and :144 (the job's `library` block is the
cluster's, docs/resources/job.md:338): `jar` and `whl` take Workspace paths, Unity Catalog volume
paths and S3 URIs, `requirements` Workspace and volume paths; `egg` (:140) is a path too, and a
serverless environment's `dependencies` are pip requirement lines (job.md:372), so `-r <file>` or
a wheel path there is the same. A path outside the pilot's folder, the environment's vetted
artifacts volume and the standards' JARs (DBFS, cloud storage, another volume, someone's home
folder) runs code nobody reviewed with the pilot.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from pilotfactory.review.changes import Finding, ResourceChange
from pilotfactory.tfjson.references import reference
from pilotfactory.tfjson.workspace_paths import inside, pilot_folder_of

__all__ = ["library_findings", "library_paths", "vetted"]

# library block key -> words; pypi, maven and cran name packages, which the policy's allow list governs (PFG008)
_PATH_KEYS = {"whl": "wheel", "jar": "JAR", "egg": "egg", "requirements": "requirements file"}

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")   # s3:/, dbfs:/, abfss:/ (library.md:138)
_DBFS = ("dbfs:", "/dbfs/")


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []


def _dependency_path(line: Any) -> str | None:
    """The file a pip requirement line installs from: `-r /Workspace/x.txt`, `/Volumes/../p.whl`; None for a package."""
    if not isinstance(line, str):
        return None
    text = line.strip()
    for flag in ("-r ", "--requirement ", "-e ", "--editable "):
        if text.startswith(flag):
            return text[len(flag):].strip()
    return text if text.startswith("/") or _URI.match(text) and not text.startswith(("http:", "https:", "git+")) else None


def library_paths(task: Mapping[str, Any], job: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(kind, path) of every file the task installs: its `library` blocks and its serverless environment's files."""
    out = []
    for block in _list(task.get("library")):
        for key, words in _PATH_KEYS.items():
            if isinstance(block, Mapping) and block.get(key) is not None:
                out.append((words, block[key]))
    key = task.get("environment_key")
    for env in _list((job or {}).get("environment")):
        if isinstance(env, Mapping) and key is not None and env.get("environment_key") == key:
            spec = env.get("spec")
            spec = spec[0] if isinstance(spec, list) and spec else spec
            for line in (spec or {}).get("dependencies") or [] if isinstance(spec, Mapping) else []:
                path = _dependency_path(line)
                if path is not None:
                    out.append(("environment dependency", path))
    return out


def vetted(path: Any, folder: str | None, places: Iterable[str]) -> bool:
    """Whether a library path is the pilot's own (its folder, an object of this stack) or a vetted place."""
    if reference(path) is not None:
        return True
    if not isinstance(path, str):
        return False
    if folder is not None and inside(path, folder):
        return True
    return any(path == place or inside(path, place) for place in places)


def _where(path: Any) -> str:
    if isinstance(path, str) and path.startswith(_DBFS):
        return f"`{path}` (DBFS: every workspace user can overwrite it)"
    if isinstance(path, str) and _URI.match(path):
        return f"`{path}` (cloud storage)"
    return f"`{path}`"


def _tasks(values: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {str(t.get("task_key")): t for t in _list((values or {}).get("task")) if isinstance(t, Mapping)}


def library_findings(change: ResourceChange, places: Iterable[str] = ()) -> list[Finding]:
    """PFR026 for each library file a task newly installs from outside the pilot's folder and `places`
    (the environment's artifacts volume, the standards' JARs); with no places known, only the folder counts."""
    stack = change.stack
    folder = pilot_folder_of(stack.pilot, stack.env) if stack.env else None
    places = tuple(places)
    was_tasks = _tasks(change.before)
    out = []
    for key, task in _tasks(change.after).items():
        had = set(map(repr, library_paths(was_tasks[key], change.before))) if key in was_tasks else set()
        for kind, path in library_paths(task, change.after):
            if repr((kind, path)) in had or vetted(path, folder, places):
                continue
            home = f"outside the pilot's folder `{folder}`" if folder else "outside any pilot's folder"
            vetted_places = f" and the vetted {', '.join(f'`{p}`' for p in places)}" if places else ""
            out.append(Finding("broadening", stack, f"{change.label}: task `{key}` installs {kind} {_where(path)}, "
                               f"{home}{vetted_places}", change.address,
                               "a library is code the task runs: from elsewhere it was not reviewed with the pilot",
                               rule="PFR026"))
    return out
