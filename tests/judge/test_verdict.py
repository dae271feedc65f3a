import pytest

from loadgate.judge.threshold import judge_one
from loadgate.judge.verdict import judge, unknown
from loadgate.model import Measurements, RequestFigures, Status, Window
from tests.helpers import error_rate, latency, throughput

P95 = latency(95, 300, name="p95", warn=250, request="GET /items")
ERRORS = error_rate(0.01, name="errors")
RPS = throughput(50, name="rps")


@pytest.mark.parametrize("objective, value, status", [
    (P95, 100, Status.PASS), (P95, 250, Status.PASS), (P95, 260, Status.WARN), (P95, 300, Status.WARN),
    (P95, 300.1, Status.FAIL), (ERRORS, 0.01, Status.PASS), (ERRORS, 0.02, Status.FAIL),
    (RPS, 50, Status.PASS), (RPS, 49.9, Status.FAIL),
])
def test_statuses(objective, value, status):
    assert judge_one(objective, value).status is status


def test_breach_message_names_value_and_threshold():
    result = judge_one(P95, 412.3)
    assert result.message == "p95 latency of GET /items 412.3 ms > 300 ms"
    assert judge_one(ERRORS, 0.05).message == "error rate 5% > 1%"
    assert judge_one(RPS, 12.5).message == "throughput 12.5/s < 50/s"


def test_no_data_fails():
    result = judge_one(P95, None, "no data: no requests in the window")
    assert result.status is Status.FAIL and "no data" in result.message


def figures():
    totals = RequestFigures(None, None, 10, 0, 1.0, 1, 2, 3, 4)
    return totals


def test_verdict():
    m = Measurements(window=Window(0, 10), totals=figures(), requests=(),
                     sli_values={"p95": 260, "errors": 0.0, "rps": 60})
    verdict = judge([P95, ERRORS, RPS], m)
    assert verdict.status is Status.PASS and verdict.exit_code == 0
    m.sli_values["rps"] = 10
    verdict = judge([P95, ERRORS, RPS], m)
    assert verdict.status is Status.FAIL and verdict.exit_code == 1
    assert [r.status for r in verdict.results] == [Status.WARN, Status.PASS, Status.FAIL]


def test_unknown_verdict_is_an_infrastructure_error():
    verdict = unknown([P95, RPS], "Prometheus died")
    assert verdict.exit_code == 3 and all(r.status is Status.ERROR for r in verdict.results)


def test_a_stall_turns_a_pass_into_a_warning_on_request_objectives_and_is_a_note():
    import dataclasses

    from loadgate.model import Stall
    from tests.helpers import ERRORS, OBJECTIVES, measurements

    figures = dataclasses.replace(measurements(p95=100.0, errors=0.001),
                                  stalls=(Stall(1764000008.0, 1764000020.0, 11.5),))
    verdict = judge(OBJECTIVES, figures)
    assert verdict.status.value == "pass"  # a warning still passes
    errors = next(r for r in verdict.results if r.objective is ERRORS)
    assert errors.status.value == "warn"
    # the stall is told once, in the notes; each objective measured over it only points there
    assert errors.message == "error rate 0.1% <= 1% (warning: measured over a stall: see the run's notes)"
    assert all("11.5" not in r.message for r in verdict.results)
    blocked = Stall(1764000008.0, 1764000020.0, 12.0, blocked=True).describe(figures.window)
    assert blocked.startswith("a task blocked Locust's event loop for 12.0 s (from 3.0 s to 15.0 s")
    assert verdict.notes == [Stall(1764000008.0, 1764000020.0, 11.5).describe(figures.window)]
