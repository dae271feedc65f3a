"""loadgate compare's decisions on synthetic runs with known shifts (compare/changes.py), pure."""

import random

from loadgate.compare.changes import TOTALS, compare
from loadgate.judge.baseline import Run
from tests.helpers import results_document


def run(doc: dict, path: str = "r.json") -> Run:
    return Run(path, (), tuple(doc["requests"]), doc["totals"], doc["window"]["start"])


def runs(rng, count: int, **kw) -> list[Run]:
    return [run(results_document(rng, start=1.7e9 + 60 * i, **kw), f"b{i}.json") for i in range(count)]


def decisions(changes) -> dict:
    return {(row.scope, row.figure): row.outcome for row in changes.rows}


def test_a_30_percent_slowdown_of_one_request_is_worse_and_the_rest_is_not():
    rng = random.Random(1)
    now = run(results_document(rng, slower={"/checkout": 1.3}, start=1.8e9))
    changes = compare(runs(rng, 5), now)
    got = decisions(changes)
    for figure in ("p50_ms", "p90_ms", "p95_ms", "p99_ms"):
        assert got[("GET /checkout", figure)] == "worse"
        assert got[("GET /items", figure)] != "worse"
    assert changes.rows[0].scope == "GET /checkout" and changes.rows[0].outcome == "worse"
    assert 0.2 < changes.rows[0].decision.change < 0.4
    assert changes.rows[0].decision.low - 1 > 0.05  # the whole interval beyond the threshold


def test_a_30_percent_slowdown_is_caught_against_one_baseline_run():
    caught = 0
    for seed in range(20):
        rng = random.Random(seed)
        now = run(results_document(rng, slower={None: 1.3}, start=1.8e9, run_sd=0.0))
        caught += decisions(compare(runs(rng, 1, run_sd=0.0), now))[(TOTALS, "p95_ms")] == "worse"
    assert caught >= 19


def test_a_a_pairs_are_worse_no_more_often_than_the_false_alarm_rate():
    """200 A/A pairs, 5 baseline runs each, every figure of 3 scopes (18 comparisons, one Holm
    family per pair): at 95 % confidence at most 5 % of the pairs may hold any "worse"."""
    alarms, same = 0, 0
    quiet = {"sd": 0.04, "run_sd": 0.01, "intervals": 30}
    for seed in range(200):
        rng = random.Random(1000 + seed)
        got = decisions(compare(runs(rng, 5, **quiet), run(results_document(rng, start=1.8e9, **quiet))))
        alarms += "worse" in got.values()
        same += got[(TOTALS, "p50_ms")] == "same"
    assert alarms <= 10  # 5 % of 200; binomial noise would allow more, the method is conservative
    assert same >= 40  # and "same" is reachable: 59 of 200 here, the rest inconclusive


def test_faster_is_better_and_lower_throughput_is_worse():
    rng = random.Random(5)
    now = run(results_document(rng, slower={"/items": 0.6, "/checkout": 1.6}, start=1.8e9))
    got = decisions(compare(runs(rng, 5), now))
    assert got[("GET /items", "p95_ms")] == "better" and got[("GET /items", "rps")] == "better"
    assert got[("GET /checkout", "rps")] == "worse"  # 1/sqrt(1.6) of the throughput


def test_requests_on_one_side_are_listed_not_compared():
    rng = random.Random(7)
    base = runs(rng, 2, names=("/items", "/old"))
    now = run(results_document(rng, names=("/items", "/new"), start=1.8e9))
    changes = compare(base, now)
    assert changes.only_baseline == ("GET /old",) and changes.only_now == ("GET /new",)
    assert {row.scope for row in changes.rows} == {TOTALS, "GET /items"}
    assert changes.baseline == ("b0.json", "b1.json")


def test_no_failures_on_either_side_is_the_same_error_rate():
    rng = random.Random(9)
    now = run(results_document(rng, start=1.8e9, error_rate=0.0))
    assert decisions(compare(runs(rng, 3, error_rate=0.0), now))[(TOTALS, "error_rate")] == "same"


def test_runs_without_interval_figures_are_inconclusive_and_say_why():
    rng = random.Random(11)
    old = results_document(rng)
    for row in [old["totals"], *old["requests"]]:
        row.pop("intervals")
    changes = compare([run(old)], run(results_document(rng, start=1.8e9)))
    assert {row.outcome for row in changes.rows} == {"inconclusive"}
    assert "intervals with data in the baseline" in changes.rows[0].decision.basis
