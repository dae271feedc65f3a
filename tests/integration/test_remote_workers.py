"""Remote workers on other hosts (network namespaces): one verdict over all of them, and a worker
lost mid-run is an infrastructure error naming it.  Real Locust, Prometheus and `loadgate worker`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time

from loadgate.stack.processes import free_port
from tests.helpers import Target
from tests.integration.conftest import Gate
from tests.integration.netns import BRIDGE_ADDRESS, network_hosts
from tests.integration.test_teardown import descendants

ERROR_RATE = "  - sli: error_rate\n    max: 1%\n"


def start_worker(hosts, index: int, gate: Gate, port: int, *extra: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "loadgate", "worker", "--master-host", BRIDGE_ADDRESS,
            "--master-port", str(port), "-f", str(gate.locustfile), "--connect-timeout", "60s", *extra]
    return subprocess.Popen(hosts.command(index, argv), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "RECORD_DIR": str(gate.records)})


def finish(workers: list[subprocess.Popen], timeout: float = 30) -> list[str]:
    outputs = []
    for worker in workers:
        try:
            outputs.append(worker.communicate(timeout=timeout)[0])
        except subprocess.TimeoutExpired:
            worker.kill()
            outputs.append(worker.communicate()[0] + "\n(killed by the test: still running)")
    return outputs


def locust_children() -> list[str]:
    return [cmd for cmd in descendants(os.getpid()).values() if "locust" in cmd or "prometheus" in cmd]


def test_two_remote_workers_and_a_local_one_give_one_exact_verdict(tmp_path, capsys):
    with network_hosts(2) as hosts, Target(host=BRIDGE_ADDRESS) as target:
        gate = Gate(tmp_path, target.url)
        port = free_port(BRIDGE_ADDRESS)
        workers = [start_worker(hosts, i, gate, port) for i in range(2)]
        try:
            code = gate.run(ERROR_RATE, "--workers", "1", "--remote-workers", "2",
                            "--master-bind", f"{BRIDGE_ADDRESS}:{port}",
                            load="users: 12\n  spawn_rate: 12\n  duration: 6s")
        finally:
            outputs = finish(workers)
        err = capsys.readouterr().err
        assert code == 0, err
        assert [w.returncode for w in workers] == [0, 0], outputs
        assert all("the master ended the run" in out for out in outputs), outputs
        assert err.count("unauthenticated") == 1, err
        files = sorted(gate.records.glob("samples-*.json"))
        assert len(files) == 3  # two remote workers and the local one each measured requests
        results = gate.results()
        # every query selects this run's id: the remote workers' requests carry it
        assert results["run_id"] and results["totals"]["requests"] == len(gate.samples()) > 0
        assert results["totals"]["failures"] == sum(1 for s in gate.samples() if s[3])
        assert hosts.pids(0) == hosts.pids(1) == []
        assert locust_children() == []


def test_a_remote_worker_killed_mid_run_is_exit_3_naming_it(tmp_path, capsys):
    with network_hosts(2) as hosts, Target(host=BRIDGE_ADDRESS) as target:
        gate = Gate(tmp_path, target.url)
        port = free_port(BRIDGE_ADDRESS)
        workers = [start_worker(hosts, i, gate, port) for i in range(2)]

        def kill_second_worker_once_loaded() -> None:
            deadline = time.monotonic() + 60
            while target.requests < 50 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)
            hosts.kill(1)  # SIGKILL: no goodbye, its heartbeats just stop

        killer = threading.Thread(target=kill_second_worker_once_loaded, daemon=True)
        killer.start()
        started = time.monotonic()
        try:
            code = gate.run(ERROR_RATE, "--workers", "0", "--remote-workers", "2", "--master-bind",
                            f"{BRIDGE_ADDRESS}:{port}", load="users: 6\n  spawn_rate: 6\n  duration: 40s")
        finally:
            outputs = finish(workers)
        shown = capsys.readouterr()
        assert code == 3, shown
        assert "worker 198.18.0.3" in shown.out and "lost during the load" in shown.out, shown
        assert time.monotonic() - started < 35, "the loss ended the run early"
        assert gate.results()["verdict"] == "error"
        assert workers[0].returncode == 0, outputs[0]  # the other worker ended with the master
        assert hosts.pids(0) == hosts.pids(1) == []
        assert locust_children() == []


# -- on loopback (no namespaces needed): the barrier and the version check ----------------------

def loopback_worker(gate: Gate, port: int, *extra: str, env: dict | None = None) -> subprocess.Popen:
    argv = [sys.executable, "-m", "loadgate", "worker", "--master-host", "127.0.0.1",
            "--master-port", str(port), "-f", str(gate.locustfile), *extra]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "RECORD_DIR": str(gate.records), **(env or {})})


def test_too_few_remote_workers_is_exit_3_saying_how_many_came(tmp_path, capsys):
    with Target() as target:
        gate = Gate(tmp_path, target.url)
        port = free_port()
        workers = [loopback_worker(gate, port)]
        try:
            code = gate.run(ERROR_RATE, "--remote-workers", "2", "--master-bind", f"127.0.0.1:{port}",
                            "--remote-workers-wait", "10s", load="users: 2\n  duration: 5s")
        finally:
            outputs = finish(workers)
        shown = capsys.readouterr()
        assert code == 3, shown
        assert "only 1 of 2 remote workers connected within 10 s (worker 127.0.0.1" in shown.out, shown
        assert "unauthenticated" not in shown.err  # loopback: no warning
        assert "did not stop" not in shown.err  # the waiting master ends at once
        assert target.requests == 0  # the load never started
        # Locust ignores SIGINT while it waits for workers: the worker notices the master is gone
        assert workers[0].returncode == 3 and "lost the master" in outputs[0], outputs
        assert locust_children() == []


def test_a_worker_with_another_loadgate_version_is_refused_naming_both(tmp_path, capsys):
    from loadgate import __version__
    from loadgate.stack.locust_argv import EXPORTER

    with Target() as target:
        gate = Gate(tmp_path, target.url)
        port = free_port()
        # an older loadgate's worker: Locust with the exporter, announcing another version
        older = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", f"{gate.locustfile},{EXPORTER}", "--worker",
             "--master-host", "127.0.0.1", "--master-port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "RECORD_DIR": str(gate.records), "LOADGATE_VERSION": "0.0.1"})
        try:
            code = gate.run(ERROR_RATE, "--remote-workers", "1", "--master-bind", f"127.0.0.1:{port}",
                            load="users: 2\n  duration: 20s")
        finally:
            finish([older])
        shown = capsys.readouterr()
        assert code == 3, shown
        assert "runs loadgate 0.0.1 with Locust" in shown.out, shown
        assert f"the master loadgate {__version__} with Locust" in shown.out, shown
        assert locust_children() == []


def test_a_worker_refused_by_its_master_exits_3_saying_why(tmp_path):
    from loadgate.stack.locust_argv import EXPORTER

    with Target() as target:
        gate = Gate(tmp_path, target.url)
        port = free_port()
        # another loadgate's master: Locust with the exporter, announcing another version
        master = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", f"{gate.locustfile},{EXPORTER}", "--headless",
             "--master", "--expect-workers", "1", "--master-bind-host", "127.0.0.1",
             "--master-bind-port", str(port), "-t", "15s", "-H", target.url],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "LOADGATE_VERSION": "9.9.9",
                 "LOADGATE_EXPORTER_PORT": str(free_port()), "LOADGATE_FINAL_SCRAPE_TIMEOUT": "0"})
        worker = loopback_worker(gate, port)
        try:
            outputs = finish([worker], timeout=60)
        finally:
            master.kill()
            master.communicate()
        assert worker.returncode == 3, outputs
        assert "the master refused this worker" in outputs[0], outputs
        assert "the master loadgate 9.9.9" in outputs[0], outputs


def test_a_plain_locust_worker_is_refused(tmp_path, capsys):
    """Without loadgate's exporter its requests would never be counted: refused, named."""
    with Target() as target:
        gate = Gate(tmp_path, target.url)
        port = free_port()
        plain = subprocess.Popen([sys.executable, "-m", "locust", "-f", str(gate.locustfile), "--worker",
                                  "--master-host", "127.0.0.1", "--master-port", str(port)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env={**os.environ, "RECORD_DIR": str(gate.records)})
        try:
            code = gate.run(ERROR_RATE, "--remote-workers", "1", "--master-bind", f"127.0.0.1:{port}",
                            "--remote-workers-wait", "30s", load="users: 2\n  duration: 5s")
        finally:
            plain.kill()
            plain.communicate()
        shown = capsys.readouterr()
        assert code == 3, shown
        assert re.search(r"refused worker \S+_[0-9a-f]{32} runs Locust without loadgate's exporter",
                         shown.out), shown
        assert locust_children() == []


TIMED_LOCUSTFILE = '''
"""Records when each request ended (the moment the exporter labels it warm-up or window)."""
import json, os, time
from locust import HttpUser, between, events, task

ended = []

@events.request.add_listener
def record(**kw):
    ended.append(time.time())

@events.quitting.add_listener
def dump(environment, **kw):
    if ended:
        with open(os.path.join(os.environ["RECORD_DIR"], f"ended-{os.getpid()}.json"), "w") as out:
            json.dump(ended, out)

class Shopper(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def items(self):
        self.client.get("/items")
'''


def test_a_worker_joining_during_the_warm_up_leaves_its_warm_up_out(tmp_path, capsys):
    """It missed the start of the load: the master tells it when the window starts."""
    with Target() as target:
        gate = Gate(tmp_path, target.url)
        gate.locustfile.write_text(TIMED_LOCUSTFILE)
        port = free_port()
        workers = [loopback_worker(gate, port)]

        def join_late() -> None:
            deadline = time.monotonic() + 60
            while target.requests == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            workers.append(loopback_worker(gate, port))

        joiner = threading.Thread(target=join_late, daemon=True)
        joiner.start()
        try:
            code = gate.run(ERROR_RATE, "--remote-workers", "1", "--master-bind", f"127.0.0.1:{port}",
                            load="users: 8\n  spawn_rate: 8\n  duration: 10s\n  warmup: 5s")
        finally:
            joiner.join(60)
            outputs = finish(workers)
        shown = capsys.readouterr()
        assert code == 0, shown.out + shown.err
        assert len(workers) == 2 and [w.returncode for w in workers] == [0, 0], outputs
        files = sorted(gate.records.glob("ended-*.json"))
        assert len(files) == 3, files  # the local worker, the first and the late remote worker
        start = gate.results()["window"]["start"]
        per_process = [json.loads(path.read_text()) for path in files]
        assert all(any(t < start for t in ended) for ended in per_process)  # the late one warmed up too
        in_window = sum(1 for ended in per_process for t in ended if t >= start)
        assert abs(gate.results()["totals"]["requests"] - in_window) <= 2, in_window


def test_a_taken_master_port_is_exit_3_naming_its_owner(tmp_path, capsys):
    """Was exit 2 "could not load locustfile": Locust failing to bind read like a broken file."""
    import socket

    with Target() as target, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gate = Gate(tmp_path, target.url)
        code = gate.run(ERROR_RATE, "--remote-workers", "1", "--master-bind", f"127.0.0.1:{port}",
                        load="users: 2\n  duration: 5s")
        shown = capsys.readouterr()
        err = shown.out + shown.err
        assert code == 3, err
        assert f"the Locust master port 127.0.0.1:{port} is already taken by pid {os.getpid()} " in err
        assert target.requests == 0 and locust_children() == []
