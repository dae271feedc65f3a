"""loadgate benchmarks, each a ratio measured in one run on this machine.

1. Gate overhead: wall time of `loadgate run` minus that of a bare `locust --headless` run of the
   same length and load (goal: <= 1 s).
2. Exporter cost: requests/s Locust achieves with loadgate's exporter loaded vs without it, same
   locustfile, same target, runs alternated (goal: >= 0.97).

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "runner"))

from loadgate.locust_cmd import EXPORTER  # noqa: E402
from loadgate.processes import free_port  # noqa: E402

LOCUSTFILE = """
from locust import FastHttpUser, task

class Hammer(FastHttpUser):
    @task
    def health(self):
        self.client.get("/health")
"""


def timed(argv: list[str], env: dict | None = None) -> float:
    started = time.monotonic()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - started


def locust(workdir: Path, host: str, args: argparse.Namespace, files: str, tag: str,
           env: dict | None = None) -> tuple[float, int]:
    stats = workdir / f"stats-{tag}"
    argv = [sys.executable, "-m", "locust", "-f", files, "--headless", "--host", host,
            "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s",
            "--only-summary", "--json-file", str(stats)]
    seconds = timed(argv, env)
    requests = sum(s["num_requests"] for s in json.loads(stats.with_suffix(".json").read_text()))
    return seconds, requests


def gate(workdir: Path, host: str, args: argparse.Namespace, lf: Path) -> float:
    slo = workdir / "slo.yaml"
    slo.write_text("version: 1\nslos: [{sli: throughput, min: 1/s}]\n")
    return timed([sys.executable, "-m", "loadgate", "run", "-f", str(lf), "--slo", str(slo),
                  "-H", host, "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s",
                  "--report-dir", str(workdir / "reports"), "--quiet"])


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
    bare_walls, gate_walls, bare_rps, exporter_rps = [], [], [], []
    for round_ in range(args.rounds):
        wall, requests = locust(workdir, host, args, str(lf), f"bare{round_}")
        bare_walls.append(wall)
        bare_rps.append(requests / args.duration)
        gate_walls.append(gate(workdir, host, args, lf))
        _, requests = locust(workdir, host, args, f"{lf},{EXPORTER}", f"exp{round_}", exporter_env)
        exporter_rps.append(requests / args.duration)
    overhead = (sum(gate_walls) - sum(bare_walls)) / args.rounds
    print(f"machine: {os.cpu_count()} cores; {args.users} users, {args.duration} s runs, {args.rounds} rounds")
    print(f"gate overhead: loadgate run {sum(gate_walls) / args.rounds:.2f} s vs bare locust "
          f"{sum(bare_walls) / args.rounds:.2f} s -> +{overhead:.2f} s "
          f"(ratio {sum(gate_walls) / sum(bare_walls):.3f}; goal <= +1 s)")
    print(f"exporter cost: {sum(exporter_rps) / args.rounds:.0f} req/s with the exporter vs "
          f"{sum(bare_rps) / args.rounds:.0f} req/s bare -> ratio "
          f"{sum(exporter_rps) / sum(bare_rps):.3f} (goal >= 0.97)")


if __name__ == "__main__":
    main()
