"""Child processes: argv lists, their own session, output to a log file, stopped INT -> TERM -> KILL."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Mapping, Sequence

from loadgate.redaction import redact
from loadgate.stack.explain import with_output

log = logging.getLogger("loadgate")

STOP_STEPS = ((signal.SIGINT, 5.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0))
_PR_SET_PDEATHSIG = 1


# The signals a child is stopped with: an ignored one is inherited through exec (a CI script that
# starts loadgate with `&` runs it with SIGINT ignored), and the child would ignore the first stop
# step; each child starts with them at their defaults.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stoppable() -> None:  # pragma: no cover - runs in the child between fork and exec
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Stoppable, and Linux SIGTERMs the child if loadgate itself is killed (e.g. SIGKILL)."""
    _stoppable()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Child:
    """One child process whose output goes to ``log_path``."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None,
                 keep_alive: bool = False, standby=None) -> None:
        """``standby``: a process waiting to become ``argv`` (stack/standby.py), taken if it can."""
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        log.debug("starting %s: %s", name, " ".join(self.argv))
        self.process = standby.become(self.argv, log_path, env, cwd) if standby else None
        if self.process is not None:
            log.debug("%s: the Locust standby (pid %d) took it", name, self.process.pid)
            return
        with open(log_path, "ab") as out:
            self.process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True,
                preexec_fn=_stoppable if keep_alive else die_with_parent,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def exited_within(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the process to exit (returns at once when it does)."""
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> int:
        """Stop the process: SIGINT, then SIGTERM, then SIGKILL, each after a grace period."""
        stop_all([self])
        return self.process.returncode

    def send(self, sig: signal.Signals) -> bool:
        """``sig`` to the child's process group; False when it has exited already."""
        if self.process.poll() is not None:
            return False
        log.debug("stopping %s (pid %d) with %s", self.name, self.pid, sig.name)
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            return False
        return True

    def _reap_group(self) -> None:
        """Anything the child left in its process group goes too."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def explained(self, headline: str) -> str:
        """``headline``, then the lines of this child's output that explain it."""
        return with_output(headline, self.output_tail(200), self.name)

    def output_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return redact("\n".join(text.rstrip().splitlines()[-lines:]))


def stop_all(children: Sequence[Child]) -> None:
    """Stop several children at once: each step (INT, TERM, KILL) goes to every one still
    running, and its grace period is shared, so N children take as long as the slowest one."""
    for sig, grace in STOP_STEPS:
        running = [child for child in children if child.send(sig)]
        if not running:
            break
        deadline = time.monotonic() + grace
        for child in running:
            if not child.exited_within(max(deadline - time.monotonic(), 0)):
                log.warning("%s (pid %d) did not stop on %s within %.0f s", child.name, child.pid,
                            sig.name, grace)
    for child in children:
        child._reap_group()
        log.debug("%s exited with %s", child.name, child.process.returncode)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_owner(port: int) -> str:
    """Who listens on TCP ``port`` (``pid 123 (python3 -m http.server)``), as far as /proc says."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and inodes and _holds(proc, inodes):
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                cmdline = "?"
            return f"pid {proc.name} ({cmdline.strip()[:120]})"
    return "another process" + (" (owner not visible to this user)" if inodes else "")


def _holds(proc: Path, inodes: set[str]) -> bool:
    """Whether ``proc`` holds one of the sockets; a descriptor closed meanwhile is passed over."""
    try:
        fds = list((proc / "fd").iterdir())
    except OSError:
        return False
    return any(_link(fd) in inodes for fd in fds)


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:
        return ""


def check_port_free(port: int, what: str, host: str = "127.0.0.1") -> None:
    """InfraError naming whoever already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the exporter's server does:
        try:  # a closed connection in TIME_WAIT does not block it, a listener does
            sock.bind((host, port))
            return
        except OSError:
            pass
    from loadgate.errors import InfraError

    raise InfraError(f"{what} port {host}:{port} is already taken by {port_owner(port)}")
