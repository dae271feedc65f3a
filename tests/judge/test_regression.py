from loadgate.judge.baseline import Baseline
from loadgate.judge.regression import apply, compare
from loadgate.judge.threshold import judge_one
from loadgate.model import Status
from tests.helpers import error_rate, latency, throughput

P95 = latency(95, 300, name="p95", max_regression=0.1)
RPS = throughput(1, name="rps", min_ratio=0.9)
ERRORS = error_rate(0.5, name="errors", max_regression=0.1)


def baseline(**values):
    return Baseline("base.json", tuple({"name": k, "sli": s, "measured": v, "unit": u}
                                       for k, (s, v, u) in values.items()), (), None)


def test_latency_regression_limit():
    assert compare(P95, 110, 100, "b").status is Status.PASS
    bad = compare(P95, 111, 100, "b")
    assert bad.status is Status.FAIL and round(bad.change, 3) == 0.11 and bad.limit == "+10%"
    assert "111 ms vs baseline 100 ms (+11.0%)" in bad.message


def test_throughput_ratio_and_zero_baseline():
    assert compare(RPS, 90, 100, "b").status is Status.PASS
    assert compare(RPS, 89, 100, "b").status is Status.FAIL
    assert compare(ERRORS, 0.0, 0.0, "b").status is Status.PASS
    assert compare(ERRORS, 0.001, 0.0, "b").status is Status.FAIL


def test_apply_fails_a_passing_result_on_regression_and_warns_on_missing_baseline():
    result = apply(judge_one(P95, 150), baseline(p95=("latency", 100, "ms")))
    assert result.status is Status.FAIL and result.comparison.baseline == 100
    missing = apply(judge_one(P95, 150), baseline(other=("latency", 100, "ms")))
    assert missing.status is Status.WARN and "no baseline value for p95 latency" in missing.message
    assert apply(judge_one(P95, 150), None).status is Status.PASS
    assert apply(judge_one(ERRORS, 0.02), baseline(errors=("error_rate", 1.0, "%"))).status is Status.FAIL
