"""``loadgate worker``: one Locust worker, with loadgate's exporter, for a master on another host.

The worker ships its figures to the master (exporter.py) and greets it with its loadgate and Locust
versions; the master refuses other versions (roster.py).  The worker's exporter writes
``connected`` (or ``refused`` and why) to a status file this command watches: it exits 3 when the
master is not reached within ``--connect-timeout``, and when it is refused; it ends with the master.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from loadgate import __version__
from loadgate.config.distributed import MASTER_PORT
from loadgate.config.locustfile import check_locust_args, check_locustfile
from loadgate.config.plan import pick
from loadgate.errors import ConfigError, InfraError
from loadgate.stack import leftovers
from loadgate.stack.locust_argv import EXPORTER, locust_argv
from loadgate.stack.processes import Child

log = logging.getLogger("loadgate")
CONNECT_TIMEOUT = 60.0


def settings(args) -> tuple[str, int, Path, float]:
    host = (args.master_host or "").strip()
    if not host:
        raise ConfigError("an address is needed", key="--master-host")
    port = pick("master_port", args.master_port, os.environ, MASTER_PORT)
    timeout = pick("connect_timeout", args.connect_timeout, os.environ, CONNECT_TIMEOUT)
    locustfile = Path(pick("locustfile", args.locustfile, os.environ, None) or "load_tests/loadtest.py")
    check_locust_args(args.locust_args)
    return host, port, check_locustfile(locustfile), timeout


def status(path: Path) -> list[list[str]]:
    try:
        return [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return []


def run(args) -> int:
    host, port, locustfile, timeout = settings(args)
    leftovers.remove_stale_folders()
    with tempfile.TemporaryDirectory(prefix=leftovers.run_folder_prefix()) as workdir:
        status_file = Path(workdir) / "status"
        env = {**os.environ, "LOADGATE_VERSION": __version__, "PYTHONUNBUFFERED": "1",
               "LOADGATE_WORKER_STATUS_FILE": str(status_file)}
        argv = locust_argv(["-f", f"{locustfile},{EXPORTER}", "--worker", "--master-host", host,
                            "--master-port", str(port), *args.locust_args])
        worker = Child("locust worker", argv, Path(workdir) / "locust-worker.log", env=env)
        try:
            wait_connected(worker, status_file, f"{host}:{port}", timeout)
            print(f"loadgate worker: connected to the Locust master at {host}:{port}; "
                  "running until it ends the run", file=sys.stderr, flush=True)
            code = worker.wait()
            return finished(worker, code, status_file)
        finally:
            worker.stop()


def wait_connected(worker: Child, status_file: Path, where: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(fields[0] == "connected" for fields in status(status_file)):
        if worker.exited_within(0.1):
            raise InfraError(worker.explained(f"the Locust worker exited with code {worker.poll()} "
                                              f"before it reached the master at {where}"))
        if time.monotonic() > deadline:
            raise InfraError(f"cannot reach the Locust master at {where} within {timeout:g} s: start "
                             "`loadgate run --remote-workers N --master-bind ADDR` first, and check "
                             "that this host can reach that address and port")


def finished(worker: Child, code: int, status_file: Path) -> int:
    said = dict((fields + [""])[:2] for fields in status(status_file))
    if "refused" in said:
        raise InfraError(f"the master refused this worker: {said['refused']}")
    if "lost" in said:
        raise InfraError(f"lost the master: {said['lost']} (it ended without telling its workers, "
                         "or the network between them failed)")
    if code != 0:
        raise InfraError(worker.explained(f"the Locust worker exited with code {code}"))
    print("loadgate worker: the master ended the run", file=sys.stderr)
    return 0
