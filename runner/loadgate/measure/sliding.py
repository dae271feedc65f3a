"""Per-window figures for ``for:`` objectives, read from Prometheus with one range query each.

The figure over the window ``(t - for, t]`` is the counters' difference ``X - X offset for``:
the exporter's counters start at zero and only grow, so the difference is exact at the scrape
resolution (no ``increase()`` extrapolation).  A series that did not exist yet at ``t - for``
counts as zero (the ``or ... * 0`` branch).  The query is evaluated at every step ``t`` from
``start + for`` to the end of the evaluation window, so every position of the sliding window
inside the evaluation window is judged (to the step: the scrape interval for runs up to ~15 min;
longer for a latency window over many request names, see SAMPLE_BUDGET: 1 000 names with
``for: 5s`` step about 0.5 s).

Latency is the exception: Prometheus 2.42 cannot subtract native histograms, so its window is
``increase(h[for])``, the histogram's change between the first and the last scrape inside the
window.  Extrapolation scales every bucket alike and leaves the percentile unchanged; what it
leaves out is the requests between the window's start and the first scrape in it (under one
250 ms scrape interval of a ``for`` that lasts seconds to minutes).
"""

from __future__ import annotations

import math

from loadgate.errors import InfraError
from loadgate.measure import promql
from loadgate.measure.reader import Reader
from loadgate.model import Objective, Window
from loadgate.stack.prometheus_config import SCRAPE_INTERVAL_S

MAX_POINTS = 2000
# Histogram samples one latency query may make Prometheus read: increase() reads every sample of
# its range, at every position, for every request it covers.  Measured here (1 000 request names,
# ``for: 5s`` over a 25 s stretch, 21 samples per range): 0.25 s steps (100 positions, 2.1 M
# samples) took Prometheus 2.28 s, 1 s steps 0.63 s; the increase() alone was 1.75 s of the 2.28.
SAMPLE_BUDGET = 1_000_000  # about 0.8 s of Prometheus' time on this 2-core machine


def steps(window: Window, seconds: float, final: float | None = None,
          histograms: int = 0) -> tuple[float, float, float] | None:
    """(first, last, step) of the window ends; None when the window is shorter than ``for``.

    ``final``: the final scrape's time (just after the window's end); the last position ends
    there, so requests of the load's last moments are in a window too, and the others follow
    back from it a step apart.  ``histograms``: the latency histograms the query covers (one per
    request name, 0 for counters), which coarsen the step to keep within SAMPLE_BUDGET."""
    first, last = window.start + seconds, window.end
    if first > last + 1e-6:
        return None
    step = max(SCRAPE_INTERVAL_S, (last - first) / MAX_POINTS)
    if histograms:
        positions = SAMPLE_BUDGET / (histograms * (seconds / SCRAPE_INTERVAL_S + 1))
        step = max(step, (last - first) / max(positions, 1.0))
    if final is not None and final > last:
        last = final
        first = last - math.floor((last - first) / step + 1e-9) * step
    return first, max(first, last), step


def histograms_read(objective: Objective) -> int:
    """How many request histograms one objective's latency query reads (0: not latency): one per
    request a pattern matched, else one (a request, or the all-requests series)."""
    if objective.sli != "latency":
        return 0
    return max(len(objective.matched or ()), 1)


def read(reader: Reader, objective: Objective, window: Window) -> tuple[tuple[float, float], ...] | None:
    """(window end, figure) for every window position; None when no window fits."""
    positions = steps(window, objective.sustain or 0.0, reader.at, histograms_read(objective))
    query = promql.sliding_query(objective, window)
    if positions is None:
        return None
    if query is None:
        return ()
    first, last, step = positions
    result = reader.range(query, first, last, step)
    if len(result) > 1:
        raise InfraError(f"the query for {objective.name!r} returned {len(result)} series; "
                         "aggregate it to one number")
    values = result[0].get("values", []) if result else []
    return tuple((float(t), float(v)) for t, v in values if not math.isnan(float(v)))
