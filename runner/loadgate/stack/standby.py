"""A Locust process started before loadgate knows what it will run: it imports Locust (~0.4 s)
while loadgate imports its stages and reads slo.yaml and the plan (~0.25 s), and is then told its
command line (locust_side/standby.py says how).

``loadgate run`` starts one as its first step (:func:`on_standby`); the local stack's first Locust
process (the master, or the only one) takes it through :class:`processes.Child`; a run that does
not need it (a docker stack, a mistake in slo.yaml) ends it on the way out.  Measured here
(benchmarks/scale.py, 1 name x 30 s, 2 cores, quiet, 4 Dec 2026): the load began 0.73 s after
``loadgate run`` did without it and 0.60 s with it (Locust to its first request 0.44 s -> 0.30 s
after the stack started); a bare ``locust`` run's first request came 0.39-0.40 s after its start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from loadgate.stack.processes import die_with_parent

log = logging.getLogger("loadgate")

MODULE = "loadgate.locust_side.standby"
SERVES = (sys.executable, "-m", "locust")  # the command line a standby can become
_waiting: Standby | None = None


class Standby:
    """The waiting process; :meth:`become` hands it a command line, once."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", MODULE], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent)

    def become(self, argv: Sequence[str], log_path: Path, env: Mapping[str, str] | None,
               cwd: Path | None) -> subprocess.Popen | None:
        """The process, now running ``argv``; None when it cannot (another command, or it died)."""
        if tuple(argv[:3]) != SERVES or self.process.poll() is not None:
            return None
        orders = {"args": list(argv[3:]), "env": dict(os.environ if env is None else env),
                  "log": str(log_path), "cwd": str(cwd) if cwd else None}
        try:
            self.process.stdin.write(json.dumps(orders).encode() + b"\n")
            self.process.stdin.close()
        except OSError:  # it died meanwhile: an ordinary start instead
            return None
        return self.process

    def end(self) -> None:
        """Unused: it holds nothing but imports, so SIGTERM (then SIGKILL) ends it at once."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                return
            log.debug("ending the unused Locust standby (pid %d) with %s", self.process.pid, sig.name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)


@contextmanager
def on_standby() -> Iterator[None]:
    """A standby for the length of the block; whatever did not take it, it ends with the block."""
    global _waiting
    _waiting = Standby()
    try:
        yield
    finally:
        unused, _waiting = _waiting, None
        if unused is not None:
            unused.end()


def take() -> Standby | None:
    """The waiting standby, for one process only; None when there is none."""
    global _waiting
    standby, _waiting = _waiting, None
    return standby
