"""Percentiles of native histograms as Prometheus' JSON API returns them (against Prometheus
itself: tests/integration/test_histogram_quantile.py)."""

import pytest

from loadgate.measure import histograms
from loadgate.measure.histograms import quantile, quantiles_ms
from loadgate.stack.prometheus_versions import quantile_rule

V2_42, V2_53, V3_5 = quantile_rule((2, 42, 0)), quantile_rule((2, 53, 3)), quantile_rule((3, 5, 3))


def histogram(*buckets, count=None):
    """JSON of a native histogram: (lower, upper, count) buckets, numbers as strings."""
    rows = [[0, repr(lo), repr(hi), repr(n)] for lo, hi, n in buckets]
    return {"count": repr(count if count is not None else sum(n for *_, n in buckets)), "sum": "1",
            "buckets": rows}


@pytest.mark.parametrize("rule", [V2_42, V2_53])
def test_the_rank_bucket_interpolated_linearly_in_2x(rule):
    h = histogram((0.1, 0.2, 10), (0.2, 0.4, 30))
    assert quantile(0.5, h, rule) == pytest.approx(0.2 + 0.2 * (20 - 10) / 30)
    assert quantile(0.25, h, rule) == pytest.approx(0.1 + 0.1 * 10 / 10)
    assert quantile(0.1, h, rule) == pytest.approx(0.1 + 0.1 * 4 / 10)


def test_3x_interpolates_on_a_log_scale_inside_a_bucket():
    h = histogram((0.1, 0.4, 10))
    assert quantile(0.5, h, V3_5) == pytest.approx(0.2)  # half-way between log2(0.1) and log2(0.4)
    assert quantile(0.25, h, V3_5) == pytest.approx(0.1 * 2 ** 0.5)
    assert quantile(0.5, h, V2_53) == pytest.approx(0.25)
    assert quantile(0.5, h) == quantile(0.5, h, V3_5)  # an unknown server: the newest rule


def test_from_2_46_the_upper_half_counts_down_from_the_highest_bucket():
    # buckets holding fewer than count (as NaN observations leave them): the two directions part
    h = histogram((0.1, 0.2, 4), (0.2, 0.4, 4), count=10)
    assert quantile(0.5, h, V2_42) == pytest.approx(0.2 + 0.2 * 1 / 4)  # up: rank 5 in the 2nd
    assert quantile(0.5, h, V2_53) == pytest.approx(0.1 + 0.1 * 3 / 4)  # down: rank 5 in the 1st
    assert quantile(0.4, h, V2_53) == pytest.approx(0.1 + 0.1 * 4 / 4)  # q < 0.5: up


def test_3x_interpolates_linearly_in_the_zero_bucket():
    h = histogram((-1e-6, 1e-6, 4), (0.5, 1.0, 4))
    assert quantile(0.25, h, V3_5) == pytest.approx(0.5e-6)


def test_buckets_in_any_order_and_float_counts_of_an_increase():
    h = histogram((0.2, 0.4, 7.5), (0.1, 0.2, 2.5))
    assert quantile(0.2, h, V2_42) == pytest.approx(0.1 + 0.1 * 2 / 2.5)


def test_the_zero_bucket_counts_from_zero():
    h = histogram((-1e-6, 1e-6, 4), (0.5, 1.0, 4))
    assert quantile(0.25, h) == pytest.approx(0.5e-6)


def test_empty_histograms_have_no_percentile():
    assert quantile(0.5, {"count": "0", "sum": "0"}) is None
    assert quantiles_ms(None, (("p50_ms", 0.5),)) == {"p50_ms": None}


def test_quantiles_in_milliseconds():
    h = histogram((0.1, 0.2, 10))
    assert quantiles_ms(h, (("p50_ms", 0.5), ("p90_ms", 0.9)), V2_42) == pytest.approx(
        {"p50_ms": 150.0, "p90_ms": 190.0})
    assert quantiles_ms(h, (("p50_ms", 0.5),), V3_5)["p50_ms"] == pytest.approx(100 * 2 ** 0.5)


def test_histograms_of_one_schema_add_bucket_by_bucket_as_sum_does():
    one = {"count": "3", "sum": "0.6", "buckets": [[0, "0.1", "0.2", "2"], [0, "0.3", "0.4", "1"]]}
    two = {"count": "2", "sum": "0.5", "buckets": [[0, "0.3", "0.4", "1"], [0, "0.05", "0.1", "1"]]}
    both = histograms.added([one, two])
    assert float(both["count"]) == 5 and float(both["sum"]) == 1.1
    assert both["buckets"] == [[0, "0.05", "0.1", "1.0"], [0, "0.1", "0.2", "2.0"], [0, "0.3", "0.4", "2.0"]]
    assert histograms.added([one]) is one
    by_hand = {"count": "5", "sum": "1.1", "buckets": [[0, "0.05", "0.1", "1"], [0, "0.1", "0.2", "2"],
                                                      [0, "0.3", "0.4", "2"]]}
    assert [quantile(q, both) for q in (0.5, 0.9)] == [quantile(q, by_hand) for q in (0.5, 0.9)]
