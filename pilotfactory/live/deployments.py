"""Deployment records: after a deploy, `verify` writes what actually runs, per pilot stack, under
evidence/<pilot>/deployments/, so the evidence pack shows what ran, where, when, from which CI run
and commit, under which change, and whether the workspace matched.

Each record is a file of its own, created exclusively (`<UTC time>-<env>-<random>.json`): records
are appended, never rewritten.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterable, Mapping

from pilotfactory.files.atomic import create_file
from pilotfactory.files.git import run_git
from pilotfactory.gates import clock
from pilotfactory.live.checks import Check

__all__ = ["ci_run", "deployment_records", "write_deployment_records", "DEPLOYMENTS"]

DEPLOYMENTS = "deployments"


def ci_run(environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The CI run this is part of, from the variables GitHub Actions, GitLab CI and Azure Pipelines set."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_RUN_ID"):
        url = (f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env['GITHUB_REPOSITORY']}/actions/runs/"
               f"{env['GITHUB_RUN_ID']}") if env.get("GITHUB_REPOSITORY") else None
        return {"system": "github-actions", "id": env["GITHUB_RUN_ID"], **({"url": url} if url else {})}
    if env.get("CI_PIPELINE_ID"):
        return {"system": "gitlab-ci", "id": env["CI_PIPELINE_ID"],
                **({"url": env["CI_PIPELINE_URL"]} if env.get("CI_PIPELINE_URL") else {})}
    if env.get("BUILD_BUILDID"):
        return {"system": "azure-pipelines", "id": env["BUILD_BUILDID"]}
    return None


def _commit(root: Path) -> str | None:
    code, out = run_git(root, "rev-parse", "HEAD", timeout_s=10)
    return (out.strip() or None) if code == 0 else None


def deployment_records(checked, env: str, checks: Iterable[Check], host: str, *, run: dict | None,
                       commit: str | None, at: str) -> dict[str, dict[str, Any]]:
    """Pilot -> its deployment record in `env` (pilots with a stack there)."""
    by_stack: dict[str, list[Check]] = {}
    for check in checks:
        by_stack.setdefault(check.stack, []).append(check)
    out = {}
    for rp in checked.resolution.catalog.env_pilots(env):
        pilot = rp.pilot
        stack = rp.stack_id
        mine = by_stack.get(stack, [])
        release = pilot.release
        record = {
            "kind": "deployment", "pilot": pilot.name, "env": env, "stack": stack, "workspace": host,
            "verified_at": at, "ci_run": run, "commit": commit,
            "release": {
                "active": release.active.get(env),
                "canary": release.canary[env].model_dump(mode="json") if env in release.canary else None,
                "slots": {name: slot.model_dump(mode="json", exclude_none=True) for name, slot in release.slots.items()},
            },
            "change": release.changes[env].model_dump(mode="json", exclude_defaults=True) if env in release.changes else None,
            "result": "pass" if mine and all(c.ok for c in mine) else "fail" if mine else "nothing checked",
            "checks": [{"area": c.area, "subject": c.subject, "ok": c.ok, "detail": c.detail} for c in mine],
        }
        out[pilot.name] = record
    return out


def write_deployment_records(root: Path, checked, env: str, checks: Iterable[Check], host: str) -> list[Path]:
    """Append one record per pilot stack in `env`; returns the repository-relative paths written."""
    now = clock.now().replace(microsecond=0)
    at = now.isoformat().replace("+00:00", "Z")
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
    records = deployment_records(checked, env, list(checks), host, run=ci_run(), commit=_commit(root), at=at)
    written = []
    for pilot, record in sorted(records.items()):
        data = (json.dumps(record, indent=2) + "\n").encode()
        for _ in range(5):
            path = Path("evidence") / pilot / DEPLOYMENTS / f"{stamp}-{env}-{secrets.token_hex(3)}.json"
            try:
                create_file(root / path, data)
            except FileExistsError:
                continue
            written.append(path)
            break
        else:
            raise FileExistsError(f"no free deployment record name under evidence/{pilot}/{DEPLOYMENTS}/")
    return written
