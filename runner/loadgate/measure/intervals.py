"""Figures per short interval of the window, so that runs compare as distributions (issue #13).

The interval is 1 s, longer only to keep a window at most MAX_INTERVALS long or to span two
scrapes of a slower Prometheus (``--prometheus-url``).  Why 1 s: a 10 s window then gives ten
intervals, enough for the t interval of judge/significance.py (about nine degrees of freedom),
while each still holds a hundred requests or more at ten users, so its p95 means something.
Half-second intervals would hold two scrapes at 250 ms and p95s of a few dozen requests; 2 s
intervals would leave a 10 s run five figures, and t(4) = 2.8 makes every interval wide.

Exact, no extrapolation (notes/measurement-pitfalls.md): each figure is a counter difference
between two scrapes (promql.interval_delta: the value at the last scrape at or before an
interval's end minus the value at its start; a series that did not exist yet counts as zero),
read by one range query per figure with the interval as its step.  Latency is one range query
returning each interval's native histograms; their percentiles are computed by
measure/histograms.py as histogram_quantile would, instead of four range queries that each made
Prometheus evaluate the same histograms again.  The intervals tile the window
from its start; the rest at its end, shorter than one interval, is left out.  Throughput divides
by the time between the scrapes the counts came from (their timestamps), not the nominal length;
``start`` in results.json is where an interval's counts begin (the scrape before it, or the
window's start for the first interval that had a scrape).
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from statistics import median

from loadgate.errors import InfraError
from loadgate.measure import grouped, promql
from loadgate.measure.histograms import quantiles_ms
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Readings
from loadgate.model import Intervals, Objective, Window

log = logging.getLogger("loadgate")
MAX_INTERVALS = 120
QUANTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))
Key = tuple[str, str]  # (method, name)


SPACING_SPAN = 120.0  # seconds of scrapes that tell their spacing: 480 at loadgate's 250 ms


def interval_seconds(window_seconds: float, scrape_seconds: float) -> float:
    """1 s; more for windows of over MAX_INTERVALS whole seconds (the shortest whole number of
    seconds leaving at most MAX_INTERVALS whole intervals: a 120.03 s window keeps 1 s, a 1800.03 s
    one 15 s, so the length a run was planned for decides it) or scrapes more than 0.5 s apart."""
    return float(max(int(window_seconds / (MAX_INTERVALS + 1)) + 1, math.ceil(2 * scrape_seconds)))


def ends(window: Window, seconds: float) -> tuple[float, ...]:
    """The end of each whole interval, from the window's start."""
    count = int(window.seconds / seconds + 1e-9)
    return tuple(round(window.start + k * seconds, 3) for k in range(1, count + 1))


def scrape_spacing(reader: Reader, window: Window, default: float | None = 1.0,
                   at_least: int = 1) -> float | None:
    """Median time between the exporter's scrapes during the window's last SPACING_SPAN seconds
    at most (0.25 s with loadgate's own); ``default`` with fewer than ``at_least`` gaps to tell.
    Every scrape of the window was read before: 2 400 samples took 0.26 s after a 10-min run."""
    span = promql.duration(min(window.seconds + 1, SPACING_SPAN))
    stamps = sorted({float(ts) for _, raw in reader.raw(f"{promql.FINISHED}[{span}]") for ts, _ in raw})
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    return median(gaps) if len(gaps) >= at_least else default


def read_range(reader: Reader, text: str, instants: tuple[float, ...], seconds: float) -> dict[Key, list]:
    """One range query evaluated at ``instants`` (``seconds`` apart): per (method, name), one
    value per instant (None: no sample), a number or a native histogram (JSON)."""
    result = reader.range(text, instants[0], instants[-1] + seconds / 10, seconds)
    return {(r["metric"].get("method", ""), r["metric"].get("name", "")): _aligned(r, instants)
            for r in result}


def _aligned(series: dict, instants: tuple[float, ...]) -> list:
    if "histograms" in series:
        histograms = {round(float(ts), 3): h for ts, h in series["histograms"]}
        return [histograms.get(t) for t in instants]
    found = {round(float(ts), 3): float(v) for ts, v in series.get("values", [])}
    values = [found.get(t) for t in instants]
    return [None if v is None or math.isnan(v) or math.isinf(v) else v for v in values]


class Grid:
    """Range queries evaluated at every interval end of one window.

    An interval counts only if the exporter was scraped in it.  Prometheus 2.x applies a new
    scrape target on a 5 s tick, so the first seconds of a window can lie before the first
    scrape: their requests all land in the first interval that has one, which then spans from
    the window's start to that scrape (its throughput divides by that span).

    ``readings``: answers already read (watch/early_reads.py, while the load ran); only the ends they
    do not hold are read now.
    """

    def __init__(self, reader: Reader, window: Window, readings: Readings | None = None) -> None:
        self.reader, self.window = reader, window
        self.rule = reader.quantile_rule()  # histogram_quantile as the answering version computes it
        self.readings = readings if readings is not None else Readings()
        self.seconds = interval_seconds(window.seconds, scrape_spacing(reader, window))
        self.ends = ends(window, self.seconds)
        stamps = next(iter(self.series({"s": promql.scrape_instants()})["s"].values()), [])
        self.starts, self.spans = self._spans(stamps or [None] * len(self.ends))

    def _spans(self, stamps: list[float | None]) -> tuple[list[float], list[float]]:
        """Per interval: the scrape its counts start from and the seconds to its own (0: none)."""
        starts, spans, before = [], [], self.window.start
        for stamp in stamps:
            starts.append(before)
            spans.append(stamp - before if stamp is not None and stamp > before else 0.0)
            before = stamp if stamp is not None and stamp > before else before
        return starts, spans

    def series(self, queries: dict[str, str]) -> dict[str, dict[Key, list]]:
        """Per query, per (method, name) label pair, one value per interval (None: no sample): a
        number, or a histogram (JSON) for a query of native histograms."""
        if not self.ends:
            return {name: {} for name in queries}

        def one(text: str) -> dict[Key, list]:
            missing = self.readings.missing(text, self.ends)
            if missing:
                first, last = self.ends.index(missing[0]), self.ends.index(missing[-1])
                stretch = self.ends[first:last + 1]
                self.readings.add(text, stretch, read_range(self.reader, text, stretch, self.seconds))
            return self.readings.aligned(text, self.ends)

        with ThreadPoolExecutor(max_workers=min(8, len(queries))) as pool:
            futures = {name: pool.submit(one, text) for name, text in queries.items()}
            return {name: future.result() for name, future in futures.items()}

    def intervals(self, row: Row, fields: tuple[tuple[str, float], ...] = QUANTILES) -> Intervals:
        """The kept intervals' figures of one row, with the percentiles ``fields`` (field, q)
        (counts absent at an instant are zero)."""
        kept = [i for i, span in enumerate(self.spans) if span > 0]
        counts = [int(round(row.requests[i] or 0)) for i in kept]
        latency = [quantiles_ms(row.histograms[i], fields, self.rule) for i in kept]
        return Intervals(
            seconds=self.seconds, starts=tuple(round(self.starts[i], 3) for i in kept),
            requests=tuple(counts), failures=tuple(int(round(row.failures[i] or 0)) for i in kept),
            rps=tuple(round(n / self.spans[i], 3) for n, i in zip(counts, kept)),
            latency={field: tuple(None if each[field] is None else round(each[field], 3) for each in latency)
                     for field, _ in fields})


@dataclass(frozen=True)
class Row:
    """One group's figures at every interval end, as read (None: no sample then)."""

    requests: list[float | None]
    failures: list[float | None]
    histograms: list[dict | None]  # the interval's native histogram (JSON), in seconds


class Table:
    """The intervals of all requests together and of each (method, name), read once: three range
    queries per grouping, whatever the number of names and objectives.

    The per-request part is best effort: with a thousand names and a long window its range
    queries can pass Prometheus' sample limit; then only the totals keep intervals (a warning).
    It is read only when ``per_request`` (measure/window.py: up to the cardinality guard's
    NAME_LIMIT names, or when a regression objective selects one request).
    """

    def __init__(self, grid: Grid, per_request: bool) -> None:
        self.grid = grid
        self.totals = _rows(grid, "").get(("", "")) if grid.ends else None
        self.requests: dict[Key, Row] = {}
        if per_request and grid.ends:
            try:
                self.requests = _rows(grid, grouped.BY)
            except InfraError as exc:
                log.warning("no per-request interval figures in results.json: %s", exc)

    def of_totals(self) -> Intervals | None:
        return None if self.totals is None else self.grid.intervals(self.totals)

    def of_requests(self) -> dict[Key, Intervals]:
        return {key: self.grid.intervals(row) for key, row in self.requests.items()}

    def of_objective(self, objective: Objective) -> Intervals | None:
        """The intervals of the requests one objective selects, with its own percentile; from the
        rows already read when it selects every request or one, else its own queries."""
        if objective.sli == "promql":
            return None
        everything = objective.request is None and objective.matched is None
        row = self.totals if everything else self.requests.get(grouped.request_key(objective))
        if row is None:
            return for_objective(self.grid, objective)
        return self.grid.intervals(row, own_percentile(objective))


def own_percentile(objective: Objective) -> tuple[tuple[str, float], ...]:
    """The (field, q) of a latency objective's own percentile; none for other objectives."""
    return ((objective.percentile_field, objective.percentile / 100),) if objective.sli == "latency" else ()


def row_queries(seconds: float, by: str) -> dict[str, str]:
    """The three range queries of one grouping's rows (``by``: "" for every request together)."""
    return {"requests": promql.interval_delta(promql.REQUESTS, seconds, by),
            "failures": promql.interval_delta(promql.FAILURES, seconds, by),
            "latency": promql.interval_histogram(seconds, by)}


def _rows(grid: Grid, by: str) -> dict[Key, Row]:
    got = grid.series(row_queries(grid.seconds, by))
    none = [None] * len(grid.ends)
    counts = got["requests"] or ({("", ""): none} if not by else {})
    return {key: Row(values, got["failures"].get(key, none), got["latency"].get(key, none))
            for key, values in counts.items()}


def for_objective(grid: Grid, objective: Objective) -> Intervals | None:
    """The intervals of the requests an objective selects (a pattern's union, a name under any
    method), read with its own queries; None: nothing selected."""
    requests = promql.delta(promql.REQUESTS, objective, grid.seconds)
    if requests is None or not grid.ends or objective.sli == "promql":
        return None
    queries = {"requests": requests, "failures": promql.delta(promql.FAILURES, objective, grid.seconds)}
    if objective.sli == "latency":
        queries["latency"] = promql.recent_histogram_of(objective, grid.seconds)
    got = {name: next(iter(v.values()), None) for name, v in grid.series(queries).items()}
    none = [None] * len(grid.ends)
    row = Row(got["requests"] or none, got["failures"] or none, got.get("latency") or none)
    return grid.intervals(row, own_percentile(objective))
