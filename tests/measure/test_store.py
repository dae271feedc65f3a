"""Which store is this and can it be judged: the pure decisions, from recorded answers.

Prometheus 2.42 / 3.5.3 and VictoriaMetrics 1.145 were recorded here; Mimir's is Grafana's own test
fixture of its buildinfo, Thanos' its ThanosVersion struct, InfluxDB 1.x's its version header."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loadgate.errors import StoreRefused
from loadgate.measure.reader import Answer
from loadgate.measure.store import Store, classify, identify, refusal, setting
from loadgate.measure.store_check import decide

PROMETHEUS_242 = {"status": "success", "data": {
    "version": "2.42.0+ds", "revision": "2.42.0+ds-5+deb12u1", "branch": "debian/sid",
    "buildUser": "team+pkg-go@tracker.debian.org", "buildDate": "20260604-00:58:54", "goVersion": "go1.19.8"}}
PROMETHEUS_353 = {"status": "success", "data": {
    "version": "3.5.3+ds1", "revision": "3.5.3+ds1-6", "branch": "debian/sid",
    "buildUser": "team+pkg-go@tracker.debian.org", "buildDate": "20260929-11:59:39", "goVersion": "go1.27.1"}}
VICTORIA_METRICS = {"status": "success", "data": {"version": "2.24.0"}}
VM_QUERY = {"status": "success", "data": {"resultType": "vector", "result": []},
            "stats": {"seriesFetched": "0", "executionTimeMsec": 0}}
MIMIR = {"status": "success", "data": {"application": "Grafana Mimir", "version": "2.14.0",
                                       "revision": "5bedc7a1", "branch": "release-2.14",
                                       "goVersion": "go1.22.5", "features": {"ruler_config_api": "true"}}}
THANOS = {"status": "success", "data": {"version": "0.36.1", "revision": "abc", "branch": "HEAD",
                                        "buildUser": "root@x", "buildDate": "20240101", "goVersion": "go1.22"}}
QUERY_OK = {"status": "success", "data": {"resultType": "scalar", "result": [1, "1"]}}


def answer(body=None, status=200, headers=None, text="") -> Answer:
    return Answer(status, headers or {}, body, text)


@pytest.mark.parametrize("buildinfo, query, kind, version", [
    (answer(PROMETHEUS_242), None, "prometheus", "2.42.0+ds"),
    (answer(PROMETHEUS_353), None, "prometheus", "3.5.3+ds1"),
    (answer(VICTORIA_METRICS), None, "victoriametrics", ""),
    (answer(status=404, text="404 page not found"), answer(VM_QUERY), "victoriametrics", ""),
    (answer(MIMIR), None, "mimir", "2.14.0"),
    (answer(THANOS), None, "thanos", "0.36.1"),
    (answer(status=404, headers={"x-influxdb-version": "1.6.7~rc0"}, text="404 page not found"),
     answer(status=404, headers={"x-influxdb-version": "1.6.7~rc0"}), "influxdb", "1.6.7~rc0"),
    (answer(status=404), answer(QUERY_OK), "promql", ""),
    (answer(status=200, text="<html>"), answer(status=200, text="<html>"), "none", ""),
    (answer(status=401, text="no org id\n"), answer(status=401, text="no org id\n"), "mimir", ""),
])
def test_the_kind_of_store_from_its_answers(buildinfo, query, kind, version):
    found = classify(buildinfo, query)
    assert (found.kind, found.version) == (kind, version)


@pytest.mark.parametrize("store, words", [
    (Store("victoriametrics"), "-search.latencyOffset"),
    (Store("influxdb", "1.6.7"), "no PromQL API: measure with the local Prometheus and keep a copy"),
    (Store("none", answer="HTTP 404 'x'"), "GET /api/v1/query answered HTTP 404 'x'"),
    (Store("mimir", answer="no org id"), "LOADGATE_PROMETHEUS_HEADERS='X-Scope-OrgID=TENANT'"),
    (Store("prometheus", "2.39.1"), "use 2.40.0 or later"),
])
def test_stores_that_can_never_be_judged_are_refused_saying_what_to_do(store, words):
    assert words in refusal(store)


@pytest.mark.parametrize("store", [Store("prometheus", "2.42.0"), Store("prometheus", "3.9.0"),
                                   Store("thanos", "0.36.1"), Store("mimir", "2.14.0"), Store("promql")])
def test_stores_that_may_hold_native_histograms_are_checked_instead(store):
    assert refusal(store) is None


@pytest.mark.parametrize("store, remote_write, expected", [
    (Store("prometheus", "2.42.0"), True,
     "start it with --web.enable-remote-write-receiver --enable-feature=native-histograms"),
    (Store("prometheus", "3.8.0"), True, "start it with --web.enable-remote-write-receiver"),
    (Store("prometheus", "3.7.2"), False, "start Prometheus 3.7.2 with --enable-feature=native-histograms"),
    (Store("prometheus", "3.9.1"), False, "set `scrape_native_histograms: true` in Prometheus 3.9.1's"),
    (Store("mimir", "2.14.0"), True, "-ingester.native-histograms-ingestion-enabled=true"),
    (Store("thanos", "0.36.1"), True, "--tsdb.enable-native-histograms on Thanos Receive"),
    (Store("promql"), True, "Cortex: -blocks-storage.tsdb.enable-native-histograms"),
])
def test_the_setting_to_change_follows_the_store_its_version_and_how_it_is_fed(store, remote_write, expected):
    assert setting(store, remote_write).startswith(expected) or expected in setting(store, remote_write)


NOTHING = {"series": False, "requests": False, "histogram": False}
COUNTERS = {"series": True, "requests": True, "histogram": False}


@pytest.mark.parametrize("holds, counters_for, error, final, expected", [
    ({**COUNTERS, "histogram": True}, 0.0, None, False, "held"),
    (COUNTERS, 0.4, None, False, None),  # the histogram may be in the next remote-write batch
    (COUNTERS, 1.0, None, False, "counters but not its latency histogram"),
    (COUNTERS, 0.0, None, True, "counters but not its latency histogram"),
    (NOTHING, 0.0, None, False, None),  # no scrape yet
    (NOTHING, 0.0, None, True, None),  # no request at all: nothing to judge it by
    (NOTHING, 0.0, "HTTP status 500: native histograms are disabled", False, "refused this run's remote write"),
    ({**NOTHING, "series": True}, 0.0, "a retried batch", False, None),  # its writes arrive
])
def test_what_the_store_holds_decides(holds, counters_for, error, final, expected):
    found = decide(holds, counters_for, error, final)
    assert found == expected or (expected and found and expected in found)


def test_a_mimir_url_without_its_prefix_is_refused_naming_the_url_to_use():
    class Mimir(BaseHTTPRequestHandler):  # answers the Prometheus API under /prometheus only
        def do_GET(self) -> None:
            found = self.path.startswith("/prometheus/api/v1/status/buildinfo")
            body = json.dumps(MIMIR).encode() if found else b"404 page not found\n"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Mimir)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(StoreRefused, match="Grafana Mimir 2.14.0 answers under it: use "
                                              f"--prometheus-url {url}/prometheus"):
            identify(url)
        assert identify(url + "/prometheus").kind == "mimir"
    finally:
        server.shutdown()
        server.server_close()
