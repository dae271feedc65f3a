"""What every stack offers the pipeline, and the load loop they share."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Protocol

from loadgate.errors import ConfigError, InfraError
from loadgate.stack.explain import with_output
from loadgate.stack.probe import exporter_ready, http_ok

# Called about once a second while the load runs, with the seconds elapsed; may raise.
Watch = Callable[[float], None]
ARGPARSE_ERROR = re.compile(r"^[\w.-]+: error: (.*)$")  # `__main__.py: error: unrecognized ...`
EXPORTER_SERVED = "loadgate exporter serving on"  # the exporter's log line once it listens
STOP_GRACE = 60.0  # beyond the duration, for Locust's own stop and the final scrape
TAIL = 200  # lines of Locust's output searched for the ones that explain a failure (stack/explain.py)


@dataclass(frozen=True)
class LoadOutcome:
    """How the load generator ended."""

    exit_code: int
    output_tail: str  # its last lines (TAIL); errors show those that explain (stack/explain.py)
    elapsed: float | None = None  # seconds from the exporter's start to Locust's exit
    duration: float | None = None  # the planned load

    def explain_missing_figures(self, missing: str) -> str:
        """Why Prometheus has no final figures: a load that ended early ended in the locustfile
        (what Locust said: one line, then its last lines); otherwise ``missing`` stands."""
        if self.elapsed is None or self.duration is None or self.elapsed >= self.duration - 0.5:
            return with_output(missing, self.output_tail)
        return with_output(f"Locust exited (code {self.exit_code}) {self.elapsed:.1f} s into a "
                           f"{self.duration:g} s load without reporting its final figures (a "
                           "sys.exit() or os._exit() in the locustfile?)", self.output_tail)

    def check(self) -> LoadOutcome:
        """Killed by a signal or a crash code (loadgate runs Locust with --exit-code-on-error 0)."""
        if self.exit_code < 0 or self.exit_code >= 2:
            raise InfraError(with_output(f"Locust exited with code {self.exit_code} before the load "
                                         "finished", self.output_tail))
        return self


class Stack(Protocol):
    prometheus_url: str

    def wait_for_prometheus(self) -> None:
        """Return once the stack's Prometheus answers queries (InfraError if it never does)."""

    def run_load(self, watch: Optional[Watch] = None) -> LoadOutcome:
        """Run Locust for the plan's duration; return when it has exited (InfraError if it failed)."""


class LoadLoop:
    """The load loop of every stack: wait for the exporter, then watch Locust until it exits.

    A stack says how its Locust master is seen (``locust_exited``, ``locust_exit_code``,
    ``locust_tail``) and checks the rest of itself in ``check_health``.
    """

    POLL = 0.1

    def locust_exited(self, wait: float) -> bool:
        raise NotImplementedError

    def locust_exit_code(self) -> int:
        raise NotImplementedError

    def locust_tail(self, lines: int = 15) -> str:
        raise NotImplementedError

    def check_health(self) -> None:
        """Raise InfraError when a part of the stack other than the master died."""

    def remote_write_error(self) -> str | None:
        """Why the store refused the local Prometheus' last remote write, if it did."""
        return None

    def watch_load(self, duration: float, watch: Watch | None) -> LoadOutcome:
        started = time.monotonic()
        while not self.locust_exited(self.POLL):
            self.check_health()
            if time.monotonic() > started + duration + STOP_GRACE:
                raise InfraError(with_output(f"Locust still running {STOP_GRACE:.0f} s after the "
                                             "duration", self.locust_tail(TAIL)))
            if watch is not None:
                watch(time.monotonic() - started)
        return LoadOutcome(self.locust_exit_code(), self.locust_tail(TAIL),
                           time.monotonic() - started, duration)

    def wait_for_exporter(self, url: str, locustfile: Path, timeout: float, run_id: str = "") -> None:
        """Locust serves metrics once it has loaded the locustfile; if it dies first, say why."""
        deadline = time.monotonic() + timeout
        while not (exporter_ready(url, run_id) if run_id else http_ok(url)):
            if self.locust_exited(0):
                if EXPORTER_SERVED in self.locust_tail(200) or self.locust_exit_code() < 0:
                    return  # it ran, or a signal killed it: the load loop says how it ended
                last = [line for line in self.locust_tail(40).splitlines() if line.strip()]
                said = last[-1].strip() if last else "no output"
                refused = ARGPARSE_ERROR.match(said)  # e.g. an argument after `--`
                if refused:
                    raise ConfigError(f"Locust refused its command line: {refused.group(1)}")
                raise ConfigError(f"Locust could not load {locustfile}: {said}")
            if time.monotonic() > deadline:
                raise InfraError(with_output(f"Locust not serving metrics after {timeout:.0f} s",
                                             self.locust_tail(TAIL)))
            time.sleep(0.05)
