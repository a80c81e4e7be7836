"""Item 7 (order): `cdktf deploy` applies account, then platform-<env>, then that environment's pilots.

Citations are to the installed cdktf CLI, @cdktf/cli-core 0.21.0
(node_modules/@cdktf/cli-core/src/lib/helpers/stack-helpers.js): deploy takes next the first
pending stack whose manifest `dependencies` are all done (:52-62), and refuses a run that leaves a
dependency out unless told it is applied already (:142-152, `--ignore-missing-stack-dependencies`).
"""
from __future__ import annotations

import json

from pilotfactory.catalog.deploy_command import IGNORE_APPLIED_DEPENDENCIES, deploy_command
from pilotfactory.synth.build import synthesize
from stacks import names


def deploy_order(manifest: dict) -> list[str]:
    """The order the CLI's loop takes stacks in: first pending stack whose dependencies are done."""
    pending, done = list(manifest["stacks"]), []
    while pending:
        ready = next(s for s in pending if all(d in done for d in manifest["stacks"][s]["dependencies"]))
        pending.remove(ready)
        done.append(ready)
    return done


def expected_dependencies(catalog) -> dict[str, list[str]]:
    out = {names.ACCOUNT_STACK: []}
    out.update({names.platform_stack(env): [names.ACCOUNT_STACK] for env in catalog.environments.environments})
    out.update({rp.stack_id: [names.platform_stack(rp.env_name), names.ACCOUNT_STACK] for rp in catalog.pilots})
    return out


def assert_ordered(catalog, manifest: dict) -> None:
    assert {s: e["dependencies"] for s, e in manifest["stacks"].items()} == expected_dependencies(catalog)
    order = deploy_order(manifest)
    assert order[0] == names.ACCOUNT_STACK
    for rp in catalog.pilots:
        assert order.index(names.platform_stack(rp.env_name)) < order.index(rp.stack_id), rp.stack_id


def test_the_manifest_orders_account_platform_then_pilots(built_catalog, tmp_path):
    synthesize(built_catalog, tmp_path / "out")
    assert_ordered(built_catalog, json.loads((tmp_path / "out" / "manifest.json").read_text()))


def test_a_pilot_stack_rebuilt_alone_still_names_what_it_needs(built_catalog, tmp_path, monkeypatch):
    """The stack cache rebuilds only changed stacks; their manifest entries keep their dependencies."""
    import pilotfactory.synth.cache as stackcache
    import yaml

    # the pilot files the cache digests, as the built catalog's sources hold them
    root = tmp_path / "repo"
    for rp in built_catalog.pilots:
        (root / rp.file).parent.mkdir(parents=True, exist_ok=True)
        (root / rp.file).write_text(yaml.safe_dump(rp.source.data), encoding="utf-8")

    cache, real = stackcache.StackCache(tmp_path / "cache"), stackcache.stack_digests
    pilot = built_catalog.pilots[0].stack_id

    def run(name: str, changed: set[str]):
        monkeypatch.setattr(stackcache, "stack_digests", lambda *a, **k: {
            s: d + "-changed" if s in changed else d for s, d in real(*a, **k).items()})
        (tmp_path / name).mkdir()
        done = stackcache.synth_incremental(built_catalog, root, tmp_path / name, "cdktf", cache)
        done.store(cache, tmp_path / name)
        return done, json.loads((tmp_path / name / "manifest.json").read_text())

    run("cold", set())
    done, manifest = run("warm", {pilot})
    assert done.rebuilt == (pilot,)
    assert_ordered(built_catalog, manifest)


def test_a_single_stack_deploy_says_its_dependencies_are_applied():
    """stack-helpers.js:152: without the flag the CLI refuses `cdktf deploy <pilot>-<env>` alone."""
    assert deploy_command("x-dev").split() == ["npx", "cdktf", "deploy", "x-dev", IGNORE_APPLIED_DEPENDENCIES]
    assert IGNORE_APPLIED_DEPENDENCIES == "--ignore-missing-stack-dependencies"
