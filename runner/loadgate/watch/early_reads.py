"""Each interval's figures read while the load runs, so that the end of the run reads only the last.

A background thread asks Prometheus, every POLL_EVERY seconds, for measure/intervals.py's range
queries (totals and every request: counts, failures, histograms; the scrape instants) at the
interval ends that the latest scrape has closed, for the raw samples measure/stalls.py reads
up to that scrape, and for the charts' points up to it (measure/timeline.py; their step is chosen
from the planned load, so the end reads only the last few).  An end is closed once Prometheus holds a scrape at or after it: the value at
an end depends on the samples up to it only, and one scrape's samples land together.  The answers are kept (measure/readings.py) under their PromQL text, and
measure/intervals.py reads after the final scrape only the ends they do not hold: the verdict's
figures are those of the same queries, read in parts.  Nothing here can change a figure: a read
that fails is left to the next poll and then to the end of the run; an interval length that
turns out different at the end (the load stopped early) makes different queries, read at the
end as before; a store fed by remote write (``--prometheus-url`` with ``--remote-write``) is not
read early, as its series of one scrape may arrive apart.

Candidates measured (2-core machine shared with other runs; 20 names, 245 requests/s, 120 s
window of 2 s intervals before the interval rule took planned lengths, so 60 ends):

| candidate | end of the run | during the load |
| --- | --- | --- |
| read everything after the final scrape (before) | per-request rows 0.62-0.82 s, totals 0.10 s | none |
| range reads here, in parts (chosen) | the last <= 5 s of ends: 0.12-0.21 s | 0.12-0.2 s of Prometheus every 5 s |
| recording rules for the interval figures | - | rejected: rules run on Prometheus' own clock, not at the window's interval ends, so counts would not be the exact differences the verdict uses |
| raw samples, subtracting histograms here | - | rejected: the JSON holds every scrape's whole histogram (4 a second, hundreds of buckets each); and increase()'s edges would have to be copied to keep the figures |
| coarser intervals past a length | - | already so (MAX_INTERVALS); a range query reads every sample in the window whatever the step |

What is left at the end, a floor whatever the part's length: each query's instant selectors look
back 5 min, so Prometheus decodes up to 5 min of every name's histogram samples: one end 0.13-0.21
s at 20 names.  No way around it keeps the figures on 2.42: a per-query ``lookback_delta`` came
with 2.43, ``last_over_time()`` of a native histogram returns nothing there, and either would read
a series after a failed scrape (stale) differently.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from urllib3.util.retry import Retry

from loadgate.config.plan import Plan
from loadgate.errors import InfraError
from loadgate.measure import cardinality, grouped, intervals, promql, stalls, timeline
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Readings
from loadgate.model import Window

log = logging.getLogger("loadgate")

POLL_EVERY = 5.0  # seconds; a longer interval polls once per interval
QUERY_TIMEOUT = 5  # no retries: a failed read is read at the next poll, or at the end
MOST_ENDS = 30  # per read, so that a read after a slow or failed one stays short
STOP_WAIT = QUERY_TIMEOUT + 1.0  # to let a read under way finish when the load has ended


class EarlyReads:
    """The thread that reads the intervals closed so far; ``readings()`` once the load is over."""

    def __init__(self, reader: Reader, window_seconds: float, each: bool, load_seconds: float | None = None) -> None:
        self.reader, self.planned, self.each = reader, window_seconds, each
        self.load_seconds = load_seconds or window_seconds  # the charts' step comes from it
        self.load_start: float | None = None
        self._readings = Readings()
        self.start: float | None = None
        self.seconds: float | None = None
        self.per_request = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="early-reads", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(max(POLL_EVERY, self.seconds or 0)):
            try:
                self.poll()
            except InfraError as exc:  # left to the next poll, and to the end of the run
                log.debug("early read deferred: %s", exc)

    def poll(self) -> None:
        """Read every query at the ends closed since the last poll."""
        if not self._ready():
            return
        last = self.reader.number(promql.scrape_instants())
        if last is None or self.start is None or self.seconds is None:
            return
        self._read_scrapes(last)
        closed = intervals.ends(Window(self.start, last), self.seconds)
        for by in ("", grouped.BY) if self.per_request else ("",):
            queries = [promql.scrape_instants(), *intervals.row_queries(self.seconds, by).values()]
            for text in queries:
                missing = self._readings.missing(text, closed)
                if missing and not self._stop.is_set():  # once the load is over, the end reads it
                    first = closed.index(missing[0])
                    stretch = closed[first:first + MOST_ENDS]
                    self._readings.add(text, stretch,
                                       intervals.read_range(self.reader, text, stretch, self.seconds))
        self._check_names()
        self._read_charts(last)

    def _read_charts(self, last: float) -> None:
        """The charts' points up to the latest scrape, at the step the planned load gives them
        (measure/timeline.py reads the rest after the final scrape)."""
        if self.load_start is None:
            self.load_start = self.reader.number(promql.LOAD_START)
        if self.load_start is None or self._stop.is_set():
            return
        step = self._readings.chart_step = timeline.choose_step(self.load_seconds)
        closed = tuple(t for t in timeline.steps(self.load_start, last, step) if t <= last)
        for query in timeline.series_queries(timeline.rate_window(step)).values():
            if closed and not self._stop.is_set():
                timeline.read_points(self.reader, self._readings, query, closed, step)

    def _read_scrapes(self, last: float) -> None:
        """The raw samples stalls.py reads, up to the latest scrape (all of whose samples are in)."""
        self.reader.at = last
        try:
            stalls.read_scrapes(self.reader, self.start or last, self._readings.scrapes)
        finally:
            self.reader.at = None

    def _ready(self) -> bool:
        """The window's start and the interval length, once the exporter has been scraped."""
        if self.start is None:
            start = self.reader.number(f"max({promql.WINDOW_START})")
            self.start = None if start is None else round(start, 3)
        if self.start is not None and self.seconds is None:
            spacing = intervals.scrape_spacing(self.reader, Window(self.start, time.time()),
                                               default=None, at_least=3)
            self.seconds = None if spacing is None else intervals.interval_seconds(self.planned, spacing)
        return self.seconds is not None

    def _check_names(self) -> None:
        """Past the cardinality guard's limit, per-request rows are read only for an ``each:``."""
        requests = intervals.row_queries(self.seconds or 1.0, grouped.BY)["requests"]
        if not self.each and self._readings.groups(requests) > cardinality.NAME_LIMIT:
            self.per_request = False

    def start_reading(self) -> None:
        self._thread.start()

    def readings(self) -> Readings | None:
        """What was read, once the thread has stopped (None: it did not stop in time)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT)
        return None if self._thread.is_alive() else self._readings


def wanted(plan: Plan) -> bool:
    """A Prometheus that scrapes the exporter itself; not a store fed by remote write."""
    return not plan.judged_from_store


def compares_each(plan: Plan) -> bool:
    """An objective judged on intervals that selects one request (or many, one by one)."""
    return any((o.max_regression is not None or o.min_ratio is not None) and o.request is not None
               for o in plan.objectives)


@contextmanager
def reading(plan: Plan, prometheus_url: str) -> Iterator[EarlyReads | None]:
    """The early reads while the load runs (None where they are not wanted)."""
    if not wanted(plan):
        yield None
        return
    reader = Reader(prometheus_url, timeout=QUERY_TIMEOUT, retry=Retry(total=0), run_id=plan.run_id)
    early = EarlyReads(reader, plan.duration - plan.warmup, compares_each(plan), plan.duration)
    early.start_reading()
    try:
        yield early
    finally:
        early._stop.set()
