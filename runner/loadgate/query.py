"""Read the run's figures from Prometheus (prometheus-api-client), over the evaluation window.

Counters start at zero with the run and the exporter labels requests made after the warm-up
``phase="window"``, so every figure is read exactly at one instant: the last scrape, taken after
the load stopped.  No ``increase()``/``rate()`` extrapolation is involved.
"""

from __future__ import annotations

import functools
import math
from concurrent.futures import ThreadPoolExecutor
import time
from typing import Iterable

from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from requests.exceptions import RequestException

from loadgate import patterns, selection, sustained_query, variables
from loadgate.errors import InfraError
from loadgate.selection import WINDOW
from loadgate.model import Measurements, Objective, RequestFigures, Window

QUANTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))
FINAL_SCRAPE_TIMEOUT = 20.0


def quantile_query(q: float, match: str, by: str = "") -> str:
    group = f"{by}, le" if by else "le"
    return (f"histogram_quantile({q!r}, sum by ({group}) "
            f"(loadgate_request_duration_seconds_bucket{{{match}}})) * 1000")


class Reader:
    """Instant queries, all evaluated at the time of the final scrape."""

    def __init__(self, url: str) -> None:
        self.client = PrometheusConnect(url=url, disable_ssl=True, timeout=10)
        self.at: float | None = None

    def samples(self, promql: str) -> list[tuple[dict, float]]:
        params = {"time": repr(self.at)} if self.at is not None else None
        try:
            result = self.client.custom_query(promql, params=params)
        except (PrometheusApiClientException, RequestException, ValueError) as exc:
            raise InfraError(f"Prometheus query failed: {promql}: {exc}") from None
        if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
            result = [{"metric": {}, "value": result}]  # a scalar
        return [(r.get("metric", {}), float(r["value"][1])) for r in result]

    def concurrently(self, queries: dict[str, str]) -> dict[str, list[tuple[dict, float]]]:
        """Several instant queries at once (each costs Prometheus ~10 ms over ~1 300 buckets)."""
        with ThreadPoolExecutor(max_workers=min(8, len(queries) or 1)) as pool:
            futures = {name: pool.submit(self.samples, promql) for name, promql in queries.items()}
            return {name: future.result() for name, future in futures.items()}

    def number(self, promql: str) -> float | None:
        values = [v for _, v in self.samples(promql) if not math.isnan(v)]
        return values[0] if values else None

    def final_scrape_time(self, timeout: float = FINAL_SCRAPE_TIMEOUT) -> float:
        """Wait until Prometheus holds the exporter's final figures; return that sample's time."""
        deadline = time.monotonic() + timeout
        while True:
            for _, raw in self._raw("loadgate_load_finished[1h]"):
                done = [float(ts) for ts, value in raw if float(value) == 1]
                if done:
                    return done[0]
            if time.monotonic() > deadline:
                raise InfraError("Prometheus never scraped the final figures (no "
                                 "loadgate_load_finished=1 sample): Locust ended abnormally or "
                                 "Prometheus could not reach the exporter")
            time.sleep(0.1)

    def _raw(self, promql: str) -> Iterable[tuple[dict, list]]:
        try:
            result = self.client.custom_query(promql)
        except (PrometheusApiClientException, RequestException) as exc:
            raise InfraError(f"Prometheus query failed: {promql}: {exc}") from None
        return [(r["metric"], r.get("values", [])) for r in result]


def request_figures(reader: Reader, window: Window) -> tuple[RequestFigures, list[RequestFigures]]:
    by = "method, name"
    queries = {"requests": f"sum by ({by}) (loadgate_requests_total{{{WINDOW}}})",
               "failures": f"sum by ({by}) (loadgate_request_failures_total{{{WINDOW}}})"}
    queries.update({field: quantile_query(q, WINDOW, by) for field, q in QUANTILES})
    queries.update({f"all {field}": quantile_query(q, WINDOW) for field, q in QUANTILES})
    answers = reader.concurrently(queries)
    by_key = {name: {_key(m): v for m, v in samples} for name, samples in answers.items()}
    counts, failures = by_key["requests"], by_key["failures"]
    per_request = [
        _figures(key, count, failures.get(key, 0), window, {f: by_key[f].get(key) for f, _ in QUANTILES})
        for key, count in sorted(counts.items())
    ]
    total_quantiles = {f: next(iter(by_key[f"all {f}"].values()), None) for f, _ in QUANTILES}
    totals = _figures((None, None), sum(counts.values()), sum(failures.values()), window, total_quantiles)
    return totals, per_request


def _key(metric: dict) -> tuple[str, str]:
    return metric.get("method", ""), metric.get("name", "")


def _figures(key, count, failures, window: Window, quantiles: dict) -> RequestFigures:
    clean = {f: (None if v is None or math.isnan(v) else round(v, 3)) for f, v in quantiles.items()}
    rps = count / window.seconds if window.seconds > 0 else 0.0
    return RequestFigures(method=key[0], name=key[1], requests=int(count), failures=int(failures),
                          rps=round(rps, 3), **clean)


def sli_value(reader: Reader, objective: Objective, window: Window) -> tuple[float | None, str | None]:
    """The measured value of one objective over the window, or (None, why) when there is no data."""
    if objective.sli == "promql":
        query = variables.substitute(objective.query or "", window)
        samples = [v for _, v in reader.samples(query) if not math.isnan(v)]
        if len(samples) > 1:
            return None, f"the query returned {len(samples)} series; aggregate it to one number"
        return (samples[0], None) if samples else (None, "the query returned no data")
    series = functools.partial(selection.series, objective=objective)
    if series("loadgate_requests_total") is None:
        return None, selection.no_match_note(objective)
    requests = reader.number(f"sum({series('loadgate_requests_total')})") or 0
    if requests == 0:
        return None, "no data: no requests in the window"
    if objective.sli == "latency":
        q = objective.percentile / 100
        return reader.number(selection.quantile(q, series("loadgate_request_duration_seconds_bucket"))), None
    if objective.sli == "error_rate":
        return (reader.number(f"sum({series('loadgate_request_failures_total')})") or 0) / requests, None
    return (requests / window.seconds if window.seconds > 0 else 0.0), None


def read_window(reader: Reader, until: float | None = None) -> Window:
    """Pin the reader to the final scrape (or, for a run cut short, the last scrape before
    ``until``) and return the evaluation window."""
    if until is None:
        reader.at = reader.final_scrape_time()
        end = reader.number("loadgate_load_end_timestamp_seconds")
    else:
        reader.at = until
        reader.at = end = reader.number("max(timestamp(loadgate_load_finished))")
    start = reader.number("loadgate_window_start_timestamp_seconds")
    if start is None or end is None:
        raise InfraError("the exporter never reported the start and end of the load")
    return Window(start=round(min(start, end), 3), end=round(end, 3))


def check_complete(reader: Reader) -> int:
    counted = reader.number("sum(loadgate_requests_total)") or 0
    locust = reader.number("loadgate_locust_requests")
    if locust is not None and int(counted) != int(locust):
        raise InfraError(f"measurement incomplete: Prometheus holds {int(counted)} requests, "
                         f"Locust measured {int(locust)}")
    return int(locust or 0)


def measure(url: str, objectives: Iterable[Objective], until: float | None = None) -> Measurements:
    """Every figure over the window; ``until``: the run was cut short then (abort_on_fail)."""
    reader = Reader(url)
    window = read_window(reader, until)
    totals, per_request = request_figures(reader, window)
    objectives = patterns.resolve(objectives, [(r.method or "", r.name or "") for r in per_request])
    values, notes = {}, {}
    for objective in objectives:
        values[objective.name], note = sli_value(reader, objective, window)
        if note:
            notes[objective.name] = note
    sustained = {o.name: series for o in objectives if o.sustain
                 and (series := sustained_query.read(reader, o, window)) is not None}
    return Measurements(window=window, totals=totals, requests=tuple(per_request),
                        sli_values=values, notes=notes,
                        locust_requests=check_complete(reader) if until is None else None,
                        objectives=tuple(objectives), sustained=sustained)
