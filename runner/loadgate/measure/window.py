"""Read the run's figures from Prometheus over the evaluation window.

Counters start at zero with the run and the exporter labels requests made after the warm-up
``phase="window"``, so every figure is read exactly at one instant: the last scrape, taken after
the load stopped.  No ``increase()``/``rate()`` extrapolation is involved.
"""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

from loadgate import patterns, phases
from loadgate.errors import InfraError
from loadgate.measure import cardinality, failures, grouped, intervals, promql, sliding, stalls, timeline
from loadgate.measure.histograms import added, quantiles_ms
from loadgate.measure.promql import (
    FAILURES,
    FINISHED,
    LOAD_END,
    LOCUST_REQUESTS,
    REQUESTS,
    WINDOW,
    WINDOW_START,
)
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Readings
from loadgate.model import Measurements, Objective, RequestFigures, Window

QUANTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))


def request_figures(reader: Reader, window: Window) -> tuple[RequestFigures, list[RequestFigures], dict]:
    """The window's figures of every request together and of each (method, name), and each
    (method, name)'s latency histogram at the final scrape: its percentiles are computed from it
    (measure/histograms.py, as the answering Prometheus computes them; promql.at_scrape says why
    not histogram_quantile there)."""
    by = "method, name"
    queries = {"requests": f"sum by ({by}) ({REQUESTS}{{{WINDOW}}})",
               "failures": f"sum by ({by}) ({FAILURES}{{{WINDOW}}})"}
    queries.update({f"all {field}": promql.window_quantile(q) for field, q in QUANTILES})
    answers = reader.concurrently(queries)
    by_key = {name: {_key(m): v for m, v in samples} for name, samples in answers.items()}
    counts, failures = by_key["requests"], by_key["failures"]
    histograms = window_histograms(reader)
    rule = reader.quantile_rule()
    per_request = [_figures(key, count, failures.get(key, 0), window,
                            quantiles_ms(histograms.get(key), QUANTILES, rule))
                   for key, count in sorted(counts.items())]
    total_quantiles = {f: next(iter(by_key[f"all {f}"].values()), None) for f, _ in QUANTILES}
    totals = _figures((None, None), sum(counts.values()), sum(failures.values()), window, total_quantiles)
    return totals, per_request, histograms


def window_histograms(reader: Reader) -> dict[tuple[str, str], dict]:
    """Each (method, name)'s latency histogram over the window, at the final scrape."""
    found: dict[tuple[str, str], list] = {}
    for metric, histogram in reader.histograms(promql.window_histograms()):
        found.setdefault(_key(metric), []).append(histogram)
    return {key: added(histograms) for key, histograms in found.items()}


def requests_seen(reader: Reader) -> list[tuple[str, str]]:
    """(method, name) of every request in the window so far."""
    return [_key(m) for m, _ in reader.samples(f"sum by (method, name) ({REQUESTS}{{{WINDOW}}})")]


def _key(metric: dict) -> tuple[str, str]:
    return metric.get("method", ""), metric.get("name", "")


def _figures(key, count, failures, window: Window, quantiles: dict) -> RequestFigures:
    clean = {f: (None if v is None or math.isnan(v) else round(v, 3)) for f, v in quantiles.items()}
    rps = count / window.seconds if window.seconds > 0 else 0.0
    return RequestFigures(method=key[0], name=key[1], requests=int(count), failures=int(failures),
                          rps=round(rps, 3), **clean)


def sli_value(reader: Reader, objective: Objective, window: Window,
              seen: list[tuple[str, str]] | None = None) -> tuple[float | None, str | None]:
    """The measured value of one objective over the window, or (None, why) when there is no data
    (``seen``: the requests in the window, listed closest first when a selector found none)."""
    if objective.sli == "promql":
        query = promql.substitute(objective.query or "", window)
        samples = [v for _, v in reader.samples(query) if not math.isnan(v)]
        if len(samples) > 1:
            return None, f"the query returned {len(samples)} series; aggregate it to one number"
        return (samples[0], None) if samples else (None, "the query returned no data")
    selected = promql.selected_total(REQUESTS, objective)
    requests = 0 if selected is None else reader.number(selected) or 0
    if requests == 0 and objective.request is not None:
        listed = "" if seen is None else f"; {patterns.closest(objective.request, seen)}"
        return None, f"no data: no request matching {objective.request} in the window{listed}"
    if requests == 0:
        return None, "no data: no requests in the window"
    if objective.sli == "latency":
        return reader.number(promql.selected_quantile(objective)), None
    if objective.sli == "error_rate":
        return (reader.number(promql.selected_total(FAILURES, objective)) or 0) / requests, None
    return (requests / window.seconds if window.seconds > 0 else 0.0), None


def read_window(reader: Reader, until: float | None = None) -> Window:
    """Pin the reader to the final scrape (or, for a run cut short, the last scrape before
    ``until``) and return the evaluation window."""
    if until is None:
        reader.at = reader.final_scrape_time()
        end = reader.number(LOAD_END)
    else:
        reader.at = until
        reader.at = end = reader.number(f"max(timestamp({FINISHED}))")
    start = reader.number(WINDOW_START)
    if start is None or end is None:
        raise InfraError("the exporter never reported the start and end of the load")
    return Window(start=round(min(start, end), 3), end=round(end, 3))


def check_complete(reader: Reader) -> int:
    counted = reader.number(f"sum({REQUESTS})") or 0
    locust = reader.number(LOCUST_REQUESTS)
    if locust is not None and int(counted) != int(locust):
        raise InfraError(f"measurement incomplete: Prometheus holds {int(counted)} requests, "
                         f"Locust measured {int(locust)}")
    return int(locust or 0)


def measure(url: str, objectives: Iterable[Objective], until: float | None = None,
            run_id: str | None = None, since: float | None = None,
            final_timeout: float | None = None, readings: Readings | None = None) -> Measurements:
    """Every figure over the window; ``until``: the run was cut short then (abort_on_fail);
    ``run_id``/``since``: this run's series and start (a shared Prometheus holds others);
    ``readings``: the interval figures read while the load ran (watch/early_reads.py)."""
    reader = Reader(url, run_id=run_id, since=since)
    reader.final_timeout = final_timeout or reader.final_timeout  # remote write: a store's delay
    window = read_window(reader, until)
    phases.reached("final scrape")
    with ThreadPoolExecutor(max_workers=1) as pool:  # the charts meanwhile (best effort)
        charts = pool.submit(timeline.chart, url, window, run_id, readings)
        found = dataclasses.replace(figures(reader, window, objectives, until, readings),
                                    timeline=charts.result())
    phases.reached("measured")
    return found


def figures(reader: Reader, window: Window, objectives: Iterable[Objective], until: float | None,
            readings: Readings | None = None) -> Measurements:
    """Every figure the verdict and the reports need, the reader pinned to the final scrape."""
    totals, per_request, histograms = request_figures(reader, window)
    seen = [(r.method or "", r.name or "") for r in per_request]
    objectives = patterns.resolve(objectives, seen)
    counts = {(r.method or "", r.name or ""): (r.requests, r.failures) for r in per_request}
    known = grouped.values(reader, objectives, window, counts, histograms)
    values, notes = {}, {}
    for objective in objectives:
        values[objective.name], note = known.get(objective.name) or \
            sli_value(reader, objective, window, seen)
        if note:
            notes[objective.name] = note
    sustained = grouped.sliding(reader, objectives, window, sliding.steps, names=len(seen))
    sustained.update({o.name: series for o in objectives if o.sustain and o.name not in sustained
                      and (series := sliding.read(reader, o, window)) is not None})
    reasons, user_errors = failures.read(reader)
    totals, per_request, by_objective = with_intervals(reader, window, totals, per_request, objectives,
                                                       readings)
    return Measurements(window=window, totals=totals, requests=tuple(per_request),
                        sli_values=values, notes=notes,
                        locust_requests=check_complete(reader) if until is None else None,
                        objectives=tuple(objectives), sustained=sustained, intervals=by_objective,
                        failure_reasons=reasons, user_errors=user_errors,
                        stalls=stalls.read(reader, window, readings.scrapes if readings else None),
                        warnings=tuple(filter(None, [cardinality.warning(per_request),
                                                     stalls.slow_start(reader)])))


def with_intervals(reader: Reader, window: Window, totals: RequestFigures,
                   per_request: list[RequestFigures], objectives: list[Objective],
                   readings: Readings | None = None):
    """The figures per interval: of the table's rows, and of each objective with a baseline limit.

    Per request only up to the cardinality guard's NAME_LIMIT names (the run warns already),
    unless a baseline objective selects one request (``each:``): its rows then serve them all."""
    judged = [o for o in objectives if (o.max_regression is not None or o.min_ratio is not None)
              and not o.sustain]
    names = len({r.name for r in per_request})
    wanted = names <= cardinality.NAME_LIMIT or any(grouped.request_key(o) for o in judged)
    table = intervals.Table(intervals.Grid(reader, window, readings), per_request=wanted)
    rows = table.of_requests()
    totals = dataclasses.replace(totals, intervals=table.of_totals())
    per_request = [dataclasses.replace(r, intervals=rows.get((r.method or "", r.name or "")))
                   for r in per_request]
    by_objective = {o.name: found for o in judged if (found := table.of_objective(o)) is not None}
    return totals, per_request, by_objective
