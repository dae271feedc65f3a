import json
from pathlib import Path

import xmlschema

from loadgate import report
from loadgate.config.plan import Plan
from loadgate.judge.baseline import Baseline
from loadgate.judge.verdict import judge
from loadgate.model import Abort, Measurements, RequestFigures, Window
from loadgate.report import console
from tests.helpers import JUNIT_XSD, latency, throughput

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
P95 = latency(95, 300, name="p95", max_regression=0.1)
RPS = throughput(1, name="rps", abort_on_fail=True)
BASE = Baseline("base.json", ({"name": "p95", "sli": "latency", "measured": 100.0},), (), None)
ABORT = Abort("rps", 1764000012.0, 7.0, "rps aborted the run 7.0 s after the start of the load")


def verdict(aborted=None):
    m = Measurements(Window(1764000005.0, 1764000012.0), RequestFigures(None, None, 10, 0, 1, 1, 1, 1, 1),
                     (), {"p95": 150.0, "rps": 0.5})
    return judge([P95, RPS], m, BASE, aborted)


def plan(tmp_path):
    return Plan(name="ext", slo_path=Path("slo.yaml"), locustfile=Path("x.py"), host="http://127.0.0.1",
                users=1, spawn_rate=1, duration=10, warmup=0, workers=1, objectives=(P95, RPS),
                report_dir=tmp_path)


def test_results_json_has_baseline_now_change_and_the_abort(tmp_path):
    doc = json.loads(report.json_report.render(plan(tmp_path), verdict(ABORT)))
    assert doc["slos"][0]["baseline"] == {"value": 100.0, "now": 150.0, "change_pct": 50.0, "limit": "+10%",
                                          "status": "fail", "message": doc["slos"][0]["baseline"]["message"]}
    assert doc["slos"][0]["request"] is None and doc["slos"][0]["percentile"] == 95
    assert doc["cut_short"] is True and doc["aborted"]["objective"] == "rps"
    assert "cut_short" not in json.loads(report.json_report.render(plan(tmp_path), verdict()))


def test_junit_markdown_and_console_show_baseline_and_cut_short(tmp_path):
    xml = report.junit.render(plan(tmp_path), verdict(ABORT))
    SCHEMA.validate(xml)
    assert '<property name="slo.1.baseline" value="100"' in xml and 'value="+50.0%"' in xml
    assert '<property name="cut_short" value="true"' in xml
    assert "baseline: baseline 100 ms, now 150 ms, change +50.0% (limit +10%)" in xml
    md = report.markdown.render(plan(tmp_path), verdict(ABORT))
    assert "**Run cut short**" in md and "| p95 | 100 ms | 150 ms | +50.0% | +10% | fail |" in md
    text = console.render(verdict(ABORT), colour=False)
    assert "run cut short after 7 s" in text and "p95: baseline 100 ms, now 150 ms" in text
