"""loadgate benchmarks, each a ratio measured in one run on this machine.

1. Gate overhead: wall time of `loadgate run` minus that of a bare `locust --headless` run of the
   same length and load (goal: <= 1 s), both per measured second of load (see Run) and raw.
2. Exporter cost: requests/s Locust achieves with loadgate's exporter loaded vs without it, same
   locustfile, same target, runs alternated (goal: >= 0.97); once over HTTP against the demo
   service, once with synthetic requests (no network) so that Locust itself is the bottleneck.
3. Throughput test (issue #18 item 5, goal >= 0.95): 4 FastHttpUser users at full speed against a
   target much faster than Locust (an asyncio server answering every request at once), so Locust
   is the bottleneck: requests/s under ``loadgate run`` and with the exporter alone, each over bare
   Locust, and the CPU seconds each process used per second of load under the gate (on 2 cores
   whatever Prometheus and loadgate use is taken from Locust and the target).

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


# A target much faster than Locust: answers every request on a keep-alive connection at once.
FAST_TARGET = """
import asyncio, sys
ANSWER = b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Type: text/plain\\r\\n\\r\\nok"
END = b"\\r\\n\\r\\n"

class Answer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.pending = transport, b""

    def data_received(self, data):
        data = self.pending + data
        asked = data.count(END)
        self.pending = data[data.rfind(END) + 4:] if asked else data
        if asked:
            self.transport.write(ANSWER * asked)

async def serve(port):
    server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", port)
    async with server:
        await server.serve_forever()

asyncio.run(serve(int(sys.argv[1])))
"""


def timed(argv: list[str], env: dict | None = None, cpu: dict | None = None) -> float:
    """Wall seconds of ``argv``; with ``cpu``, the CPU seconds of it and each descendant (by
    command: loadgate, prometheus, locust) are added to it, polled from /proc every 0.1 s."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, tuple[str, float]] = {}
    while process.poll() is None:
        if cpu is not None:
            for pid in [process.pid, *descendants(process.pid)]:
                name, last = seen.get(pid) or (kind(pid), 0.0)
                seen[pid] = (name, cpu_seconds(pid) or last)
        time.sleep(0.1)
    for name, seconds in seen.values():
        cpu[name] = cpu.get(name, 0.0) + seconds
    return time.monotonic() - started


def descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        found = [int(child) for child in children.read_text().split()]
    except OSError:
        return []
    return found + [grandchild for child in found for grandchild in descendants(child)]


def kind(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    for name in (b"prometheus", b"locust", b"loadgate"):
        if any(name in part for part in argv[:4]):
            return name.decode()
    return "other"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used (0.0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Run:
    """One run: its wall time, and from Locust's own statistics its requests and load length.

    The load length is measured (first request to last response) because Locust's ``-t`` timer
    can fire early: gevent's cached loop clock, stale after import-time work, made a bare
    ``-t 10s`` run stop after ~9.75 s here.  Both sides are compared per second of actual load.
    """

    def __init__(self, argv: list[str], stats: Path, env: dict | None = None, cpu: dict | None = None) -> None:
        self.wall = timed(argv + ["--json-file", str(stats)], env, cpu)
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
    parser.add_argument("--only", choices=["throughput"], help="only the throughput test")
    args = parser.parse_args()
    ports = free_port(), free_port()
    # the demo service's own log (a connection Locust resets at its stop) would drown the output
    services = [subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(ports[0])],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                subprocess.Popen([sys.executable, "-c", FAST_TARGET, str(ports[1])])]
    time.sleep(1)
    hosts = [f"http://127.0.0.1:{port}" for port in ports]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"-t {args.duration}s, {args.rounds} rounds")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.only is None:
                run(Path(tmp), hosts[0], args)
            throughput(Path(tmp), hosts[1], services[1].pid, args)
    finally:
        for service in services:
            service.terminate()


def run(workdir: Path, host: str, args: argparse.Namespace) -> None:
    lf = workdir / "lf.py"
    lf.write_text(LOCUSTFILE)
    synthetic = workdir / "synthetic.py"
    synthetic.write_text(SYNTHETIC)
    bare, gated, exported, cpu_bare, cpu_exported = [], [], [], [], []
    for n in range(args.rounds):
        bare.append(Run(locust_argv(host, args, str(lf)), workdir / f"bare{n}"))
        gated.append(Run(gate_argv(workdir, host, args, lf), workdir / f"gate{n}"))
        exported.append(Run(locust_argv(host, args, f"{lf},{EXPORTER}"), workdir / f"exp{n}",
                            exporter_env()))
        cpu_bare.append(Run(locust_argv(host, args, str(synthetic)), workdir / f"sb{n}"))
        cpu_exported.append(Run(locust_argv(host, args, f"{synthetic},{EXPORTER}"),
                                workdir / f"se{n}", exporter_env()))
    print(f"{args.users} users:")
    report_overhead(bare, gated)
    report_exporter("exporter cost, HTTP to the demo service", bare, exported)
    report_exporter("exporter cost, Locust-bound (synthetic requests)", cpu_bare, cpu_exported)


def exporter_env() -> dict[str, str]:
    return {**os.environ, "LOADGATE_EXPORTER_PORT": str(free_port()), "LOADGATE_FINAL_SCRAPE_TIMEOUT": "0"}


def throughput(workdir: Path, host: str, target: int, args: argparse.Namespace) -> None:
    """4 users at full speed against the fast target, bare / exporter alone / loadgate run."""
    lf = workdir / "throughput.py"
    lf.write_text(LOCUSTFILE.replace('"/health"', '"/"'))  # users at full speed (no wait_time)
    four = argparse.Namespace(**{**vars(args), "users": 4})
    bare, exported, gated, cpu = [], [], [], {}
    for n in range(args.rounds):
        bare.append(Run(locust_argv(host, four, str(lf)), workdir / f"tb{n}"))
        exported.append(Run(locust_argv(host, four, f"{lf},{EXPORTER}"), workdir / f"te{n}", exporter_env()))
        before = cpu_seconds(target)
        gated.append(Run(gate_argv(workdir, host, four, lf), workdir / f"tg{n}", cpu=cpu))
        cpu["target"] = cpu.get("target", 0.0) + cpu_seconds(target) - before
    print("throughput test, 4 FastHttpUser users at full speed against a fast local target:")
    report_exporter("  exporter alone", bare, exported, goal=0.95)
    report_exporter("  under the gate (loadgate run)", bare, gated, goal=0.95)
    load = sum(g.load for g in gated)
    print("  CPU under loadgate run, cores used per second of load: " + ", ".join(
        f"{name} {seconds / load:.2f}" for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1])))


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def report_overhead(bare: list[Run], gated: list[Run]) -> None:
    extra = mean(g.extra for g in gated) - mean(b.extra for b in bare)
    print(f"gate overhead: wall {mean(g.wall for g in gated):.2f} s for {mean(g.load for g in gated):.2f} s "
          f"of load vs bare locust {mean(b.wall for b in bare):.2f} s for {mean(b.load for b in bare):.2f} s "
          f"-> +{extra:.2f} s per run for the same load (raw wall difference "
          f"{mean(g.wall for g in gated) - mean(b.wall for b in bare):+.2f} s; goal <= +1 s)")


def report_exporter(what: str, bare: list[Run], exported: list[Run], goal: float = 0.97) -> None:
    ratio = sum(e.requests for e in exported) / sum(e.load for e in exported) / (
        sum(b.requests for b in bare) / sum(b.load for b in bare))
    print(f"{what}: {mean(e.rps for e in exported):.0f} req/s with the exporter vs "
          f"{mean(b.rps for b in bare):.0f} req/s bare -> ratio {ratio:.3f} (goal >= {goal})")


if __name__ == "__main__":
    main()
