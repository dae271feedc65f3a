"""Real processes: the demo service on loopback, the whole gate through loadgate.cli.main."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loadgate.cli import main
from loadgate.stack.processes import free_port
from tests import stores
from tests.helpers import read_results, started

RECORDING_LOCUSTFILE = '''
"""Records every response time Locust measures, to compare with what loadgate reports."""
import json, os
from locust import HttpUser, between, events, task

samples = []

@events.request.add_listener
def record(request_type, name, response_time, exception=None, **kw):
    samples.append([request_type, name, response_time, exception is not None])

@events.quitting.add_listener
def dump(environment, **kw):
    if samples:
        path = os.path.join(os.environ["RECORD_DIR"], f"samples-{os.getpid()}.json")
        with open(path, "w") as out:
            json.dump(samples, out)

class Shopper(HttpUser):
    wait_time = between(0.01, 0.05)

    @task(6)
    def items(self):
        self.client.get("/items")

    @task(3)
    def item(self):
        self.client.get("/items/950", name="/items/[id]")

    @task(1)
    def checkout(self):
        self.client.post("/checkout", json={})
'''


def start_demo(*extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(port), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    return started(process, url + "/health", "the demo service"), url


@pytest.fixture(params=stores.PROMETHEUS_VERSIONS, ids=lambda version: f"prometheus-{version}")
def prometheus_bin(request) -> str:
    """Each Prometheus version the measuring tests run with (tests/stores.py): its binary, or skip."""
    return stores.prometheus_bin(request.param)


@pytest.fixture
def demo():
    """The bundled demo service on a free loopback port: its base URL."""
    process, url = start_demo()
    yield url
    process.terminate()
    process.wait(10)


class Gate:
    """Files for one run plus a way to run ``loadgate run`` on them."""

    def __init__(self, tmp_path: Path, host: str) -> None:
        self.dir, self.host = tmp_path, host
        self.reports = tmp_path / "reports"
        self.records = tmp_path / "records"
        self.records.mkdir()
        self.locustfile = tmp_path / "locustfile.py"
        self.locustfile.write_text(RECORDING_LOCUSTFILE)
        self.slo = tmp_path / "slo.yaml"

    def run(self, slos: str, *args: str, load: str = "users: 10\n  spawn_rate: 10\n  duration: 8s") -> int:
        self.slo.write_text(f"version: 1\nname: integration\ntarget:\n  host: {self.host}\n"
                            f"load:\n  {load}\nslos:\n{slos}")
        os.environ["RECORD_DIR"] = str(self.records)
        return main(["run", "-f", str(self.locustfile), "--slo", str(self.slo),
                     "--report-dir", str(self.reports), *args])

    def results(self) -> dict:
        return read_results(self.reports / "results.json")

    def samples(self) -> list:
        found = []
        for path in self.records.glob("samples-*.json"):
            found += json.loads(path.read_text())
        return found


@pytest.fixture
def prometheus_for(tmp_path):
    """Start a Prometheus (not loadgate's) scraping an exporter port: ``start(port, native=True)``
    returns its URL; ``native=False`` leaves out the native histogram feature; ``binary``: another
    Prometheus than the one on PATH (up to 3.7: the feature flag)."""
    started = []

    def start(exporter_port: int, native: bool = True, binary: str | None = None) -> str:
        port, home = free_port(), tmp_path / f"prometheus-{len(started)}"
        home.mkdir()
        (home / "prometheus.yml").write_text(
            "scrape_configs:\n  - job_name: loadgate\n    scrape_interval: 250ms\n"
            f"    scrape_timeout: 250ms\n    static_configs: [{{targets: ['127.0.0.1:{exporter_port}']}}]\n")
        argv = [binary or shutil.which("prometheus"), f"--config.file={home / 'prometheus.yml'}",
                f"--storage.tsdb.path={home / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn"] + (["--enable-feature=native-histograms"] if native else [])
        started.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/-/ready", timeout=1).close()
                return url
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Prometheus did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


@pytest.fixture
def gate(tmp_path, demo):
    return Gate(tmp_path, demo)
