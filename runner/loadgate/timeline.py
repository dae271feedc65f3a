"""Figures over the whole load for the charts in report.html (Prometheus range queries).

These use ``rate()`` over short windows, which is fine for a picture but is never used to judge:
the verdict comes from query.py's exact reads at the final scrape.  Reading the timeline is best
effort: if Prometheus cannot answer, the report simply has no charts.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from requests.exceptions import RequestException

from loadgate.errors import InfraError
from loadgate.model import Measurements, Timeline
from loadgate.query import Reader

log = logging.getLogger("loadgate")

MAX_POINTS = 300  # per series: a 5 min run keeps 1 s steps, an hour gets 12 s steps
BUCKETS = "loadgate_request_duration_seconds_bucket"
SERIES = {
    "p50_ms": f"histogram_quantile(0.5, sum by (le) (rate({BUCKETS}[{{w}}]))) * 1000",
    "p95_ms": f"histogram_quantile(0.95, sum by (le) (rate({BUCKETS}[{{w}}]))) * 1000",
    "p99_ms": f"histogram_quantile(0.99, sum by (le) (rate({BUCKETS}[{{w}}]))) * 1000",
    "rps": "sum(rate(loadgate_requests_total[{w}]))",
    "failures_per_s": "sum(rate(loadgate_request_failures_total[{w}]))",
    "users": "sum(loadgate_users)",
}


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


def read(url: str, load_start: float, load_end: float) -> Timeline:
    client = PrometheusConnect(url=url, disable_ssl=True, timeout=10)
    step = choose_step(load_end - load_start)
    times = steps(load_start, load_end, step)
    begin, finish = (datetime.fromtimestamp(t, timezone.utc) for t in (times[0], times[-1]))

    def one(template: str) -> tuple[float | None, ...]:
        promql = template.format(w=rate_window(step))
        try:
            result = client.custom_query_range(promql, begin, finish, f"{step:g}s")
        except (PrometheusApiClientException, RequestException, ValueError) as exc:
            raise InfraError(f"Prometheus range query failed: {promql}: {exc}") from None
        return aligned(result, times)

    with ThreadPoolExecutor(max_workers=len(SERIES)) as pool:
        futures = {key: pool.submit(one, template) for key, template in SERIES.items()}
        series = {key: future.result() for key, future in futures.items()}
    return Timeline(start=load_start, step=step, times=times, series=series)


def load_start(url: str, measurements: Measurements) -> float:
    reader = Reader(url)
    reader.at = measurements.window.end
    start = reader.number("loadgate_load_start_timestamp_seconds")
    return min(start, measurements.window.start) if start is not None else measurements.window.start


# Prometheus 2.x applies scrape targets on a 5 s tick, so its first scrape comes a few seconds
# into the load.  The exporter's counters start at zero with the load, so that first scrape still
# tells the average over the gap: the charts show it there instead of nothing.
AVERAGE_SINCE_START = {
    "p50_ms": f"histogram_quantile(0.5, sum by (le) ({BUCKETS})) * 1000",
    "p95_ms": f"histogram_quantile(0.95, sum by (le) ({BUCKETS})) * 1000",
    "p99_ms": f"histogram_quantile(0.99, sum by (le) ({BUCKETS})) * 1000",
    "rps": "sum(loadgate_requests_total) / {span}",
    "failures_per_s": "sum(loadgate_request_failures_total) / {span}",
}


def fill_leading(values: tuple[float | None, ...], value: float | None) -> tuple[float | None, ...]:
    """Replace the leading run of missing values (before the first data point) with ``value``."""
    first = next((i for i, v in enumerate(values) if v is not None), len(values))
    if value is None or math.isnan(value):
        return values
    return (round(value, 3),) * first + values[first:]


def first_scrape(reader: Reader, start: float, end: float) -> float | None:
    span = max(1, math.ceil(end - start) + 5)
    samples = reader.client.custom_query(f"loadgate_users[{span}s]", params={"time": repr(end)})
    stamps = [float(ts) for series in samples for ts, _ in series.get("values", [])]
    return min(stamps) if stamps else None


def fill_gap(url: str, timeline: Timeline, end: float) -> Timeline:
    """The leading gap of every chart series except users, from the averages at the first scrape."""
    reader = Reader(url)
    reader.at = first_scrape(reader, timeline.start, end)
    if reader.at is None or reader.at - timeline.start <= timeline.step:
        return timeline
    span = repr(reader.at - timeline.start)
    series = dict(timeline.series)
    for key, promql in AVERAGE_SINCE_START.items():
        series[key] = fill_leading(series[key], reader.number(promql.format(span=span)))
    return dataclasses.replace(timeline, series=series, first_scrape=reader.at)


def attach(url: str, measurements: Measurements) -> Measurements:
    """``measurements`` with its timeline; unchanged (and a warning) if Prometheus cannot say."""
    try:
        start = load_start(url, measurements)
        timeline = read(url, start, measurements.window.end)
        timeline = fill_gap(url, timeline, measurements.window.end)
    except (InfraError, PrometheusApiClientException, RequestException) as exc:
        log.warning("no charts in report.html: %s", exc)
        return measurements
    return dataclasses.replace(measurements, timeline=timeline)
