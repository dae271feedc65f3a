"""junit.xml, results.json, summary.md and the console table, from plain data."""

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from loadgate import report
from loadgate.config.plan import Plan
from loadgate.judge.verdict import judge, unknown
from loadgate.model import Measurements, RequestFigures, Window
from loadgate.report import console, markdown
from tests.helpers import JUNIT_XSD, error_rate, latency, throughput

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
P95 = latency(95, 300, name="p95 latency of GET /items <= 300 ms", request="GET /items")
ERRORS = error_rate(0.01, name="error rate <= 1%", warn=0.005)
RPS = throughput(50, name="throughput >= 50/s")


def plan(tmp_path) -> Plan:
    return Plan(name="checkout <service>", slo_path=Path("slo.yaml"), locustfile=Path("x.py"),
                host="http://127.0.0.1", users=5, spawn_rate=1, duration=30, warmup=5, workers=1,
                objectives=(P95, ERRORS, RPS), report_dir=tmp_path / "reports")


def measurements(p95=412.3, errors=0.007, rps=60.0) -> Measurements:
    items = RequestFigures("GET", "/items", 1000, 7, 40.0, 11.0, 28.0, p95, 480.2)
    totals = RequestFigures(None, None, 1234, 7, rps, 12.1, 30.2, 41.0, 88.3)
    return Measurements(window=Window(1764000005.0, 1764000030.0), totals=totals, requests=(items,),
                        sli_values={P95.name: p95, ERRORS.name: errors, RPS.name: rps})


def test_junit_breach_is_one_failed_testcase_and_valid(tmp_path):
    xml = report.junit.render(plan(tmp_path), judge(plan(tmp_path).objectives, measurements()))
    SCHEMA.validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    assert suite.get("name") == "checkout <service>"
    # the error rate's warning level (0.5 %) is a testcase of its own, skipped when passed
    counts = (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped"))
    assert counts == ("4", "1", "0", "1")
    cases = suite.findall("testcase")
    assert {c.get("classname") for c in cases} == {"checkout <service>"}  # one group per service
    assert [c.get("time") for c in cases] == ["6.250"] * 4  # reporters add them: <= the 25 s window
    assert suite.get("time") == "25.000" and suite.get("file") == "slo.yaml"
    failure = cases[0].find("failure")
    assert failure.get("type") == "SLOBreach"
    assert failure.get("message") == "p95 latency of GET /items 412.3 ms > 300 ms"
    assert "warning" in cases[1].find("system-out").text and cases[1].find("failure") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["slo.1.measured"] == "412.3" and props["slo.1.threshold"] == "<= 300 ms"
    assert props["slo.2.measured"] == "0.7" and props["slo.2.unit"] == "%"


def test_junit_infrastructure_error_is_valid(tmp_path):
    xml = report.junit.render(plan(tmp_path), unknown(plan(tmp_path).objectives, "Prometheus died"))
    SCHEMA.validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    # one error on the run's own testcase, each objective not judged (tests/report/test_junit_ci.py)
    assert (suite.get("errors"), suite.get("skipped"), suite.get("failures")) == ("1", "4", "0")
    assert {case.get("time") for case in suite.iter("testcase")} == {"0.000"}
    assert [e.get("message") for e in suite.iter("error")] == ["Prometheus died"]
    assert {s.get("message") for s in suite.iter("skipped")} == {
        "not judged: the load test run failed: Prometheus died"}


def test_results_json_shape(tmp_path):
    doc = json.loads(report.json_report.render(plan(tmp_path), judge(plan(tmp_path).objectives, measurements())))
    assert set(doc) == {"schema_version", "run_id", "verdict", "exit_code", "window", "totals", "requests", "slos",
                        "failure_reasons", "user_errors", "notes"}
    assert (doc["verdict"], doc["exit_code"]) == ("fail", 1)
    assert doc["window"] == {"start": 1764000005.0, "end": 1764000030.0}
    assert set(doc["totals"]) == {"requests", "failures", "rps", "p50_ms", "p90_ms", "p95_ms", "p99_ms",
                                  "intervals"}
    assert doc["requests"][0]["method"] == "GET" and doc["requests"][0]["p95_ms"] == 412.3
    assert doc["slos"][0] == {"name": P95.name, "sli": "latency", "status": "fail", "measured": 412.3,
                              "unit": "ms", "threshold": "<= 300 ms"}
    assert doc["slos"][1]["status"] == "warn" and doc["slos"][1]["measured"] == pytest.approx(0.7)


def test_write_all_appends_step_summary_only_when_set(tmp_path, monkeypatch):
    verdict = judge(plan(tmp_path).objectives, measurements(p95=100))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    paths = report.write_all(plan(tmp_path), verdict)
    assert {p.name for p in paths} >= {"junit.xml", "results.json", "summary.md", "report.html"}
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report.write_all(plan(tmp_path), verdict)
    assert "every SLO met" in summary.read_text()


def test_markdown_tables(tmp_path):
    text = markdown.render(plan(tmp_path), judge(plan(tmp_path).objectives, measurements()))
    assert "❌ SLO breached" in text
    assert "| p95 latency of GET /items <= 300 ms | 412.3 ms | <= 300 ms | ❌ fail |" in text
    assert "| GET /items | 1000 | 7 | 40.0 | 11.0 | 28.0 | 412.3 | 480.2 |" in text


def test_console_plain_and_coloured(tmp_path):
    verdict = judge(plan(tmp_path).objectives, measurements())
    plain = console.render(verdict, colour=False)
    assert "\033" not in plain and "FAILED: SLO breached" in plain
    assert "fail: p95 latency of GET /items 412.3 ms > 300 ms" in plain
    assert "\033[31m" in console.render(verdict, colour=True)


def test_text_that_is_not_valid_unicode_is_written_as_visible_escapes(tmp_path):
    """A lone surrogate in an SLO name, a request name and an error: every report is valid UTF-8
    and shows it as ``\\udcff`` (it broke junit.xml with a traceback after the load)."""
    odd = error_rate(0.01, name="errors of caf\udce9")
    figures = measurements()
    figures = dataclasses.replace(figures, sli_values={odd.name: 0.0}, requests=(
        dataclasses.replace(figures.requests[0], name="/bad\udcff"),))
    verdict = judge([odd], figures)
    verdict.notes.append("note \ud800")
    report.write_all(dataclasses.replace(plan(tmp_path), objectives=(odd,), report_dir=tmp_path), verdict)
    for name in ("junit.xml", "summary.md", "report.html"):
        text = (tmp_path / name).read_bytes().decode("utf-8")  # strict: valid UTF-8
        assert "caf\\udce9" in text and ("/bad\\udcff" in text or name == "junit.xml"), name
    document = json.loads((tmp_path / "results.json").read_text())
    assert (document["slos"][0]["name"], document["requests"][0]["name"]) == (
        "errors of caf\\udce9", "/bad\\udcff")
    SCHEMA.validate((tmp_path / "junit.xml").read_text())


def test_summary_quotes_the_error_headline_and_fences_what_explains_it(tmp_path):
    error = "Locust exited (code 1) early.\nLocust printed:\nTraceback (most recent call last):\nValueError: ```x```"
    md = report.markdown.render(plan(tmp_path), unknown(plan(tmp_path).objectives, error))
    assert "> Locust exited (code 1) early.\n\n````text\nLocust printed:\nTraceback (most recent call last):\n" \
           "ValueError: ```x```\n````\n" in md
    one_line = report.markdown.render(plan(tmp_path), unknown(plan(tmp_path).objectives, "Prometheus died."))
    assert "> Prometheus died.\n\n| SLO |" in one_line and "```" not in one_line
