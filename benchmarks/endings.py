"""How fast a run ends when something fails: the seconds from the fault to the exit of loadgate.

Runs ``loadgate run`` (local stack, 2 workers) against the bundled demo service and, once the load
is under way, either kills Prometheus (SIGKILL) or sends loadgate SIGTERM; prints the seconds from
that moment to loadgate's exit, and the exit code.  Usage: .venv/bin/python benchmarks/endings.py [N]
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LOCUSTFILE = """
from locust import HttpUser, between, task

class U(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def items(self):
        self.client.get("/items")
"""


def children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
    return found


def start_demo(port: int) -> subprocess.Popen:
    demo = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
            return demo
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("demo service did not start")


def one(fault: str, host: str, folder: Path) -> tuple[float, int]:
    (folder / "lf.py").write_text(LOCUSTFILE)
    (folder / "slo.yaml").write_text(f"version: 1\ntarget: {{host: '{host}'}}\n"
                                     "load: {users: 10, duration: 60s, workers: 2}\n"
                                     "slos: [{sli: error_rate, max: 100%}]\n")
    run = subprocess.Popen([sys.executable, "-m", "loadgate", "run", "-q", "--slo", "slo.yaml",
                            "-f", "lf.py", "--report-dir", "reports"], cwd=folder,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # the load is under way
    if fault == "prometheus killed":
        prometheus = next(p for p, cmd in children(run.pid).items() if "prometheus" in cmd)
        os.kill(prometheus, signal.SIGKILL)
    else:
        run.send_signal(signal.SIGTERM)
    started = time.monotonic()
    run.wait(120)
    return time.monotonic() - started, run.returncode


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    port = 18000 + os.getpid() % 1000
    demo = start_demo(port)
    try:
        for fault in ("prometheus killed", "SIGTERM to loadgate"):
            seconds, codes = [], set()
            for _ in range(rounds):
                with tempfile.TemporaryDirectory() as folder:
                    took, code = one(fault, f"http://127.0.0.1:{port}", Path(folder))
                seconds.append(took)
                codes.add(code)
            print(f"{fault:<22} exit {sorted(codes)}: median {statistics.median(seconds):.2f} s, "
                  f"max {max(seconds):.2f} s from the fault to the exit of loadgate ({rounds} runs)")
    finally:
        demo.terminate()
        demo.wait(10)
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared with other engineers)")


if __name__ == "__main__":
    main()
