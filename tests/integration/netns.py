"""Test hosts in network namespaces: a bridge at 198.18.0.1/24 and one namespace per host.

198.18.0.0/15 is reserved for network benchmarks: every address here belongs to links this module
made.  Names carry the pid, a file lock keeps two test processes from using the subnet at once,
and everything is removed in ``finally`` (processes in the namespaces, namespaces, the bridge).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

BRIDGE_ADDRESS = "198.18.0.1"
LOCK = "/tmp/loadgate-netns.lock"


def skip_unless_possible() -> None:
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (CI runs the tests as root)")
    if shutil.which("ip") is None:
        pytest.fail("`ip` (iproute2) is missing: `make system-deps` installs it")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


class Hosts:
    """``count`` test hosts; ``address(i)`` and ``command(i, argv)`` run "on" host i."""

    def __init__(self, count: int) -> None:
        tag = f"{os.getpid() % 0xFFFFF:x}"
        self.bridge = f"lgb{tag}"
        self.names = [f"lgw{tag}n{i}" for i in range(count)]

    def address(self, index: int) -> str:
        return f"198.18.0.{index + 2}"

    def command(self, index: int, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.names[index], *argv]

    def pids(self, index: int) -> list[int]:
        out = subprocess.run(["ip", "netns", "pids", self.names[index]], capture_output=True,
                             text=True, timeout=10).stdout
        return [int(p) for p in out.split()]

    def kill(self, index: int) -> None:
        for pid in self.pids(index):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def create(self) -> None:
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{BRIDGE_ADDRESS}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for index, name in enumerate(self.names):
            ip("netns", "add", name)
            outside, inside = f"{name}h", f"{name}p"
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            ip("link", "set", inside, "netns", name)
            ip("link", "set", outside, "master", self.bridge, "up")
            ip("-n", name, "addr", "add", f"{self.address(index)}/24", "dev", inside)
            ip("-n", name, "link", "set", inside, "up")
            ip("-n", name, "link", "set", "lo", "up")

    def remove(self) -> None:
        for index, name in enumerate(self.names):
            self.kill(index)
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, timeout=10)

    def leftovers(self) -> list[str]:
        out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        return [n for n in [self.bridge, *self.names] if n in out or n in names]


@contextmanager
def network_hosts(count: int) -> Iterator[Hosts]:
    skip_unless_possible()
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        hosts = Hosts(count)
        try:
            hosts.create()
            yield hosts
        finally:
            hosts.remove()
            deadline = time.monotonic() + 5
            while hosts.leftovers() and time.monotonic() < deadline:
                time.sleep(0.1)
