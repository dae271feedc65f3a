"""slo.yaml extensions end to end: real Locust and Prometheus against a service the test controls.

Each run's load is short (6-16 s); the service's latency and failures follow a schedule in
seconds since its first request (tests/helpers.py: Target).
"""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from loadgate.cli import main
from tests.helpers import JUNIT_XSD, Target, locustfile

pytestmark = pytest.mark.integration
SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))


class Run:
    def __init__(self, tmp_path: Path, name: str, service: Target, requests: tuple[str, ...]) -> None:
        self.dir = tmp_path / name
        self.dir.mkdir()
        self.service, self.reports = service, self.dir / "reports"
        (self.dir / "locustfile.py").write_text(locustfile(*requests))

    def __call__(self, slos: str, *args: str, duration: str = "6s", scrape: bool = False) -> int:
        extra = (f"scrape:\n  - job: controlled\n    targets: [\"{self.service.target}\"]\n"
                 if scrape else "")
        (self.dir / "slo.yaml").write_text(
            f"version: 1\nname: extensions\ntarget:\n  host: {self.service.url}\n"
            f"load:\n  users: 5\n  spawn_rate: 5\n  duration: {duration}\n{extra}slos:\n{slos}")
        started = time.monotonic()
        code = main(["run", "-q", "-f", str(self.dir / "locustfile.py"), "--slo",
                     str(self.dir / "slo.yaml"), "--report-dir", str(self.reports), *args])
        self.seconds = time.monotonic() - started
        return code

    def results(self) -> dict:
        return json.loads((self.reports / "results.json").read_text())

    def junit(self) -> ET.Element:
        xml = (self.reports / "junit.xml").read_text()
        SCHEMA.validate(xml)
        return ET.fromstring(xml).find("testsuite")

    def statuses(self) -> dict[str, str]:
        return {s["name"]: s["status"] for s in self.results()["slos"]}


def steady(delay: float):
    return lambda method, path, t: (delay, 200)


BASELINE_SLOS = """\
  - sli: latency
    percentile: 90
    max: 2s
    max_regression: 20%
    request: GET /api/users
  - sli: throughput
    min: 1/s
    min_ratio: 0.3
  - sli: error_rate
    max: 50%
    max_regression: 10%
"""


def test_baseline_regression_fails_and_improvement_passes(tmp_path):
    schedule = {"delay": 0.05}
    with Target(lambda m, p, t: (schedule["delay"], 200)) as service:
        # 10 s windows after Prometheus' first scrape: ten 1 s intervals to compare (a 6 s run
        # without warm-up has too few, and its regression checks are rightly inconclusive)
        long = ("--duration", "14s", "--warmup", "4s")
        run = Run(tmp_path, "base", service, ("GET /api/users",))
        assert run(BASELINE_SLOS, *long) == 0
        baseline = str(run.reports / "results.json")
        base_p90 = run.results()["slos"][0]["measured"]

        schedule["delay"] = 0.15
        slower = Run(tmp_path, "slower", service, ("GET /api/users",))
        assert slower(BASELINE_SLOS, "--baseline", baseline, *long) == 1
        latency = slower.results()["slos"][0]
        assert latency["status"] == "fail" and latency["baseline"]["value"] == base_p90
        assert latency["baseline"]["change_pct"] > 20 and latency["baseline"]["limit"] == "+20%"
        objective, regression = slower.junit().findall("testcase")[:2]  # its own testcase
        assert objective.find("failure") is None and " vs baseline: at most +20%" in regression.get("name")
        failure = regression.find("failure")
        assert "vs baseline" in failure.get("message") and "regression" in failure.get("message")
        props = {p.get("name"): p.get("value") for p in slower.junit().iter("property")}
        assert props["slo.1.baseline"] == f"{base_p90:g}" and props["slo.1.change"].startswith("+")
        assert slower.statuses()["error rate <= 50%"] == "pass"  # 0 % then, 0 % now

        schedule["delay"] = 0.005
        faster = Run(tmp_path, "faster", service, ("GET /api/users",))
        missing = "  - sli: latency\n    percentile: 75\n    max: 2s\n    max_regression: 10%\n"
        assert faster(BASELINE_SLOS + missing, "--baseline", baseline, *long) == 0
        slos = faster.results()["slos"]
        assert slos[0]["status"] == "pass" and slos[0]["baseline"]["change_pct"] < 0
        assert slos[1]["baseline"]["change_pct"] > 0  # more throughput than the baseline
        assert slos[3]["status"] == "warn" and slos[3]["baseline"]["value"] is None
        assert "no baseline value for p75 latency" in slos[3]["baseline"]["message"]


def test_abort_stops_within_seconds_of_the_grace_period(tmp_path):
    slow_after_2s = lambda m, p, t: (0.3 if t >= 2 else 0.005, 200)  # noqa: E731
    slos = ("  - sli: latency\n    name: p95 guard\n    percentile: 95\n    max: 100ms\n"
            "    abort_on_fail: true\n    after: 6s\n"
            "  - sli: error_rate\n    max: 50%\n")
    with Target(slow_after_2s) as service:
        run = Run(tmp_path, "abort", service, ("GET /api/users",))
        assert run(slos, duration="25s") == 1
    results = run.results()
    assert results["cut_short"] is True and results["aborted"]["objective"] == "p95 guard"
    assert 6 <= results["aborted"]["elapsed_s"] <= 6 + 4
    assert results["window"]["end"] - results["window"]["start"] <= 11
    assert run.seconds < 25  # the full load alone would have taken 25 s
    suite = run.junit()
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["cut_short"] == "true" and props["aborted.objective"] == "p95 guard"
    guard, errors = suite.findall("testcase")
    assert "run cut short" in guard.find("failure").get("message")
    assert errors.find("failure") is None and "run cut short" not in errors.find("system-out").text
    assert "warning: run cut short: p95 guard" in suite.find("system-err").text  # once, for the run


PATTERN_REQUESTS = ("GET /api/users", "GET /api/orders", "POST /orders/17", "POST /orders/abc",
                    "GET /other")


def pattern_plan(method, path, t):
    if path == "/api/orders":
        return 0.15, 200
    return 0.002, 500 if path == "/orders/abc" else 200


def test_patterns_expand_to_one_testcase_per_matching_request(tmp_path, prometheus_bin):
    slos = ("  - sli: latency\n    percentile: 90\n    max: 100ms\n    request: GET /api/*\n"
            "    each: true\n"
            "  - sli: error_rate\n    max: 0%\n    request: 're:^POST /orders/\\d+$'\n"
            "  - sli: throughput\n    min: 1/s\n    request: GET /nothing/*\n"
            "  - sli: promql\n    name: service requests in the window\n"
            "    query: max(max_over_time(controlled_requests_total[$window]))\n    min: 1\n"
            "  - sli: promql\n    name: window length\n    query: $end - $start\n    min: 1\n")
    with Target(pattern_plan) as service:
        run = Run(tmp_path, "patterns", service, PATTERN_REQUESTS)
        # the service's /metrics has no Content-Type: 3.x scrapes it only with a fallback protocol
        assert run(slos, "--prometheus-bin", prometheus_bin, scrape=True) == 1
    assert run.statuses() == {
        "p90 latency of GET /api/orders <= 100 ms": "fail",
        "p90 latency of GET /api/users <= 100 ms": "pass",
        "error rate of re:^POST /orders/\\d+$ <= 0%": "pass",  # /orders/abc always fails
        "throughput of GET /nothing/* >= 1/s": "fail",
        "service requests in the window": "pass",
        "window length": "pass",
    }
    results = run.results()
    assert "no request matching GET /nothing/*" in run.junit().findall("testcase")[3].find(
        "failure").get("message")
    served = results["slos"][4]["measured"]  # the service's own counter, scraped over $window
    # the service is scraped every 1 s, so its last sample may miss up to ~1 s of a short load
    assert served == pytest.approx(results["totals"]["requests"], rel=0.25)
    window = results["window"]
    assert results["slos"][5]["measured"] == pytest.approx(window["end"] - window["start"], abs=0.01)


def spikes(method, path, t):
    if path == "/short" and 2 <= t < 4:
        return 0.3, 200
    if path == "/long" and 7 <= t < 13:
        return 0.3, 200
    return 0.002, 200


def test_for_fails_only_when_the_spike_lasts_long_enough(tmp_path):
    slos = ("  - sli: latency\n    percentile: 50\n    max: 150ms\n    request: GET /short\n"
            "    for: 4s\n"
            "  - sli: latency\n    percentile: 50\n    max: 150ms\n    request: GET /long\n"
            "    for: 4s\n"
            "  - sli: latency\n    percentile: 99\n    max: 150ms\n    request: GET /short\n")
    with Target(spikes) as service:
        run = Run(tmp_path, "sustained", service, ("GET /short", "GET /long"))
        assert run(slos, duration="16s") == 1
    assert run.statuses() == {
        "p50 latency of GET /short <= 150 ms for 4s": "pass",  # a 2 s spike
        "p50 latency of GET /long <= 150 ms for 4s": "fail",  # a 6 s spike
        "p99 latency of GET /short <= 150 ms": "fail",  # the short spike is there
    }
    slos = run.results()["slos"]
    assert slos[1]["for_s"] == 4 and slos[1]["measured"] == pytest.approx(300, rel=0.1)
    assert "window positions breached" in run.junit().findall("testcase")[1].find(
        "failure").get("message")


@pytest.fixture(autouse=True)
def _no_step_summary(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    os.environ.pop("LOADGATE_BASELINE", None)
