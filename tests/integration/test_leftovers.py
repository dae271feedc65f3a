"""Nothing outlives a run: detached children, a killed loadgate's folder, a kept TSDB kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.helpers import alive
from tests.integration.test_teardown import Run

DETACHING = '''
import os, subprocess, sys
from locust import HttpUser, between, events, task

@events.test_start.add_listener
def detach(environment, **kw):
    if os.fork() == 0:  # a double fork in a session of its own: no group or parent reaches it
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "300"])
        os._exit(0)
    child = subprocess.Popen(["sleep", "301"], start_new_session=True)
    with open(os.path.join(os.environ["RECORD_DIR"], "detached"), "a") as out:
        out.write(f"{child.pid}\\n")

class U(HttpUser):
    wait_time = between(0.05, 0.1)

    @task
    def items(self):
        self.client.get("/items")
'''


def sleepers(seconds: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            try:
                if (entry / "cmdline").read_bytes() == f"sleep\0{seconds}\0".encode():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_what_the_locustfile_detaches_is_stopped_with_the_run(gate):
    gate.locustfile.write_text(DETACHING)
    before = set(sleepers("300")) | set(sleepers("301"))
    assert gate.run("  - sli: error_rate\n    max: 100%\n", load="users: 1\n  duration: 3s") == 0
    recorded = [int(p) for p in (gate.records / "detached").read_text().split()]
    assert recorded and not [pid for pid in recorded if alive(pid)]
    assert set(sleepers("300")) - before == set()  # the double-forked one too


def test_a_killed_run_leaves_a_folder_the_next_run_removes(tmp_path, demo):
    run = Run(tmp_path, demo)
    children = run.wait_for_children("prometheus", "--worker")
    os.kill(run.process.pid, signal.SIGKILL)
    run.process.wait(10)
    deadline = time.monotonic() + 30  # the children die with their parent (PR_SET_PDEATHSIG)
    while [pid for pid in children if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)]
    assert [p.name for p in run.tmp.iterdir()] == [p.name for p in run.tmp.glob(
        f"loadgate-{run.process.pid}-*")] != []  # kill -9 ran no teardown
    second = Run(tmp_path, demo, duration="2s", folder="second")
    assert second.finish(60)[0] == 0
    assert list(run.tmp.iterdir()) == []


def test_keep_stack_keeps_the_tsdb_under_the_prometheus_it_keeps(gate, capsys):
    assert gate.run("  - sli: error_rate\n    max: 100%\n", "--keep-stack",
                    load="users: 2\n  duration: 2s") == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "--keep-stack: Prometheus stays up at" in x)
    url, pid = line.split(" at ")[1].split()[0], int(line.split("(pid ")[1].split(")")[0])
    home = Path(line.split("its data is in ")[1].split(":")[0])
    try:
        time.sleep(1)
        query = urllib.parse.urlencode({"query": "sum(last_over_time(loadgate_requests_total[5m]))"})
        answer = json.load(urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=5))
        assert float(answer["data"]["result"][0]["value"][1]) > 0  # the run's data is still there
        assert (home / "tsdb").is_dir() and alive(pid)
    finally:
        os.kill(pid, signal.SIGTERM)
        subprocess.run(["rm", "-rf", str(home)], check=False)
