"""Per-window figures for ``for:`` objectives, read from Prometheus with one range query each.

The figure over the window ``(t - for, t]`` is the counters' difference ``X - X offset for``:
the exporter's counters start at zero and only grow, so the difference is exact at the scrape
resolution (no ``increase()`` extrapolation).  A series that did not exist yet at ``t - for``
counts as zero (the ``or ... * 0`` branch).  The query is evaluated at every step ``t`` from
``start + for`` to the end of the evaluation window, so every position of the sliding window
inside the evaluation window is judged (to the step, the scrape interval for runs up to ~15 min).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from prometheus_api_client import PrometheusApiClientException
from requests.exceptions import RequestException

from loadgate import selection
from loadgate.errors import InfraError
from loadgate.model import Objective, Window
from loadgate.prometheus_config import SCRAPE_INTERVAL_S
from loadgate.variables import duration, substitute

MAX_POINTS = 2000


def delta(metric: str, objective: Objective, seconds: float, by: str = "") -> str | None:
    now = selection.series(metric, objective)
    then = selection.series(metric, objective, f"offset {duration(seconds)}")
    if now is None or then is None:
        return None
    agg = f"sum by ({by})" if by else "sum"
    return f"({agg} ({now}) - ({agg} ({then}) or {agg} ({now}) * 0))"


def window_query(objective: Objective, window: Window) -> str | None:
    """PromQL for the objective's figure over the ``for`` seconds before the evaluation time."""
    seconds = objective.sustain or window.seconds
    if objective.sli == "promql":
        return substitute(objective.query or "", window, seconds)
    requests = delta("loadgate_requests_total", objective, seconds)
    if requests is None:
        return None
    if objective.sli == "latency":
        buckets = delta("loadgate_request_duration_seconds_bucket", objective, seconds, "le")
        return f"histogram_quantile({objective.percentile / 100!r}, {buckets}) * 1000"
    if objective.sli == "error_rate":
        failures = delta("loadgate_request_failures_total", objective, seconds)
        return f"({failures} or vector(0)) / {requests}"
    return f"({requests} or vector(0)) / {seconds!r}"


def steps(window: Window, seconds: float) -> tuple[float, float, float] | None:
    """(first, last, step) of the window ends; None when the window is shorter than ``for``."""
    first, last = window.start + seconds, window.end
    if first > last + 1e-6:
        return None
    step = max(SCRAPE_INTERVAL_S, (last - first) / MAX_POINTS)
    return first, max(first, last), step


def read(reader, objective: Objective, window: Window) -> tuple[tuple[float, float], ...] | None:
    """(window end, figure) for every window position; None when no window fits."""
    positions, query = steps(window, objective.sustain or 0.0), window_query(objective, window)
    if positions is None:
        return None
    if query is None:
        return ()
    first, last, step = positions
    try:
        result = reader.client.custom_query_range(
            query, start_time=_time(first), end_time=_time(last), step=f"{step:.3f}")
    except (PrometheusApiClientException, RequestException, ValueError) as exc:
        raise InfraError(f"Prometheus range query failed: {query}: {exc}") from None
    if len(result) > 1:
        raise InfraError(f"the query for {objective.name!r} returned {len(result)} series; "
                         "aggregate it to one number")
    values = result[0].get("values", []) if result else []
    return tuple((float(t), float(v)) for t, v in values if not math.isnan(float(v)))


def _time(unix: float) -> datetime:
    return datetime.fromtimestamp(unix, tz=timezone.utc)
