"""Every generated query has a size bound and a plan beyond it: a pattern over thousands of names
is one selector per method (its size grows with the names' bytes), a long query is posted, one
beyond MAX_QUERY is refused in one line, and an error shows a long query shortened."""

from __future__ import annotations

import dataclasses

import pytest

from loadgate.errors import InfraError
from loadgate.measure import promql, reader
from loadgate.measure.reader import Reader
from loadgate.model import RequestSelector, Window
from loadgate.stack.processes import free_port
from tests.helpers import error_rate, latency

pytestmark = pytest.mark.integration
NAMES = tuple(RequestSelector(f"/api/v2/catalogue/items/{i:05d}/details?x=\"q\"", "GET")
              for i in range(2600)) + (RequestSelector("/a|b.c", None),)


@pytest.mark.parametrize("objective", [latency(95, 300, name="p95", request="GET /api/*", sustain=5.0),
                                       error_rate(0.01, name="errors", request="GET /api/*", sustain=5.0)])
def test_a_for_over_2600_names_is_a_query_prometheus_takes(prometheus_for, objective):
    """Was a 1 MB `or` chain: Prometheus refused it after a 50 s run, exit 3."""
    objective = dataclasses.replace(objective, matched=NAMES)
    query = promql.sliding_query(objective, Window(1764000000.0, 1764000030.0))
    names = sum(len(selector.name) for selector in NAMES)
    assert len(query) < 8 * names  # the names once per reference (up to 6), not 2 600 wrapped selectors
    assert len(query) > reader.GET_LIMIT  # so it is posted
    url = prometheus_for(free_port())
    assert Reader(url, run_id="r1").samples(query) == []  # parsed and evaluated: nothing measured


def test_a_query_beyond_the_bound_is_refused_in_one_line_and_errors_show_it_short(prometheus_for):
    url = prometheus_for(free_port())
    with pytest.raises(InfraError, match=r"^a query of 8\.0 MiB is beyond the 8 MiB loadgate sends: "):
        Reader(url).samples("x" * (reader.MAX_QUERY + 1))
    with pytest.raises(InfraError) as failed:
        Reader(url).samples("sum(" + "up + " * 10_000 + ")")  # a parse error, posted
    message = str(failed.value)
    assert len(message) < 1000 and "(50005 characters)" in message
