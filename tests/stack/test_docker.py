"""The docker stack without an engine: compose argv and env, generated files, stack/ as files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from loadgate.config.plan import Plan
from loadgate.errors import ConfigError
from loadgate.stack.compose import Compose, check_engine, escape
from loadgate.stack.docker import DockerStack, grafana_password, stack_env
from loadgate.stack.grafana import render_dashboard, threshold_steps
from loadgate.stack.prometheus_config import SCRAPE_INTERVAL, prometheus_config
from tests.helpers import ROOT, error_rate, latency

STACK = ROOT / "stack"
COMPOSE_FILE = STACK / "docker-compose.yml"
PROVISIONING = STACK / "grafana" / "provisioning"
DASHBOARD = PROVISIONING / "dashboards" / "loadgate.json"
# What runner/loadgate/locust_side/exporter.py serves (counters get _total; the histogram is a native one).
EXPORTED = {"loadgate_request_duration_seconds", "loadgate_all_requests_duration_seconds",
            "loadgate_requests_total",
            "loadgate_request_failures_total", "loadgate_users", "loadgate_workers",
            "loadgate_request_failure_reasons_total", "loadgate_user_errors_total"}
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "max", "last_over_time",
                "method",
                "name", "reason", "type", "message", "location", "effect"}

P95 = latency(95, 300.0, name="p95 latency <= 300 ms", warn=250.0)
P99 = latency(99, 500.0, name="p99 latency of GET /items <= 500 ms", request="GET /items")
ERRORS = error_rate(0.01, name="error rate <= 1%")


def plan(tmp_path: Path, workers: int = 1, keep: bool = False, host: str = "http://127.0.0.1:8080",
         args: tuple[str, ...] = ()) -> Plan:
    locustfile = tmp_path / "scenario" / "loadtest.py"
    locustfile.parent.mkdir(exist_ok=True)
    locustfile.write_text("")
    return Plan(name="t", slo_path=tmp_path / "slo.yaml", locustfile=locustfile, host=host,
                users=5, spawn_rate=2.5, duration=30.0, warmup=5.0, workers=workers,
                objectives=(P95, ERRORS), stack="docker", keep_stack=keep, locust_args=args)


def compose_file() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


# --- generated argv, env and files -------------------------------------------------------------

def test_compose_argv_is_a_list_with_project_files_and_profiles():
    compose = Compose("loadgate-ab12", [Path("/s/docker-compose.yml"), Path("/w/run.yml")], {},
                      ("grafana",))
    assert compose.argv("down", "-v") == [
        "docker", "compose", "--project-name", "loadgate-ab12", "--ansi", "never",
        "--file", "/s/docker-compose.yml", "--file", "/w/run.yml", "--profile", "grafana",
        "down", "-v"]


def test_compose_environment_drops_variables_that_would_redirect_it(monkeypatch):
    monkeypatch.setenv("COMPOSE_PROFILES", "grafana")
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", "other")
    env = Compose("p", [], {"LOADGATE_HOST": "http://x"}).environment()
    assert "COMPOSE_PROFILES" not in env and "COMPOSE_PROJECT_NAME" not in env
    assert env["LOADGATE_HOST"] == "http://x"


def test_stack_env_points_the_compose_file_at_this_run(tmp_path):
    p = plan(tmp_path)
    env = stack_env(p, tmp_path / "files", {"LOADGATE_PROMETHEUS_PORT": 41000})
    assert env["LOADGATE_PROMETHEUS_PORT"] == "41000"
    assert env["LOADGATE_LOCUSTFILE_DIR"] == str(p.locustfile.parent.resolve())
    assert env["LOADGATE_LOCUSTFILE_NAME"] == "loadtest.py"
    assert env["LOADGATE_PROMETHEUS_CONFIG"] == str(tmp_path / "files" / "prometheus.yml")
    package = Path(env["LOADGATE_PACKAGE_DIR"])  # mounted over the image's /opt/loadgate/loadgate
    assert (package / "__init__.py").is_file() and (package / "redaction.py").is_file()
    assert (package / "locust_side" / "loadgate_entry.py").is_file()
    assert re.fullmatch(r"\d+:\d+", env["LOADGATE_LOCUST_USER"])
    assert env["LOADGATE_WARMUP_SECONDS"] == "5.0"  # not LOADGATE_WARMUP: that one is the plan's


def test_one_worker_runs_a_headless_standalone_locust_with_the_exporter(tmp_path):
    stack = DockerStack(plan(tmp_path), None, STACK, tmp_path)
    master = stack.locust_services()["services"]["locust-master"]
    command = master["command"]
    assert command[:2] == ["-f", "/mnt/locust/loadtest.py,/opt/loadgate/loadgate/locust_side/loadgate_entry.py"]
    assert "--headless" in command and "--master" not in command
    assert command[command.index("-t") + 1] == "30s"
    assert master["environment"]["LOADGATE_EXPORTER_ADDR"] == "127.0.0.1"
    assert master["environment"]["LOADGATE_EXPORTER_PORT"] == str(stack.exporter_port)
    assert stack.project.startswith("loadgate-") and len(stack.project) == len("loadgate-") + 8


def test_several_workers_get_a_master_and_workers_on_loopback(tmp_path):
    stack = DockerStack(plan(tmp_path, workers=3, args=("--tags", "a b")), None, STACK, tmp_path)
    services = stack.locust_services()["services"]
    master, worker = services["locust-master"]["command"], services["locust-worker"]["command"]
    port = str(stack.ports["LOADGATE_MASTER_PORT"])
    assert master[master.index("--expect-workers") + 1] == "3"
    assert master[master.index("--master-bind-host") + 1] == "127.0.0.1"
    assert worker[worker.index("--master-port") + 1] == port and "--worker" in worker
    assert master[-2:] == worker[-2:] == ["--tags", "a b"]  # passed through, not re-split


def test_projects_are_unique_per_run(tmp_path):
    assert len({DockerStack(plan(tmp_path), None, STACK, tmp_path).project for _ in range(20)}) == 20


def test_generated_values_are_never_interpolated_by_compose():
    assert escape({"command": ["--host", "http://u:pa$$w@h"], "e": {"K": "$HOME"}}) == {
        "command": ["--host", "http://u:pa$$$$w@h"], "e": {"K": "$$HOME"}}


def test_written_run_files(tmp_path):
    stack = DockerStack(plan(tmp_path, workers=2), None, STACK, tmp_path)
    stack.write_files(STACK)
    files = tmp_path / "docker"
    config = yaml.safe_load((files / "prometheus.yml").read_text())
    job = config["scrape_configs"][0]
    assert job["job_name"] == "loadgate" and job["scrape_interval"] == SCRAPE_INTERVAL
    assert job["static_configs"][0]["targets"] == [f"127.0.0.1:{stack.exporter_port}"]
    run = yaml.safe_load((files / "compose.run.yml").read_text())
    assert set(run["services"]) == {"locust-master", "locust-worker"}
    assert (files / "prometheus.yml").stat().st_mode & 0o777 == 0o644  # nobody in the container
    assert (files / "compose.run.yml").stat().st_mode & 0o777 == 0o600  # the host URL is in it
    assert not (files / "dashboards").exists()  # no Grafana without --keep-stack


def test_keep_stack_adds_grafana_with_a_generated_password(tmp_path, monkeypatch):
    monkeypatch.delenv("GF_SECURITY_ADMIN_PASSWORD", raising=False)
    stack = DockerStack(plan(tmp_path, keep=True), None, STACK, tmp_path)
    assert stack.compose.profiles == ("grafana",) and stack.generated
    assert len(stack.password) >= 16 and stack.password != "admin"
    assert stack.compose.env["GF_SECURITY_ADMIN_PASSWORD"] == stack.password


def test_grafana_password_from_the_environment_but_never_admin(monkeypatch):
    monkeypatch.setenv("GF_SECURITY_ADMIN_PASSWORD", "s3cret-enough")
    assert grafana_password() == ("s3cret-enough", False)
    monkeypatch.setenv("GF_SECURITY_ADMIN_PASSWORD", "admin")
    password, generated = grafana_password()
    assert generated and password != "admin"
    assert grafana_password()[0] != grafana_password()[0]


def test_no_engine_is_a_configuration_error_with_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    with pytest.raises(ConfigError, match=r"docker-setup\.sh") as raised:
        check_engine()
    assert "apt-get install docker.io" in str(raised.value)


def test_no_docker_cli_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match="`docker` command is not installed"):
        check_engine()


# --- dashboard thresholds ----------------------------------------------------------------------

def test_latency_slos_become_threshold_lines_in_seconds():
    assert threshold_steps([P95, P99, ERRORS]) == [
        {"color": "green", "value": None}, {"color": "orange", "value": 0.25},
        {"color": "red", "value": 0.3}, {"color": "red", "value": 0.5}]


def test_rendered_dashboard_draws_the_slos_on_the_latency_panel():
    dashboard = render_dashboard(DASHBOARD, [P95, P99])
    panel = dashboard["panels"][0]
    assert panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
    assert [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [
        None, 0.25, 0.3, 0.5]
    assert P99.name in panel["description"]
    assert render_dashboard(DASHBOARD, [])["panels"][0] == json.loads(DASHBOARD.read_text())["panels"][0]


# --- stack/ as files ---------------------------------------------------------------------------

def test_compose_file_hardening():
    services = compose_file()["services"]
    assert set(services) == {"locust-master", "locust-worker", "prometheus", "grafana"}
    for name, service in services.items():
        assert service["network_mode"] == "host", name  # binds 127.0.0.1 itself, publishes nothing
        assert "ports" not in service, name
        assert service["read_only"] is True and service["init"] is True, name
        assert service["cap_drop"] == ["ALL"], name
    assert "/prometheus:uid=65534,gid=65534" in services["prometheus"]["tmpfs"]
    assert services["grafana"]["profiles"] == ["grafana"]
    assert "--master" in services["locust-master"]["command"]
    assert "--worker" in services["locust-worker"]["command"]


def test_every_listener_binds_loopback():
    services = compose_file()["services"]
    text = COMPOSE_FILE.read_text()
    assert "--web.listen-address=127.0.0.1:" in text
    assert "--master-bind-host=127.0.0.1" in text and "--web-host=127.0.0.1" in text
    assert services["grafana"]["environment"]["GF_SERVER_HTTP_ADDR"] == "127.0.0.1"
    assert services["locust-master"]["environment"]["LOADGATE_EXPORTER_ADDR"] == "127.0.0.1"
    assert "0.0.0.0" not in text


def test_images_are_pinned_and_overridable():
    services = compose_file()["services"]
    expected = {"locust-master": "LOADGATE_LOCUST_IMAGE", "locust-worker": "LOADGATE_LOCUST_IMAGE",
                "prometheus": "LOADGATE_PROMETHEUS_IMAGE", "grafana": "LOADGATE_GRAFANA_IMAGE"}
    for name, variable in expected.items():
        found = re.fullmatch(r"\$\{(\w+):-([\w./-]+):([\w.-]+)\}", services[name]["image"])
        assert found and found.group(1) == variable, services[name]["image"]
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", found.group(3)), services[name]["image"]
    dockerfile = (STACK / "Dockerfile").read_text()
    base = re.search(r"^ARG LOCUST_BASE=locustio/locust:(\S+)$", dockerfile, re.M).group(1)
    assert services["locust-master"]["build"]["args"]["LOCUST_BASE"].endswith(f"locustio/locust:{base}}}")
    # The whole package (its build context is runner/loadgate), on PYTHONPATH, where the compose
    # file's Locust commands find the entry file.
    assert services["locust-master"]["build"]["context"] == "../runner/loadgate"
    assert re.search(r"^COPY \. /opt/loadgate/loadgate/$", dockerfile, re.M)
    assert re.search(r"^ENV .*PYTHONPATH=/opt/loadgate$", dockerfile, re.M)
    for name in ("locust-master", "locust-worker"):
        entry = services[name]["command"][1].split(",")[1]
        assert entry == "/opt/loadgate/loadgate/locust_side/loadgate_entry.py", entry
        assert (ROOT / "runner" / "loadgate" / entry.removeprefix("/opt/loadgate/loadgate/")).is_file()
    assert re.search(r"^ARG PROMETHEUS_CLIENT_VERSION=\d+\.\d+\.\d+$", dockerfile, re.M)


def test_grafana_credentials_use_grafanas_own_variables_and_refuse_admin():
    grafana = compose_file()["services"]["grafana"]
    env = grafana["environment"]
    assert env["GF_SECURITY_ADMIN_USER"] == "${GF_SECURITY_ADMIN_USER:-admin}"
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == "${GF_SECURITY_ADMIN_PASSWORD:-}"
    assert '""|admin)' in grafana["entrypoint"][2] and "exit 78" in grafana["entrypoint"][2]


def test_hand_run_prometheus_config_is_what_loadgate_generates():
    by_hand = yaml.safe_load((STACK / "prometheus" / "prometheus.yml").read_text())
    assert by_hand == yaml.safe_load(prometheus_config("127.0.0.1:9646", ()))


@pytest.mark.skipif(not shutil.which("docker") or subprocess.run(
    ["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="docker compose v2 not installed (scripts/docker-setup.sh installs it)")
def test_compose_accepts_the_file_with_and_without_grafana(tmp_path):
    for profile in ([], ["--profile", "grafana"]):
        result = subprocess.run(["docker", "compose", "-f", str(COMPOSE_FILE), *profile, "config",
                                 "--format", "json"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert ("grafana" in json.loads(result.stdout)["services"]) == bool(profile)


# --- Grafana provisioning, validated as files (the Grafana image cannot be had here) -----------

def test_datasource_provisioning():
    (source,) = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert source["type"] == "prometheus" and source["uid"] == "loadgate-prometheus"
    assert source["url"] == "http://127.0.0.1:$LOADGATE_PROMETHEUS_PORT"
    assert "LOADGATE_PROMETHEUS_PORT" in compose_file()["services"]["grafana"]["environment"]


def test_dashboard_provider_reads_the_mounted_folder():
    (provider,) = yaml.safe_load((PROVISIONING / "dashboards" / "loadgate.yml").read_text())["providers"]
    mounts = compose_file()["services"]["grafana"]["volumes"]
    assert provider["type"] == "file"
    assert any(m.endswith(f":{provider['options']['path']}:ro") for m in mounts)
    assert any(m.startswith("./grafana/provisioning:/etc/grafana/provisioning") for m in mounts)


def dashboard_targets() -> list[tuple[dict, dict]]:
    return [(p, t) for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]


def test_dashboard_structure():
    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard["panels"]
    assert dashboard["uid"] == "loadgate" and isinstance(dashboard["schemaVersion"], int)
    assert len({p["id"] for p in panels}) == len(panels)
    titles = " ".join(p["title"] for p in panels).lower()
    for needed in ("latency", "requests/s", "failures/s", "users", "per request", "why requests failed",
                   "exceptions in the locustfile"):
        assert needed in titles
    assert [p["type"] for p in panels].count("table") == 3
    for panel in panels:
        assert panel["datasource"]["uid"] == "loadgate-prometheus"
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"} and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        refs = [t["refId"] for t in panel["targets"]]
        assert len(set(refs)) == len(refs)
    latency = [t["expr"] for t in panels[0]["targets"]]
    assert [re.search(r"histogram_quantile\(([\d.]+)", e).group(1) for e in latency] == ["0.5", "0.95", "0.99"]


def test_dashboard_queries_use_only_the_exporters_metrics():
    for panel, target in dashboard_targets():
        words = set(re.findall(r"[a-z_][a-z0-9_]*", re.sub(r"\[[^]]*\]|\{[^}]*\}", "", target["expr"])))
        metrics = {w for w in words if w.startswith("loadgate_")}
        assert metrics and metrics <= EXPORTED, (panel["title"], metrics - EXPORTED)
        assert words - metrics <= PROMQL_WORDS, (panel["title"], words - metrics - PROMQL_WORDS)


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool not installed (apt-get install prometheus)")
def test_dashboard_queries_parse(tmp_path):
    rules = [{"record": f"loadgate:check_{i}", "expr": t["expr"].replace("$__rate_interval", "2s")
              .replace("$__range", "60s")} for i, (_, t) in enumerate(dashboard_targets())]
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_host_is_in_the_environment_never_in_argv(tmp_path):
    stack = DockerStack(plan(tmp_path, workers=2, host="http://u:pw@127.0.0.1:8080"), None, STACK,
                        tmp_path)
    for service in stack.locust_services()["services"].values():
        assert not [a for a in service["command"] if "pw" in a or a == "--host"]
        assert service["environment"]["LOCUST_HOST"] == "http://u:pw@127.0.0.1:8080"
    compose = yaml.safe_load((STACK / "docker-compose.yml").read_text())
    for name in ("locust-master", "locust-worker"):  # `loadgate up`: the same, through LOADGATE_HOST
        assert not [a for a in compose["services"][name]["command"] if "HOST}" in a]
        assert compose["services"][name]["environment"]["LOCUST_HOST"].startswith("${LOADGATE_HOST")
