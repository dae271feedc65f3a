"""What every stack offers the pipeline, and the load loop they share."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from loadgate.errors import ConfigError, InfraError
from loadgate.stack.explain import with_output
from loadgate.stack.probe import exporter_ready, http_ok

# Called about once a second while the load runs, with the seconds elapsed; may raise.
Watch = Callable[[float], None]
ARGPARSE_ERROR = re.compile(r"^[\w.-]+: error: (.*)$")  # `__main__.py: error: unrecognized ...`
EXPORTER_SERVED = "loadgate exporter serving on"  # the exporter's log line once it listens
FINAL_SCRAPED = "loadgate exporter: the final figures were scraped"  # locust_side/listeners.py
HOOK_RAISED = "Uncaught exception in event handler"  # Locust's log line for a listener that raised
LOG_LINES = 2000  # of Locust's log, searched for the exporter's and Locust's own markers
STOP_GRACE = 60.0  # beyond the duration, for Locust's own stop and the final scrape
TAIL = 200  # lines of Locust's output searched for the ones that explain a failure (stack/explain.py)


@dataclass(frozen=True)
class LoadOutcome:
    """How the load generator ended."""

    exit_code: int
    output_tail: str  # its last lines (TAIL); errors show those that explain (stack/explain.py)
    elapsed: float | None = None  # seconds from the exporter's start to Locust's exit
    duration: float | None = None  # the planned load
    scraped: bool = False  # the exporter saw its final figures scraped before Locust exited

    def explain_missing_figures(self, missing: str) -> str:
        """Why Prometheus has no final figures: a load that ended early ended in the locustfile
        (what Locust said: one line, then its last lines); otherwise ``missing`` stands."""
        if self.elapsed is None or self.duration is None or self.elapsed >= self.duration - 0.5:
            return with_output(missing, self.output_tail)
        return with_output(f"Locust exited (code {self.exit_code}) {self.elapsed:.1f} s into a "
                           f"{self.duration:g} s load without reporting its final figures (a "
                           "sys.exit() or os._exit() in the locustfile?)", self.output_tail)

    def check(self) -> LoadOutcome:
        """Killed by a signal or a crash code (loadgate runs Locust with --exit-code-on-error 0)
        before its final figures were scraped; after that, the figures decide."""
        if (self.exit_code < 0 or self.exit_code >= 2) and not self.scraped:
            raise InfraError(with_output(f"Locust exited with code {self.exit_code} before the load "
                                         "finished", self.output_tail))
        return self

    def notes(self) -> list[str]:
        """What the verdict says about Locust's end: a crash code after the final scrape (a
        quitting listener that raised) leaves the verdict to the figures, with a note."""
        if self.exit_code in (0, 1) or not self.scraped:
            return []
        raised = HOOK_RAISED in self.output_tail
        return [f"Locust exited with code {self.exit_code} after its final figures were scraped"
                + (" (a quitting listener of the locustfile raised; see Locust's log)" if raised
                   else "") + ": the verdict stands on the figures"]


class Stack(Protocol):
    prometheus_url: str

    def wait_for_prometheus(self) -> None:
        """Return once the stack's Prometheus answers queries (InfraError if it never does)."""

    def run_load(self, watch: Watch | None = None) -> LoadOutcome:
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
                           time.monotonic() - started, duration,
                           scraped=FINAL_SCRAPED in self.locust_tail(LOG_LINES))

    def check_init_hooks(self, locustfile: Path) -> None:
        """An ``init`` listener that raised ends Locust before the exporter serves: the
        locustfile's error, with the traceback Locust logged."""
        log = self.locust_tail(LOG_LINES)
        if HOOK_RAISED not in log:
            return
        trace = log.split(HOOK_RAISED, 1)[1].lstrip(": \n").splitlines()
        trace = [line for line in trace if line.strip()][:40]
        raise ConfigError(f"an init listener of {locustfile} raised {trace[-1].strip() if trace else ''}"
                          "; Locust stops on it:\n" + "\n".join(trace))

    def wait_for_exporter(self, url: str, locustfile: Path, timeout: float, run_id: str = "") -> None:
        """Locust serves metrics once it has loaded the locustfile; if it dies first, say why."""
        deadline = time.monotonic() + timeout
        while not (exporter_ready(url, run_id) if run_id else http_ok(url)):
            if self.locust_exited(0):
                if EXPORTER_SERVED in self.locust_tail(200) or self.locust_exit_code() < 0:
                    return  # it ran, or a signal killed it: the load loop says how it ended
                self.check_init_hooks(locustfile)
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
