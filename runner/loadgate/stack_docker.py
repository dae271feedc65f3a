"""The docker stack: stack/docker-compose.yml under `docker compose` v2, one project per run.

Every service shares the host's network namespace (``network_mode: host``), so Locust reaches a
target on the host's 127.0.0.1 exactly as the local stack does, Prometheus scrapes the exporter and
the slo.yaml ``scrape:`` targets on loopback, and each service binds 127.0.0.1 only.  ``loadgate
run`` picks free ports and adds a generated compose file with Locust's exact argv (the same as the
local stack's) to the stack's own file; ``down -v --remove-orphans`` runs on every exit path.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import yaml

from loadgate.compose import (Compose, check_engine, container_logs, escape, files_dir,
                              find_stack_dir, port_is_free, project_containers, remove_leftovers,
                              write_public)
from loadgate.errors import ConfigError, InfraError
from loadgate.grafana import write_dashboard
from loadgate.locust_cmd import EXPORTER, exporter_env, master_args, worker_args
from loadgate.plan import Plan, build_plan
from loadgate.processes import free_port
from loadgate.prometheus_config import prometheus_config
from loadgate.stack_local import http_ok
from loadgate.stacks import LoadOutcome, Watch

log = logging.getLogger("loadgate")

UP_PROJECT = "loadgate"
LOCUST_DIR = PurePosixPath("/mnt/locust")
EXPORTER_IN_IMAGE = "/opt/loadgate/exporter.py"
EXPORTER_PORT = 9646
STARTUP_TIMEOUT = 120.0  # containers start and Locust imports the locustfile
STOP_GRACE = 60.0  # beyond the duration, for Locust's own stop and the final scrape
# `loadgate up`: fixed ports, each overridable through its variable.
UP_PORTS = {"LOADGATE_PROMETHEUS_PORT": 9090, "LOADGATE_GRAFANA_PORT": 3000,
            "LOADGATE_EXPORTER_PORT": EXPORTER_PORT, "LOADGATE_MASTER_PORT": 5557,
            "LOADGATE_LOCUST_WEB_PORT": 8090}


def grafana_password() -> tuple[str, bool]:
    """GF_SECURITY_ADMIN_PASSWORD, or a generated one (never admin/admin); True if generated."""
    given = os.environ.get("GF_SECURITY_ADMIN_PASSWORD", "")
    return (given, False) if given not in ("", "admin") else (secrets.token_urlsafe(12), True)


def stack_env(plan: Plan, files: Path, ports: dict[str, int]) -> dict[str, str]:
    """The variables stack/docker-compose.yml reads, for this plan."""
    env = {name: str(port) for name, port in ports.items()}
    env.update(LOADGATE_LOCUSTFILE_DIR=str(plan.locustfile.resolve().parent),
               LOADGATE_LOCUSTFILE_NAME=plan.locustfile.name, LOADGATE_EXPORTER_FILE=str(EXPORTER),
               LOADGATE_LOCUST_USER=f"{os.getuid()}:{os.getgid()}",
               LOADGATE_PROMETHEUS_CONFIG=str(files / "prometheus.yml"),
               LOADGATE_DASHBOARDS_DIR=str(files / "dashboards"), LOADGATE_HOST=plan.host,
               LOADGATE_USERS=str(plan.users), LOADGATE_SPAWN_RATE=f"{plan.spawn_rate:g}",
               LOADGATE_WARMUP_SECONDS=repr(plan.warmup))
    return env


class DockerStack:
    def __init__(self, plan: Plan, client, stack_dir: Path, workdir: Path) -> None:
        self.plan, self.client = plan, client
        self.project = f"loadgate-{secrets.token_hex(4)}"
        self.files = files_dir(self.project) if plan.keep_stack else workdir / "docker"
        self.exporter_port = EXPORTER_PORT if port_is_free(EXPORTER_PORT) else free_port()
        self.ports = {"LOADGATE_EXPORTER_PORT": self.exporter_port,
                      "LOADGATE_PROMETHEUS_PORT": free_port(), "LOADGATE_MASTER_PORT": free_port(),
                      "LOADGATE_GRAFANA_PORT": free_port()}
        self.password, self.generated = grafana_password() if plan.keep_stack else ("", False)
        env = {**stack_env(plan, self.files, self.ports), "GF_SECURITY_ADMIN_PASSWORD": self.password}
        self.compose = Compose(self.project, [stack_dir / "docker-compose.yml",
                                              self.files / "compose.run.yml"], env,
                               ("grafana",) if plan.keep_stack else ())
        self.prometheus_url = plan.prometheus_url or \
            f"http://127.0.0.1:{self.ports['LOADGATE_PROMETHEUS_PORT']}"

    @classmethod
    def start(cls, plan: Plan, resources: ExitStack, workdir: Path) -> DockerStack:
        client = check_engine()
        stack = cls(plan, client, find_stack_dir(), workdir)
        stack.write_files(find_stack_dir())
        resources.callback(stack.stop)  # before `up`: a half-started project goes too
        if not plan.prometheus_url:
            services = ["prometheus"] + (["grafana"] if plan.keep_stack else [])
            stack.up("starting Prometheus", "--wait", "--wait-timeout", "60", *services)
        return stack

    def write_files(self, stack_dir: Path) -> None:
        exporter = f"127.0.0.1:{self.exporter_port}"
        write_public(self.files / "prometheus.yml", prometheus_config(exporter, self.plan.scrapes))
        run_file = write_public(self.files / "compose.run.yml", "")
        run_file.chmod(0o600)  # Locust's argv holds the host URL, maybe with credentials
        run_file.write_text(yaml.safe_dump(escape(self.locust_services())), encoding="utf-8")
        if self.plan.keep_stack:
            write_dashboard(stack_dir, self.files / "dashboards", self.plan.objectives)

    def locust_services(self) -> dict:
        """Locust's argv for this run (headless, as in the local stack), paths as in the image."""
        plan = replace(self.plan, locustfile=LOCUST_DIR / self.plan.locustfile.name)
        master_port = self.ports["LOADGATE_MASTER_PORT"] if plan.workers > 1 else None
        env = exporter_env(plan, self.exporter_port, "127.0.0.1")
        return {"services": {
            "locust-master": {"command": master_args(plan, master_port, "127.0.0.1",
                                                     EXPORTER_IN_IMAGE), "environment": env},
            "locust-worker": {"command": worker_args(plan, "127.0.0.1", master_port or 0,
                                                     EXPORTER_IN_IMAGE), "environment": env},
        }}

    def up(self, what: str, *args: str) -> None:
        try:
            self.compose.check("up", "--detach", *args, what=what)
        except InfraError as exc:
            raise InfraError(f"{exc}\n{self.failed_logs()}".rstrip()) from None

    def failed_logs(self) -> str:
        """The logs of every container of the run that is not running."""
        failed = [c for c in project_containers(self.client, self.project) if c.status != "running"]
        return "\n".join(f"--- {c.name} ({c.status}):\n{container_logs(c)}" for c in failed)

    def run_load(self, watch: Watch | None = None) -> LoadOutcome:
        workers = self.plan.workers if self.plan.workers > 1 else 0
        services = ["--scale", f"locust-worker={workers}", "locust-worker"] if workers else []
        self.up("starting Locust", "--no-deps", "locust-master", *services)
        (master,) = project_containers(self.client, self.project, "locust-master")
        self.wait_for_exporter(master)
        started = time.monotonic()
        while self.status(master) != "exited":
            self.check_health()
            if time.monotonic() > started + self.plan.duration + STOP_GRACE:
                raise InfraError(f"Locust still running {STOP_GRACE:.0f} s after the duration:\n"
                                 + container_logs(master))
            if watch is not None:
                watch(time.monotonic() - started)
            time.sleep(0.2)
        return LoadOutcome(master.attrs["State"]["ExitCode"], container_logs(master, 40))

    @staticmethod
    def status(container) -> str:
        container.reload()
        return container.status

    def wait_for_exporter(self, master) -> None:
        """Locust serves metrics once it has loaded the locustfile; if it dies first, say why."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not http_ok(f"http://127.0.0.1:{self.exporter_port}/metrics"):
            if self.status(master) == "exited":
                last = [line for line in container_logs(master, 40).splitlines() if line.strip()]
                raise ConfigError(f"Locust could not load {self.plan.locustfile}: "
                                  f"{last[-1].strip() if last else 'no output'}")
            if time.monotonic() > deadline:
                raise InfraError(f"Locust not serving metrics after {STARTUP_TIMEOUT:.0f} s:\n"
                                 + container_logs(master))
            time.sleep(0.1)

    def check_health(self) -> None:
        services = ["locust-worker"] + ([] if self.plan.prometheus_url else ["prometheus"])
        for service in services:
            for container in project_containers(self.client, self.project, service):
                code = container.attrs["State"]["ExitCode"]
                if container.status == "running" or (service != "prometheus" and code == 0):
                    continue  # a worker exits 0 when the master tells it to quit at the end
                raise InfraError(f"{container.name} died during the load (exit code {code}):\n"
                                 + container_logs(container))

    def stop(self) -> None:
        if self.plan.keep_stack:
            self.announce()
            return
        if not self.compose.down():
            remove_leftovers(self.client, self.project)

    def announce(self) -> None:
        grafana = self.ports["LOADGATE_GRAFANA_PORT"]
        user = os.environ.get("GF_SECURITY_ADMIN_USER") or "admin"
        note = " (generated)" if self.generated else ""
        log.warning("--keep-stack: the docker stack stays up (compose project %s)\n"
                    "  Prometheus %s\n  Grafana    http://127.0.0.1:%d  user %s, password %s%s\n"
                    "  stop it with: LOADGATE_PROJECT=%s loadgate down", self.project,
                    self.prometheus_url, grafana, user, self.password, note, self.project)


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
    plan, client, stack_dir = up_plan(args), check_engine(), find_stack_dir()
    ports = {name: int(os.environ.get(name) or port) for name, port in UP_PORTS.items()}
    for name, port in ports.items():
        if not port_is_free(port):
            raise ConfigError(f"port {port} is in use on 127.0.0.1: set {name} to a free port "
                              "(or `loadgate down` if a stack is up already)")
    project, files = project_of(args), files_dir(project_of(args))
    write_public(files / "prometheus.yml", prometheus_config(
        f"127.0.0.1:{ports['LOADGATE_EXPORTER_PORT']}", plan.scrapes))
    write_dashboard(stack_dir, files / "dashboards", plan.objectives)
    password, generated = grafana_password()
    env = {**stack_env(plan, files, ports), "GF_SECURITY_ADMIN_PASSWORD": password}
    compose = Compose(project, [stack_dir / "docker-compose.yml"], env, ("grafana",))
    result = compose.run("up", "--detach", "--wait", "--wait-timeout", "120",
                         "--scale", f"locust-worker={plan.workers}")
    if result.returncode != 0:
        logs = "\n".join(f"--- {c.name}:\n{container_logs(c)}"
                         for c in project_containers(client, project))
        compose.down()
        raise InfraError(f"docker compose up failed:\n{result.stdout}{result.stderr}{logs}")
    announce_up(project, plan.host, ports, password, generated)
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
    client, project = check_engine(), project_of(args)
    if not Compose(project, [find_stack_dir() / "docker-compose.yml"], {}, ("grafana",)).down():
        remove_leftovers(client, project)
    shutil.rmtree(files_dir(project), ignore_errors=True)
    print(f"loadgate: the docker stack {project} is down")
    return 0
