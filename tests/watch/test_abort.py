"""The pure side of abort_on_fail: how an abort shapes the verdict (the live check runs in
tests/integration/test_extensions.py against real Prometheus and Locust)."""

from loadgate.judge.threshold import judge_one
from loadgate.judge.verdict import judge, mark
from loadgate.model import Abort, Measurements, RequestFigures, Status, Window
from loadgate.watch.abort import Guard, StopLoad
from tests.helpers import error_rate, latency

GUARD = latency(95, 100, name="guard", abort_on_fail=True)
OTHER = error_rate(0.5, name="other")
ABORT = Abort("guard", 1764000012.0, 7.1, "guard aborted the run 7.1 s after the start of the load")


def measurements(p95):
    return Measurements(Window(1764000005.0, 1764000012.0), RequestFigures(None, None, 10, 0, 1, 1, 1, 1, 1),
                        (), {"guard": p95, "other": 0.0})


def test_the_aborting_objective_fails_even_if_the_short_window_passes():
    result = mark(judge_one(GUARD, 50), ABORT)
    assert result.status is Status.FAIL and "run cut short" in result.message
    assert mark(judge_one(OTHER, 0.0), ABORT).status is Status.PASS


def test_verdict_of_an_aborted_run_fails_and_carries_the_abort():
    verdict = judge([GUARD, OTHER], measurements(50), aborted=ABORT)
    assert verdict.status is Status.FAIL and verdict.exit_code == 1 and verdict.aborted is ABORT
    assert judge([GUARD, OTHER], measurements(50)).status is Status.PASS


def test_a_guard_without_abort_objectives_never_queries_or_stops():
    guard = Guard([OTHER], "http://127.0.0.1:1")
    guard(100.0)  # would fail to connect if it queried
    assert guard.aborted is None and guard.until is None
    assert str(StopLoad(ABORT)) == ABORT.message
