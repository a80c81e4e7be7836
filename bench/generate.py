"""Generate a catalog of N pilots from the example pilots, for benchmarks and scale tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def generate_catalog(target: Path, count: int, phase: str | None = None) -> Path:
    """Copy config/, templates and evidence; write `count` pilots cycling through the examples
    (only those in `phase`, if given), their approvals re-signed for the renamed content."""
    for name in ("config", "evidence"):
        shutil.copytree(REPO / name, target / name, dirs_exist_ok=True)
    shutil.copytree(REPO / "catalog" / "templates", target / "catalog" / "templates", dirs_exist_ok=True)
    shutil.copy(REPO / "cdktf.json", target / "cdktf.json")
    pilots = target / "catalog" / "pilots"
    pilots.mkdir(parents=True, exist_ok=True)
    examples = sorted((REPO / "catalog" / "pilots").glob("*.yaml"))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in examples}
    if phase is not None:
        examples = [p for p in examples if yaml.safe_load(texts[p.stem]).get("phase") == phase]
    for i in range(count):
        stem = examples[i % len(examples)].stem
        name = f"{stem[:33]}-{i:04d}"
        data = yaml.safe_load(texts[stem])
        data["name"] = name
        (pilots / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    _resign_approvals(target)
    return target


def _resign_approvals(root: Path) -> None:
    """A renamed copy is new content: its approvals must bind to it, or the gates refuse it."""
    from pilotfactory.gates.digest import approval_digest
    from pilotfactory.pipeline import check

    checked = check(root)
    for typed in checked.resolution.pilots:
        path = root / typed.file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        approvals = [a for a in data.get("approvals") or [] if "digest" in a]
        if approvals:
            for approval in approvals:
                approval["digest"] = approval_digest(checked.catalog, typed.pilot, approval["gate"])
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
