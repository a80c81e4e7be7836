"""One side of a review: the catalog at a git ref (exported to a temporary folder) or in the
working tree, checked and synthesized into plain stack JSON dicts.

A ref is exported as a clone of its own (sharing the repository's objects), never checked out in
the repository: the working tree, the index and the worktree list stay as they were, and the
history the approvals' signatures are verified against is there. The ref's stacks are built with the ref's own code when it
differs from the running code, so a change to stacks/ shows in the review like any other.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.pipeline import Checked, check
from pilotfactory.synth.cache import StackCache, code_digest, tree_digest
from pilotfactory.isolation import Withheld
from pilotfactory.synth.build import WITHHELD_FILE, synthesize_estate
from pilotfactory.review.plan import ReviewInputError

__all__ = ["Side", "CatalogErrors", "export_ref", "load_side", "git_toplevel"]


class CatalogErrors(ReviewInputError):
    """The catalog on one side does not validate; `diagnostics` says where."""

    def __init__(self, side: str, diagnostics: Diagnostics):
        super().__init__(f"the catalog at {side} has errors; nothing to review")
        self.diagnostics = diagnostics


@dataclass
class Side:
    label: str                 # what the reader calls it: the ref, or "working tree"
    root: Path
    checked: Checked | None    # None: only the ref's own code accepts its catalog
    stacks: dict[str, dict]    # stack id -> cdk.tf.json
    skipped_links: tuple[str, ...] = ()   # tracked symlinks the export left out
    withheld: dict[str, Withheld] = field(default_factory=dict)  # stack id -> why synth did not build it


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


def _read_stacks(out: Path, parsed: dict[bytes, dict] | None = None) -> dict[str, dict]:
    """Stack id -> its document; `parsed` (content digest -> document) shares one parse between the
    sides for the stacks they have byte for byte (most of them), and makes comparing those cheap.
    Only identical content is shared, so no difference between the sides can be lost."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parsed = {} if parsed is None else parsed
    out_docs = {}
    for name, entry in manifest["stacks"].items():
        data = (out / entry["synthesizedStackPath"]).read_bytes()
        key = hashlib.sha256(data).digest()
        if key not in parsed:
            parsed[key] = json.loads(data.decode("utf-8"))
        out_docs[name] = parsed[key]
    return out_docs


def _read_withheld(out: Path) -> dict[str, Withheld]:
    """What the side's synth withheld; code from before withheld.json withheld nothing."""
    path = out / WITHHELD_FILE
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8")).get("withheld", [])
    return {e["stack"]: Withheld(e["stack"], e["pilot"], e["file"], e["kind"], e["reason"]) for e in entries}


def load_side(label: str, root: Path, engine: str, cache: StackCache, scratch: Path,
              code_root: Path | None = None, content: ContentCache | None = None,
              parsed: dict[bytes, dict] | None = None) -> Side:
    """Check and synthesize the catalog under `root`; `code_root`: the ref's own code, if it has any.

    A ref whose code differs from the running code is built by its own code; it is also judged
    by it when the running code's rules refuse it (a rule added since), so `checked` is None.
    `content`: the repository's content cache, for either side (its keys hold no absolute path).
    """
    checked = check(root, cache=content or False)
    own_code = code_root is not None and (code_root / "pilotfactory" / "__init__.py").is_file() \
        and tree_digest(code_root) != code_digest()
    # Only pilots' own errors (content or gates): the rest is still built and reviewed (blast radius).
    gates_only = checked.usable
    if not checked.ok and not own_code and not gates_only:
        raise CatalogErrors(label, checked.diagnostics)
    out = scratch / "cdktf.out"
    if own_code:
        _synth_with_own_code(code_root, root, out, engine)
    else:
        synthesize_estate(checked.resolution.catalog, out, checked.withheld(), engine, cache=(root, cache))
    return Side(label, root, checked if checked.ok or gates_only else None, _read_stacks(out, parsed),
                withheld=_read_withheld(out))
