"""Live progress while the load runs, from cheap Prometheus instant queries.

On a terminal: one line rewritten in place (``\\r``) about once a second.  Elsewhere (CI logs):
one plain line every PLAIN_EVERY seconds, no control characters.  With ``--quiet``: nothing.
Progress is decoration: a failing query or a closed stream never disturbs the run.
"""

from __future__ import annotations

import math
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, TextIO

from urllib3.util.retry import Retry

from loadgate.config.plan import Plan
from loadgate.errors import InfraError
from loadgate.measure import promql
from loadgate.measure.promql import FAILURES, REQUESTS, USERS
from loadgate.measure.reader import Reader
from loadgate.stack.base import Watch

QUERY_EVERY = 1.0  # seconds between samples, at most
PLAIN_EVERY = 5.0  # seconds between lines when not on a terminal
QUERY_TIMEOUT = 1
BAR_WIDTH = 20
RATE = "5s"
QUERIES = {
    "users": f"sum({USERS})",
    "rps": f"sum(rate({REQUESTS}[{RATE}]))",
    "p95_ms": promql.recent_quantile(0.95, RATE),
    "requests": f"sum({REQUESTS})",
    "failures": f"sum({FAILURES})",
}


@dataclass(frozen=True)
class Live:
    """The latest figures; None where Prometheus has nothing (yet)."""

    users: float | None = None
    rps: float | None = None
    p95_ms: float | None = None
    requests: float | None = None
    failures: float | None = None


def sample(reader: Reader) -> Live:
    """One instant query per figure; a figure that cannot be read is None."""
    values = {}
    for key, query in QUERIES.items():
        try:
            values[key] = reader.number(query)
        except InfraError:  # progress must never break the run
            values[key] = None
    return Live(**values)


def describe(elapsed: float, total: float, live: Live) -> str:
    """``12s/30s  users 20  125.3 req/s  p95 70 ms  failures 19 (3.0%)``: plain text only."""
    shown = f"{min(elapsed, total):.0f}s/{total:.0f}s" + ("  stopping" if elapsed > total else "")
    users = "-" if live.users is None else f"{live.users:.0f}"
    rps = "-" if live.rps is None else f"{live.rps:.1f}"
    p95 = "-" if live.p95_ms is None else f"{live.p95_ms:.0f} ms"
    failures = "-" if live.failures is None else f"{live.failures:.0f}"
    if live.failures is not None and live.requests:
        failures += f" ({100 * live.failures / live.requests:.1f}%)"
    return f"{shown}  users {users}  {rps} req/s  p95 {p95}  failures {failures}"


def bar(elapsed: float, total: float) -> str:
    done = int(BAR_WIDTH * min(elapsed / total, 1.0)) if total > 0 else BAR_WIDTH
    return "[" + "#" * done + "." * (BAR_WIDTH - done) + "]"


class Progress:
    """A ``Watch``: called often with the seconds elapsed; samples and writes when due."""

    def __init__(self, total: float, sampler: Callable[[], Live], out: TextIO,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.sampler, self.out, self.clock = total, sampler, out, clock
        self.tty = _isatty(out)
        self.live = Live()
        self.sampled_at = -math.inf
        self.next_plain = PLAIN_EVERY
        self.drawn = False

    def __call__(self, elapsed: float) -> None:
        due = self.clock() - self.sampled_at >= QUERY_EVERY
        if self.tty and due:
            self._sample()
            self._write(f"\r{bar(elapsed, self.total)} {describe(elapsed, self.total, self.live)}\033[K")
            self.drawn = True
        elif not self.tty and elapsed >= self.next_plain:
            self._sample()
            self._write(f"loadgate: {describe(elapsed, self.total, self.live)}\n")
            self.next_plain = (elapsed // PLAIN_EVERY + 1) * PLAIN_EVERY

    def close(self) -> None:
        if self.drawn:
            self._write("\r\033[K")

    def _sample(self) -> None:
        self.sampled_at = self.clock()
        try:
            self.live = self.sampler()
        except Exception:
            self.live = Live()

    def _write(self, text: str) -> None:
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError):
            pass


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def live(plan: Plan, prometheus_url: str, out: TextIO | None = None) -> Iterator[Watch | None]:
    """The watch to hand to ``run_load`` (None with --quiet); clears the live line afterwards."""
    if plan.quiet:
        yield None
        return
    reader = Reader(prometheus_url, timeout=QUERY_TIMEOUT, retry=Retry(total=0), run_id=plan.run_id)
    progress = Progress(plan.duration, lambda: sample(reader), out or sys.stderr)
    try:
        yield progress
    finally:
        progress.close()
