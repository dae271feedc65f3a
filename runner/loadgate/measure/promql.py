"""All the PromQL loadgate writes, in one place (pure: objectives and windows in, PromQL out).

Requests in the evaluation window carry ``phase="window"``.  The latency histogram is a native
one (one series per request name, only populated buckets): ``histogram_quantile(q, sum(h))``.
A figure of every request together reads ``ALL_HISTOGRAM`` instead, the same requests in one
series per phase: summing a thousand names' histograms at every step of a range query cost
Prometheus about a second at the end of a 30 s run (measured, issue #9).
Prometheus 2.42 cannot subtract native histograms, so the latency of a stretch of time (a ``for``
window, a regression interval) is ``increase(h[reach])``, ``reach`` one scrape interval (less
10 ms) longer than the stretch: its first sample is then the last scrape before the stretch, and
the increase is the difference of the same two scrapes the counters' ``X - X offset`` uses
(extrapolation scales every bucket alike and leaves percentiles unchanged).  That holds for
Prometheus scraping every 250 ms, as loadgate's stacks do; a slower scrape (a --prometheus-url)
can leave out the requests before the stretch's first scrape.  Where Prometheus has no sample from
before the stretch (its first scrape comes a few seconds into the load) the whole histogram is the
stretch's: counters start at zero with the load.  An exact ``request:`` is a label
matcher; a pattern resolved to several requests (patterns.py) is the union (``or``) of one exact
selector per request: Prometheus never has to understand globs or Python regexes.

The text of PromQL (durations, string literals, window variables, run scoping) is promql_text.py.
"""

from __future__ import annotations

import re

from loadgate.measure.promql_text import duration, label_value, substitute
from loadgate.model import Objective, RequestSelector, Window
from loadgate.printable import valid
from loadgate.stack.prometheus_config import SCRAPE_INTERVAL_S

WINDOW = 'phase="window"'
REQUESTS = "loadgate_requests_total"
FAILURES = "loadgate_request_failures_total"
HISTOGRAM = "loadgate_request_duration_seconds"  # a native histogram per method, name and phase
ALL_HISTOGRAM = "loadgate_all_requests_duration_seconds"  # every request together, per phase
USERS = "loadgate_users"
BLOCKED = "loadgate_event_loop_blocked_seconds"  # longest block of a Locust event loop (stalls.py)
BLOCKED_END = "loadgate_event_loop_blocked_end_timestamp_seconds"
FINISHED = "loadgate_load_finished"
LOAD_START = "loadgate_load_start_timestamp_seconds"
WINDOW_START = "loadgate_window_start_timestamp_seconds"
LOAD_END = "loadgate_load_end_timestamp_seconds"
LOCUST_REQUESTS = "loadgate_locust_requests"
TEST_START = "loadgate_test_start_seconds"  # how long the locustfile's test_start listeners ran
FAILURE_REASONS = "loadgate_request_failure_reasons_total"
USER_ERRORS = "loadgate_user_errors_total"

# What the store holds of this run (store_check.py; the reader adds the run id): any series, counted
# requests, the latency histogram as a native one (histogram_count() of anything else is empty).
STORE_HOLDS = {"series": f"count({USERS})", "requests": f"count({REQUESTS})",
               "histogram": f"count(histogram_count({ALL_HISTOGRAM}))"}
# The same of loadgate's probe, written before the load (probe_write.py): a float, a histogram.
PROBE_HOLDS = {"series": "count(loadgate_store_probe)", "requests": "count(loadgate_store_probe)",
               "histogram": "count(histogram_count(loadgate_store_probe_seconds))"}

def matchers(selector: RequestSelector | None) -> str:
    parts = [WINDOW]
    if selector is not None:
        parts.append(f'name="{label_value(selector.name)}"')
        if selector.method:
            parts.append(f'method="{label_value(selector.method)}"')
    return ",".join(parts)


def histogram(by: str = "", objective: Objective | None = None) -> str:
    """The latency histogram to read for figures grouped ``by`` labels of the ``objective``'s
    requests: ALL_HISTOGRAM when that is every request together, one series whatever the names."""
    selects = objective is not None and (objective.request is not None or objective.matched is not None)
    return HISTOGRAM if by or selects else ALL_HISTOGRAM


def series(metric: str, objective: Objective, modifier: str = "", wrap: str = "{}") -> str | None:
    """``metric{...}`` for the objective's requests (``modifier``: e.g. ``offset 30s``; ``wrap``:
    a function around each selector, e.g. ``increase({}[30s])``).

    None when a pattern matched no request: there is nothing to read.  The requests a pattern
    matched are one selector per method (:func:`name_set`), so the query grows with the names'
    bytes, not with names x the wrapper: 2 600 names under ``for:`` were a 1 MB ``or`` chain
    that Prometheus refused (its URL limit); the reader posts a long query (measure/reader.py).
    Measured, 2 600 names of 38 characters: a latency ``for:`` query 949 kB -> 297 kB, an error
    rate ``for:`` query 1.7 MB -> 593 kB (each references the selection 2 to 6 times).
    """
    suffix = f" {modifier}" if modifier else ""
    if objective.matched is None:
        return wrap.format(f"{metric}{{{matchers(objective.request)}}}{suffix}")
    if not objective.matched:
        return None
    if len(objective.matched) == 1:
        return wrap.format(f"{metric}{{{matchers(objective.matched[0])}}}{suffix}")
    parts = [wrap.format(f"{metric}{{{selector}}}{suffix}") for selector in name_set(objective.matched)]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def name_set(selectors: tuple[RequestSelector, ...]) -> list[str]:
    """Label matchers selecting exactly these requests: one ``name=~"a|b"`` per method (a
    Prometheus label regex is anchored; every name is escaped to stand for itself)."""
    by_method: dict[str | None, list[str]] = {}
    for selector in selectors:
        by_method.setdefault(selector.method, []).append(selector.name)
    found = []
    for method, names in by_method.items():
        names = sorted(set(names))
        name = f'name="{label_value(names[0])}"' if len(names) == 1 else \
            f'name=~"{label_value("|".join(re.escape(valid(n)) for n in names))}"'
        found.append(f'{WINDOW},{name}' + (f',method="{label_value(method)}"' if method else ""))
    return found


def quantile(q: float, selected: str, by: str = "") -> str:
    """The ``q`` quantile in milliseconds of the native histograms ``selected`` (summed, grouped
    ``by``)."""
    group = f" by ({by})" if by else ""
    return f"histogram_quantile({q!r}, sum{group} ({selected})) * 1000"


def at_scrape(selector: str) -> str:
    """The samples of ``selector`` taken at the evaluation time itself, a reader pinned to a
    scrape (``[1ms]``: the range ends there and is shorter than any scrape interval).  The same
    samples an instant selector gives there (a series a scrape left out is marked stale), without
    decoding up to 5 min of each native histogram's samples to look back: 1 000 request names'
    histograms after 30 s in 0.04 s instead of 0.25 s per percentile (measure/window.py)."""
    return f"{selector}[1ms]"


def window_histograms() -> str:
    """The latency histogram of every request in the window, one series per method and name."""
    return at_scrape(f"{HISTOGRAM}{{{WINDOW}}}")


def window_quantile(q: float, by: str = "") -> str:
    """The ``q`` quantile over the window of every request (``by``: per label group)."""
    return quantile(q, f"{histogram(by)}{{{WINDOW}}}", by)


def recent_quantile(q: float, span: str) -> str:
    """The ``q`` quantile of the requests of the last ``span`` (a picture, never judged)."""
    return quantile(q, f"rate({ALL_HISTOGRAM}[{span}])")


def delta(metric: str, objective: Objective, seconds: float, by: str = "") -> str | None:
    """The objective's ``metric`` over the ``seconds`` before the evaluation time, as an exact
    counter difference; a series that did not exist yet then counts as zero."""
    now = series(metric, objective)
    then = series(metric, objective, f"offset {duration(seconds)}")
    if now is None or then is None:
        return None
    return difference(now, then, by)


def difference(now: str, then: str, by: str = "") -> str:
    """``now - then`` summed (``by``: per label group); a group absent ``then`` counts from zero."""
    agg = f"sum by ({by})" if by else "sum"
    return f"({agg} ({now}) - ({agg} ({then}) or {agg} ({now}) * 0))"


def stretch(now: str, increase: str, then: str, by: str = "") -> str:
    """The histograms' change over a stretch of time (see above): ``increase`` where Prometheus
    holds a sample from before the stretch (``then``), else the whole histogram ``now`` (it began
    inside the stretch: counters start at zero with the load)."""
    agg = f"sum by ({by})" if by else "sum"
    return f"(({agg} ({increase}) and {agg} ({then})) or {agg} ({now}))"


def reach(seconds: float) -> str:
    """The range of ``increase()`` for a stretch of ``seconds``: one scrape interval longer (less
    10 ms), so that its first sample is the last scrape before the stretch and the increase is the
    exact difference of the two scrapes, as the counters' ``X - X offset`` is."""
    return duration(seconds + SCRAPE_INTERVAL_S - 0.01)


def recent_histogram_of(objective: Objective, seconds: float, by: str = "") -> str | None:
    """The native histograms of the objective's requests of the ``seconds`` before the evaluation
    time (summed, grouped ``by``); None: a pattern that selects nothing."""
    span, offset, metric = reach(seconds), duration(seconds), histogram(by, objective)
    now = series(metric, objective)
    if now is None:
        return None
    return stretch(now, series(metric, objective, wrap=f"increase({{}}[{span}])"),
                   series(metric, objective, f"offset {offset}"), by)


def recent_quantile_of(objective: Objective, seconds: float, by: str = "") -> str | None:
    """The latency objective's percentile (ms) over its requests of the ``seconds`` before the
    evaluation time."""
    histograms = recent_histogram_of(objective, seconds, by)
    return None if histograms is None else f"histogram_quantile({objective.percentile / 100!r}, {histograms}) * 1000"


def interval_delta(metric: str, seconds: float, by: str = "") -> str:
    """Every window request's ``metric`` over the ``seconds`` before the evaluation time (one
    interval of measure/intervals.py, evaluated at each interval's end by a range query)."""
    now = f"{metric}{{{WINDOW}}}"
    return difference(now, f"{now} offset {duration(seconds)}", by)


def interval_histogram(seconds: float, by: str = "") -> str:
    """The latency histograms (not a percentile: measure/histograms.py computes those) of the
    window requests of the ``seconds`` before the evaluation time."""
    now = f"{histogram(by)}{{{WINDOW}}}"
    return stretch(now, f"increase({now}[{reach(seconds)}])", f"{now} offset {duration(seconds)}", by)


def scrape_instants() -> str:
    """The time of the exporter's last scrape at or before the evaluation time."""
    return f"max(timestamp({FINISHED}))"


def selected_total(metric: str, objective: Objective) -> str | None:
    """``sum`` of the objective's requests (or failures) in the window; None: nothing selected."""
    selected = series(metric, objective)
    return None if selected is None else f"sum({selected})"


def selected_quantile(objective: Objective) -> str | None:
    """The latency objective's percentile in milliseconds over its requests in the window."""
    selected = series(histogram(objective=objective), objective)
    return None if selected is None else quantile(objective.percentile / 100, selected)


def sliding_query(objective: Objective, window: Window, by: str = "") -> str | None:
    """PromQL for the objective's figure over the ``for`` seconds before the evaluation time
    (``by``: one figure per label group, e.g. per request)."""
    seconds = objective.sustain or window.seconds
    if objective.sli == "promql":
        return substitute(objective.query or "", window, seconds)
    requests = delta(REQUESTS, objective, seconds, by)
    if requests is None:
        return None
    if objective.sli == "latency":
        return recent_quantile_of(objective, seconds, by)
    zero = "" if by else " or vector(0)"  # grouped: every request has both counters
    if objective.sli == "error_rate":
        failures = delta(FAILURES, objective, seconds, by)
        return f"({failures}{zero}) / {requests}"
    return f"({requests}{zero}) / {seconds!r}"


def window_failure_reasons() -> str:
    """Failed requests in the window by request and error text."""
    return f"sum by (method, name, reason) ({FAILURE_REASONS}{{{WINDOW}}})"


def user_errors() -> str:
    """The locustfile's own exceptions over the whole run (set-up in the warm-up counts too)."""
    return f"sum by (type, message, location, effect) ({USER_ERRORS})"
