"""How measurement scales with request names and run length, measured in one run on this machine.

For each case, `loadgate run` (local stack) drives the demo service's /items (lognormal latency)
with requests spread evenly over N distinct Locust names, while this script watches the
Prometheus that loadgate started (its peak RSS from /proc VmHWM, the series in its head from
/api/v1/status/tsdb, the exporter's slowest scrape from scrape_duration_seconds).  A recording
locustfile keeps every response time Locust measured, so each percentile loadgate reports is
compared with the exact one (totals, and every name with at least 1 000 requests).

Each case's time beyond the load is split into its parts from the moments loadgate logs at -vv
(loadgate/phases.py): start-up (process start to the first request), stop (the load's end to
Locust's exit, which waits for the final scrape), final (until loadgate holds the final scrape's
figures), reads, judging, teardown, reports and exit; beside it a bare Locust run
of the same names and load length (no loadgate) in the same run, and the difference.

Cases: names 1 / 10 / 100 / 1 000 for --short seconds each; with --long SECONDS (or --soak: 30
min) one 20-name run that long.  Goals (issue #18): beyond the load, over bare Locust, at most
+0.5 s for 1 name and +1.0 s for 1 000 names x 30 s and 20 names x 30 min; Prometheus peak RSS
under 256 MiB.

Usage: .venv/bin/python benchmarks/scale.py [--users 20] [--short 30] [--long 600 | --soak]
       [--only 1,10,long] [--logs DIR]
Needs Prometheus on PATH. Traffic goes only to the demo service this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from array import array
from pathlib import Path

from loadgate.stack.processes import free_port

ROOT = Path(__file__).resolve().parents[1]

LOCUSTFILE = '''
import os, random
from array import array
from locust import FastHttpUser, constant, events, task

NAMES = int(os.environ["SCALE_NAMES"])
# Every response time, kept where the garbage collector never walks: a list of 3.6 M tuples (a 1 h
# soak) made each full collection pause the process ~0.25 s, and those pauses showed up as the
# exporter's slowest scrape.  Written in binary at the end (json.dump of the list took seconds,
# counted in the load's stop).
indexes, times = array("l"), array("d")

@events.request.add_listener
def record(request_type, name, response_time, exception=None, **kw):
    indexes.append(int(name.rsplit("/", 1)[1]))
    times.append(response_time)

@events.quitting.add_listener
def dump(environment, **kw):
    if times:
        with open(os.path.join(os.environ["SCALE_DIR"], f"samples-{os.getpid()}.bin"), "wb") as out:
            for column in (array("l", [len(times)]), indexes, times):
                column.tofile(out)

class Api(FastHttpUser):
    wait_time = constant(0.015)

    @task
    def item(self):
        self.client.get("/items", name=f"/api/items/{random.randrange(NAMES)}")
'''
QUANTILES = (("p50_ms", 0.5), ("p90_ms", 0.9), ("p95_ms", 0.95), ("p99_ms", 0.99))


def exact(values: list[float], q: float) -> float:
    """Nearest rank, as Locust and Prometheus' histogram_quantile define a percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


class Watcher(threading.Thread):
    """Polls the Prometheus child of one loadgate process until it is gone."""

    def __init__(self, parent: int) -> None:
        super().__init__(daemon=True)
        self.parent, self.peak_kib, self.series, self.slowest = parent, 0, 0, 0.0
        self.done = False

    def run(self) -> None:
        pid, url = None, None
        while not self.done:
            if pid is None:
                pid, url = find_prometheus(self.parent)
            if pid is not None:
                self.peak_kib = max(self.peak_kib, vm_hwm(pid))
                self.series = max(self.series, head_series(url))
                self.slowest = max(self.slowest, slowest_scrape(url))
            time.sleep(0.5)


def find_prometheus(parent: int) -> tuple[int | None, str | None]:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == parent and argv[0].endswith(b"prometheus"):
            listen = next(a for a in argv if a.startswith(b"--web.listen-address="))
            return int(proc.name), "http://" + listen.split(b"=", 1)[1].decode()
    return None, None


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def get(url: str, path: str, **params) -> dict:
    try:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{url}{path}{query}", timeout=2) as response:
            return json.loads(response.read())["data"]
    except (OSError, ValueError, KeyError):
        return {}


def head_series(url: str) -> int:
    return int(get(url, "/api/v1/status/tsdb").get("headStats", {}).get("numSeries", 0))


def slowest_scrape(url: str) -> float:
    result = get(url, "/api/v1/query",
                 query='max(max_over_time(scrape_duration_seconds{job="loadgate"}[15m]))')
    values = [float(r["value"][1]) for r in result.get("result", [])] if result else []
    return max(values) if values else 0.0


PARTS = (("start-up", None, None), ("stop", "window end", "locust exited"),
         ("final", "locust exited", "final scrape"), ("reads", "final scrape", "measured"),
         ("judging", "measured", "judged"),
         ("teardown", "judged", "torn down"), ("reports", "torn down", "reported"),
         ("exit", "reported", "exited"))


def run_case(workdir: Path, host: str, names: int, duration: int, users: int,
             logs: Path | None = None) -> dict:
    """One ``loadgate run`` at -vv (each query and its moment); its log kept in ``logs``."""
    case = workdir / f"n{names}-{duration}"
    case.mkdir()
    slo = case / "slo.yaml"
    slo.write_text("version: 1\nslos: [{sli: throughput, min: 1/s}]\n")
    env = {**os.environ, "SCALE_NAMES": str(names), "SCALE_DIR": str(case)}
    argv = [sys.executable, "-m", "loadgate", "run", "-f", str(workdir / "lf.py"), "--slo", str(slo),
            "-H", host, "-u", str(users), "-r", str(users), "-t", f"{duration}s",
            "--report-dir", str(case / "reports"), "-vv"]
    started = time.time()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watcher = Watcher(process.pid)
    watcher.start()
    _, err = process.communicate()
    moments = {"exited": time.time(), **phases(err.decode())}
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"loadgate-{names}x{duration}s.log").write_bytes(err)
    watcher.done = True
    watcher.join(5)
    results = json.loads((case / "reports" / "results.json").read_text())
    moments["window end"] = results["window"]["end"]
    parts = {name: moments[end] - moments[begin] for name, begin, end in PARTS[1:]
             if begin in moments and end in moments}
    parts["start-up"] = results["window"]["start"] - started
    starting = {"imports and plan": moments.get("started", started) - started,
                "stack": moments.get("stack started", started) - moments.get("started", started),
                "Locust to its first request": results["window"]["start"] - moments.get("stack started", started)}
    return {"names": names, "duration": duration, "exit": process.returncode,
            "rps": results["totals"]["rps"], "beyond": moments["exited"] - started - window_of(results),
            "parts": parts, "starting": starting, "rss_mib": watcher.peak_kib / 1024,
            "series": watcher.series, "slowest_ms": watcher.slowest * 1000,
            "error": worst_error(results, case), "stderr": err.decode()[-300:]}


def phases(log: str) -> dict[str, float]:
    """``phase NAME UNIX_SECONDS`` lines of loadgate -v: {NAME: seconds}."""
    found = {}
    for line in log.splitlines():
        if "phase " in line:
            name, _, stamp = line.split("phase ", 1)[1].rpartition(" ")
            found[name] = float(stamp)
    return found


def window_of(results: dict) -> float:
    return results["window"]["end"] - results["window"]["start"]


def worst_error(results: dict, case: Path) -> float:
    samples: dict[str, list[float]] = {}
    for name, ms in recorded(case):
        samples.setdefault(name, []).append(ms)
    everything = [v for values in samples.values() for v in values]
    figures = [(results["totals"], everything)]
    figures += [(r, samples.get(r["name"], [])) for r in results["requests"] if r["requests"] >= 1000]
    worst = 0.0
    for reported, values in figures:
        for field, q in QUANTILES:
            if values and reported.get(field) is not None:
                worst = max(worst, abs(reported[field] / exact(values, q) - 1))
    return worst * 100


def recorded(folder: Path):
    """(name, milliseconds) of every request the recording locustfile kept in ``folder``."""
    for path in folder.glob("samples-*.bin"):
        with path.open("rb") as data:
            count = array("l")
            count.fromfile(data, 1)
            indexes, times = array("l"), array("d")
            indexes.fromfile(data, count[0])
            times.fromfile(data, count[0])
        yield from ((f"/api/items/{index}", ms) for index, ms in zip(indexes, times))


def bare_locust(workdir: Path, host: str, names: int, duration: int, users: int) -> dict:
    """The same load without loadgate: its time beyond the load, start-up and stop."""
    env = {**os.environ, "SCALE_NAMES": str(names), "SCALE_DIR": str(workdir)}
    stats = workdir / f"bare-{names}-{duration}"
    started = time.time()
    subprocess.run([sys.executable, "-m", "locust", "-f", str(workdir / "lf.py"), "--headless",
                    "--host", host, "-u", str(users), "-r", str(users), "-t", f"{duration}s",
                    "--only-summary", "--json-file", str(stats)], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    ended = time.time()
    entries = json.loads(stats.with_suffix(".json").read_text())
    first = min(e["start_time"] for e in entries)
    last = max(e["last_request_timestamp"] for e in entries)
    for path in workdir.glob("samples-*.bin"):
        path.unlink()
    return {"beyond": ended - started - (last - first), "start-up": first - started, "stop": ended - last}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--short", type=int, default=30)
    parser.add_argument("--long", type=int, default=0, help="seconds of a 20-name run (0: none)")
    parser.add_argument("--soak", action="store_true", help="the 20-name run lasts 30 min")
    parser.add_argument("--only", help="comma-separated cases, e.g. 1,10,1000,long")
    parser.add_argument("--logs", type=Path, help="keep each run's -vv log (every query, timed) here")
    args = parser.parse_args()
    long = 1800 if args.soak else args.long
    only = set(args.only.split(",")) if args.only else None
    port = free_port()
    service = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    host = f"http://127.0.0.1:{port}"
    print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}; "
          f"{args.users} users; times in seconds")
    print(f"{'names':>5} {'load':>6} {'exit':>4} {'req/s':>6} {'beyond':>7} "
          + " ".join(f"{name:>8}" for name, _, _ in PARTS)
          + f" {'bare':>6} {'over bare':>9} {'Prom RSS':>9} {'series':>7} {'slowest scrape':>14} "
          f"{'worst pct error':>15}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            (workdir / "lf.py").write_text(LOCUSTFILE)
            cases = [(n, args.short, str(n)) for n in (1, 10, 100, 1000)]
            cases += [(20, long, "long")] if long else []
            for names, duration, label in cases:
                if only is not None and label not in only:
                    continue
                row = run_case(workdir, host, names, duration, args.users, args.logs)
                # bare Locust's stop and start-up do not grow with the load's length: the soak
                # line is compared with a bare run of the same names for --short seconds
                bare = bare_locust(workdir, host, names, min(duration, args.short), args.users)
                show(row, bare)
    finally:
        service.terminate()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def show(row: dict, bare: dict) -> None:
    parts = " ".join(f"{row['parts'].get(name, math.nan):>+8.2f}" for name, _, _ in PARTS)
    print(f"{row['names']:>5} {row['duration']:>5}s {row['exit']:>4} {row['rps']:>6.0f} "
          f"{row['beyond']:>+7.2f} {parts} {bare['beyond']:>+6.2f} {row['beyond'] - bare['beyond']:>+9.2f} "
          f"{row['rss_mib']:>5.0f} MiB {row['series']:>7} {row['slowest_ms']:>11.1f} ms "
          f"{row['error']:>14.3f}%", flush=True)
    starting = ", ".join(f"{name} {seconds:.2f}" for name, seconds in row["starting"].items())
    print(f"{'':>18} start-up: {starting}; bare Locust: start-up {bare['start-up']:+.2f}, "
          f"stop {bare['stop']:+.2f}", flush=True)
    if row["exit"] not in (0, 1):
        print(f"      stderr: {row['stderr']}", flush=True)


if __name__ == "__main__":
    main()
