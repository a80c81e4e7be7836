"""Builds the CDK app: the account stack, one platform stack per environment, one stack per pilot and environment."""
from __future__ import annotations

from typing import Any, Callable, Collection

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog
from pilotfactory.tfjson.stacknames import stack_names as tfjson_stack_names

from . import names
from .account_stack import define_account_stack
from .engine import get_engine
from .pilot_stack import define_pilot_stack
from .platform_stack import define_platform_stack

__all__ = ["stack_names", "stack_dependencies", "build_app"]


def stack_names(catalog: ResolvedCatalog) -> list[str]:
    """Every stack id, in deploy order: account, platforms in promotion order, then pilots."""
    out = tfjson_stack_names(catalog.environments.environments, (rp.stack_id for rp in catalog.pilots))
    seen: set[str] = set()
    dupes = sorted({s for s in out if s in seen or seen.add(s)})
    if dupes:
        raise PilotFactoryError(
            f"stack ids collide: {', '.join(dupes)}; a pilot may not be named `platform` "
            "nor appear twice in one environment")
    return out


def stack_dependencies(catalog: ResolvedCatalog) -> dict[str, tuple[str, ...]]:
    """Stack id -> the stacks `cdktf deploy` must apply before it: a platform stack needs the
    account (workspaces, managed groups); a pilot stack its environment's platform (the root folder
    its folder lives in) and, through it, the account."""
    out: dict[str, tuple[str, ...]] = {names.ACCOUNT_STACK: ()}
    for env_name in catalog.environments.environments:
        out[names.platform_stack(env_name)] = (names.ACCOUNT_STACK,)
    for rp in catalog.pilots:
        out[rp.stack_id] = (names.platform_stack(rp.env_name), names.ACCOUNT_STACK)
    return out


def build_app(catalog: ResolvedCatalog, outdir: str, engine_name: str = "cdktf", *,
              on_stack: Callable[[str], None] | None = None,
              only: Collection[str] | None = None) -> Any:
    """The app with every stack defined (or those named in `only`, their dependencies as empty
    placeholder stacks); the caller runs `app.synth()`.

    `on_stack` is called with each stack id once that stack is defined (progress reporting).
    """
    stack_names(catalog)  # refuse colliding ids before any construct exists
    app = get_engine(engine_name).app(outdir)
    report = on_stack or (lambda _name: None)
    needs = stack_dependencies(catalog)
    wanted = set(needs) if only is None else set(only)
    # The manifest records an order only between stacks of one app, so a dependency not asked
    # for is there as an empty stack of its id (no resource: the account stack grows with the
    # catalog); its output folder is a placeholder the caller replaces (synth/cache.py does).
    placeholders = {d for name in wanted for d in needs.get(name, ())} - wanted
    engine = get_engine(engine_name)
    defined: dict[str, Any] = {name: engine.TerraformStack(app, name) for name in sorted(placeholders)}
    if names.ACCOUNT_STACK in wanted:
        defined[names.ACCOUNT_STACK] = define_account_stack(app, catalog)
    for env_name in catalog.environments.environments:
        if names.platform_stack(env_name) in wanted:
            defined[names.platform_stack(env_name)] = define_platform_stack(app, catalog, env_name)
    for rp in catalog.pilots:
        if rp.stack_id in wanted:
            defined[rp.stack_id] = define_pilot_stack(app, rp)
    for name, stack in defined.items():
        if name in placeholders:
            continue
        for dependency in needs[name]:
            stack.add_dependency(defined[dependency])
        report(name)
    return app
