"""The stores loadgate writes to and reads from, started for real: Prometheus receivers of each
version, VictoriaMetrics (binaries from tests/stores.py: Debian's 2.42, the others fetched by
scripts/other-stores.sh; a missing one skips its cases with the reason)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from loadgate.stack.processes import free_port
from tests.helpers import started
from tests.stores import PROMETHEUS_VERSIONS, influxdb_bin, prometheus_bin, victoria_metrics_bin  # noqa: F401


class Store:
    """One store process on a free loopback port; ``query`` asks its PromQL API."""

    def __init__(self, argv: list[str], url: str, ready: str, log: Path) -> None:
        self.url = url
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        started(self.process, url + ready, f"{Path(argv[0]).name}", timeout=30)

    def query(self, promql: str) -> list[dict]:
        arguments = urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(f"{self.url}/api/v1/query?{arguments}", timeout=5) as answer:
            return json.loads(answer.read())["data"]["result"]

    def wait_for(self, promql: str, timeout: float = 15) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.query(promql)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def series(self, match: str, timeout: float = 15) -> set[str]:
        """Names of the series matching ``match`` (the series API: VictoriaMetrics' instant
        queries near now lag by -search.latencyOffset); waits until some show up."""
        arguments = urllib.parse.urlencode({"match[]": match, "start": f"{time.time() - 3600:.0f}"})
        deadline = time.monotonic() + timeout
        while True:
            with urllib.request.urlopen(f"{self.url}/api/v1/series?{arguments}", timeout=5) as answer:
                found = {s["__name__"] for s in json.loads(answer.read())["data"]}
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def prometheus_receiver(folder: Path, version: str, native: bool = True) -> Store:
    """A Prometheus that takes remote write; ``native``: with native histograms (the feature
    flag: 2.40 to 3.7 need it to keep received native histograms)."""
    port, home = free_port(), folder / f"receiver-{version}-{free_port()}"
    home.mkdir(parents=True)
    (home / "prometheus.yml").write_text("global: {}\n")
    argv = [prometheus_bin(version), f"--config.file={home / 'prometheus.yml'}",
            f"--storage.tsdb.path={home / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn", "--web.enable-remote-write-receiver"]
    argv += ["--enable-feature=native-histograms"] if native else []
    return Store(argv, f"http://127.0.0.1:{port}", "/-/ready", home / "log")


def victoria_metrics(folder: Path, *extra: str) -> Store:
    port, home = free_port(), folder / f"vm-{free_port()}"
    home.mkdir(parents=True)
    argv = [victoria_metrics_bin(), f"-httpListenAddr=127.0.0.1:{port}",
            f"-storageDataPath={home / 'data'}", "-loggerLevel=WARN", *extra]
    return Store(argv, f"http://127.0.0.1:{port}", "/health", home / "log")


class Influx(Store):
    """InfluxDB 1.x: remote write into database ``loadgate``, InfluxQL to look (no PromQL)."""

    def influxql(self, query: str) -> list:
        arguments = urllib.parse.urlencode({"q": query, "db": "loadgate"})
        request = urllib.request.Request(f"{self.url}/query?{arguments}", method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())["results"][0].get("series") or []


def influxdb(folder: Path) -> Influx:
    port, home = free_port(), folder / f"influxdb-{free_port()}"
    home.mkdir(parents=True)
    (home / "influxdb.conf").write_text(
        f'reporting-disabled = true\nbind-address = "127.0.0.1:{free_port()}"\n'
        f'[meta]\n  dir = "{home}/meta"\n[data]\n  dir = "{home}/data"\n  wal-dir = "{home}/wal"\n'
        f'[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n')
    store = Influx([influxdb_bin(), "run", "-config", str(home / "influxdb.conf")],
                   f"http://127.0.0.1:{port}", "/ping", home / "log")
    store.influxql("CREATE DATABASE loadgate")
    return store


@pytest.fixture
def stores(tmp_path):
    """``stores(factory, *args)``: a started store, stopped at the end of the test."""
    running: list[Store] = []

    def start(factory, *args, **kwargs) -> Store:
        running.append(factory(tmp_path, *args, **kwargs))
        return running[-1]

    yield start
    for store in running:
        store.stop()
