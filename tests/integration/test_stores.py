"""Remote write into real stores: judged from a Prometheus receiver of each version, copied to
VictoriaMetrics, refused where a store cannot hold what the gate reads (docs/stores.md)."""

from __future__ import annotations

import os
import time

import pytest

from loadgate.stack.processes import free_port
from tests.helpers import Target
from tests.integration.stores import (  # noqa: F401 - stores: the fixture
    PROMETHEUS_VERSIONS,
    influxdb,
    prometheus_bin,
    prometheus_receiver,
    stores,
    victoria_metrics,
)
from tests.integration.test_gate import exact_percentile
from tests.integration.test_teardown import descendants

LATENCY = ("  - sli: latency\n    percentile: 95\n    max: 10s\n"
           "  - sli: latency\n    percentile: 99\n    max: 10s\n    request: GET /items\n")
LOAD = "users: 10\n  spawn_rate: 10\n  duration: 6s"
PERCENTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))


def check_exact(gate) -> None:
    """Totals equal Locust's own count, p50-p99 within 1 % of exact, the objectives judged."""
    results, samples = gate.results(), gate.samples()
    times = [s[2] for s in samples]
    assert results["totals"]["requests"] == len(samples) > 100
    for field, q in PERCENTILES:
        assert results["totals"][field] == pytest.approx(exact_percentile(times, q), rel=0.01), field
    items = [s[2] for s in samples if s[:2] == ["GET", "/items"]]
    assert results["slos"][1]["measured"] == pytest.approx(exact_percentile(items, 0.99), rel=0.01)


@pytest.mark.parametrize("version", PROMETHEUS_VERSIONS)
def test_judged_from_a_prometheus_receiver_exactly(gate, stores, version):  # noqa: F811
    store = stores(prometheus_receiver, version)
    code = gate.run(LATENCY, "--prometheus-url", store.url, "--remote-write",
                    f"{store.url}/api/v1/write", "--run-id", f"judged-{version}", load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)


def test_a_3_x_agent_judged_from_a_3_x_receiver_exactly(gate, stores, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LOADGATE_PROMETHEUS_BIN", prometheus_bin("3.5.3"))  # --agent, 3.x's sender
    store = stores(prometheus_receiver, "3.5.3")
    code = gate.run(LATENCY, "--prometheus-url", store.url, "--remote-write",
                    f"{store.url}/api/v1/write", load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)


def test_a_copy_to_a_prometheus_receiver_leaves_the_verdict_local(gate, stores):  # noqa: F811
    store = stores(prometheus_receiver, "2.42")
    code = gate.run(LATENCY, "--remote-write", f"{store.url}/api/v1/write", "--run-id", "copied",
                    load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)
    # the series went stale when Locust quit: their highest count over the last two minutes
    count = ('max_over_time(sum(histogram_count(loadgate_all_requests_duration_seconds'
             '{run_id="copied"}))[2m:100ms])')
    (copied,) = store.wait_for(count)  # the copy holds the latency histogram too, in full
    assert float(copied["value"][1]) == gate.results()["totals"]["requests"]
    assert store.query('count(up{run_id="copied"})')  # Prometheus' own series carry the run id too


def test_a_copy_to_victoria_metrics_arrives_with_the_run_id(gate, stores):  # noqa: F811
    store = stores(victoria_metrics)
    code = gate.run(LATENCY, "--remote-write", f"{store.url}/api/v1/write", "--run-id", "to-vm",
                    load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)
    names = store.series('{run_id="to-vm"}')
    assert {"loadgate_requests_total", "loadgate_users", "up"} <= names, names
    # VictoriaMetrics 1.143+ turns a native histogram into classic vmrange buckets
    assert "loadgate_all_requests_duration_seconds_bucket" in names, names


def run_timed(gate, *args: str, load: str = "users: 5\n  spawn_rate: 5\n  duration: 30s") -> tuple[int, float]:
    started = time.monotonic()
    code = gate.run(LATENCY, *args, load=load)
    return code, time.monotonic() - started


def test_a_receiver_without_native_histograms_is_exit_2_early(gate, stores, capsys):  # noqa: F811
    store = stores(prometheus_receiver, "2.42", native=False)
    code, took = run_timed(gate, "--prometheus-url", store.url, "--remote-write",
                           f"{store.url}/api/v1/write")
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]  # the last line, and only one
    assert error.startswith(f"loadgate: error: the store at {store.url} (Prometheus 2.42.0"), error
    assert "native histograms are disabled" in error  # the store's own answer to the agent
    assert error.endswith("start it with --web.enable-remote-write-receiver "
                          "--enable-feature=native-histograms"), error
    assert took < 15 and gate.samples() == []  # refused before any user started (the probe)
    results = gate.results()
    assert results["exit_code"] == 2 and all(s["status"] == "error" for s in results["slos"])
    left = {pid: cmd for pid, cmd in descendants(os.getpid()).items() if pid != store.process.pid}
    assert not [cmd for cmd in left.values() if "locust" in cmd or "prometheus" in cmd], left


def test_a_prometheus_scraping_without_native_histograms_is_exit_2_early(gate, prometheus_for, capsys,
                                                                        monkeypatch):
    port = free_port()
    url = prometheus_for(port, native=False)
    monkeypatch.setenv("LOADGATE_EXPORTER_PORT", str(port))
    code, took = run_timed(gate, "--prometheus-url", url)
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "holds this run's counters but not its latency histogram" in error, error
    assert error.endswith("start Prometheus 2.42.0 with --enable-feature=native-histograms"), error
    assert took < 20


@pytest.mark.parametrize("args", [("--prometheus-url", "{vm}"),
                                  ("--prometheus-url", "{vm}", "--remote-write", "{vm}/api/v1/write")])
def test_victoria_metrics_as_the_store_read_is_refused_before_the_load(gate, stores, capsys, args):  # noqa: F811
    store = stores(victoria_metrics)
    code = gate.run(LATENCY, *[a.format(vm=store.url) for a in args], load=LOAD)
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"loadgate: error: --prometheus-url {store.url} is VictoriaMetrics, "), error
    assert "-search.latencyOffset" in error and "--remote-write URL alone" in error
    assert gate.samples() == []  # no request was made


def test_a_url_that_is_no_query_api_is_refused_before_the_load(gate, capsys):
    with Target() as other:  # answers 200 with a plain-text body to everything
        code = gate.run(LATENCY, "--prometheus-url", other.url, load=LOAD)
    assert code == 2
    error = capsys.readouterr().err
    assert f"--prometheus-url {other.url} is not a Prometheus query API" in error, error
    assert gate.samples() == []


def test_a_copy_the_store_refuses_is_said_and_the_verdict_stands(gate, stores, capsys):  # noqa: F811
    store = stores(prometheus_receiver, "2.42", native=False)  # refuses batches with a histogram
    code = gate.run(LATENCY, "--remote-write", f"{store.url}/api/v1/write", load=LOAD)
    assert code == 0
    check_exact(gate)
    assert (f"the store at {store.url}/api/v1/write refused the copy (server returned HTTP status "
            "500 Internal Server Error: native histograms are disabled)") in capsys.readouterr().err


def test_a_copy_to_influxdb_arrives_with_the_run_id(gate, stores):  # noqa: F811
    store = stores(influxdb)
    code = gate.run(LATENCY, "--remote-write", f"{store.url}/api/v1/prom/write?db=loadgate",
                    "--run-id", "to-influx", load=LOAD)
    assert code == 0, (gate.reports / "summary.md").read_text()
    check_exact(gate)
    deadline = time.monotonic() + 15
    while not (found := store.influxql('SHOW TAG VALUES FROM "loadgate_users" WITH KEY = "run_id"')) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    assert found and ["run_id", "to-influx"] in found[0]["values"], found


def test_influxdb_as_the_store_read_is_refused_before_the_load(gate, stores, capsys):  # noqa: F811
    store = stores(influxdb)
    code = gate.run(LATENCY, "--prometheus-url", store.url, load=LOAD)
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"loadgate: error: --prometheus-url {store.url} is InfluxDB 1.6.7"), error
    assert "it has no PromQL API" in error and "--remote-write URL alone" in error
    assert gate.samples() == []
