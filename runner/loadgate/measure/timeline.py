"""Figures over the whole load for the charts in report.html (Prometheus range queries).

These use ``rate()`` over short windows, which is fine for a picture but is never used to judge:
the verdict comes from window.py's exact reads at the final scrape.  Reading the timeline is best
effort: if Prometheus cannot answer, the report simply has no charts.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from concurrent.futures import ThreadPoolExecutor

from loadgate.errors import InfraError
from loadgate.measure import promql
from loadgate.measure.promql import FAILURES, LOAD_START, REQUESTS, USERS
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Readings
from loadgate.model import Timeline, Window

log = logging.getLogger("loadgate")

MAX_POINTS = 300  # per series: a 5 min run keeps 1 s steps, an hour gets 12 s steps
CHART_QUANTILES = {"p50_ms": 0.5, "p95_ms": 0.95, "p99_ms": 0.99}


def series_queries(span: str) -> dict[str, str]:
    """The charts' PromQL, each figure over the last ``span`` at every step."""
    queries = {key: promql.recent_quantile(q, span) for key, q in CHART_QUANTILES.items()}
    return {**queries, "rps": f"sum(rate({REQUESTS}[{span}]))",
            "failures_per_s": f"sum(rate({FAILURES}[{span}]))", "users": f"sum({USERS})"}


def choose_step(seconds: float) -> float:
    """1 s for runs up to MAX_POINTS seconds, then whole seconds keeping about MAX_POINTS points."""
    return float(max(1, math.ceil(seconds / MAX_POINTS)))


def rate_window(step: float) -> str:
    """Long enough for several 0.5 s scrapes, short enough to show changes."""
    return f"{int(max(2.0, 2 * step))}s"


def steps(start: float, end: float, step: float) -> tuple[float, ...]:
    first, last = math.floor(start), math.ceil(end)
    count = int((last - first) // step) + 1
    return tuple(first + i * step for i in range(count))


def aligned(result: list, times: tuple[float, ...]) -> tuple[float | None, ...]:
    """One value per step from a range-query result (one series at most), None where absent."""
    found: dict[float, float] = {}
    for series in result[:1]:
        for ts, value in series.get("values", []):
            number = float(value)
            if not (math.isnan(number) or math.isinf(number)):
                found[float(ts)] = round(number, 3)
    return tuple(found.get(t) for t in times)


def read(reader: Reader, load_start: float, load_end: float, readings: Readings | None = None) -> Timeline:
    """Every chart series from the start of the load to its end: the points read while the load
    ran (``readings``, watch/early_reads.py, with the step chosen then) and the rest now."""
    kept = readings or Readings()
    step = kept.chart_step or choose_step(load_end - load_start)
    times = steps(load_start, load_end, step)
    queries = series_queries(rate_window(step))
    with ThreadPoolExecutor(max_workers=len(queries)) as pool:
        for future in [pool.submit(read_points, reader, kept, query, times, step) for query in queries.values()]:
            future.result()
    series = {key: tuple(kept.aligned(query, times).get((), (None,) * len(times)))
              for key, query in queries.items()}
    return Timeline(start=load_start, step=step, times=times, series=series)


def read_points(reader: Reader, readings: Readings, query: str, times: tuple[float, ...], step: float) -> None:
    """The points of ``query`` at ``times`` not read yet, in one range query, kept in ``readings``.

    A point depends on the samples up to its time only, so the points read while the load ran
    are final: 20 names x 1 h, the three percentile charts over 300 points (each a rate() of the
    all-requests histogram over 24 s) were most of the 3.7 s read after the final scrape, and
    Prometheus' work for them grows with the run's length (0.45 s per chart at 7 min here)."""
    missing = readings.missing(query, times)
    if missing:
        stretch = times[times.index(missing[0]):times.index(missing[-1]) + 1]
        readings.add(query, stretch, {(): list(aligned(reader.range(query, stretch[0], stretch[-1], step), stretch))})


def load_start(reader: Reader, window: Window) -> float:
    reader.at = window.end
    start = reader.number(LOAD_START)
    return min(start, window.start) if start is not None else window.start


# Prometheus 2.x applies scrape targets on a 5 s tick, so its first scrape comes a few seconds
# into the load.  The exporter's counters start at zero with the load, so that first scrape still
# tells the average over the gap: the charts show it there instead of nothing.
def average_queries(span: str) -> dict[str, str]:
    """Each chart figure averaged from the start of the load to the evaluation time."""
    queries = {key: promql.quantile(q, promql.ALL_HISTOGRAM) for key, q in CHART_QUANTILES.items()}
    return {**queries, "rps": f"sum({REQUESTS}) / {span}",
            "failures_per_s": f"sum({FAILURES}) / {span}"}


def fill_leading(values: tuple[float | None, ...], value: float | None) -> tuple[float | None, ...]:
    """Replace the leading run of missing values (before the first data point) with ``value``."""
    first = next((i for i, v in enumerate(values) if v is not None), len(values))
    if value is None or math.isnan(value):
        return values
    return (round(value, 3),) * first + values[first:]


FIRST_SCRAPE_WITHIN = 30.0  # seconds of the load looked at first for its first scrape


def first_scrape(reader: Reader, start: float, end: float) -> float | None:
    """When Prometheus first scraped the load: looked for in its first FIRST_SCRAPE_WITHIN seconds
    (a whole hour's samples cost a read at the end), then in the rest."""
    for until in dict.fromkeys((min(end, start + FIRST_SCRAPE_WITHIN), end)):
        reader.at = until
        samples = reader.raw(f"{USERS}[{max(1, math.ceil(until - start) + 5)}s]")
        stamps = [float(ts) for _, values in samples for ts, _ in values]
        if stamps:
            return min(stamps)
    return None


def fill_gap(reader: Reader, timeline: Timeline, end: float) -> Timeline:
    """The leading gap of every chart series except users, from the averages at the first scrape."""
    reader.at = first_scrape(reader, timeline.start, end)
    if reader.at is None or reader.at - timeline.start <= timeline.step:
        return timeline
    series = dict(timeline.series)
    for key, query in average_queries(repr(reader.at - timeline.start)).items():
        series[key] = fill_leading(series[key], reader.number(query))
    return dataclasses.replace(timeline, series=series, first_scrape=reader.at)


def chart(url: str, window: Window, run_id: str | None = None,
          readings: Readings | None = None) -> Timeline | None:
    """The charts' figures from the start of the load to the end of ``window``; None (and a
    warning) if Prometheus cannot say.  measure/window.py reads them beside the verdict's figures."""
    reader = Reader(url, run_id=run_id)
    try:
        start = load_start(reader, window)
        return fill_gap(reader, read(reader, start, window.end, readings), window.end)
    except InfraError as exc:
        log.warning("no charts in report.html: %s", exc)
        return None
