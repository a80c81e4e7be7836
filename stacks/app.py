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

__all__ = ["stack_names", "build_app"]


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


def build_app(catalog: ResolvedCatalog, outdir: str, engine_name: str = "cdktf", *,
              on_stack: Callable[[str], None] | None = None,
              only: Collection[str] | None = None) -> Any:
    """The app with every stack defined (or those named in `only`); the caller runs `app.synth()`.

    `on_stack` is called with each stack id once that stack is defined (progress reporting).
    """
    stack_names(catalog)  # refuse colliding ids before any construct exists
    app = get_engine(engine_name).app(outdir)
    report = on_stack or (lambda _name: None)
    wanted = (lambda name: True) if only is None else set(only).__contains__
    if wanted(names.ACCOUNT_STACK):
        report(define_account_stack(app, catalog).node.id)
    for env_name in catalog.environments.environments:
        if wanted(names.platform_stack(env_name)):
            report(define_platform_stack(app, catalog, env_name).node.id)
    for rp in catalog.pilots:
        if wanted(rp.stack_id):
            report(define_pilot_stack(app, rp).node.id)
    return app
