"""A WorkspaceClient for one environment: its workspace only, credentials only from the SDK's own sources.

Host: the `workspace` of the environment in config/environments.yaml, always. `--host`,
$DATABRICKS_HOST or a config profile naming another workspace is refused with both hosts named
(as the Databricks CLI refuses a bundle whose profile points elsewhere): a profile's token is
never sent to another workspace. Credentials: whatever the SDK's chain finds (DATABRICKS_TOKEN,
the named profile, OAuth, ...), never the catalog.

Retries (databricks-sdk 0.162.0, `_base_client.py` `_is_retryable` and `retries.py` `retried`):
the SDK retries 429 and 503 (sleeping Retry-After, 1 s without one), connection failures (TLS
failures included: requests' SSLError is a ConnectionError) and request timeouts, sleeping
min(attempt, 10) s plus up to 1 s of jitter, until `retry_timeout_seconds`, then raises
TimeoutError from the last error. 500, 502 and 504 it does not retry; we do, within the same
`--retry-timeout`. An attempt started before that deadline may itself retry for up to
`--retry-timeout`, so one call gives up after at most twice that.
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

    def __init__(self, message: str, *, fatal: bool = False, missing: bool = False, unknown: bool = False):
        super().__init__(message)
        self.fatal = fatal
        self.missing = missing
        self.unknown = unknown   # the request may have landed: re-read before calling it failed


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
        """`fn(*args, **kwargs)`, with 500/502/504 retried; any failure becomes one LiveError naming `what`."""
        import time

        from databricks.sdk import errors

        deadline = time.monotonic() + self.retry_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                result = fn(*args, **kwargs)
                # List calls page lazily: drain them inside the retry, so a failing page is retried too.
                return list(result) if _is_iterator(result) else result
            except errors.DatabricksError as err:
                status = _status(err)
                if status not in _OURS_TO_RETRY or time.monotonic() >= deadline:
                    raise self._error(what, err, attempt) from None
                time.sleep(min(attempt, 10, max(0.0, deadline - time.monotonic())))
            except Exception as err:  # noqa: BLE001 - transport failures, each named below
                raise self._error(what, err, attempt) from None

    def _error(self, what: str, err: BaseException, attempts: int) -> "LiveError":
        """The one line a failure reads as, by what it is."""
        import requests
        from databricks.sdk import errors

        if isinstance(err, TimeoutError):
            cause = err.__cause__
            gave_up = f"{self.host}: {what} gave up after retrying for {self.retry_timeout} s: "
            if isinstance(cause, errors.TooManyRequests):
                return LiveError(f"{self.host}: still rate-limited (429) on {what} after retrying for "
                                 f"{self.retry_timeout} s", fatal=True)
            if isinstance(cause, errors.TemporarilyUnavailable):
                return LiveError(gave_up + "the workspace answers 503 temporarily unavailable", fatal=True,
                                 unknown=True)
            if isinstance(cause, requests.exceptions.SSLError):
                return LiveError(gave_up + f"TLS failed: {_tls_reason(cause)}", fatal=True)
            if isinstance(cause, requests.ConnectionError):
                return LiveError(gave_up + f"cannot connect ({_connect_reason(cause)})", fatal=True, unknown=True)
            if isinstance(cause, requests.Timeout):
                return LiveError(gave_up + f"each request timed out after {self.timeout:g} s", fatal=True,
                                 unknown=True)
            return LiveError(gave_up + (_first_line(cause) if cause is not None else _first_line(err)),
                             fatal=True, unknown=True)
        if isinstance(err, errors.Unauthenticated):
            return LiveError(f"{self.host}: authentication failed (401) on {what}: give credentials for this "
                             "workspace through DATABRICKS_TOKEN or a config profile (--profile or "
                             f"DATABRICKS_CONFIG_PROFILE) ({_first_line(err)})", fatal=True)
        if isinstance(err, errors.PermissionDenied):
            return LiveError(f"{self.host}: permission denied (403) on {what}: the identity the SDK "
                             f"authenticated as may not do this ({_first_line(err)})")
        if isinstance(err, errors.NotFound):
            return LiveError(f"{what}: not found (404) in {self.host} ({_first_line(err)})", missing=True)
        if isinstance(err, errors.TooManyRequests):
            return LiveError(f"{self.host}: still rate-limited (429) on {what} after retrying for "
                             f"{self.retry_timeout} s", fatal=True)
        if isinstance(err, errors.DatabricksError):
            status = _status(err)
            if status in _OURS_TO_RETRY:
                words = {500: "internal error", 502: "bad gateway", 504: "gateway timeout"}[status]
                return LiveError(f"{self.host}: {what} failed: {words} ({status}) on each of {attempts} "
                                 f"attempt{'s' * (attempts != 1)} in {self.retry_timeout} s", unknown=True)
            code = getattr(err, "error_code", None) or type(err).__name__
            return LiveError(f"{self.host}: {what} failed: {code}: {_first_line(err)}")
        if isinstance(err, requests.exceptions.SSLError):
            return LiveError(f"{self.host}: {what}: TLS failed: {_tls_reason(err)}", fatal=True)
        if isinstance(err, requests.RequestException):
            return LiveError(f"{self.host}: {what} failed: {_first_line(err)}", fatal=True, unknown=True)
        raise err


# Gateway and server errors the SDK does not retry; the request may or may not have landed.
_OURS_TO_RETRY = frozenset({500, 502, 504})


def _status(err: BaseException) -> int | None:
    """The HTTP status of an SDK error: 502 has no class of its own, so it is read from the message."""
    from databricks.sdk import errors

    by_class = {errors.InternalError: 500, errors.DeadlineExceeded: 504, errors.TemporarilyUnavailable: 503,
                errors.TooManyRequests: 429}
    for cls, status in by_class.items():
        if isinstance(err, cls):
            return status
    text = str(err)
    return 502 if ("502" in text or "Bad Gateway" in text or "BAD_GATEWAY" in text) else None


def _tls_reason(err: BaseException) -> str:
    text = str(err)
    for reason in ("certificate verify failed", "certificate has expired", "hostname mismatch",
                   "self-signed certificate", "wrong version number", "handshake failure"):
        if reason in text.lower() or reason in text:
            return reason + " (is this the workspace's certificate? a proxy that re-signs TLS needs REQUESTS_CA_BUNDLE)"
    return _first_line(err)


def _connect_reason(err: BaseException) -> str:
    text = str(err)
    for reason in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "Connection reset by peer", "No route to host", "Network is unreachable"):
        if reason in text:
            return reason.lower()
    return _first_line(err)


def _is_iterator(value: Any) -> bool:
    # By type: some SDK results (Wait) answer any attribute lookup with a KeyError.
    return isinstance(value, Iterator)


def _origin(url: str) -> str:
    """`https://host[:port]`, lower case, no path: what two spellings of one workspace share."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    port = parts.port
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}" + (f":{port}" if port and port != default else "")


def _profile_host(profile: str) -> str | None:
    """The `host` of a profile in the Databricks config file, read without the SDK (which would let
    an explicit host override it and send the profile's token there)."""
    import configparser
    from pathlib import Path

    path = Path(os.environ.get("DATABRICKS_CONFIG_FILE") or "~/.databrickscfg").expanduser()
    ini = configparser.ConfigParser()
    try:
        ini.read(path)
    except configparser.Error as err:
        raise LiveError(f"{path}: cannot read the Databricks config file ({_first_line(err)})", fatal=True) from None
    if profile != "DEFAULT" and not ini.has_section(profile):
        raise LiveError(f"{path} has no profile `{profile}`", fatal=True)
    return (ini[profile].get("host") or None) if profile in ini else None


def resolve_host(env_name: str, env: Environment, flag: str | None, profile: str | None = None) -> str:
    """The environment's workspace; LiveError naming both hosts when `--host`, $DATABRICKS_HOST or the
    profile points at another one."""
    url = env.workspace.url.rstrip("/")
    named = [("--host", flag), ("DATABRICKS_HOST", os.environ.get("DATABRICKS_HOST"))]
    if profile:
        named.append((f"profile `{profile}`", _profile_host(profile)))
    for source, other in named:
        if other and _origin(other) != _origin(url):
            raise LiveError(f"{source} points at {other.rstrip('/')}, but environment `{env_name}` is the "
                            f"workspace {url} (config/environments.yaml): refused, so that nothing meant for "
                            f"{env_name} reaches another workspace and no credential meant for {other.rstrip('/')} "
                            f"is sent to {url}", fatal=True)
    return url


def connect(env_name: str, env: Environment, *, host: str | None = None, profile: str | None = None,
            timeout: float = DEFAULT_TIMEOUT, retry_timeout: int = DEFAULT_RETRY_TIMEOUT) -> Workspace:
    """A client for `env`'s workspace; LiveError (one line) for another host or no usable credentials."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    profile = profile or os.environ.get("DATABRICKS_CONFIG_PROFILE") or None
    url = resolve_host(env_name, env, host, profile)
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
