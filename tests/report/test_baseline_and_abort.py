import json
from pathlib import Path

import xmlschema

from loadgate import report
from loadgate.config.plan import Plan
from loadgate.judge.baseline import Baseline, Run
from loadgate.judge.verdict import judge
from loadgate.model import Abort, Intervals, Measurements, RequestFigures, Window
from loadgate.report import console
from tests.helpers import JUNIT_XSD, latency, throughput

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
P95 = latency(95, 300, name="p95", max_regression=0.1)
RPS = throughput(1, name="rps", abort_on_fail=True)
BASE = Baseline((Run("base.json", ({"name": "p95", "sli": "latency", "measured": 100.0},), (), {}),),
                "base.json")
SPREAD = (0.97, 1.02, 0.99, 1.01, 1.0, 0.98, 1.03, 1.0, 0.99, 1.01)
COLUMNS = {"seconds": 1.0, "start": list(range(10)), "requests": [10] * 10, "failures": [0] * 10,
           "rps": [1.0] * 10, "p95_ms": [100.0 * x for x in SPREAD]}
RUNS = Baseline(tuple(Run(f"main/{i}.json", ({"name": "p95", "sli": "latency", "measured": 100.0,
                                              "intervals": COLUMNS},), (), {}) for i in range(2)), "main")
NOW = Intervals(1.0, tuple(range(10)), (10,) * 10, (0,) * 10, (1.0,) * 10,
                {"p95_ms": tuple(150.0 * x for x in reversed(SPREAD))})
ABORT = Abort("rps", 1764000012.0, 7.0, "rps aborted the run 7.0 s after the start of the load")


def verdict(aborted=None, baseline=BASE, intervals=None):
    m = Measurements(Window(1764000005.0, 1764000012.0), RequestFigures(None, None, 10, 0, 1, 1, 1, 1, 1),
                     (), {"p95": 150.0, "rps": 0.5}, intervals=intervals or {})
    return judge([P95, RPS], m, baseline, aborted)


def plan(tmp_path):
    return Plan(name="ext", slo_path=Path("slo.yaml"), locustfile=Path("x.py"), host="http://127.0.0.1",
                users=1, spawn_rate=1, duration=10, warmup=0, workers=1, objectives=(P95, RPS),
                report_dir=tmp_path)


def test_results_json_has_baseline_now_change_and_the_abort(tmp_path):
    doc = json.loads(report.json_report.render(plan(tmp_path), verdict(ABORT)))
    entry = doc["slos"][0]["baseline"]
    assert {k: entry[k] for k in ("value", "now", "change_pct", "limit", "status", "decision",
                                  "interval_pct", "runs")} == {
        "value": 100.0, "now": 150.0, "change_pct": 50.0, "limit": "+10%", "status": "fail",
        "decision": "fail", "interval_pct": None, "runs": 1}
    assert "single numbers" in entry["basis"] and "single numbers" in entry["message"]
    assert doc["slos"][0]["request"] is None and doc["slos"][0]["percentile"] == 95
    assert doc["cut_short"] is True and doc["aborted"]["objective"] == "rps"
    assert "cut_short" not in json.loads(report.json_report.render(plan(tmp_path), verdict()))


def test_junit_markdown_and_console_show_baseline_and_cut_short(tmp_path):
    xml = report.junit.render(plan(tmp_path), verdict(ABORT))
    SCHEMA.validate(xml)
    assert '<property name="slo.1.baseline" value="100"' in xml and 'value="+50.0%"' in xml
    assert '<property name="cut_short" value="true"' in xml
    # the regression is its own testcase: the objective's own threshold (<= 300 ms) passes
    assert ('<testcase name="p95 latency vs baseline: at most +10%" classname="ext" time="2.333">\n'
            '      <failure type="Regression" message="p95 latency 150 ms vs baseline 100 ms: +50.0%, '
            'regression beyond the limit +10% (single numbers') in xml
    assert "<system-out>p95 latency 150 ms &lt;= 300 ms</system-out>" in xml
    md = report.markdown.render(plan(tmp_path), verdict(ABORT))
    assert "**Run cut short**" in md
    assert "| p95 | 100 ms | 150 ms | +50.0% | – | +10% | fail (single numbers) |" in md
    text = console.render(verdict(ABORT), colour=False)
    assert "run cut short after 7 s" in text and "p95: baseline 100 ms, now 150 ms" in text


def test_every_report_shows_the_interval_and_decision_against_several_runs(tmp_path):
    v = verdict(baseline=RUNS, intervals={"p95": NOW})
    c = v.results[0].comparison
    assert c.decision == "fail" and c.runs == 2 and 0.4 < c.low < c.change < c.high < 0.6
    doc = json.loads(report.json_report.render(plan(tmp_path), v))
    entry = doc["slos"][0]
    assert entry["baseline"]["decision"] == "fail" and entry["baseline"]["interval_level"] == 0.9
    low, high = entry["baseline"]["interval_pct"]
    assert 40 < low < 50 < high < 60 and entry["confidence"] == 0.95
    assert entry["intervals"]["p95_ms"] == list(NOW.latency["p95_ms"])  # a later run's baseline
    xml = report.junit.render(plan(tmp_path), v)
    SCHEMA.validate(xml)
    assert '<property name="slo.1.baseline_decision" value="fail"' in xml
    assert '<property name="slo.1.interval_level" value="0.9"' in xml
    assert "beyond the limit +10% with 95 % confidence" in xml  # the failure message
    md = report.markdown.render(plan(tmp_path), v)
    assert f"| {c.limit} | fail |" in md and "% .. +" in md and "(90 %)" in md
    html = report.html.render(plan(tmp_path), v)
    assert "Against the baseline" in html and "(90 %)" in html
    text = console.render(v, colour=False)
    assert "p95: baseline (2 runs) 100 ms, now 150 ms" in text and ": fail" in text


def test_an_inconclusive_comparison_says_what_would_settle_it(tmp_path):
    near = Intervals(1.0, tuple(range(10)), (10,) * 10, (0,) * 10, (1.0,) * 10,
                     {"p95_ms": tuple(109.0 * x for x in reversed(SPREAD))})
    v = verdict(baseline=RUNS, intervals={"p95": near})
    c = v.results[0].comparison
    assert c.decision == "inconclusive" and c.low < 0.1 < c.high and "would settle it" in c.settle
    assert v.results[0].status.value == "warn"  # passes, with the warning
    md = report.markdown.render(plan(tmp_path), v)
    assert "| inconclusive |" in md and "- p95 is inconclusive: more data would settle it" in md
