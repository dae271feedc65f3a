from loadgate.judge.sliding import judge
from loadgate.judge.threshold import judge_one
from loadgate.model import Status
from tests.helpers import latency, throughput

P50 = latency(50, 150, name="p50", sustain=4)
RPS = throughput(10, name="rps", sustain=4)


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
