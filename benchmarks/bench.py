"""loadgate benchmarks, each a ratio measured in one run on this machine.

1. Gate overhead: wall time of `loadgate run` minus that of a bare `locust --headless` run of the
   same length and load (goal: <= 1 s), both per measured second of load (see Run) and raw.
2. Exporter cost: requests/s Locust achieves with loadgate's exporter loaded vs without it, same
   locustfile, same target, runs alternated (goal: >= 0.97); once over HTTP against the demo
   service, once with synthetic requests (no network) so that Locust itself is the bottleneck.

Usage: .venv/bin/python benchmarks/bench.py [--duration 10] [--users 20] [--rounds 2]
Needs Prometheus on PATH. Traffic goes only to the demo service this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadgate.stack.locust_argv import EXPORTER
from loadgate.stack.processes import free_port

ROOT = Path(__file__).resolve().parents[1]

LOCUSTFILE = """
from locust import FastHttpUser, task

class Hammer(FastHttpUser):
    @task
    def health(self):
        self.client.get("/health")
"""

# Locust as the bottleneck: requests that cost no network, so the exporter's per-request work is
# all that differs between the two runs.
SYNTHETIC = """
import random
from locust import User, task

class Synthetic(User):
    @task
    def request(self):
        self.environment.events.request.fire(
            request_type="GET", name=f"/item/{random.randint(1, 5)}", response_time=random.lognormvariate(3, 0.5),
            response_length=0, exception=None if random.random() > 0.01 else RuntimeError("x"), context={})
"""


def timed(argv: list[str], env: dict | None = None) -> float:
    started = time.monotonic()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - started


class Run:
    """One run: its wall time, and from Locust's own statistics its requests and load length.

    The load length is measured (first request to last response) because Locust's ``-t`` timer
    can fire early: gevent's cached loop clock, stale after import-time work, made a bare
    ``-t 10s`` run stop after ~9.75 s here.  Both sides are compared per second of actual load.
    """

    def __init__(self, argv: list[str], stats: Path, env: dict | None = None) -> None:
        self.wall = timed(argv + ["--json-file", str(stats)], env)
        entries = json.loads(stats.with_suffix(".json").read_text())
        self.requests = sum(e["num_requests"] for e in entries)
        self.load = (max(e["last_request_timestamp"] for e in entries)
                     - min(e["start_time"] for e in entries))

    @property
    def rps(self) -> float:
        return self.requests / self.load

    @property
    def extra(self) -> float:
        """Wall time not spent under load."""
        return self.wall - self.load


def locust_argv(host: str, args: argparse.Namespace, files: str) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", files, "--headless", "--host", host,
            "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s", "--only-summary"]


def gate_argv(workdir: Path, host: str, args: argparse.Namespace, lf: Path) -> list[str]:
    slo = workdir / "slo.yaml"
    slo.write_text("version: 1\nslos: [{sli: throughput, min: 1/s}]\n")
    return [sys.executable, "-m", "loadgate", "run", "-f", str(lf), "--slo", str(slo), "-H", host,
            "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s",
            "--report-dir", str(workdir / "reports"), "--quiet", "--"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    service = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(port)],
                               stdout=subprocess.DEVNULL)
    time.sleep(1)
    host = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), host, args)
    finally:
        service.terminate()


def run(workdir: Path, host: str, args: argparse.Namespace) -> None:
    lf = workdir / "lf.py"
    lf.write_text(LOCUSTFILE)
    exporter_env = {**os.environ, "LOADGATE_EXPORTER_PORT": str(free_port()),
                    "LOADGATE_FINAL_SCRAPE_TIMEOUT": "0"}
    synthetic = workdir / "synthetic.py"
    synthetic.write_text(SYNTHETIC)
    bare, gated, exported, cpu_bare, cpu_exported = [], [], [], [], []
    for n in range(args.rounds):
        bare.append(Run(locust_argv(host, args, str(lf)), workdir / f"bare{n}"))
        gated.append(Run(gate_argv(workdir, host, args, lf), workdir / f"gate{n}"))
        exported.append(Run(locust_argv(host, args, f"{lf},{EXPORTER}"), workdir / f"exp{n}",
                            exporter_env))
        cpu_bare.append(Run(locust_argv(host, args, str(synthetic)), workdir / f"sb{n}"))
        cpu_exported.append(Run(locust_argv(host, args, f"{synthetic},{EXPORTER}"),
                                workdir / f"se{n}", exporter_env))
    print(f"machine: {os.cpu_count()} cores; {args.users} users, -t {args.duration}s, {args.rounds} rounds")
    report_overhead(bare, gated)
    report_exporter("exporter cost, HTTP to the demo service", bare, exported)
    report_exporter("exporter cost, Locust-bound (synthetic requests)", cpu_bare, cpu_exported)


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def report_overhead(bare: list[Run], gated: list[Run]) -> None:
    extra = mean(g.extra for g in gated) - mean(b.extra for b in bare)
    print(f"gate overhead: wall {mean(g.wall for g in gated):.2f} s for {mean(g.load for g in gated):.2f} s "
          f"of load vs bare locust {mean(b.wall for b in bare):.2f} s for {mean(b.load for b in bare):.2f} s "
          f"-> +{extra:.2f} s per run for the same load (raw wall difference "
          f"{mean(g.wall for g in gated) - mean(b.wall for b in bare):+.2f} s; goal <= +1 s)")


def report_exporter(what: str, bare: list[Run], exported: list[Run]) -> None:
    ratio = sum(e.requests for e in exported) / sum(e.load for e in exported) / (
        sum(b.requests for b in bare) / sum(b.load for b in bare))
    print(f"{what}: {mean(e.rps for e in exported):.0f} req/s with the exporter vs "
          f"{mean(b.rps for b in bare):.0f} req/s bare -> ratio {ratio:.3f} (goal >= 0.97)")


if __name__ == "__main__":
    main()
