"""Percentiles of native histograms as Prometheus' JSON API returns them (against Prometheus
itself: tests/integration/test_histogram_quantile.py)."""

import pytest

from loadgate.measure.histograms import quantile, quantiles_ms


def histogram(*buckets, count=None):
    """JSON of a native histogram: (lower, upper, count) buckets, numbers as strings."""
    rows = [[0, repr(lo), repr(hi), repr(n)] for lo, hi, n in buckets]
    return {"count": repr(count if count is not None else sum(n for *_, n in buckets)), "sum": "1",
            "buckets": rows}


def test_the_rank_bucket_interpolated_linearly():
    h = histogram((0.1, 0.2, 10), (0.2, 0.4, 30))
    assert quantile(0.5, h) == pytest.approx(0.2 + 0.2 * (20 - 10) / 30)
    assert quantile(0.25, h) == pytest.approx(0.1 + 0.1 * 10 / 10)
    assert quantile(0.1, h) == pytest.approx(0.1 + 0.1 * 4 / 10)


def test_buckets_in_any_order_and_float_counts_of_an_increase():
    h = histogram((0.2, 0.4, 7.5), (0.1, 0.2, 2.5))
    assert quantile(0.2, h) == pytest.approx(0.1 + 0.1 * 2 / 2.5)


def test_the_zero_bucket_counts_from_zero():
    h = histogram((-1e-6, 1e-6, 4), (0.5, 1.0, 4))
    assert quantile(0.25, h) == pytest.approx(0.5e-6)


def test_empty_histograms_have_no_percentile():
    assert quantile(0.5, {"count": "0", "sum": "0"}) is None
    assert quantiles_ms(None, (("p50_ms", 0.5),)) == {"p50_ms": None}


def test_quantiles_in_milliseconds():
    h = histogram((0.1, 0.2, 10))
    assert quantiles_ms(h, (("p50_ms", 0.5), ("p90_ms", 0.9))) == pytest.approx({"p50_ms": 150.0, "p90_ms": 190.0})
