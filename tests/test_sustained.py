from loadgate.evaluate import judge_one
from loadgate.prometheus_config import SCRAPE_INTERVAL_S
from loadgate.model import Objective, Status, Window
from loadgate.sustained import judge
from loadgate.sustained_query import steps, window_query

P50 = Objective(name="p50", sli="latency", unit="ms", max=150, percentile=50, sustain=4)
RPS = Objective(name="rps", sli="throughput", unit="/s", min=10, sustain=4)


def test_fails_only_when_a_window_breaches_and_reports_the_worst():
    calm = ((104.0, 20.0), (104.5, 120.0), (105.0, 30.0))
    assert judge(P50, calm, 25.0, None, 100.0).status is Status.PASS
    spike = calm + ((105.5, 310.0),)
    result = judge(P50, spike, 25.0, None, 100.0)
    assert result.status is Status.FAIL and result.measured == 310.0
    assert "ending 5.5 s into the evaluation window; 1 of 4 window positions breached" in result.message
    assert judge(RPS, ((104.0, 12.0), (105.0, 9.0)), 11.0, None, 100.0).measured == 9.0


def test_short_window_falls_back_to_the_whole_window_and_no_points_is_no_data():
    assert judge(P50, None, 200.0, None, 0).status is Status.FAIL
    assert "shorter than for: 4s" in judge(P50, None, 20.0, None, 0).message
    assert judge(P50, (), None, None, 0).status is judge_one(P50, None).status


def test_queries_and_steps():
    assert steps(Window(100, 103), 4) is None
    assert steps(Window(100, 110), 4) == (104, 110, SCRAPE_INTERVAL_S)
    assert steps(Window(0, 4004), 4)[2] == 2.0  # at most MAX_POINTS positions
    query = window_query(P50, Window(100, 110))
    assert query.startswith("histogram_quantile(0.5, (sum by (le) (") and "offset 4000ms" in query
    assert window_query(RPS, Window(100, 110)).endswith("/ 4")
