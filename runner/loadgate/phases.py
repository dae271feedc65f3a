"""The moments of a run, logged at ``-v`` (``phase NAME UNIX_SECONDS``) so that a benchmark
(benchmarks/scale.py) can tell where a run's time beyond the load goes: start-up, the wait for
the final scrape, the reads, judging, teardown, the reports."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("loadgate.phases")


def reached(name: str) -> None:
    """Log that the run has reached ``name`` now."""
    log.info("phase %s %.3f", name, time.time())
