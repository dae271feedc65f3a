"""Is it up yet?  HTTP probes and bounded waits for the stack's services."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from loadgate.errors import InfraError
from loadgate.stack.processes import Child, port_owner

STARTUP_TIMEOUT = 30.0


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def exporter_ready(url: str, run_id: str) -> bool:
    """True once this run's exporter answers at ``url``; InfraError if another process does."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            body = response.read(1 << 20) if response.status == 200 else b""
    except (urllib.error.URLError, OSError):
        return False
    if f'run_id="{run_id}"'.encode() in body:
        return True
    port = urlsplit(url).port or 80
    raise InfraError(f"the exporter port {urlsplit(url).hostname}:{port} answers for another "
                     f"process: {port_owner(port)} (not this run's exporter)")


def wait_until(condition, child: Child, what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if child.poll() is not None:
            raise InfraError(child.explained(f"{child.name} exited with code {child.poll()} before {what}"))
        if time.monotonic() > deadline:
            raise InfraError(child.explained(f"{child.name} not {what} after {timeout:.0f} s"))
        time.sleep(0.05)
