"""Synth: turns a resolved catalog into one Terraform stack per account, platform and pilot."""
from .app import build_app, stack_names

__all__ = ["build_app", "stack_names"]
