"""Two runs at once measured by one shared Prometheus: through remote write (each run's own
Prometheus is an agent) and by scraping both exporters directly.  Each judges only its own."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from loadgate.stack.processes import free_port
from tests import stores
from tests.helpers import Target, read_results, started
from tests.integration.conftest import RECORDING_LOCUSTFILE
from tests.integration.test_teardown import descendants

ALL_REQUESTS = "  - sli: throughput\n    min: 1/s\n"


def start_prometheus(folder: Path, *extra: str, scrape: list[int] = (),
                     binary: str | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    config = folder / "shared.yml"
    jobs = "".join(f"  - job_name: run{p}\n    scrape_interval: 250ms\n    scrape_timeout: 250ms\n"
                   f"    static_configs: [{{targets: ['127.0.0.1:{p}']}}]\n" for p in scrape)
    config.write_text("scrape_configs:\n" + jobs if jobs else "global: {}\n")
    process = subprocess.Popen([binary or shutil.which("prometheus"), f"--config.file={config}",
                                f"--storage.tsdb.path={folder / 'shared-tsdb'}",
                                f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                                "--enable-feature=native-histograms", *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    return started(process, url + "/-/ready", "the shared Prometheus", timeout=20), url


@pytest.fixture
def shared(tmp_path):
    started = []

    def start(*extra: str, scrape: list[int] = (), binary: str | None = None) -> str:
        process, url = start_prometheus(tmp_path, *extra, scrape=scrape, binary=binary)
        started.append(process)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


class Run:
    """One `loadgate run` in its own process, with its own records of what Locust measured."""

    def __init__(self, folder: Path, host: str, users: int, *args: str, env: dict | None = None,
                 load: str = "6s") -> None:
        self.folder, self.records = folder, folder / "records"
        self.records.mkdir(parents=True)
        (folder / "locustfile.py").write_text(RECORDING_LOCUSTFILE)
        (folder / "slo.yaml").write_text(f"version: 1\ntarget:\n  host: {host}\nload:\n  users: {users}\n"
                                         f"  spawn_rate: 20\n  duration: {load}\nslos:\n{ALL_REQUESTS}")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "loadgate", "run", "-f", str(folder / "locustfile.py"), "--slo",
             str(folder / "slo.yaml"), "--report-dir", str(folder / "reports"), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "RECORD_DIR": str(self.records), **(env or {})})

    def finish(self) -> tuple[int, str]:
        output = self.process.communicate(timeout=120)[0]
        return self.process.returncode, output

    def results(self) -> dict:
        return read_results(self.folder / "reports" / "results.json")

    def measured(self) -> int:
        return sum(len(json.loads(p.read_text())) for p in self.records.glob("samples-*.json"))


def check_each_judged_its_own(runs: list[Run]) -> None:
    for run in runs:
        code, output = run.finish()
        assert code == 0, output
    counts = [run.results()["totals"]["requests"] for run in runs]
    assert counts == [run.measured() for run in runs] and all(counts), counts
    windows = [run.results()["window"] for run in runs]
    assert windows[0]["start"] < windows[1]["end"] and windows[1]["start"] < windows[0]["end"]  # at once


def test_two_runs_at_once_through_remote_write(tmp_path, shared):
    store = shared("--web.enable-remote-write-receiver")
    with Target() as target:
        runs = [Run(tmp_path / name, target.url, users, "--prometheus-url", store,
                    "--remote-write", f"{store}/api/v1/write", "--run-id", name)
                for name, users in (("first", 10), ("second", 3))]
        check_each_judged_its_own(runs)
    assert [cmd for cmd in descendants(os.getpid()).values() if "agent" in cmd] == []
    for name in ("first", "second"):  # everything an agent sent carries its run's id, `up` too
        query = urllib.parse.urlencode({"query": f'count(up{{run_id="{name}"}})'})
        answer = json.loads(urllib.request.urlopen(f"{store}/api/v1/query?{query}", timeout=5).read())
        assert answer["data"]["result"], (name, answer)


def test_two_runs_at_once_scraped_directly_by_one_prometheus(tmp_path, shared, prometheus_bin):
    ports = [free_port(), free_port()]
    url = shared(scrape=ports, binary=prometheus_bin)
    with Target() as target:
        runs = [Run(tmp_path / f"run{i}", target.url, users, "--prometheus-url", url,
                    env={"LOADGATE_EXPORTER_PORT": str(port)})
                for i, (port, users) in enumerate(zip(ports, (10, 3)))]
        check_each_judged_its_own(runs)
    ids = {run.results()["run_id"] for run in runs}
    assert len(ids) == 2  # generated, one each


def test_a_store_that_never_shows_the_figures_is_exit_3_naming_it(tmp_path, shared):
    store = shared()
    nowhere = f"http://127.0.0.1:{free_port()}/api/v1/write"  # nothing listens: never delivered
    with Target() as target:
        run = Run(tmp_path / "lost", target.url, 2, "--prometheus-url", store, "--remote-write",
                  nowhere, env={"LOADGATE_STORE_WAIT": "3s", "LOADGATE_REMOTE_WRITE_PASSWORD": "s3cret-pw",
                                "LOADGATE_REMOTE_WRITE_USERNAME": "gate"})
        code, output = run.finish()
    assert code == 3, output
    assert f"never became visible in the store at {store} within 3 s" in output, output
    reports = "".join(p.read_text() for p in (tmp_path / "lost" / "reports").iterdir())
    assert "s3cret-pw" not in output + reports


def test_a_store_that_refuses_the_remote_write_is_exit_2_with_its_answer(tmp_path, shared):
    store = shared()  # no remote-write receiver: the store answers every write with 404
    with Target() as target:
        run = Run(tmp_path / "refused", target.url, 2, "--prometheus-url", store, "--remote-write",
                  f"{store}/api/v1/write", env={"LOADGATE_REMOTE_WRITE_PASSWORD": "s3cret-pw",
                                                "LOADGATE_REMOTE_WRITE_USERNAME": "gate"})
        code, output = run.finish()
    assert code == 2, output
    assert (f"the store at {store} (Prometheus 2.42.0+ds): it refused this run's remote write "
            "(server returned HTTP status 404 Not Found: remote write receiver needs to be enabled "
            "with ") in output, output  # the store's own words
    assert run.measured() == 0  # refused before the load: loadgate's probe
    assert output.rstrip().endswith("start it with --web.enable-remote-write-receiver "
                                    "--enable-feature=native-histograms"), output
    assert run.results()["exit_code"] == 2
    reports = "".join(p.read_text() for p in (tmp_path / "refused" / "reports").iterdir())
    assert "s3cret-pw" not in output + reports


class AuthProxy:
    """In front of the shared Prometheus: only requests with the expected credentials pass, and
    with ``tenant``, only those that name it in X-Scope-OrgID (else 401 "no org id", as Mimir)."""

    def __init__(self, upstream: str, write_auth: str | None, read_auth: str | None,
                 tenant: str | None = None, refuse_prometheus: bytes | None = None) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.seen = {"write": 0, "read": 0, "refused": 0}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def forward(self) -> None:
                write = self.path.startswith("/api/v1/write")
                if tenant and self.headers.get("X-Scope-OrgID") != tenant:
                    proxy.seen["refused"] += 1
                    self.send_response(401)
                    self.send_header("Content-Length", "10")
                    self.end_headers()
                    self.wfile.write(b"no org id\n")
                    return
                if write and refuse_prometheus and self.headers.get("User-Agent", "").startswith("Prometheus/"):
                    self.send_response(500)  # as a store that keeps no native histograms answers
                    self.send_header("Content-Length", str(len(refuse_prometheus)))
                    self.end_headers()
                    self.wfile.write(refuse_prometheus)
                    return
                if self.headers.get("Authorization") != (write_auth if write else read_auth):
                    proxy.seen["refused"] += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                proxy.seen["write" if write else "read"] += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
                dropped = ("host", "authorization", "accept-encoding")
                keep = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
                request = urllib.request.Request(upstream + self.path, data=body, headers=keep,
                                                 method=self.command)
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, payload, kind = answer.status, answer.read(), answer.headers.get("Content-Type")
                except urllib.error.HTTPError as error:
                    status, payload, kind = error.code, error.read(), error.headers.get("Content-Type")
                self.send_response(status)
                self.send_header("Content-Type", kind or "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def argv_holding(secret: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and secret.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found


def test_credentials_come_from_the_environment_and_show_nowhere(tmp_path, shared):
    newer = stores.prometheus_bin("2.53.3")  # Debian's 2.42 sends no remote_write headers
    store = shared("--web.enable-remote-write-receiver")
    token, password, tenant = "tok-9f8e7d6c", "pw-1a2b3c4d", "tenant-5e6f"
    proxy = AuthProxy(store, f"Bearer {token}",
                      "Basic " + base64.b64encode(f"gate:{password}".encode()).decode(), tenant)
    leaks = []
    try:
        with Target() as target:
            run = Run(tmp_path / "auth", target.url, 4, "--prometheus-url", proxy.url,
                      "--remote-write", f"{proxy.url}/api/v1/write", "-v",
                      env={"LOADGATE_REMOTE_WRITE_BEARER_TOKEN": token,
                           "LOADGATE_PROMETHEUS_USERNAME": "gate", "LOADGATE_PROMETHEUS_PASSWORD": password,
                           "LOADGATE_PROMETHEUS_HEADERS": f"X-Scope-OrgID={tenant}",
                           "LOADGATE_REMOTE_WRITE_HEADERS": f"X-Scope-OrgID={tenant}",
                           "LOADGATE_PROMETHEUS_BIN": newer})
            while run.process.poll() is None:
                leaks += argv_holding(token) + argv_holding(password) + argv_holding(tenant)
                time.sleep(0.2)
            code, output = run.finish()
    finally:
        proxy.close()
    assert code == 0, output
    assert run.results()["totals"]["requests"] == run.measured() > 0
    assert proxy.seen["write"] > 0 and proxy.seen["read"] > 0 and proxy.seen["refused"] == 0, proxy.seen
    assert leaks == []  # no process ever had a secret in its argv
    reports = "".join(p.read_text() for p in (tmp_path / "auth" / "reports").iterdir())
    assert not [s for s in (token, password, tenant) if s in output + reports]


def test_remote_write_headers_with_debian_s_prometheus_2_42_are_refused(tmp_path, shared):
    store = shared("--web.enable-remote-write-receiver")
    with Target() as target:
        run = Run(tmp_path / "old", target.url, 2, "--remote-write", f"{store}/api/v1/write",
                  env={"LOADGATE_REMOTE_WRITE_HEADERS": "X-Scope-OrgID=tenant-q9",
                       "LOADGATE_PROMETHEUS_BIN": stores.prometheus_bin("2.42")})
        code, output = run.finish()
    assert code == 2, output
    assert "sends no remote_write headers (prometheus/prometheus#13030)" in output, output
    assert "tenant-q9" not in output and run.measured() == 0


def test_a_store_that_needs_a_tenant_is_refused_before_the_load_saying_how(tmp_path, shared):
    store = shared("--web.enable-remote-write-receiver")
    proxy = AuthProxy(store, None, None, tenant="tenant-x1")
    try:
        with Target() as target:
            run = Run(tmp_path / "tenant", target.url, 2, "--prometheus-url", proxy.url,
                      "--remote-write", f"{proxy.url}/api/v1/write")
            code, output = run.finish()
    finally:
        proxy.close()
    assert code == 2, output
    assert (f"--prometheus-url {proxy.url} is Grafana Mimir, which loadgate cannot judge from: it "
            "needs a tenant: set LOADGATE_PROMETHEUS_HEADERS='X-Scope-OrgID=TENANT'") in output, output
    assert run.measured() == 0  # before the load


def test_a_store_refusing_the_run_s_own_writes_is_exit_2_in_the_load_s_first_seconds(tmp_path, shared):
    """The probe passes, the local Prometheus' writes are refused: the live check reads the
    store's answer from Prometheus' log and stops the load."""
    store = shared("--web.enable-remote-write-receiver")
    proxy = AuthProxy(store, None, None, refuse_prometheus=b"err-quota: the tenant's series limit\n")
    try:
        with Target() as target:
            run = Run(tmp_path / "quota", target.url, 2, "--prometheus-url", proxy.url,
                      "--remote-write", f"{proxy.url}/api/v1/write", load="30s")
            started = time.monotonic()
            code, output = run.finish()
            took = time.monotonic() - started
    finally:
        proxy.close()
    assert code == 2, output
    assert (f"the store at {proxy.url} (Prometheus 2.42.0+ds): it refused this run's remote write "
            "(server returned HTTP status 500 Internal Server Error: err-quota: the tenant's series "
            "limit)") in output, output
    assert took < 20 and run.measured() > 0  # stopped in the load's first seconds of 30
    assert run.results()["exit_code"] == 2
    assert [cmd for cmd in descendants(os.getpid()).values() if "locust" in cmd or "agent" in cmd] == []
