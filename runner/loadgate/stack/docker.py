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
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path, PurePosixPath

import yaml

from loadgate.config.plan import Plan
from loadgate.errors import InfraError
from loadgate.stack import prometheus_versions
from loadgate.stack.base import LoadLoop, LoadOutcome, Watch
from loadgate.stack.compose import (
    Compose,
    check_engine,
    container_logs,
    escape,
    files_dir,
    find_stack_dir,
    port_is_free,
    project_containers,
    prometheus_image,
    remove_leftovers,
    write_public,
)
from loadgate.stack.explain import with_output
from loadgate.stack.grafana import write_dashboard
from loadgate.stack.locust_argv import ENTRY, PACKAGE, exporter_env, master_args, worker_args
from loadgate.stack.processes import free_port
from loadgate.stack.prometheus_config import prometheus_config

log = logging.getLogger("loadgate")

LOCUST_DIR = PurePosixPath("/mnt/locust")
PACKAGE_IN_IMAGE = PurePosixPath("/opt/loadgate/loadgate")  # on PYTHONPATH: /opt/loadgate
EXPORTER_IN_IMAGE = str(PACKAGE_IN_IMAGE / ENTRY)
EXPORTER_PORT = 9646
STARTUP_TIMEOUT = 120.0  # containers start and Locust imports the locustfile


def grafana_password() -> tuple[str, bool]:
    """GF_SECURITY_ADMIN_PASSWORD, or a generated one (never admin/admin); True if generated."""
    given = os.environ.get("GF_SECURITY_ADMIN_PASSWORD", "")
    return (given, False) if given not in ("", "admin") else (secrets.token_urlsafe(12), True)


def stack_env(plan: Plan, files: Path, ports: dict[str, int]) -> dict[str, str]:
    """The variables stack/docker-compose.yml reads, for this plan."""
    env = {name: str(port) for name, port in ports.items()}
    env.update(LOADGATE_LOCUSTFILE_DIR=str(plan.locustfile.resolve().parent),
               LOADGATE_LOCUSTFILE_NAME=plan.locustfile.name, LOADGATE_PACKAGE_DIR=str(PACKAGE),
               LOADGATE_LOCUST_USER=f"{os.getuid()}:{os.getgid()}",
               LOADGATE_PROMETHEUS_CONFIG=str(files / "prometheus.yml"),
               LOADGATE_DASHBOARDS_DIR=str(files / "dashboards"), LOADGATE_HOST=plan.host,
               LOADGATE_USERS=str(plan.users), LOADGATE_SPAWN_RATE=f"{plan.spawn_rate:g}",
               LOADGATE_WARMUP_SECONDS=repr(plan.warmup))
    return env


class DockerStack(LoadLoop):
    POLL = 0.2

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
        version = prometheus_versions.of_image(prometheus_image())
        write_public(self.files / "prometheus.yml", prometheus_config(exporter, self.plan.scrapes,
                                                                      run_id=self.plan.run_id,
                                                                      version=version))
        run_file = write_public(self.files / "compose.run.yml", "")
        run_file.chmod(0o600)  # Locust's argv holds the host URL, maybe with credentials
        run_file.write_text(yaml.safe_dump(escape(self.locust_services())), encoding="utf-8")
        if self.plan.keep_stack:
            write_dashboard(stack_dir, self.files / "dashboards", self.plan.objectives)

    def locust_services(self) -> dict:
        """Locust's argv for this run (headless, as in the local stack), paths as in the image."""
        plan = replace(self.plan, locustfile=LOCUST_DIR / self.plan.locustfile.name)
        master_port = self.ports["LOADGATE_MASTER_PORT"] if plan.workers > 1 else None
        env = exporter_env(plan, self.exporter_port, "127.0.0.1", own_scraper=not plan.prometheus_url)
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

    def wait_for_prometheus(self) -> None:
        """`up --wait` has waited for Prometheus' health check already."""

    def run_load(self, watch: Watch | None = None) -> LoadOutcome:
        workers = self.plan.workers if self.plan.workers > 1 else 0
        services = ["--scale", f"locust-worker={workers}", "locust-worker"] if workers else []
        self.up("starting Locust", "--no-deps", "locust-master", *services)
        (self.master,) = project_containers(self.client, self.project, "locust-master")
        self.wait_for_exporter(f"http://127.0.0.1:{self.exporter_port}/metrics",
                               self.plan.locustfile, STARTUP_TIMEOUT, self.plan.run_id)
        return self.watch_load(self.plan.duration, watch)

    def locust_exited(self, wait: float) -> bool:
        self.master.reload()
        if self.master.status == "exited":
            return True
        time.sleep(wait)
        return False

    def locust_exit_code(self) -> int:
        return self.master.attrs["State"]["ExitCode"]

    def locust_tail(self, lines: int = 30) -> str:
        return container_logs(self.master, lines)

    def check_health(self) -> None:
        services = ["locust-worker"] + ([] if self.plan.prometheus_url else ["prometheus"])
        for service in services:
            for container in project_containers(self.client, self.project, service):
                code = container.attrs["State"]["ExitCode"]
                if container.status == "running" or (service != "prometheus" and code == 0):
                    continue  # a worker exits 0 when the master tells it to quit at the end
                raise InfraError(with_output(f"{container.name} died during the load (exit code "
                                             f"{code})", container_logs(container), container.name))

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
