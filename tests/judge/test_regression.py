"""max_regression / min_ratio against baseline runs (judge/regression.py), pure."""

import math
import random

from loadgate.judge.baseline import Baseline, Run
from loadgate.judge.regression import apply_all
from loadgate.judge.threshold import judge_one
from loadgate.model import Intervals, Status
from tests.helpers import error_rate, latency, throughput

P95 = latency(95, 300, name="p95", max_regression=0.1)
RPS = throughput(1, name="rps", min_ratio=0.9)
ERRORS = error_rate(0.5, name="errors", max_regression=0.1)


def single(**values) -> Baseline:
    """A baseline written before interval figures existed: one number per SLO."""
    slos = tuple({"name": k, "sli": s, "measured": v, "unit": u} for k, (s, v, u) in values.items())
    return Baseline((Run("base.json", slos, (), {}),), "base.json")


def columns(median: float, seed: int, n: int = 20, sd: float = 0.05) -> dict:
    rng = random.Random(seed)
    values = [median * math.exp(rng.gauss(0, sd)) for _ in range(n)]
    return {"seconds": 1.0, "start": list(range(n)), "requests": [100] * n, "failures": [1] * n,
            "rps": values, "p95_ms": values}


def runs(*medians: float) -> Baseline:
    entry = {"name": "p95", "sli": "latency", "measured": medians[0], "unit": "ms"}
    return Baseline(tuple(Run(f"b{i}.json", ({**entry, "intervals": columns(m, seed=i)},), (), {})
                          for i, m in enumerate(medians)), "main-runs/")


def now(median: float, seed: int = 99, failures: int = 1) -> Intervals:
    c = columns(median, seed)
    return Intervals(1.0, tuple(c["start"]), tuple(c["requests"]), (failures,) * 20,
                     tuple(c["rps"]), {"p95_ms": tuple(c["p95_ms"])})


def one(result, baseline, intervals=None):
    return apply_all([result], baseline, intervals or {})[0]


def test_single_numbers_from_an_old_baseline_decide_without_confidence_and_say_so():
    fails = one(judge_one(P95, 150), single(p95=("latency", 100, "ms")))
    assert fails.status is Status.FAIL and fails.comparison.decision == "fail"
    assert "single numbers" in fails.message and fails.comparison.confidence is None
    assert one(judge_one(P95, 109), single(p95=("latency", 100, "ms"))).status is Status.PASS
    assert one(judge_one(RPS, 89), single(rps=("throughput", 100, "/s"))).status is Status.FAIL
    assert one(judge_one(ERRORS, 0.02), single(errors=("error_rate", 1.0, "%"))).status is Status.FAIL


def test_missing_baseline_value_warns_and_no_baseline_is_said():
    missing = one(judge_one(P95, 150), single(other=("latency", 100, "ms")))
    assert missing.status is Status.WARN and "no baseline value for p95 latency" in missing.message
    unchecked = one(judge_one(P95, 150), None)
    assert unchecked.status is Status.PASS and "regression not checked" in unchecked.message


def test_a_clear_slowdown_against_interval_figures_fails_with_its_interval():
    result = one(judge_one(P95, 130), runs(100), {"p95": now(130)})
    c = result.comparison
    assert result.status is Status.FAIL and c.decision == "fail"
    assert 0.1 < c.low < c.change < c.high and c.confidence == 0.9
    assert "beyond the limit +10% with 95 % confidence" in result.message
    assert "90 % interval +" in result.message


def test_the_same_figures_pass_and_a_borderline_change_is_inconclusive_with_a_warning():
    same = one(judge_one(P95, 100), runs(100), {"p95": now(100)})
    assert same.status is Status.PASS and same.comparison.decision == "pass"
    border = one(judge_one(P95, 110), runs(100), {"p95": now(110)})
    assert border.status is Status.WARN and border.comparison.decision == "inconclusive"
    assert "would settle it" in border.message or "the limit, not the data" in border.message


def test_several_baseline_runs_are_pooled_and_named():
    result = one(judge_one(P95, 100), runs(98, 100, 102), {"p95": now(100)})
    assert result.comparison.runs == 3 and "median of 3 runs" in result.comparison.message
    assert "vs 3 baseline runs" in result.comparison.basis


def test_each_family_is_holm_corrected_together():
    members = [judge_one(latency(95, 300, name=f"p95 {i}", max_regression=0.1, family="p95 each"),
                         100) for i in range(3)]
    entries = tuple({"name": f"p95 {i}", "sli": "latency", "measured": 100, "unit": "ms",
                     "intervals": columns(100, seed=i)} for i in range(3))
    baseline = Baseline((Run("b.json", entries, (), {}),), "b.json")
    results = apply_all(members, baseline, {f"p95 {i}": now(100, seed=10 + i) for i in range(3)})
    assert all("Holm-corrected across 3 objectives" in r.comparison.basis for r in results)
    alone = apply_all(members[:1], baseline, {"p95 0": now(100, seed=10)})[0]
    assert "Holm" not in alone.comparison.basis
