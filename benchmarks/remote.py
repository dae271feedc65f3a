"""Beyond one machine: what remote workers and remote write cost, each a ratio measured in one run.

1. Remote write: wall time of `loadgate run` whose Prometheus is an agent remote-writing to a shared
   Prometheus (`--web.enable-remote-write-receiver`), read back through `--prometheus-url`, against
   the same run with a local Prometheus.  The difference is mostly the wait for the final figures
   to reach the store (the agent sends within `batch_send_deadline`, 250 ms; Prometheus' default
   of 5 s would add up to 5 s to every run).
2. Remote workers: a master with one local and one remote worker (`loadgate worker` on loopback,
   started first) against the same run with two local workers: the start barrier's cost.
3. The copy (`--remote-write URL` alone) at --names request names (1 000): the same run with and
   without a copy to a Prometheus receiver (native histograms on): wall time, and the CPU time and
   peak RSS of the local Prometheus (from /proc, sampled every 0.2 s while it runs).

Usage: .venv/bin/python benchmarks/remote.py [--duration 5] [--rounds 2] [--names 1000]
Needs Prometheus on PATH. Traffic goes only to the demo service this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from loadgate.stack.processes import free_port

SLO = "version: 1\ntarget: {{host: '{host}'}}\nload: {{users: 10, spawn_rate: 10, duration: {d}s}}\n" \
      "slos: [{{sli: error_rate, max: 1%}}]\n"
LOCUSTFILE = ("from locust import FastHttpUser, task, between\n\nclass U(FastHttpUser):\n"
              "    wait_time = between(0.01, 0.02)\n\n    @task\n    def health(self):\n"
              "        self.client.get('/health')\n")
MANY_NAMES = ("import os, random\nfrom locust import FastHttpUser, task, between\n\n"
              "NAMES = int(os.environ['BENCH_NAMES'])\n\nclass U(FastHttpUser):\n"
              "    wait_time = between(0.01, 0.02)\n\n    @task\n    def health(self):\n"
              "        self.client.get('/health', name=f'/n/{random.randrange(NAMES)}')\n")
CLOCK = os.sysconf("SC_CLK_TCK")


class PrometheusWatch(threading.Thread):
    """CPU seconds and peak RSS of the Prometheus that a `loadgate run` (``parent``) starts."""

    def __init__(self, parent: int) -> None:
        super().__init__(daemon=True)
        self.parent, self.cpu, self.peak_kib, self.done = parent, 0.0, 0, False

    def run(self) -> None:
        while not self.done:
            for entry in Path("/proc").iterdir():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if entry.name.isdigit() and int(stat[1]) == self.parent and \
                            b"prometheus" in (entry / "cmdline").read_bytes().split(b"\0")[0]:
                        self.cpu = max(self.cpu, (int(stat[11]) + int(stat[12])) / CLOCK)
                        status = (entry / "status").read_text()
                        self.peak_kib = max(self.peak_kib, int(status.split("VmHWM:")[1].split()[0]))
                except (OSError, IndexError, ValueError):
                    continue
            time.sleep(0.2)


def watched_gate(folder: Path, *args: str) -> tuple[float, float, float]:
    """Wall seconds, Prometheus CPU seconds and peak RSS (MiB) of one run with many names."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "loadgate", "run", "-q", "-f", str(folder / "many.py"),
                                "--slo", str(folder / "slo.yaml"), "--report-dir", str(folder / "r"), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watch = PrometheusWatch(process.pid)
    watch.start()
    output = process.communicate()[0]
    watch.done = True
    watch.join()
    if process.returncode != 0:
        raise RuntimeError(output)
    return time.monotonic() - started, watch.cpu, watch.peak_kib / 1024


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} never answered")


def gate(folder: Path, *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "loadgate", "run", "-q", "-f", str(folder / "lf.py"),
                           "--slo", str(folder / "slo.yaml"), "--report-dir", str(folder / "r"), *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    return time.monotonic() - started


def with_remote_worker(folder: Path) -> float:
    port = free_port()
    worker = subprocess.Popen([sys.executable, "-m", "loadgate", "worker", "--master-host", "127.0.0.1",
                               "--master-port", str(port), "-f", str(folder / "lf.py")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)  # the worker is up and knocking: the barrier is what is measured
        return gate(folder, "--workers", "1", "--remote-workers", "1", "--master-bind", f"127.0.0.1:{port}")
    finally:
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--names", type=int, default=1000)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="loadgate-bench-remote-"))
    demo_port, store_port = free_port(), free_port()
    demo = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(demo_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (folder / "shared.yml").write_text("global: {}\n")
    store = subprocess.Popen([shutil.which("prometheus"), f"--config.file={folder / 'shared.yml'}",
                              f"--storage.tsdb.path={folder / 'tsdb'}", "--log.level=warn",
                              f"--web.listen-address=127.0.0.1:{store_port}",
                              "--web.enable-remote-write-receiver", "--enable-feature=native-histograms"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store_url = f"http://127.0.0.1:{store_port}"
    try:
        wait_http(f"http://127.0.0.1:{demo_port}/health")
        wait_http(store_url + "/-/ready")
        (folder / "lf.py").write_text(LOCUSTFILE)
        (folder / "many.py").write_text(MANY_NAMES)
        os.environ["BENCH_NAMES"] = str(options.names)
        (folder / "slo.yaml").write_text(SLO.format(host=f"http://127.0.0.1:{demo_port}", d=options.duration))
        times: dict[str, list[float]] = {k: [] for k in ("local", "remote write", "2 local workers",
                                                         "1 local + 1 remote worker")}
        copies: dict[str, list[tuple[float, float, float]]] = {}
        for _ in range(options.rounds):  # alternated, so that machine load hits both alike
            times["local"].append(gate(folder))
            times["remote write"].append(gate(folder, "--prometheus-url", store_url,
                                              "--remote-write", f"{store_url}/api/v1/write"))
            times["2 local workers"].append(gate(folder, "--workers", "2"))
            times["1 local + 1 remote worker"].append(with_remote_worker(folder))
            for name, args in ((f"{options.names} names", ()), (f"{options.names} names + copy",
                                                                ("--remote-write", f"{store_url}/api/v1/write"))):
                copies.setdefault(name, []).append(watched_gate(folder, *args))
        best = {name: min(values) for name, values in times.items()}
        print(f"load {options.duration} s, best of {options.rounds}; load average {os.getloadavg()[0]:.1f}")
        for name, value in best.items():
            print(f"  {name:28s} {value:6.2f} s")
        print(f"remote write / local Prometheus:        {best['remote write'] / best['local']:.3f}")
        print(f"remote worker / local worker (2 each):  "
              f"{best['1 local + 1 remote worker'] / best['2 local workers']:.3f}")
        print("the copy (--remote-write alone), best of the rounds: wall, Prometheus CPU, peak RSS")
        for name, rows in copies.items():
            print(f"  {name:28s} {min(r[0] for r in rows):6.2f} s {min(r[1] for r in rows):6.2f} s CPU "
                  f"{min(r[2] for r in rows):6.0f} MiB")
        plain, copied = (copies[k] for k in copies)
        print(f"copy / no copy: wall {min(r[0] for r in copied) / min(r[0] for r in plain):.3f}, "
              f"Prometheus CPU {min(r[1] for r in copied) / min(r[1] for r in plain):.3f}, "
              f"RSS {min(r[2] for r in copied) / min(r[2] for r in plain):.3f}")
    finally:
        for process in (demo, store):
            process.terminate()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
