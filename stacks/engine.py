"""The only door to the CDK engine (cdktf or its fork cdktn), and the Databricks provider its stacks require."""
from __future__ import annotations

import importlib
import os
from functools import lru_cache
from types import ModuleType
from typing import Any

from pilotfactory.diagnostics.diagnostic import PilotFactoryError

__all__ = ["Engine", "ENGINES", "PROVIDER", "CONTEXT_KEY", "get_engine"]

# jsii prints a banner on Node 20 to every run's stderr; it says nothing about our output. Set
# before the jsii runtime starts, which is the first import of `constructs` anywhere in stacks/.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

# Engine name -> (core package, its prebuilt Databricks provider package: the schema tests read it).
ENGINES: dict[str, tuple[str, str]] = {
    "cdktf": ("cdktf", "cdktf_cdktf_provider_databricks"),
    "cdktn": ("cdktn", "cdktn_provider_databricks"),
}
# The provider every stack requires, whichever engine writes it: its registry source and version, the
# one cdktf's prebuilt provider package is generated from (tests/deploy/test_provider_schema.py holds
# it to that). Stacks write their blocks in Python (stacks/tf.py); the provider packages are the
# schema they are held to there, and nothing here imports them.
PROVIDER: tuple[str, str] = ("databricks/databricks", "1.99.0")

# App context key naming the engine, so a construct finds its engine from its scope alone.
CONTEXT_KEY = "pilotfactory:engine"
_REMEMBERED = "_pilotfactory_engine"  # attribute of a construct's Python object: its engine


class Engine:
    """The CDK core classes of one engine."""

    def __init__(self, name: str, core: ModuleType):
        self.name = name
        self.App = core.App
        self.TerraformStack = core.TerraformStack
        self.TerraformResourceLifecycle = core.TerraformResourceLifecycle
        self.Testing = core.Testing
        self.Fn = core.Fn
        self.Token = core.Token
        self.LocalBackend = core.LocalBackend
        self.S3Backend = core.S3Backend
        self.AzurermBackend = core.AzurermBackend
        self.GcsBackend = core.GcsBackend
        self.CloudBackend = core.CloudBackend
        self.NamedCloudWorkspace = core.NamedCloudWorkspace
        self.TerraformOutput = core.TerraformOutput
        self.DataTerraformRemoteStateLocal = core.DataTerraformRemoteStateLocal
        self.DataTerraformRemoteStateS3 = core.DataTerraformRemoteStateS3
        self.DataTerraformRemoteStateAzurerm = core.DataTerraformRemoteStateAzurerm
        self.DataTerraformRemoteStateGcs = core.DataTerraformRemoteStateGcs
        self.DataTerraformRemoteState = core.DataTerraformRemoteState

    def app(self, outdir: str) -> Any:
        app = self.App(outdir=outdir, context={CONTEXT_KEY: self.name})
        setattr(app, _REMEMBERED, self)
        return app

    @staticmethod
    def of(scope: Any, *, child: Any = None) -> "Engine":
        """The engine of the app that `scope` belongs to (and of `child`, a construct just made in
        it). Remembered on the Python objects: asking the app's context costs two jsii calls, which
        per construct were a fifth of all the calls of a synth."""
        engine = getattr(scope, _REMEMBERED, None)
        if engine is None:
            name = scope.node.try_get_context(CONTEXT_KEY)
            if name is None:
                raise RuntimeError(f"construct {scope.node.path!r} is not in an app made by Engine.app()")
            engine = get_engine(name)
            setattr(scope, _REMEMBERED, engine)
        if child is not None:
            setattr(child, _REMEMBERED, engine)
        return engine

    def __repr__(self) -> str:
        return f"Engine({self.name!r})"


@lru_cache(maxsize=None)
def get_engine(name: str = "cdktf") -> Engine:
    if name not in ENGINES:
        raise PilotFactoryError(
            f"unknown CDK engine {name!r}; choose one of: {', '.join(sorted(ENGINES))}")
    core_name, _ = ENGINES[name]
    try:
        core = importlib.import_module(core_name)
    except ImportError as exc:
        raise PilotFactoryError(
            f"CDK engine {name!r} is not installed ({exc}); run `make setup`") from exc
    return Engine(name, core)
