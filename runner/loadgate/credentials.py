"""Credentials for a Prometheus-compatible store, read from the environment only.

For remote write (the local Prometheus agent):  LOADGATE_REMOTE_WRITE_USERNAME and
LOADGATE_REMOTE_WRITE_PASSWORD (basic auth) or LOADGATE_REMOTE_WRITE_BEARER_TOKEN.
For queries (--prometheus-url):  LOADGATE_PROMETHEUS_USERNAME and LOADGATE_PROMETHEUS_PASSWORD or
LOADGATE_PROMETHEUS_BEARER_TOKEN.  They never go into argv, logs or reports: the agent reads them
from files only it can read (mode 0600, in the run's private temporary directory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from loadgate.errors import ConfigError

REMOTE_WRITE = "LOADGATE_REMOTE_WRITE"
QUERIES = "LOADGATE_PROMETHEUS"


@dataclass(frozen=True, repr=False)  # no repr: a stray log line must not show them
class Credentials:
    username: str | None = None
    password: str | None = None
    token: str | None = None

    def __bool__(self) -> bool:
        return bool(self.username or self.token)


def from_env(prefix: str, environ: Mapping[str, str] = os.environ) -> Credentials:
    found = Credentials(environ.get(f"{prefix}_USERNAME") or None,
                        environ.get(f"{prefix}_PASSWORD") or None,
                        environ.get(f"{prefix}_BEARER_TOKEN") or None)
    if found.username and found.token:
        raise ConfigError(f"set either {prefix}_USERNAME/_PASSWORD or {prefix}_BEARER_TOKEN, not both")
    if found.password and not found.username:
        raise ConfigError(f"{prefix}_PASSWORD is set without {prefix}_USERNAME")
    return found


def for_requests(found: Credentials) -> dict:
    """Keyword arguments for prometheus-api-client / requests: ``auth`` or ``headers``."""
    if found.token:
        return {"headers": {"Authorization": f"Bearer {found.token}"}}
    if found.username:
        return {"auth": (found.username, found.password or "")}
    return {}


def for_prometheus(found: Credentials, folder: Path) -> dict:
    """The auth part of a Prometheus ``remote_write`` entry, secrets in 0600 files in ``folder``."""
    def secret_file(name: str, value: str) -> str:
        path = folder / name
        path.touch(mode=0o600)
        path.write_text(value, encoding="utf-8")
        return str(path)

    if found.token:
        return {"authorization": {"type": "Bearer",
                                  "credentials_file": secret_file("remote-write-token", found.token)}}
    if found.username:
        return {"basic_auth": {"username": found.username, "password_file": secret_file(
            "remote-write-password", found.password or "")}}
    return {}
