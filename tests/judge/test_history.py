"""Run history: each objective across the baseline runs and this run (judge/history.py), pure."""

from loadgate.judge.baseline import Baseline, Run
from loadgate.judge.history import MAX_OBJECTIVES, history
from loadgate.judge.threshold import judge_one
from tests.helpers import error_rate, latency

P95 = latency(95, 300, name="p95")
ERRORS = error_rate(0.01, name="errors")


def run(started: float | None, p95: float | None, path: str) -> Run:
    slos = ({"name": "p95", "sli": "latency", "measured": p95},) if p95 is not None else ()
    return Run(path, slos, (), {"requests": 100, "failures": 2}, started)


def test_values_oldest_to_newest_then_this_run_with_gaps_where_a_run_did_not_measure():
    base = Baseline((run(300.0, 120.0, "c.json"), run(100.0, 100.0, "a.json"), run(200.0, None, "b.json")),
                    "main/")
    got = history([judge_one(P95, 130.0), judge_one(ERRORS, 0.05)], base)
    assert got.runs == 4 and got.left_out == 0
    assert got.values["p95"] == (100.0, None, 120.0, 130.0)
    assert got.values["errors"] == (0.02, 0.02, 0.02, 0.05)  # from the totals: a fraction, as measured


def test_no_baseline_no_history_and_each_members_are_left_out():
    assert history([judge_one(P95, 130.0)], None) is None
    member = latency(95, 300, name="p95 of GET /a", request="GET /a", each=True, family="p95 each")
    many = [judge_one(latency(95, 300, name=f"p95 #{i}"), 1.0) for i in range(MAX_OBJECTIVES + 2)]
    got = history([judge_one(member, 1.0), *many], Baseline((run(1.0, 1.0, "a.json"),), "a.json"))
    assert len(got.values) == MAX_OBJECTIVES and got.left_out == 3 and "p95 of GET /a" not in got.values
