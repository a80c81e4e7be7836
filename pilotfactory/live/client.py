"""A WorkspaceClient for one environment: host from config, credentials only from the SDK's own sources.

Host: `--host`, else $DATABRICKS_HOST, else `workspace` in config/environments.yaml (as the
Databricks CLI does). Credentials: whatever the SDK's default chain finds (DATABRICKS_TOKEN,
a config profile, OAuth, ...), never the catalog.

Retries: the SDK already retries 429 and 503 (honouring Retry-After), refused connections and
request timeouts until `retry_timeout_seconds`; we add 500 and 504 with the SDK's own `retried`.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterator, TypeVar

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.model.config import Environment

from pilotfactory.live.budget import DEFAULT_RETRY_TIMEOUT, DEFAULT_TIMEOUT

__all__ = ["LiveError", "Workspace", "connect", "DEFAULT_TIMEOUT", "DEFAULT_RETRY_TIMEOUT"]


T = TypeVar("T")


class LiveError(PilotFactoryError):
    """A workspace call that failed, in one line. `fatal`: no further call can succeed either."""

    def __init__(self, message: str, *, fatal: bool = False, missing: bool = False):
        super().__init__(message)
        self.fatal = fatal
        self.missing = missing


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


@dataclass
class Workspace:
    """The client and what a message about it needs."""

    client: Any           # databricks.sdk.WorkspaceClient
    host: str
    env: str
    timeout: float
    retry_timeout: int

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)`, with 500/504 retried; any failure becomes one LiveError naming `what`."""
        from databricks.sdk import errors
        from databricks.sdk.retries import retried

        import requests

        def retryable(err: BaseException) -> str | None:
            return "server error" if isinstance(err, (errors.InternalError, errors.DeadlineExceeded)) else None

        def whole() -> Any:
            result = fn(*args, **kwargs)
            # List calls page lazily: drain them inside the retry, so a failing page is retried too.
            return list(result) if _is_iterator(result) else result

        try:
            return retried(is_retryable=retryable, timeout=timedelta(seconds=self.retry_timeout))(whole)()
        except errors.Unauthenticated as err:
            raise LiveError(f"{self.host}: authentication failed (401) on {what}: give credentials for this "
                            "workspace through DATABRICKS_TOKEN or a config profile (--profile or "
                            f"DATABRICKS_CONFIG_PROFILE) ({_first_line(err)})", fatal=True) from None
        except errors.PermissionDenied as err:
            raise LiveError(f"{self.host}: permission denied (403) on {what}: the identity the SDK "
                            f"authenticated as may not do this ({_first_line(err)})") from None
        except errors.NotFound as err:
            raise LiveError(f"{what}: not found (404) in {self.host} ({_first_line(err)})",
                            missing=True) from None
        except errors.TooManyRequests:
            raise LiveError(f"{self.host}: still rate-limited (429) on {what} after retrying for "
                            f"{self.retry_timeout} s", fatal=True) from None
        except errors.DatabricksError as err:
            code = getattr(err, "error_code", None) or type(err).__name__
            raise LiveError(f"{self.host}: {what} failed: {code}: {_first_line(err)}") from None
        except TimeoutError as err:
            cause = err.__cause__
            why = ("cannot connect" if isinstance(cause, requests.ConnectionError)
                   else f"each request timed out after {self.timeout:g} s" if isinstance(cause, requests.Timeout)
                   else _first_line(cause) if cause is not None else _first_line(err))
            raise LiveError(f"{self.host}: {what} gave up after retrying for {self.retry_timeout} s: {why}",
                            fatal=True) from None
        except requests.RequestException as err:
            raise LiveError(f"{self.host}: {what} failed: {_first_line(err)}", fatal=True) from None


def _is_iterator(value: Any) -> bool:
    # By type: some SDK results (Wait) answer any attribute lookup with a KeyError.
    return isinstance(value, Iterator)


def resolve_host(env_name: str, env: Environment, flag: str | None) -> str:
    """`--host`, else $DATABRICKS_HOST, else the environment's workspace in config/environments.yaml."""
    return (flag or os.environ.get("DATABRICKS_HOST") or env.workspace.url).rstrip("/")


def connect(env_name: str, env: Environment, *, host: str | None = None, profile: str | None = None,
            timeout: float = DEFAULT_TIMEOUT, retry_timeout: int = DEFAULT_RETRY_TIMEOUT) -> Workspace:
    """A client for `env`; LiveError (one line) when the SDK finds no usable credentials."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    url = resolve_host(env_name, env, host)
    if not os.environ.get("PILOTFACTORY_DEBUG"):
        # The SDK logs its own retries and probes as warnings; our one-line LiveError says what matters.
        logging.getLogger("databricks.sdk").setLevel(logging.ERROR)
    try:
        config = Config(host=url, profile=profile, http_timeout_seconds=timeout,
                        retry_timeout_seconds=retry_timeout)
        client = WorkspaceClient(config=config)
    except ValueError as err:
        raise LiveError(f"{url}: no usable Databricks credentials for environment `{env_name}`: set "
                        "DATABRICKS_TOKEN, or name a config profile with --profile or DATABRICKS_CONFIG_PROFILE "
                        f"({_first_line(err)})", fatal=True) from None
    return Workspace(client, url, env_name, timeout, retry_timeout)
