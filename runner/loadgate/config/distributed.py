"""Beyond one machine: remote Locust workers and remote write, checked before anything starts."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import replace
from urllib.parse import urlsplit

from loadgate import credentials
from loadgate.errors import ConfigError
from loadgate.redaction import redact_url

log = logging.getLogger("loadgate")

MASTER_PORT = 5557  # Locust's own default, so that workers find the master without being told
UNAUTHENTICATED = ("the Locust master listens on {where}: Locust's master/worker channel is "
                   "unauthenticated and unencrypted, so anyone who can reach it can join as a worker "
                   "or read the run's data; bind it on a private network only")


def count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def parse_bind(text: str) -> tuple[str, int | None]:
    """``ADDR``, ``ADDR:PORT``, ``[V6]:PORT`` or a bare IPv6 address; ADDR is an IP address."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, None
    try:
        ipaddress.ip_address(host)
        number = int(port) if port else None
    except ValueError:
        raise ConfigError(f"expected ADDR[:PORT] with an IP address, like 10.0.0.5:5557 (got "
                          f"{text!r})", key="--master-bind") from None
    if number is not None and not 0 < number < 65536:
        raise ConfigError(f"port {number} out of range", key="--master-bind")
    return host, number


def is_loopback(host: str) -> bool:
    return ipaddress.ip_address(host).is_loopback


def settle(plan, given: dict):
    """The plan with its remote settings checked; warns once when the master leaves loopback."""
    remote = given["remote_workers"] or 0
    bind, port = parse_bind(given["master_bind"]) if given["master_bind"] else ("127.0.0.1", None)
    if plan.workers == 0 and not remote:
        raise ConfigError("must be at least 1, or 0 with --remote-workers N (the load then comes "
                          "from other hosts only)", key="--workers")
    if given["master_bind"] and not remote:
        raise ConfigError("--master-bind needs --remote-workers N (workers on other hosts)",
                          key="--master-bind")
    if remote and plan.stack != "local":
        raise ConfigError("remote workers need the local stack (--stack local)", key="--remote-workers")
    plan = replace(plan, remote_workers=remote, master_bind=bind,
                   master_port=(port or MASTER_PORT) if remote else None,
                   remote_workers_wait=given["remote_workers_wait"] or plan.remote_workers_wait,
                   remote_write=check_remote_write(given["remote_write"], plan),
                   store_wait=given["store_wait"] or plan.store_wait)
    if plan.prometheus_url:
        credentials.from_env(credentials.QUERIES)
    if remote and not is_loopback(bind):
        log.warning(UNAUTHENTICATED.format(where=f"{bind}:{plan.master_port}"))
    return plan


def check_remote_write(url: str | None, plan) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"expected an http(s) URL (got {redact_url(url)!r})", key="--remote-write")
    if parts.username or parts.password:
        raise ConfigError("put the credentials in LOADGATE_REMOTE_WRITE_USERNAME / _PASSWORD (or "
                          "_BEARER_TOKEN), not in the URL", key="--remote-write")
    if plan.stack != "local":
        raise ConfigError("--remote-write needs the local stack (--stack local)", key="--remote-write")
    credentials.from_env(credentials.REMOTE_WRITE)  # checked now: nothing has started yet
    return url
