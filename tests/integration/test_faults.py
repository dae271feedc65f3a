"""Faults in the locustfile's own conduct: each ends in a clear verdict, quickly."""

from __future__ import annotations

import re
import time

import pytest

EARLY_EXIT = '''
import sys, time
from locust import HttpUser, between, task

START = time.time()

class U(HttpUser):
    wait_time = between(0.01, 0.02)

    @task
    def items(self):
        self.client.get("/items")
        if time.time() - START > 4:
            sys.exit(0)
'''


def assert_explained(out: str) -> None:
    """The error is a sentence, then what Locust printed that explains it, indented; never its
    start-up banner (stack/explain.py)."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("error: "))
    assert lines[at].endswith((".", ")")) and not lines[at].endswith(":"), lines[at]
    assert lines[at + 1].startswith(("  | Locust printed:", "  | (Locust printed no error")), lines[at + 1]
    assert "locust.main: Starting Locust" not in out


def test_a_load_ended_early_by_the_locustfile_says_what_locust_said(gate, capsys):
    gate.locustfile.write_text(EARLY_EXIT)
    started = time.monotonic()
    assert gate.run("  - sli: error_rate\n    max: 100%\n", load="users: 2\n  duration: 30s") == 3
    assert time.monotonic() - started < 15  # not the 30 s load, nor a 20 s wait after it
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.startswith("error: "))
    # the exporter counts the SystemExit and stops the load with its final figures (see
    # failure_reasons.py), so the verdict names the line; a hard os._exit() would still read
    # "Locust exited (code 0) 4.0 s into a 30 s load without reporting its final figures".
    assert re.match(r"error: the locustfile stopped the load: sys.exit\(0\) at \S*locustfile.py:14 ",
                    first), first
    assert_explained(out)
    results = gate.results()
    assert (results["verdict"], results["exit_code"]) == ("error", 3)
    assert "Prometheus" not in results["error"].splitlines()[0]


def test_a_load_ended_by_os_exit_says_what_locust_said(gate, capsys):
    gate.locustfile.write_text(EARLY_EXIT.replace("sys.exit(0)", "os._exit(0)").replace(
        "import sys, time", "import os, sys, time"))
    started = time.monotonic()
    assert gate.run("  - sli: error_rate\n    max: 100%\n", load="users: 2\n  duration: 30s") == 3
    assert time.monotonic() - started < 15  # not the 30 s load, nor a 20 s wait after it
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.startswith("error: "))
    assert re.match(r"error: Locust exited \(code 0\) \d+\.\d s into a 30 s load without "
                    r"reporting its final figures", first), first
    assert_explained(out)
    assert gate.results()["exit_code"] == 3


BLOCKING = '''
import time
from gevent import monkey
from locust import HttpUser, between, task

real_sleep = monkey.get_original("time", "sleep")  # not gevent's: it blocks the event loop
first, blocked = [], []

class U(HttpUser):
    wait_time = between(0.01, 0.02)

    @task
    def items(self):
        self.client.get("/items")
        first.append(first[0] if first else time.time())
        if time.time() - first[0] > 2 and not blocked:
            blocked.append(1)
            real_sleep(12)
'''


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_blocked_event_loop_warns_and_its_objectives_note_it(gate, capsys, workers):
    gate.locustfile.write_text(BLOCKING)
    # with 2 workers both block, Locust stops the test once both are missing (~5 s in), and the
    # block reaches the master in the report each worker sends as it wakes (exporter.py)
    assert gate.run("  - sli: error_rate\n    max: 100%\n", "--workers", workers,
                    load="users: 2\n  duration: 16s") == 0
    slo = gate.results()["slos"][0]
    assert slo["status"] == "warn"
    out = capsys.readouterr().out
    assert re.search(r"note: a task blocked Locust's event loop for 1[12]\.\d s \(from \d+\.\d s to "
                     r"\d+\.\d s into the window; time.sleep", out), out
