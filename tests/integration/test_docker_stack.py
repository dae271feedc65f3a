"""The docker stack on a real engine: real compose, Prometheus, Locust, against a target on loopback.

Skipped when no Docker engine with Compose v2 answers, or its images are missing; CI runs
scripts/docker-setup.sh first (engine, compose, local images; it writes the image variables to
test-artifacts/docker-images.env, which this module reads).
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace

import pytest
import xmlschema

from loadgate.cli import main
from loadgate.errors import ConfigError
from loadgate.measure import window as query
from loadgate.stack.processes import free_port
from tests.helpers import JUNIT_XSD, ROOT, Target

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
DASHBOARD = ROOT / "stack" / "grafana" / "provisioning" / "dashboards" / "loadgate.json"
ENV_FILE = Path(os.environ.get("LOADGATE_DOCKER_ENV_FILE", ROOT / "test-artifacts" / "docker-images.env"))
PREFIX = "loadgate-"  # every `loadgate run --stack docker` project starts with it

LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.02)

    @task(9)
    def items(self):
        self.client.get("/items")

    @task(1)
    def missing(self):
        self.client.get("/missing")

    @task(1)
    def broken(self):  # the locustfile's own exception: counted, the user goes on
        raise KeyError("cart")
"""

pytestmark = pytest.mark.integration


def items_only(method: str, path: str, t: float) -> tuple[float, int]:
    """/items answers 200 after 5 ms; anything else 404 (a failure in Locust)."""
    return (0.005, 200) if path == "/items" else (0.0, 404)


@pytest.fixture(scope="module")
def docker_ready():
    """Engine and Compose v2 answer, the stack's images are there: else skip, saying why."""
    from loadgate.stack.compose import check_engine

    with pytest.MonkeyPatch.context() as patch:
        if ENV_FILE.is_file():
            for line in ENV_FILE.read_text().splitlines():
                name, _, value = line.partition("=")
                if name and not os.environ.get(name):
                    patch.setenv(name, value)
        try:
            client = check_engine()
        except ConfigError as exc:
            pytest.skip(f"no Docker engine with Compose v2 (run scripts/docker-setup.sh): {exc}")
        for variable in ("LOADGATE_LOCUST_IMAGE", "LOADGATE_PROMETHEUS_IMAGE"):
            image = os.environ.get(variable)
            if not image or not client.images.list(name=image):
                pytest.skip(f"{variable} image missing (run scripts/docker-setup.sh)")
        yield client


@pytest.fixture
def target():
    """A bounded HTTP target on a free loopback port, stopped after the test."""
    with Target(items_only) as service:
        yield service.url


def leftovers(client, projects) -> set[str]:
    """Containers, networks and volumes of these compose projects (other runs may be going on)."""
    label = "com.docker.compose.project"
    assert projects, "no project was recorded"
    found = set()
    for project in projects:
        selector = {"label": f"{label}={project}"}
        found |= {f"container {c.name}" for c in client.containers.list(all=True, filters=selector)}
        found |= {f"network {n.name}" for n in client.networks.list(filters=selector)}
        found |= {f"volume {v.name}" for v in client.volumes.list(filters=selector)}
    return found


@pytest.fixture
def projects(monkeypatch) -> list[str]:
    """The compose project of every DockerStack this test creates in-process."""
    from loadgate.stack.docker import DockerStack

    created, init = [], DockerStack.__init__

    def recording_init(stack, *args, **kwargs):
        init(stack, *args, **kwargs)
        created.append(stack.project)

    monkeypatch.setattr(DockerStack, "__init__", recording_init)
    return created


def projects_mounting(client, folder: Path) -> set[str]:
    """Projects whose containers mount something under ``folder`` (this test's locustfile)."""
    import docker.errors

    try:
        return {c.labels["com.docker.compose.project"]
                for c in client.containers.list(all=True, filters={"label": "com.docker.compose.project"})
                if any(m.get("Source", "").startswith(str(folder)) for m in c.attrs.get("Mounts", []))}
    except docker.errors.NotFound:  # a container went away between listing and inspecting it
        return set()


def write_files(tmp_path: Path, host: str, slos: str, duration: str = "5s") -> tuple[Path, Path]:
    locustfile = tmp_path / "scenario" / "locustfile.py"
    locustfile.parent.mkdir()
    locustfile.write_text(LOCUSTFILE)
    slo = tmp_path / "slo.yaml"
    slo.write_text(f"version: 1\nname: docker-integration\ntarget:\n  host: {host}\n"
                   f"load:\n  users: 8\n  spawn_rate: 8\n  duration: {duration}\nslos:\n{slos}")
    return locustfile, slo


class Spy:
    """Wraps DockerStack.run_load and query.measure to keep what the pipeline saw."""

    def __init__(self, monkeypatch) -> None:
        from loadgate.stack.docker import DockerStack

        self.outcome = self.measurements = self.project = None
        run_load, measure = DockerStack.run_load, query.measure

        def spy_run_load(stack, watch=None):
            self.project = stack.project
            self.outcome = run_load(stack, watch)
            return self.outcome

        def spy_measure(*args, **kwargs):
            self.measurements = measure(*args, **kwargs)
            return self.measurements

        monkeypatch.setattr(DockerStack, "run_load", spy_run_load)
        monkeypatch.setattr(query, "measure", spy_measure)

    def locust_totals(self) -> tuple[int, int]:
        """Requests and failures from Locust's own summary table (the master's output)."""
        found = re.search(r"Aggregated\s+(\d+)\s+(\d+)\(", self.outcome.output_tail)
        assert found, self.outcome.output_tail
        return int(found.group(1)), int(found.group(2))


PASSING = ("  - sli: latency\n    percentile: 95\n    max: 2s\n"
           "  - sli: error_rate\n    max: 50%\n"
           "  - sli: throughput\n    min: 5/s\n")


def test_run_passes_with_two_workers_and_counts_exactly_what_locust_counted(
        docker_ready, target, tmp_path, monkeypatch):
    locustfile, slo = write_files(tmp_path, target, PASSING)
    spy, reports = Spy(monkeypatch), tmp_path / "reports"
    code = main(["run", "--stack", "docker", "-f", str(locustfile), "--slo", str(slo),
                 "--report-dir", str(reports), "--workers", "2", "--quiet"])
    assert code == 0
    results = json.loads((reports / "results.json").read_text())
    totals = results["totals"]
    assert results["verdict"] == "pass" and [s["status"] for s in results["slos"]] == ["pass"] * 3
    requests, failures = spy.locust_totals()
    assert totals["requests"] == requests == spy.measurements.locust_requests > 100
    assert totals["failures"] == failures > 0
    by_name = {r["name"]: r for r in results["requests"]}
    assert by_name["/missing"]["failures"] == by_name["/missing"]["requests"] == failures
    xml = (reports / "junit.xml").read_text()
    SCHEMA.validate(xml)
    cases = ET.fromstring(xml).find("testsuite").findall("testcase")
    assert len(cases) == 3 and all(c.find("failure") is None and c.find("error") is None for c in cases)
    assert spy.project.startswith(PREFIX) and not leftovers(docker_ready, [spy.project])


def test_breach_exits_1_with_a_junit_failure_and_leaves_nothing(docker_ready, target, tmp_path, projects):
    locustfile, slo = write_files(tmp_path, target, "  - sli: latency\n    percentile: 50\n    max: 1ms\n",
                                  duration="3s")
    reports = tmp_path / "reports"
    assert main(["run", "--stack", "docker", "-f", str(locustfile), "--slo", str(slo),
                 "--report-dir", str(reports), "--quiet"]) == 1
    xml = (reports / "junit.xml").read_text()
    SCHEMA.validate(xml)
    failure = ET.fromstring(xml).find("testsuite").find("testcase").find("failure")
    assert failure is not None and failure.get("type") == "SLOBreach"
    assert not leftovers(docker_ready, projects)


def test_broken_locustfile_exits_2_naming_the_error(docker_ready, target, tmp_path, capsys, projects):
    locustfile, slo = write_files(tmp_path, target, PASSING)
    locustfile.write_text("import no_such_module_here\n")
    assert main(["run", "--stack", "docker", "-f", str(locustfile), "--slo", str(slo),
                 "--report-dir", str(tmp_path / "reports")]) == 2
    assert "no_such_module_here" in capsys.readouterr().err
    assert not leftovers(docker_ready, projects)


def test_failed_container_exits_3_with_its_logs(docker_ready, target, tmp_path, monkeypatch, capsys,
                                                projects):
    locustfile, slo = write_files(tmp_path, target, PASSING)
    # A Prometheus that cannot start: its config is not valid YAML for Prometheus.
    monkeypatch.setattr("loadgate.stack.docker.prometheus_config", lambda *a, **kw: "scrape_configs: 7\n")
    assert main(["run", "--stack", "docker", "-f", str(locustfile), "--slo", str(slo),
                 "--report-dir", str(tmp_path / "reports")]) == 3
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "prometheus-1 (exited)" in shown and "config.ScrapeConfig" in shown  # its own log line
    xml = (tmp_path / "reports" / "junit.xml").read_text()
    assert ET.fromstring(xml).find("testsuite").find("testcase").find("error") is not None
    assert not leftovers(docker_ready, projects)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_tears_the_stack_down(docker_ready, target, tmp_path, sig, code):
    locustfile, slo = write_files(tmp_path, target, PASSING, duration="60s")
    env = dict(os.environ)
    process = subprocess.Popen([sys.executable, "-m", "loadgate", "run", "--stack", "docker",
                                "-f", str(locustfile), "--slo", str(slo), "--report-dir",
                                str(tmp_path / "reports"), "--quiet"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (mine := projects_mounting(docker_ready, tmp_path)):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(2)  # the load is running
        process.send_signal(sig)
        assert process.wait(60) == code, process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
    assert not leftovers(docker_ready, mine)


def substitute(expr: str, window: float) -> str:
    """Grafana's variables as Grafana would set them for a view of the run."""
    return expr.replace("$__rate_interval", "2s").replace("$__range", f"{math.ceil(window) + 2}s")


def prometheus_get(url: str, path: str, **params) -> list:
    with urllib.request.urlopen(f"{url}{path}?{urllib.parse.urlencode(params)}", timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


def has_numbers(result: list, key: str) -> bool:
    values = [v for series in result for v in ([series[key]] if key == "value" else series[key])]
    return any(math.isfinite(float(v[1])) for v in values)


def test_every_dashboard_query_returns_data_after_a_real_run(docker_ready, target, tmp_path, projects):
    from loadgate.config.plan import build_plan
    from loadgate.stack.docker import DockerStack

    # long enough for Prometheus' first scrape (~5 s after it starts) and rate() windows after it
    locustfile, slo = write_files(tmp_path, target, PASSING, duration="10s")
    args = SimpleNamespace(slo=str(slo), locustfile=str(locustfile), host=None, users=None,
                           spawn_rate=None, duration=None, warmup=None, workers="2", stack="docker",
                           prometheus_url=None, prometheus_bin=None, report_dir=None,
                           keep_stack=False, quiet=True, locust_args=())
    plan = build_plan(args, environ={})
    with ExitStack() as resources:
        stack = DockerStack.start(plan, resources, tmp_path)
        stack.run_load()
        reader = query.Reader(stack.prometheus_url)
        reader.at = reader.final_scrape_time()
        start = reader.number("loadgate_load_start_timestamp_seconds")
        end = reader.number("loadgate_load_end_timestamp_seconds")
        panels = json.loads(DASHBOARD.read_text())["panels"]
        targets = [(p["title"], t) for p in panels for t in p["targets"]]
        assert len(targets) >= 12
        for title, panel_target in targets:
            expr = substitute(panel_target["expr"], end - start)
            if panel_target.get("instant"):
                result = prometheus_get(stack.prometheus_url, "/api/v1/query", query=expr, time=end + 1)
                assert has_numbers(result, "value"), (title, expr)
            else:
                result = prometheus_get(stack.prometheus_url, "/api/v1/query_range", query=expr,
                                        start=start, end=end + 1, step="1s")
                assert has_numbers(result, "values"), (title, expr)
    assert not leftovers(docker_ready, projects)


STANDIN_RUN = """#!/bin/sh
# Stands in for Grafana's /run.sh: serves /etc/grafana (the provisioning as mounted) over HTTP.
exec python3 -m http.server "$GF_SERVER_HTTP_PORT" --bind "$GF_SERVER_HTTP_ADDR" --directory /etc/grafana
"""


@pytest.fixture(scope="module")
def grafana_standin(docker_ready, tmp_path_factory):
    """The Grafana image cannot be pulled here: an image with Grafana's entrypoint contract."""
    context = tmp_path_factory.mktemp("grafana-standin")
    (context / "run.sh").write_text(STANDIN_RUN)
    (context / "Dockerfile").write_text(f"FROM {os.environ['LOADGATE_LOCUST_IMAGE']}\nUSER root\n"
                                        "COPY run.sh /run.sh\nRUN chmod 755 /run.sh\nENTRYPOINT []\n")
    docker_ready.images.build(path=str(context), tag="local/grafana-standin:test", rm=True)
    return "local/grafana-standin:test"


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_up_and_down(docker_ready, grafana_standin, target, tmp_path, monkeypatch, capsys):
    import secrets

    from loadgate.stack.docker import files_dir

    host = target.replace("http://", "http://bob:up-s3cret@")  # never printed, never in argv
    locustfile, slo = write_files(tmp_path, host, "  - sli: latency\n    percentile: 95\n    max: 300ms\n")
    ports = {name: free_port() for name in ("PROMETHEUS", "GRAFANA", "EXPORTER", "MASTER", "LOCUST_WEB")}
    for name, port in ports.items():
        monkeypatch.setenv(f"LOADGATE_{name}_PORT", str(port))
    project = f"{PREFIX}up-{secrets.token_hex(3)}"
    monkeypatch.setenv("LOADGATE_PROJECT", project)
    monkeypatch.setenv("LOADGATE_GRAFANA_IMAGE", grafana_standin)
    monkeypatch.delenv("GF_SECURITY_ADMIN_PASSWORD", raising=False)
    try:
        assert main(["up", "-f", str(locustfile), "--slo", str(slo)]) == 0
        out = capsys.readouterr().out
        password = re.search(r"password (\S+) \(generated\)", out).group(1)
        assert f"http://127.0.0.1:{ports['GRAFANA']}" in out and f"http://127.0.0.1:{ports['LOCUST_WEB']}" in out
        assert "up-s3cret" not in out and "target http://***@127.0.0.1:" in out
        (master,) = [c for c in docker_ready.containers.list(filters={"label": f"com.docker.compose.project={project}"})
                     if c.labels["com.docker.compose.service"] == "locust-master"]
        assert not [a for a in master.attrs["Args"] + master.attrs["Config"]["Cmd"] if "s3cret" in a]
        assert f"LOCUST_HOST={host}" in master.attrs["Config"]["Env"]  # the environment, not argv
        project_label = {"label": f"com.docker.compose.project={project}"}
        (grafana,) = [c for c in docker_ready.containers.list(filters=project_label)
                      if c.labels["com.docker.compose.service"] == "grafana"]
        assert f"GF_SECURITY_ADMIN_PASSWORD={password}" in grafana.attrs["Config"]["Env"] and password != "admin"
        grafana_url = f"http://127.0.0.1:{ports['GRAFANA']}"
        dashboard = json.loads(eventually(lambda: get(f"{grafana_url}/dashboards/loadgate.json")))
        steps = dashboard["panels"][0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        assert [s["value"] for s in steps] == [None, 0.3]  # the SLO of slo.yaml, in seconds
        assert b"$LOADGATE_PROMETHEUS_PORT" in get(f"{grafana_url}/provisioning/datasources/prometheus.yml")
        assert b"Locust" in eventually(lambda: get(f"http://127.0.0.1:{ports['LOCUST_WEB']}/"))
        prometheus = f"http://127.0.0.1:{ports['PROMETHEUS']}"
        eventually(lambda: prometheus_get(prometheus, "/api/v1/query", query='loadgate_workers{job="loadgate"} == 1'))
    finally:
        assert main(["down"]) == 0
    assert not leftovers(docker_ready, [project]) and not files_dir(project).exists()


def test_grafana_refuses_to_start_without_a_real_password(docker_ready, grafana_standin):
    import secrets

    env = {**os.environ, "LOADGATE_GRAFANA_IMAGE": grafana_standin, "GF_SECURITY_ADMIN_PASSWORD": "admin"}
    argv = ["docker", "compose", "-p", f"{PREFIX}grafana-{secrets.token_hex(3)}", "-f",
            str(ROOT / "stack" / "docker-compose.yml"), "--profile", "grafana"]
    try:
        result = subprocess.run([*argv, "run", "--rm", "--no-deps", "grafana"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 78 and "not admin" in result.stderr
    finally:
        subprocess.run([*argv, "down", "-v", "--remove-orphans"], env=env, capture_output=True, timeout=60)
    assert not leftovers(docker_ready, [argv[3]])


def test_keep_stack_leaves_prometheus_and_grafana_up_until_down(
        docker_ready, grafana_standin, target, tmp_path, monkeypatch, capsys, projects):
    locustfile, slo = write_files(tmp_path, target, PASSING, duration="3s")
    monkeypatch.setenv("LOADGATE_GRAFANA_IMAGE", grafana_standin)
    monkeypatch.delenv("GF_SECURITY_ADMIN_PASSWORD", raising=False)
    try:
        assert main(["run", "--stack", "docker", "-f", str(locustfile), "--slo", str(slo),
                     "--report-dir", str(tmp_path / "reports"), "--keep-stack"]) == 0
        err = capsys.readouterr().err
        project = re.search(r"LOADGATE_PROJECT=(loadgate-[0-9a-f]{8}) loadgate down", err).group(1)
        prometheus = re.search(r"Prometheus (http://127\.0\.0\.1:\d+)", err).group(1)
        assert re.search(r"Grafana +http://127\.0\.0\.1:\d+ +user admin, password \S{16,} \(generated\)", err)
        running = {c.labels["com.docker.compose.service"] for c in docker_ready.containers.list(
            filters={"label": f"com.docker.compose.project={project}"})}
        assert running == {"prometheus", "grafana"}
        now = time.time()
        assert prometheus_get(prometheus, "/api/v1/query", query="max_over_time(loadgate_locust_requests[1m])",
                              time=now)
    finally:
        monkeypatch.setenv("LOADGATE_PROJECT", projects[0])
        assert main(["down"]) == 0
    assert not leftovers(docker_ready, projects)
