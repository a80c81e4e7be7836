"""How long a call to the workspace may take: one home for the defaults the client and the CLI share."""
from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_RETRY_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0         # seconds one HTTP request may take
DEFAULT_RETRY_TIMEOUT = 120    # seconds one call may spend retrying, in all
