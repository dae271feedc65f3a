"""Every exit path tears the stack down: signals, a dead Prometheus, a crashed Locust."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import alive, process_stat, read_results
from tests.integration.conftest import RECORDING_LOCUSTFILE


def descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every living descendant of ``pid``."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        if (stat := process_stat(entry.name)) is not None:
            parents[int(entry.name)] = (stat[1], stat[0])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, state) in parents.items():
            if ppid == parent and state != "Z":
                cmdline = Path(f"/proc/{child}/cmdline")
                found[child] = (cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
                                if Path(f"/proc/{child}").exists() else "")
                frontier.append(child)
    return found


class Run:
    def __init__(self, tmp_path: Path, host: str, duration: str = "60s", folder: str = "") -> None:
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.reports = tmp_path / folder / "reports"
        (tmp_path / "lf.py").write_text(RECORDING_LOCUSTFILE)
        (tmp_path / "slo.yaml").write_text(
            f"version: 1\ntarget: {{host: '{host}'}}\nload: {{users: 5, duration: {duration}, workers: 2}}\n"
            "slos: [{sli: error_rate, max: 100%}]\n")
        env = {**os.environ, "TMPDIR": str(self.tmp), "RECORD_DIR": str(tmp_path)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "loadgate", "run", "--slo", str(tmp_path / "slo.yaml"),
             "-f", str(tmp_path / "lf.py"), "--report-dir", str(self.reports)],
            env=env, cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def wait_for_children(self, *names: str, timeout: float = 20) -> dict[int, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = descendants(self.process.pid)
            if all(sum(name in cmd for cmd in children.values()) for name in names):
                time.sleep(1.5)  # let the load get going
                return descendants(self.process.pid)
            time.sleep(0.1)
        raise AssertionError(f"children {names} never appeared: {children}")

    def finish(self, timeout: float = 15) -> tuple[int, float]:
        started = time.monotonic()
        self.process.wait(timeout)
        return self.process.returncode, time.monotonic() - started

    def assert_clean(self, children: dict[int, str]) -> None:
        assert not [pid for pid in children if alive(pid)], "children left behind"
        assert list(self.tmp.iterdir()) == [], "temporary files left behind"


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130),
                                       (signal.SIGHUP, 129), (signal.SIGUSR1, 138)])
def test_signal_tears_down_quickly(tmp_path, demo, sig, code):
    run = Run(tmp_path, demo)
    children = run.wait_for_children("prometheus", "--worker")
    assert len(children) >= 4  # prometheus, master, two workers
    if sig is signal.SIGINT:
        os.killpg(run.process.pid, sig)  # Ctrl-C reaches the whole foreground process group
    else:
        run.process.send_signal(sig)
    returncode, seconds = run.finish()
    assert (returncode, seconds < 15) == (code, True)
    run.assert_clean(children)
    junit = ET.parse(run.reports / "junit.xml").getroot()
    assert junit.find("testsuite").get("errors") == "1"
    results = read_results(run.reports / "results.json")
    assert results["exit_code"] == code  # not 3
    assert results["error"] == ("interrupted by SIGINT" if code == 130 else f"terminated by {sig.name}")
    props = {p.get("name"): p.get("value") for p in junit.find("testsuite/properties")}
    assert props["exit_code"] == str(code)


def kill_child(tmp_path, demo, match: str, timeout: float) -> tuple[Run, dict, int]:
    """Start a run, SIGKILL the child whose command line contains ``match``, wait for the end."""
    run = Run(tmp_path, demo)
    children = run.wait_for_children("prometheus", "--worker")
    os.kill(next(pid for pid, cmd in children.items() if match in cmd), signal.SIGKILL)
    returncode, run.seconds = run.finish(timeout)
    return run, children, returncode


def test_prometheus_dying_mid_run_is_an_infrastructure_error(tmp_path, demo):
    run, children, returncode = kill_child(tmp_path, demo, "prometheus --config.file", 30)
    assert returncode == 3
    assert run.seconds < 8  # about 2 s here (benchmarks/endings.py); 10 s before the exporter was told
    assert "Prometheus died" in run.process.stderr.read().decode() + (run.reports / "results.json").read_text()
    assert read_results(run.reports / "results.json")["verdict"] == "error"
    error = ET.parse(run.reports / "junit.xml").getroot().find("testsuite/testcase/error")
    assert error is not None and "Prometheus died" in error.get("message")
    run.assert_clean(children)


def test_crashed_locust_is_an_infrastructure_error(tmp_path, demo):
    run, children, returncode = kill_child(tmp_path, demo, "--master", 60)
    assert returncode == 3
    assert read_results(run.reports / "results.json")["verdict"] == "error"
    run.assert_clean(children)


def test_a_worker_ended_by_sighup_tears_down_and_leaves_no_folder(tmp_path):
    """``loadgate worker`` waiting for a master that never comes, then SIGHUP (its CI session ended)."""
    from loadgate.stack.processes import free_port

    (tmp_path / "tmp").mkdir()
    (tmp_path / "lf.py").write_text(RECORDING_LOCUSTFILE)
    process = subprocess.Popen(
        [sys.executable, "-m", "loadgate", "worker", "--master-host", "127.0.0.1", "--master-port",
         str(free_port()), "--connect-timeout", "60s", "-f", str(tmp_path / "lf.py")],
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")}, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not any("--worker" in cmd for cmd in descendants(process.pid).values()):
        assert time.monotonic() < deadline, "the worker's Locust never started"
        time.sleep(0.1)
    children = descendants(process.pid)
    assert [f.name.startswith(f"loadgate-{process.pid}-") for f in (tmp_path / "tmp").iterdir()] == [True]
    process.send_signal(signal.SIGHUP)
    assert process.wait(15) == 129
    assert "terminated by SIGHUP" in process.stderr.read().decode()
    assert not [pid for pid in children if alive(pid)]
    assert list((tmp_path / "tmp").iterdir()) == []
