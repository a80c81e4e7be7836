"""Importing this package registers every rule; one module per area."""
from pilotfactory.guardrails.rules import access, clusters, jobs, network, protection, tokens  # noqa: F401
