"""Interval grid and PromQL of measure/intervals.py (the Prometheus side: tests/integration)."""

import pytest

from loadgate.measure import intervals, promql
from loadgate.model import Window
from loadgate.stack.prometheus_versions import quantile_rule
from tests.helpers import error_rate, latency, throughput


@pytest.mark.parametrize("window, scrape, seconds", [
    (10.0, 0.25, 1.0), (120.0, 0.25, 1.0), (121.0, 0.25, 2.0), (3600.0, 0.25, 30.0),
    (60.0, 1.0, 2.0), (600.0, 15.0, 30.0)])
def test_one_second_intervals_unless_the_window_is_long_or_scrapes_are_sparse(window, scrape, seconds):
    assert intervals.interval_seconds(window, scrape) == seconds


def test_whole_intervals_tile_the_window_from_its_start():
    assert intervals.ends(Window(100.0, 103.7), 1.0) == (101.0, 102.0, 103.0)
    assert intervals.ends(Window(100.0, 100.5), 1.0) == ()


def test_spans_run_between_scrapes_and_the_first_reaches_back_to_the_window_start():
    grid = object.__new__(intervals.Grid)
    grid.window, grid.seconds = Window(100.0, 106.0), 1.0
    starts, spans = grid._spans([None, None, 102.9, 103.9, None, 105.9])
    assert spans == pytest.approx([0, 0, 2.9, 1.0, 0, 2.0])  # no scrape: the interval is left out
    assert starts == pytest.approx([100.0, 100.0, 100.0, 102.9, 103.9, 103.9])


def test_interval_counts_are_exact_counter_differences_latency_the_native_histograms_increase():
    counts = promql.interval_delta(promql.REQUESTS, 1.0, "method, name")
    assert "rate(" not in counts and "increase(" not in counts
    assert 'loadgate_requests_total{phase="window"} offset 1000ms' in counts
    assert "sum by (method, name)" in counts and " or " in counts  # absent before: counts from 0
    # Prometheus 2.42 cannot subtract native histograms; extrapolation does not move a percentile
    latency = promql.interval_histogram(1.0, "method, name")
    assert latency.startswith("((sum by (method, name) (increase(")
    assert " offset 1000ms)) or sum by (method, name) (" in latency  # before the first scrape
    assert promql.scrape_instants() == "max(timestamp(loadgate_load_finished))"


def histogram(*latencies_s):
    """A native histogram as the JSON API returns it: one 1 ms-wide bucket per latency."""
    return {"count": str(len(latencies_s)), "sum": "0",
            "buckets": [[0, repr(s - 0.001), repr(s), "1"] for s in latencies_s]}


def grid_of(ends: int) -> intervals.Grid:
    grid = object.__new__(intervals.Grid)
    grid.window, grid.seconds = Window(100.0, 100.0 + ends), 1.0
    grid.rule = quantile_rule((2, 42, 0))  # linear: the figures below are easy to check by hand
    grid.ends = intervals.ends(grid.window, 1.0)
    grid.starts, grid.spans = grid._spans([101.0, None, 103.0][:ends])
    return grid


def test_rows_become_intervals_with_percentiles_from_their_histograms():
    row = intervals.Row([4, None, 2], [1, None, 0], [histogram(0.1, 0.2, 0.3, 0.4), None, histogram(0.05, 0.06)])
    got = grid_of(3).intervals(row)
    assert got.requests == (4, 2) and got.failures == (1, 0)  # the interval without a scrape is left out
    assert got.rps == (4.0, 1.0)  # 2 requests over the 2 s since the previous scrape
    assert got.latency["p50_ms"] == (200.0, 50.0) and got.latency["p99_ms"] == (399.96, 59.98)


def test_objectives_that_select_every_request_or_one_are_read_from_the_rows_with_their_percentile():
    table = object.__new__(intervals.Table)
    table.grid = grid_of(3)
    table.totals = intervals.Row([2, 0, 1], [0, 0, 1], [histogram(0.1, 0.2), None, histogram(0.3)])
    table.requests = {("GET", "/a"): intervals.Row([1, 0, 0], [0, 0, 0], [histogram(0.1), None, None])}
    everything = table.of_objective(latency(75, 500))
    assert everything.latency == {"p75_ms": (199.5, 299.75)} and everything.requests == (2, 1)
    one = table.of_objective(error_rate(0.1, request="GET /a"))
    assert one.requests == (1, 0) and one.latency == {}
    assert table.of_objective(throughput(1, request="GET /a")).requests == (1, 0)
