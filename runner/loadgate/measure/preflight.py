"""`promql` objectives checked before the load, by the Prometheus that will measure it.

Each query (window variables filled in for the planned window) is evaluated once, now: a parse
error, a string (``'"hello"'``) or a range vector (``up[1m]``) is a configuration error naming
the objective -- found in about 10 ms instead of after the whole load.  Whether the query returns
one series can only be known once the data is there; that is still judged at the end.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

from loadgate.errors import ConfigError
from loadgate.measure import promql
from loadgate.measure.reader import Reader
from loadgate.model import Objective, Window

RETURNS = {"string": "a string", "matrix": "a range vector (wrap it in a function such as "
                                           "rate(), increase() or max_over_time())"}


def check(prometheus_url: str, objectives: Iterable[Objective], slo_path: Path,
          window_seconds: float, run_id: str | None = None) -> None:
    """ConfigError for the first `promql` objective Prometheus refuses or cannot judge."""
    queries = [o for o in objectives if o.sli == "promql" and o.query]
    if not queries:
        return
    reader, now = Reader(prometheus_url, timeout=5, run_id=run_id), time.time()
    window = Window(now - window_seconds, now)
    for objective in queries:
        kind, refused = reader.result_type(promql.substitute(objective.query, window))
        if refused is not None:
            problem = f"Prometheus refused the query: {refused}"
        elif kind in RETURNS:
            problem = f"the query returns {RETURNS[kind]}, not one number"
        else:
            continue
        raise ConfigError(f"{problem} (objective {objective.name!r})", path=str(slo_path),
                          line=objective.line, key="query")
