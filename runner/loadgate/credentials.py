"""Credentials and headers for a Prometheus-compatible store, read from the environment only.

For remote write (the local Prometheus):  LOADGATE_REMOTE_WRITE_USERNAME and
LOADGATE_REMOTE_WRITE_PASSWORD (basic auth) or LOADGATE_REMOTE_WRITE_BEARER_TOKEN, and
LOADGATE_REMOTE_WRITE_HEADERS.  For queries (--prometheus-url):  LOADGATE_PROMETHEUS_USERNAME and
LOADGATE_PROMETHEUS_PASSWORD or LOADGATE_PROMETHEUS_BEARER_TOKEN, and LOADGATE_PROMETHEUS_HEADERS.

Headers (a tenant's ``X-Scope-OrgID``, a gateway's key) are ``Name=value`` pairs separated by
commas, values percent-decoded: the format of OpenTelemetry's OTEL_EXPORTER_OTLP_HEADERS, so
``X-Scope-OrgID=team-a,X-Api-Key=abc%2C1`` sends ``abc,1``.

None of it goes into argv, logs or reports: Prometheus reads the secrets from files only it can
read (mode 0600, in the run's private temporary directory; headers in its 0600 configuration),
and every value is handed to redaction.hide(), so that no output line can show it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from loadgate import redaction
from loadgate.errors import ConfigError

REMOTE_WRITE = "LOADGATE_REMOTE_WRITE"
QUERIES = "LOADGATE_PROMETHEUS"
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")  # an HTTP header name (RFC 9110 token)
# Set by Prometheus' remote write itself (config/config.go, reservedHeaders) or by the credentials.
RESERVED = {"authorization", "host", "content-encoding", "content-length", "content-type",
            "user-agent", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "www-authenticate", "accept-encoding", "x-prometheus-remote-write-version",
            "x-prometheus-remote-read-version"}


@dataclass(frozen=True, repr=False)  # no repr: a stray log line must not show them
class Credentials:
    username: str | None = None
    password: str | None = None
    token: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.username or self.token or self.headers)


def parse_headers(name: str, text: str) -> tuple[tuple[str, str], ...]:
    """``Name=value,Name2=value2`` -> pairs; ConfigError naming the variable, never a value."""
    found = []
    for part in (p.strip() for p in text.split(",")):
        key, equals, value = part.partition("=")
        key = key.strip()
        if not part:
            continue
        if not equals or not TOKEN.match(key):
            raise ConfigError(f"{name}: expected Name=value pairs separated by commas, like "
                              f"X-Scope-OrgID=team-a (entry {len(found) + 1} is not)")
        if key.lower() in RESERVED:
            raise ConfigError(f"{name}: {key} cannot be set as a header here (use the _USERNAME/"
                              "_PASSWORD or _BEARER_TOKEN variables for authorization)")
        found.append((key, unquote(value.strip())))
    return tuple(found)


def from_env(prefix: str, environ: Mapping[str, str] = os.environ) -> Credentials:
    found = Credentials(environ.get(f"{prefix}_USERNAME") or None,
                        environ.get(f"{prefix}_PASSWORD") or None,
                        environ.get(f"{prefix}_BEARER_TOKEN") or None,
                        parse_headers(f"{prefix}_HEADERS", environ.get(f"{prefix}_HEADERS", "")))
    redaction.hide(found.password, found.token, *(value for _, value in found.headers))
    if found.username and found.token:
        raise ConfigError(f"set either {prefix}_USERNAME/_PASSWORD or {prefix}_BEARER_TOKEN, not both")
    if found.password and not found.username:
        raise ConfigError(f"{prefix}_PASSWORD is set without {prefix}_USERNAME")
    return found


def for_requests(found: Credentials) -> dict:
    """Keyword arguments for prometheus-api-client / requests: ``headers`` and ``auth``."""
    options: dict = {"headers": dict(found.headers)} if found.headers else {}
    if found.token:
        options["headers"] = {**options.get("headers", {}), "Authorization": f"Bearer {found.token}"}
    if found.username:
        options["auth"] = (found.username, found.password or "")
    return options


def for_prometheus(found: Credentials, folder: Path) -> dict:
    """The auth and headers of a Prometheus ``remote_write`` entry, secrets in 0600 files in
    ``folder`` (the headers are in the configuration itself, which the stack writes 0600)."""
    def secret_file(name: str, value: str) -> str:
        path = folder / name
        path.touch(mode=0o600)
        path.write_text(value, encoding="utf-8")
        return str(path)

    entry: dict = {"headers": dict(found.headers)} if found.headers else {}
    if found.token:
        entry["authorization"] = {"type": "Bearer",
                                  "credentials_file": secret_file("remote-write-token", found.token)}
    if found.username:
        entry["basic_auth"] = {"username": found.username, "password_file": secret_file(
            "remote-write-password", found.password or "")}
    return entry
