"""The exporter's protobuf native histograms, scraped by a real Prometheus of each version the suite
runs (tests/stores.py): measure/histograms.py computes from the JSON it returns the percentiles that
version's own histogram_quantile computes (its rule: stack/prometheus_versions.py)."""

from __future__ import annotations

import json
import math
import random
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loadgate.locust_side import protobuf_exposition as protobuf
from loadgate.locust_side import tally
from loadgate.measure.histograms import quantile
from loadgate.stack import prometheus_versions
from loadgate.stack.processes import free_port

PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"


@pytest.fixture
def exposition():
    """A loopback endpoint serving a fixed exposition: two request names and their all-series,
    counted by the exporter's own tally."""
    rng = random.Random(7)
    fast = [rng.lognormvariate(math.log(0.05), 0.5) for _ in range(3000)]
    slow = [rng.lognormvariate(math.log(0.4), 0.8) for _ in range(700)]
    counted = tally.Tally()
    for name, latencies in (("/fast", fast), ("/slow", slow)):
        for seconds in latencies:
            counted.observe(("GET", name, "window"), seconds, False)
    body = protobuf.Encoder("loadgate_request_duration_seconds", "loadgate_all_requests_duration_seconds",
                            "t1", tally.SCHEMA, tally.ZERO_THRESHOLD).protobuf(counted)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", PROTOBUF)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], {"/fast": fast, "/slow": slow, "all": fast + slow}
    server.shutdown()


def ask(url: str, path: str, **params) -> list:
    with urllib.request.urlopen(f"{url}{path}?{urllib.parse.urlencode(params)}", timeout=5) as answer:
        return json.loads(answer.read())["data"]["result"]


def test_percentiles_from_the_json_histograms_are_prometheus_own(exposition, prometheus_for, prometheus_bin):
    port, latencies = exposition
    url = prometheus_for(port, binary=prometheus_bin)
    with urllib.request.urlopen(f"{url}/api/v1/status/buildinfo", timeout=5) as answer:
        version = prometheus_versions.parse_buildinfo(json.loads(answer.read()))
    assert version is not None
    rule = prometheus_versions.quantile_rule(version)
    deadline = time.monotonic() + 20
    while not ask(url, "/api/v1/query", query="loadgate_all_requests_duration_seconds"):
        assert time.monotonic() < deadline, "Prometheus never scraped the exposition"
        time.sleep(0.25)
    now = time.time()
    together = ask(url, "/api/v1/query", query="sum(loadgate_all_requests_duration_seconds)", time=now)
    summed = ask(url, "/api/v1/query", query="sum(loadgate_request_duration_seconds)", time=now)
    one, many = together[0]["histogram"][1], summed[0]["histogram"][1]  # the same requests, one series
    assert (one["count"], one["buckets"]) == (many["count"], many["buckets"])
    assert float(one["sum"]) == pytest.approx(float(many["sum"]))
    ranged = ask(url, "/api/v1/query_range", query="sum by (name) (loadgate_request_duration_seconds)",
                 start=now - 1, end=now, step=1)
    for entry in ranged:
        histogram = entry["histograms"][-1][1]
        name = entry["metric"]["name"]
        assert int(histogram["count"]) == len(latencies[name])
        for q in (0.5, 0.9, 0.95, 0.99):
            theirs = ask(url, "/api/v1/query", time=now, query=f'histogram_quantile({q}, '
                         f'sum(loadgate_request_duration_seconds{{name="{name}"}}))')[0]["value"][1]
            ours = quantile(q, histogram, rule)
            assert ours == pytest.approx(float(theirs), rel=1e-9), (name, q, version)
            exact = sorted(latencies[name])[math.ceil(q * len(latencies[name])) - 1]
            assert ours == pytest.approx(exact, rel=0.003)  # one 0.27 % bucket
    if version >= (3, 0, 0):  # the rule matters: 2.x's linear interpolation is off in 3.x
        others = [quantile(q, entry["histograms"][-1][1], prometheus_versions.quantile_rule((2, 53, 3)))
                  for entry in ranged for q in (0.5, 0.9, 0.95, 0.99)]
        assert others != [quantile(q, entry["histograms"][-1][1], rule)
                          for entry in ranged for q in (0.5, 0.9, 0.95, 0.99)]  # one 0.27 % bucket
