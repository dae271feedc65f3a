"""`loadgate up` / `loadgate down`: the docker stack with Grafana, for people to look at."""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

from loadgate.config.plan import Plan, build_plan, pick
from loadgate.errors import ConfigError, InfraError
from loadgate.redaction import redact_url
from loadgate.stack import compose, prometheus_versions
from loadgate.stack.docker import EXPORTER_PORT, grafana_password, stack_env
from loadgate.stack.explain import with_output
from loadgate.stack.grafana import write_dashboard
from loadgate.stack.prometheus_config import prometheus_config

UP_PROJECT = "loadgate"
# Fixed ports, each overridable through its variable.
UP_PORTS = {"LOADGATE_PROMETHEUS_PORT": 9090, "LOADGATE_GRAFANA_PORT": 3000,
            "LOADGATE_EXPORTER_PORT": EXPORTER_PORT, "LOADGATE_MASTER_PORT": 5557,
            "LOADGATE_LOCUST_WEB_PORT": 8090}


def up_plan(args) -> Plan:
    fields = dict(host=None, users=None, spawn_rate=None, duration=None, warmup=None,
                  workers=None, stack="docker", prometheus_url=None, prometheus_bin=None,
                  report_dir=None, keep_stack=True, quiet=False, locust_args=(), slo=None,
                  locustfile=None)
    return build_plan(SimpleNamespace(**{**fields, **vars(args)}))


def project_of(args) -> str:
    return getattr(args, "project", None) or os.environ.get("LOADGATE_PROJECT") or UP_PROJECT


def up(args) -> int:
    """`loadgate up`: the stack with Grafana and Locust's web UI, for people to look at."""
    plan, client, stack_dir = up_plan(args), compose.check_engine(), compose.find_stack_dir()
    ports = {name: pick(name.removeprefix("LOADGATE_").lower(), None, os.environ, port)
             for name, port in UP_PORTS.items()}
    for name, port in ports.items():
        if not compose.port_is_free(port):
            raise ConfigError(f"port {port} is in use on 127.0.0.1: set {name} to a free port "
                              "(or `loadgate down` if a stack is up already)")
    project, files = project_of(args), compose.files_dir(project_of(args))
    compose.write_public(files / "prometheus.yml", prometheus_config(
        f"127.0.0.1:{ports['LOADGATE_EXPORTER_PORT']}", plan.scrapes,
        version=prometheus_versions.of_image(compose.prometheus_image())))
    write_dashboard(stack_dir, files / "dashboards", plan.objectives)
    password, generated = grafana_password()
    env = {**stack_env(plan, files, ports), "GF_SECURITY_ADMIN_PASSWORD": password}
    stack = compose.Compose(project, [stack_dir / "docker-compose.yml"], env, ("grafana",))
    result = stack.run("up", "--detach", "--wait", "--wait-timeout", "120",
                         "--scale", f"locust-worker={plan.workers}")
    if result.returncode != 0:
        logs = "\n".join(f"--- {c.name}:\n{compose.container_logs(c)}"
                         for c in compose.project_containers(client, project))
        stack.down()
        raise InfraError(with_output("docker compose up failed", f"{result.stdout}{result.stderr}{logs}",
                                     "docker compose"))
    announce_up(project, redact_url(plan.host), ports, password, generated)
    return 0


def announce_up(project: str, host: str, ports: dict[str, int], password: str, generated: bool) -> None:
    user = os.environ.get("GF_SECURITY_ADMIN_USER") or "admin"
    print(f"loadgate: the docker stack is up (compose project {project}, target {host})\n"
          f"  Locust     http://127.0.0.1:{ports['LOADGATE_LOCUST_WEB_PORT']}\n"
          f"  Prometheus http://127.0.0.1:{ports['LOADGATE_PROMETHEUS_PORT']}\n"
          f"  Grafana    http://127.0.0.1:{ports['LOADGATE_GRAFANA_PORT']}  user {user}, "
          f"password {password}{' (generated)' if generated else ''}\n"
          f"  stop it with: loadgate down")


def down(args) -> int:
    """`loadgate down`: stop what `loadgate up` (or --keep-stack) started; nothing is left."""
    client, project = compose.check_engine(), project_of(args)
    stack = compose.Compose(project, [compose.find_stack_dir() / "docker-compose.yml"], {}, ("grafana",))
    if not stack.down():
        compose.remove_leftovers(client, project)
    shutil.rmtree(compose.files_dir(project), ignore_errors=True)
    print(f"loadgate: the docker stack {project} is down")
    return 0
