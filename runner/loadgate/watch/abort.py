"""``abort_on_fail``: judge objectives from Prometheus while the load runs; stop on a breach.

Every CHECK_EVERY seconds (through the stack's ``watch`` callback, composed with the progress
display) each ``abort_on_fail`` objective whose grace (``after``, from the start of the load) is
over is read over the evaluation window so far -- or over the last ``for`` seconds when it has
``for:`` -- and judged exactly as at the end.  The first breach raises StopLoad out of the load
loop; the run is then measured at the last scrape before the breach was seen and torn down, and
the verdict fails with the aborting objective named.
"""

from __future__ import annotations

import logging
import time
from typing import Iterable

from loadgate import patterns
from loadgate.errors import InfraError
from loadgate.judge.threshold import judge_one
from loadgate.measure import grouped, promql
from loadgate.measure import window as measured
from loadgate.measure.promql import WINDOW_START
from loadgate.measure.reader import Reader
from loadgate.model import Abort, Objective, Status, Window
from loadgate.stack.base import LoadOutcome, Stack, Watch

log = logging.getLogger("loadgate")

CHECK_EVERY = 2.0  # seconds between checks: a breach stops the load within about this long


class StopLoad(Exception):
    """Raised from the watch callback to end the load early."""

    def __init__(self, abort: Abort) -> None:
        super().__init__(abort.message)
        self.abort = abort


def live_value(reader: Reader, objective: Objective, window: Window) -> float | None:
    """The objective's figure now: over the window so far, or its last ``for`` seconds."""
    if objective.sustain:
        if window.seconds < objective.sustain:
            return None  # not one full window yet
        query = promql.sliding_query(objective, window)
        return reader.number(query) if query else None
    return measured.sli_value(reader, objective, window)[0]


class Guard:
    """The watch that checks ``abort_on_fail`` objectives; ``aborted`` says whether it fired."""

    def __init__(self, objectives: Iterable[Objective], prometheus_url: str,
                 run_id: str | None = None) -> None:
        self.objectives = [o for o in objectives if o.abort_on_fail]
        self.reader = Reader(prometheus_url, run_id=run_id) if self.objectives else None
        self.aborted: Abort | None = None
        self.next_check = 0.0

    def __call__(self, elapsed: float) -> None:
        if self.reader is None or self.aborted is not None or elapsed < self.next_check:
            return
        self.next_check = elapsed + CHECK_EVERY
        try:
            self.aborted = self.check(elapsed)
        except InfraError as exc:  # a slow or failed query must not end the run by itself
            log.debug("abort check skipped: %s", exc)
        if self.aborted is not None:
            log.warning("aborting the run: %s", self.aborted.message)
            raise StopLoad(self.aborted)

    def check(self, elapsed: float) -> Abort | None:
        now = time.time()
        start = self.reader.number(f"max({WINDOW_START})")
        due = [o for o in self.objectives if elapsed >= o.after]
        if start is None or start >= now or not due:
            log.debug("abort check %.1f s: not due (window start %s)", elapsed, start)
            return None
        window = Window(start, now)
        resolved = patterns.resolve(due, measured.requests_seen(self.reader))
        known = {name: value for name, (value, _) in grouped.values(
            self.reader, [o for o in resolved if not o.sustain], window).items()}
        known.update(grouped.sliding_now(self.reader, resolved, window))
        for objective in resolved:
            value = known[objective.name] if objective.name in known else \
                live_value(self.reader, objective, window)
            result = judge_one(objective, value) if value is not None else None
            log.debug("abort check %.1f s: %s", elapsed, result.message if result else "no data")
            if result is not None and result.status is Status.FAIL:
                return Abort(objective.name, now, round(elapsed, 1),
                             f"{objective.name} aborted the run {elapsed:.1f} s after the start "
                             f"of the load: {result.message}")
        return None

    def run(self, stack: Stack, watch: Watch | None = None) -> LoadOutcome:
        """The stack's load with this guard composed after ``watch``; an abort ends it early."""
        def both(elapsed: float) -> None:
            if watch is not None:
                watch(elapsed)
            self(elapsed)

        try:
            return stack.run_load(both)
        except StopLoad:
            return LoadOutcome(0, "stopped early by abort_on_fail")

    @property
    def until(self) -> float | None:
        return self.aborted.at if self.aborted else None

