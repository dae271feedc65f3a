"""The timeline's step choice and alignment (range queries themselves: tests/integration)."""

import math

from loadgate.measure import timeline
from tests.helpers import Target, always, measurements


def test_step_keeps_at_most_about_300_points():
    assert timeline.choose_step(30) == 1 and timeline.choose_step(300) == 1
    assert timeline.choose_step(301) == 2 and timeline.choose_step(3600) == 12
    for seconds in (5, 299, 1000, 7200):
        assert len(timeline.steps(0, seconds, timeline.choose_step(seconds))) <= timeline.MAX_POINTS + 2


def test_rate_window_covers_several_scrapes():
    assert timeline.rate_window(1) == "2s" and timeline.rate_window(12) == "24s"


def test_steps_cover_the_load_on_whole_seconds():
    times = timeline.steps(100.4, 110.2, 1.0)
    assert times[0] == 100 and times[-1] == 111 and len(times) == 12


def test_aligned_fills_gaps_and_drops_nan():
    result = [{"metric": {}, "values": [[101, "1.5"], [103, "NaN"], [104, "+Inf"], [105, "2"]]}]
    assert timeline.aligned(result, (100.0, 101.0, 102.0, 103.0, 104.0, 105.0)) == (
        None, 1.5, None, None, None, 2.0)
    assert timeline.aligned([], (1.0, 2.0)) == (None, None)


def test_failing_prometheus_leaves_measurements_without_timeline(caplog):
    plain = measurements(with_timeline=False)
    with Target(always(400)) as refuses:  # as Prometheus answers a query it cannot run
        assert timeline.chart(refuses.url, plain.window) is None
    assert "no charts in report.html" in caplog.text
    assert not math.isnan(plain.window.seconds)


def test_the_leading_gap_is_filled_with_the_average_and_nothing_else():
    from loadgate.measure.timeline import fill_leading

    assert fill_leading((None, None, 3.0, None, 5.0), 2.04449) == (2.044, 2.044, 3.0, None, 5.0)
    assert fill_leading((1.0, None), 9.0) == (1.0, None)
    assert fill_leading((None, None), None) == (None, None)
    assert fill_leading((None, 1.0), float("nan")) == (None, 1.0)
