"""The whole gate on the local stack: real Locust, real Prometheus, real HTTP service."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
import xmlschema

from tests.helpers import JUNIT_XSD

ALL_REQUESTS = "  - sli: throughput\n    min: 1/s\n"
SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))


def exact_percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q of all values at or below
    it. This is Locust's own definition (its percentiles are the response time where the
    cumulative count reaches q x requests) and Prometheus' (histogram_quantile's rank q x count);
    numpy's default interpolates between neighbours instead, which in a sparse tail (p99 of
    3 000 requests) sits up to one order statistic, often over 1 %, below both."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def test_percentiles_within_one_percent_of_exact(gate, prometheus_bin):
    assert gate.run(ALL_REQUESTS, "--prometheus-bin", prometheus_bin,
                    load="users: 20\n  spawn_rate: 20\n  duration: 15s") == 0
    totals, samples = gate.results()["totals"], gate.samples()
    times = [s[2] for s in samples]
    assert totals["requests"] == len(samples) > 2000
    assert totals["failures"] == sum(1 for s in samples if s[3])
    for field, q in (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        exact = exact_percentile(times, q)
        assert totals[field] == pytest.approx(exact, rel=0.01), (field, totals[field], exact)


def test_two_workers_lose_nothing_and_count_nothing_twice(gate, prometheus_bin):
    json_file = gate.dir / "locust-stats.json"
    assert gate.run(ALL_REQUESTS, "--workers", "2", "--prometheus-bin", prometheus_bin,
                    "--", "--json-file", str(json_file.with_suffix(""))) == 0
    results, samples = gate.results(), gate.samples()
    assert len(list(gate.records.glob("samples-*.json"))) == 2  # both workers made requests
    assert results["totals"]["requests"] == len(samples)
    assert results["totals"]["failures"] == sum(1 for s in samples if s[3])
    import json
    locust_stats = json.loads(json_file.read_text())
    assert sum(s["num_requests"] for s in locust_stats) == results["totals"]["requests"]
    assert sum(s["num_failures"] for s in locust_stats) == results["totals"]["failures"]
    # the totals' percentiles come from the all-requests histogram the master merges from both
    times = [s[2] for s in samples]
    for field, q in (("p50_ms", 0.5), ("p99_ms", 0.99)):
        assert results["totals"][field] == pytest.approx(exact_percentile(times, q), rel=0.01), field


def test_per_request_breach_fails_only_that_testcase(gate):
    slos = ("  - sli: latency\n    percentile: 90\n    max: 1ms\n    request: GET /items\n"
            "  - sli: latency\n    percentile: 90\n    max: 10s\n    request: /items/[id]\n"
            "  - sli: error_rate\n    max: 100%\n")
    assert gate.run(slos) == 1
    xml = (gate.reports / "junit.xml").read_text()
    SCHEMA.validate(xml)
    cases = ET.fromstring(xml).find("testsuite").findall("testcase")
    assert [c.find("failure") is not None for c in cases] == [True, False, False]
    measured = gate.results()["slos"][0]["measured"]
    items = [s[2] for s in gate.samples() if s[:2] == ["GET", "/items"]]
    assert measured == pytest.approx(exact_percentile(items, 0.9), rel=0.03)
    message = cases[0].find("failure").get("message")
    assert message.startswith("p90 latency of GET /items ") and message.endswith(" ms > 1 ms")
    assert float(message.split()[5]) == pytest.approx(measured, abs=0.06)


def test_warmup_is_left_out_of_the_window(gate):
    assert gate.run(ALL_REQUESTS, "--warmup", "3s") == 0
    results = gate.results()
    window = results["window"]
    assert window["end"] - window["start"] == pytest.approx(5, abs=0.5)
    assert 0 < results["totals"]["requests"] < len(gate.samples())


def test_no_data_fails(gate):
    slos = "  - sli: latency\n    percentile: 50\n    max: 1s\n    request: GET /nothing-like-this\n"
    assert gate.run(slos) == 1
    slo = gate.results()["slos"][0]
    assert slo["status"] == "fail" and slo["measured"] is None


def test_refused_connections_are_judged_not_an_error(tmp_path):
    from loadgate.stack.processes import free_port
    from tests.integration.conftest import Gate

    gate = Gate(tmp_path, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert gate.run("  - sli: error_rate\n    max: 1%\n", load="users: 2\n  duration: 4s") == 1
    results = gate.results()
    assert results["verdict"] == "fail" and results["totals"]["failures"] == results["totals"]["requests"] > 0
