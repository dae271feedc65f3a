"""The local stack: Prometheus and Locust as child processes on 127.0.0.1, free ports."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path

from loadgate import credentials
from loadgate.config.plan import Plan
from loadgate.errors import ConfigError, InfraError
from loadgate.redaction import redact_url
from loadgate.stack import leftovers, prometheus_versions, remote, standby
from loadgate.stack.base import LoadLoop, LoadOutcome, Watch
from loadgate.stack.explain import with_output
from loadgate.stack.locust_argv import exporter_env, locust_argv, master_args, worker_args
from loadgate.stack.probe import STARTUP_TIMEOUT, http_ok, wait_until
from loadgate.stack.processes import Child, check_port_free, free_port, stop_all
from loadgate.stack.prometheus_config import prometheus_config
from loadgate.stack.prometheus_versions import Version

log = logging.getLogger("loadgate")

FLUSH_DEADLINE = "1s"
SEND_ERROR = re.compile(r'\berr="((?:[^"\\]|\\.)*)"')
INSTALL_HINT = ("install it with `apt-get install prometheus` (Debian/Ubuntu), or pass "
                "--prometheus-bin PATH / set LOADGATE_PROMETHEUS_BIN")


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


def prometheus_version(binary: str) -> Version:
    """The version of the Prometheus ``binary`` (``--version``: about 45 ms here, 2.42 and 3.5.3
    alike, busy machine); one it does not say is taken to be the newest known (a build from
    source), with a warning; one older than native histograms is a ConfigError."""
    try:
        answer = subprocess.run([binary, "--version"], check=False, capture_output=True, text=True,
                                timeout=15, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"cannot run the Prometheus binary {binary} --version: {exc}") from None
    said = (answer.stdout or answer.stderr).strip().splitlines()[:1]
    version = prometheus_versions.parse(said[0]) if said else None
    if version is None:
        log.warning("cannot tell the version of %s (`--version`: %s): taking it for Prometheus %s",
                    binary, said[0] if said else "nothing", prometheus_versions.shown(prometheus_versions.LATEST))
        return prometheus_versions.LATEST
    if version < prometheus_versions.OLDEST:
        raise ConfigError(f"Prometheus {prometheus_versions.shown(version)} ({binary}) is too old: "
                          "loadgate's latency histogram is a native one, which Prometheus ingests "
                          f"from {prometheus_versions.shown(prometheus_versions.OLDEST)}; " + INSTALL_HINT)
    return version


class LocalStack(LoadLoop):
    def __init__(self, plan: Plan, resources: ExitStack, workdir: Path) -> None:
        self.plan, self.resources, self.workdir = plan, resources, workdir
        self.home = workdir  # where Prometheus keeps its files (elsewhere with --keep-stack)
        self.exporter_port = free_port()
        self.prometheus: Child | None = None
        self.locust: tuple[Child, list[Child]] | None = None
        self.prometheus_url = plan.prometheus_url or ""
        self.roster_file = workdir / "roster.jsonl"

    @classmethod
    def start(cls, plan: Plan, resources: ExitStack, workdir: Path) -> LocalStack:
        stack = cls(plan, resources, workdir)
        if plan.prometheus_url and not plan.remote_write:
            stack.exporter_port = plan.exporter_port
        else:
            stack.start_prometheus(find_prometheus(plan.prometheus_bin))
        check_port_free(stack.exporter_port, "the exporter")
        # Locust imports for about a second before its load begins: start it now, so that
        # loadgate's own remaining start-up (queries, watchers) overlaps with that.
        stack.locust = stack.start_locust()
        return stack

    def start_prometheus(self, binary: str) -> None:
        port = free_port()
        # A kept Prometheus outlives the run's folder: its files go where the run leaves them.
        self.home = Path(tempfile.mkdtemp(prefix="loadgate-kept-")) if self.plan.keep_stack \
            else self.workdir
        config, version = self.home / "prometheus.yml", prometheus_version(binary)
        config.touch(mode=0o600)  # it holds the remote-write headers (a tenant id, a key)
        config.write_text(prometheus_config(f"127.0.0.1:{self.exporter_port}", self.plan.scrapes,
                                            self.remote_write(version), self.plan.run_id, version))
        argv = [binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn", *prometheus_versions.native_histogram_flags(version),
                *self.storage_args(version)]
        self.prometheus = Child("prometheus", argv, self.home / "prometheus.log",
                                keep_alive=self.plan.keep_stack)
        if self.plan.keep_stack:
            self.resources.callback(log.warning, "--keep-stack: Prometheus stays up at %s (pid %d); "
                                    "its data is in %s: `kill %d && rm -r %s` when done",
                                    f"http://127.0.0.1:{port}", self.prometheus.pid, self.home,
                                    self.prometheus.pid, self.home)
        else:
            self.resources.callback(self.prometheus.stop)
        if self.plan.remote_write and not self.plan.judged_from_store:
            self.resources.callback(self.warn_if_copy_refused)  # runs before the stop above
        self.own_url = f"http://127.0.0.1:{port}"
        self.prometheus_url = self.plan.prometheus_url or self.own_url  # remote write: the store

    def storage_args(self, version: Version) -> list[str]:
        """A TSDB of its own; or, judged from the store it writes to, an agent (scrape and send
        only, no queries).  Remote-writing, its shutdown waits at most FLUSH_DEADLINE for what is
        still queued (Prometheus' default, 1 min, would hold the teardown when the store is down;
        everything is sent within 250 ms of its scrape, and the run ends seconds later)."""
        flush = [f"--storage.remote.flush-deadline={FLUSH_DEADLINE}"] if self.plan.remote_write else []
        if self.plan.judged_from_store:
            return [*prometheus_versions.agent_flags(version, str(self.home / "agent")), *flush]
        retention = f"{int(self.plan.duration + 86400)}s"  # the whole run, however long
        return [f"--storage.tsdb.path={self.home / 'tsdb'}", f"--storage.tsdb.retention.time={retention}",
                *flush]

    def remote_write(self, version: Version) -> dict | None:
        """The remote_write entry.  Debian's Prometheus 2.42 (bookworm, 2.42.0+ds) sends no
        configured ``headers`` (seen here; prometheus/prometheus#13030 reports the same build):
        a tenant id would silently go missing, so headers with a 2.42 are refused."""
        if not self.plan.remote_write:
            return None
        found = credentials.from_env(credentials.REMOTE_WRITE)
        if found.headers and version[:2] == (2, 42):
            raise ConfigError("LOADGATE_REMOTE_WRITE_HEADERS: Prometheus 2.42 (Debian bookworm's "
                              "build) sends no remote_write headers (prometheus/prometheus#13030): "
                              "set LOADGATE_PROMETHEUS_BIN to a newer Prometheus (2.53.3 from "
                              "Debian trixie sends them)")
        return {"url": self.plan.remote_write, **credentials.for_prometheus(found, self.home)}

    def store_missing(self, store_url: str, wait: float) -> str:
        """Why the final figures never showed in the store (remote write), with the agent's log."""
        return with_output(
            f"the final figures never became visible in the store at {redact_url(store_url)} "
            f"within {wait:g} s: the local Prometheus agent remote-writes them to "
            f"{redact_url(self.plan.remote_write or '')}; check that URL, that the store accepts "
            "remote write, and LOADGATE_REMOTE_WRITE_USERNAME/_PASSWORD or _BEARER_TOKEN",
            self.prometheus.output_tail(200), "the Prometheus agent")

    def remote_write_error(self) -> str | None:
        """The store's answer to the last remote write Prometheus logged as refused (it logs
        ``msg="Failed to send batch, retrying" ... err="server returned HTTP status 500 ...:
        native histograms are disabled"``, 2.x and 3.x alike)."""
        if self.prometheus is None or not self.plan.remote_write:
            return None
        failed = [SEND_ERROR.search(line) for line in self.prometheus.output_tail(40).splitlines()
                  if "Failed to send batch" in line or "non-recoverable error" in line]
        answers = [found.group(1).replace('\\"', '"') for found in failed if found]
        # the store's own answer; one that cannot be reached is left to the final wait (exit 3)
        return answers[-1] if answers and "server returned HTTP status" in answers[-1] else None

    def warn_if_copy_refused(self) -> None:
        """--remote-write alone: the verdict stands, but a copy the store refused is said."""
        refused = self.remote_write_error()
        if refused:
            log.warning("the store at %s refused the copy (%s); the verdict does not depend on it",
                        redact_url(self.plan.remote_write), refused)

    def wait_for_prometheus(self) -> None:
        """Prometheus starts while Locust imports the locustfile; both must be ready to go on.

        The load does not wait for Prometheus' first scrape: Prometheus 2.x applies scrape
        targets on a 5 s tick, so that would add ~5 s to every run.  The verdict does not need
        it (counters start at zero and are read at the final scrape, which is checked); only the
        first seconds of the charts and of the live progress are empty.
        """
        if self.prometheus is not None:
            wait_until(lambda: http_ok(self.own_url + "/-/ready"), self.prometheus, "ready")

    def run_load(self, watch: Watch | None = None) -> LoadOutcome:
        self.wait_for_prometheus()
        self.wait_for_exporter(f"http://127.0.0.1:{self.exporter_port}/metrics",
                               self.plan.locustfile, STARTUP_TIMEOUT, self.plan.run_id)
        if self.plan.remote_workers:
            remote.wait_for_workers(self.plan, self.roster_file, self.locust[0])
        return self.watch_load(self.plan.duration, watch)

    def locust_exited(self, wait: float) -> bool:
        return self.locust[0].exited_within(wait)

    def locust_exit_code(self) -> int:
        return self.locust[0].poll()

    def locust_tail(self, lines: int = 15) -> str:
        return self.locust[0].output_tail(lines)

    def check_health(self) -> None:
        if self.prometheus is not None and self.prometheus.poll() is not None:
            raise InfraError(self.prometheus.explained(
                f"Prometheus died during the load (exit code {self.prometheus.poll()})"))
        if self.plan.distributed:
            remote.check(self.roster_file)
        for worker in self.locust[1]:  # a worker exits 0 when the master tells it to quit at the end
            if worker.poll() not in (None, 0):
                raise InfraError(worker.explained(f"{worker.name} died during the load (exit code "
                                                  f"{worker.poll()})"))

    def start_locust(self) -> tuple[Child, list[Child]]:
        plan, stop_file = self.plan, self.workdir / "locust-stop"  # also marks what Locust starts
        leftovers.become_subreaper()
        env = {**os.environ, **exporter_env(plan, self.exporter_port, own_scraper=self.prometheus is not None),
               "LOADGATE_STOP_FILE": str(stop_file), "LOADGATE_ROSTER_FILE": str(self.roster_file)}
        port = (plan.master_port or free_port()) if plan.distributed else None
        if port is not None:  # else Locust fails to bind, which reads like a broken locustfile
            check_port_free(port, "the Locust master", plan.master_bind)
        children = [Child("locust master", locust_argv(master_args(plan, port, plan.master_bind)),
                          self.workdir / "locust-master.log", env=env, standby=standby.take())]
        self.resources.callback(stop_locust, stop_file, children)  # grows with each worker
        env["LOADGATE_LOCAL_WORKER"] = "1"
        for index in range(plan.workers if plan.distributed else 0):
            argv = worker_args(plan, remote.local_connect_host(plan.master_bind), port)
            children.append(Child(f"locust worker {index + 1}", locust_argv(argv),
                                  self.workdir / f"locust-worker-{index + 1}.log", env=env))
        return children[0], children[1:]


def stop_locust(stop_file: Path, children: list[Child]) -> None:
    """Tell the exporter not to wait for a final scrape, stop master and workers at once, then
    whatever the locustfile detached from them."""
    if any(child.poll() is None for child in children):
        stop_file.touch()
        stop_all(children)
    leftovers.kill_detached("LOADGATE_STOP_FILE", str(stop_file))
