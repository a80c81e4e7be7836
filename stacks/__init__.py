"""Synth: turns a resolved catalog into one Terraform stack per account, platform and pilot."""
from . import engine  # noqa: F401  first: it prepares the jsii runtime's environment
from .app import build_app, stack_names

__all__ = ["build_app", "stack_names"]
