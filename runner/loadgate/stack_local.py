"""The local stack: Prometheus and Locust as child processes on 127.0.0.1, free ports."""

from __future__ import annotations

import logging
import os
import shutil
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from loadgate.errors import ConfigError, InfraError
from loadgate.locust_cmd import exporter_env, locust_argv, master_args, worker_args
from loadgate.plan import Plan
from loadgate.processes import Child, free_port
from loadgate.prometheus_config import prometheus_config
from loadgate.stacks import LoadOutcome, Watch

log = logging.getLogger("loadgate")

INSTALL_HINT = ("install it with `apt-get install prometheus` (Debian/Ubuntu), or pass "
                "--prometheus-bin PATH / set LOADGATE_PROMETHEUS_BIN")
STARTUP_TIMEOUT = 30.0
STOP_GRACE = 60.0  # beyond the duration, for Locust's own stop and the final scrape


def find_prometheus(configured: str | None) -> str:
    if configured:
        path = shutil.which(configured) or configured
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise ConfigError(f"Prometheus binary {configured!r} not found or not executable; "
                              + INSTALL_HINT)
        return path
    found = shutil.which("prometheus")
    if not found:
        raise ConfigError("Prometheus is not installed (no `prometheus` on PATH); " + INSTALL_HINT)
    return found


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until(condition, child: Child, what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if child.poll() is not None:
            raise InfraError(f"{child.name} exited with code {child.poll()} before {what}:\n"
                             + child.output_tail())
        if time.monotonic() > deadline:
            raise InfraError(f"{child.name} not {what} after {timeout:.0f} s:\n" + child.output_tail())
        time.sleep(0.05)


class LocalStack:
    def __init__(self, plan: Plan, resources: ExitStack, workdir: Path) -> None:
        self.plan, self.resources, self.workdir = plan, resources, workdir
        self.exporter_port = free_port()
        self.prometheus: Child | None = None
        self.locust: tuple[Child, list[Child]] | None = None
        self.prometheus_url = plan.prometheus_url or ""

    @classmethod
    def start(cls, plan: Plan, resources: ExitStack, workdir: Path) -> LocalStack:
        stack = cls(plan, resources, workdir)
        if plan.prometheus_url:
            stack.exporter_port = int(os.environ.get("LOADGATE_EXPORTER_PORT", "9646"))
        else:
            stack.start_prometheus(find_prometheus(plan.prometheus_bin))
        # Locust imports for about a second before its load begins: start it now, so that
        # loadgate's own remaining start-up (queries, watchers) overlaps with that.
        stack.locust = stack.start_locust()
        return stack

    def start_prometheus(self, binary: str) -> None:
        port = free_port()
        config = self.workdir / "prometheus.yml"
        config.write_text(prometheus_config(f"127.0.0.1:{self.exporter_port}", self.plan.scrapes))
        argv = [binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1d",
                "--log.level=warn"]
        self.prometheus = Child("prometheus", argv, self.workdir / "prometheus.log",
                                keep_alive=self.plan.keep_stack)
        if self.plan.keep_stack:
            self.resources.callback(log.warning, "--keep-stack: Prometheus stays up at %s (pid %d)",
                                    f"http://127.0.0.1:{port}", self.prometheus.pid)
        else:
            self.resources.callback(self.prometheus.stop)
        self.prometheus_url = f"http://127.0.0.1:{port}"

    def wait_for_prometheus(self) -> None:
        """Prometheus starts while Locust imports the locustfile; both must be ready to go on.

        The load does not wait for Prometheus' first scrape: Prometheus 2.x applies scrape
        targets on a 5 s tick, so that would add ~5 s to every run.  The verdict does not need
        it (counters start at zero and are read at the final scrape, which is checked); only the
        first seconds of the charts and of the live progress are empty.
        """
        if self.prometheus is not None:
            wait_until(lambda: http_ok(self.prometheus_url + "/-/ready"), self.prometheus, "ready")

    def run_load(self, watch: Watch | None = None) -> LoadOutcome:
        master, workers = self.locust
        self.wait_for_prometheus()
        self.wait_for_exporter(master)
        started, deadline = time.monotonic(), time.monotonic() + self.plan.duration + STOP_GRACE
        while master.poll() is None:
            self.check_health(workers)
            if time.monotonic() > deadline:
                raise InfraError(f"Locust still running {STOP_GRACE:.0f} s after the duration")
            if watch is not None:
                watch(time.monotonic() - started)
            master.exited_within(0.1)
        return LoadOutcome(master.poll(), master.output_tail())

    def wait_for_exporter(self, master: Child) -> None:
        """Locust serves metrics once it has loaded the locustfile; if it dies first, say why."""
        try:
            wait_until(lambda: http_ok(f"http://127.0.0.1:{self.exporter_port}/metrics"), master,
                       "serving metrics")
        except InfraError:
            if master.poll() is None:
                raise
            last = [line for line in master.output_tail(40).splitlines() if line.strip()]
            raise ConfigError(f"Locust could not load {self.plan.locustfile}: "
                              f"{last[-1].strip() if last else 'no output'}") from None

    def check_health(self, workers: list[Child]) -> None:
        if self.prometheus is not None and self.prometheus.poll() is not None:
            raise InfraError("Prometheus died during the load (exit code "
                             f"{self.prometheus.poll()}):\n{self.prometheus.output_tail()}")
        for worker in workers:  # a worker exits 0 when the master tells it to quit at the end
            if worker.poll() not in (None, 0):
                raise InfraError(f"{worker.name} died during the load (exit code {worker.poll()}):"
                                 f"\n{worker.output_tail()}")

    def start_locust(self) -> tuple[Child, list[Child]]:
        env = {**os.environ, **exporter_env(self.plan, self.exporter_port)}
        master_port = free_port() if self.plan.workers > 1 else None
        master = Child("locust master", locust_argv(master_args(self.plan, master_port)),
                       self.workdir / "locust-master.log", env=env)
        self.resources.callback(master.stop)
        workers = []
        for index in range(self.plan.workers if self.plan.workers > 1 else 0):
            workers.append(Child(f"locust worker {index + 1}",
                                 locust_argv(worker_args(self.plan, "127.0.0.1", master_port)),
                                 self.workdir / f"locust-worker-{index + 1}.log", env=env))
            self.resources.callback(workers[-1].stop)
        return master, workers
