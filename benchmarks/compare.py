"""How long does ``loadgate compare`` take on a large history?  (Goal: well under a second for
1 000 requests x 30 baseline runs.)

Writes synthetic results.json files (--requests requests, --intervals 1 s intervals each, the
shape report/json_report.py writes) for --runs baseline runs and one current run in which every
tenth request is 30 % slower, then times the whole command in this process (reading, comparing,
formatting; wall and CPU time, the CPU of the child that reads runs beside it included: on a
shared machine the CPU time is the steadier figure) and each stage, then the command as a
process of its own (imports and exit included), as a user runs it.
Usage: .venv/bin/python benchmarks/compare.py [--requests 1000] [--runs 30] [--intervals 30]
[--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadgate.cli import main
from loadgate.compare import changes, formats, runs

QUANTILES = (("p50_ms", 1.0), ("p90_ms", 1.8), ("p95_ms", 2.2), ("p99_ms", 3.5))


def row(rng: random.Random, name: str, base_ms: float, intervals: int, slower: float) -> dict:
    level = math.exp(rng.gauss(0, 0.03))  # this run's own level
    columns = {"seconds": 1.0, "start": [1.7e9 + i for i in range(intervals)]}
    requests = [rng.randint(80, 120) for _ in range(intervals)]
    columns.update(requests=requests, failures=[int(rng.random() < 0.05) for _ in requests],
                   rps=[n * math.exp(rng.gauss(0, 0.05)) for n in requests])
    for key, factor in QUANTILES:
        columns[key] = [round(base_ms * factor * level * slower * math.exp(rng.gauss(0, 0.1)), 3)
                        for _ in range(intervals)]
    columns["error_rate"] = [round(f / n, 6) for f, n in zip(columns["failures"], requests)]
    figures = {key: round(sorted(columns[key])[len(columns[key]) // 2], 3) for key, _ in QUANTILES}
    return {"method": "GET", "name": name, "requests": sum(requests), "failures": sum(columns["failures"]),
            "rps": sum(requests) / intervals, **figures, "intervals": columns}


def document(rng: random.Random, requests: int, intervals: int, start: float, slow: bool) -> dict:
    rows = [row(rng, f"/api/{i}", 20 + i % 50, intervals, 1.3 if slow and i % 10 == 0 else 1.0)
            for i in range(requests)]
    totals = {k: v for k, v in row(rng, "", 30, intervals, 1.0).items() if k not in ("method", "name")}
    return {"run_id": f"r{start}", "verdict": "pass", "exit_code": 0,
            "window": {"start": start, "end": start + intervals}, "totals": totals, "requests": rows,
            "slos": [], "failure_reasons": [], "user_errors": [], "notes": []}


def write(folder: Path, requests: int, base_runs: int, intervals: int) -> tuple[Path, Path]:
    rng = random.Random(1)
    (folder / "main").mkdir()
    for i in range(base_runs):
        doc = document(rng, requests, intervals, 1.7e9 + 100 * i, slow=False)
        (folder / "main" / f"run-{i:02d}.json").write_text(json.dumps(doc))
    current = folder / "current.json"
    current.write_text(json.dumps(document(rng, requests, intervals, 1.8e9, slow=True)))
    return folder / "main", current


def cpu_time() -> float:
    """This process's CPU time and that of its children waited for (judge/forked_reader.py's)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(what, *args):
    """``what(*args)``, and its wall and CPU time as text."""
    started, cpu = time.perf_counter(), cpu_time()
    out = what(*args)
    return out, f"{time.perf_counter() - started:.2f} s / {cpu_time() - cpu:.2f} s of CPU"


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--intervals", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, current = write(Path(tmp), args.requests, args.runs, args.intervals)
        size = sum(f.stat().st_size for f in base.iterdir()) / 1e6
        print(f"{args.runs} baseline runs + 1, {args.requests} requests x {args.intervals} intervals "
              f"each ({size:.0f} MB of results.json)")
        for _ in range(args.repeat):
            cpu = cpu_time()
            with contextlib.redirect_stdout(io.StringIO()) as out:
                started = time.perf_counter()
                main(["compare", str(base), str(current), "--format", "markdown"])
            whole, cpu = time.perf_counter() - started, cpu_time() - cpu
            read, t_read = timed(runs.baseline_runs, [str(base)])
            now = runs.current_run(str(current))
            result, t_compare = timed(changes.compare, read, now)
            _, t_format = timed(formats.console, result)
            print(f"loadgate compare: {whole:.2f} s, {cpu:.2f} s of CPU (reading {t_read}, "
                  f"comparing {t_compare}, the console table {t_format}); {result.count('worse')} worse of "
                  f"{len(result.rows)}, {len(out.getvalue())} characters of Markdown")
        for _ in range(args.repeat):
            print(process(base, current))


def process(base: Path, current: Path) -> str:
    """``loadgate compare`` in a process of its own, as the ``loadgate`` command runs it (its
    entry point, exit included): wall and CPU time, imports included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "loadgate", "compare", str(base), str(current), "--format",
                    "markdown"], stdout=subprocess.DEVNULL, check=True)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return f"as a process of its own: {wall:.2f} s, {cpu:.2f} s of CPU"


if __name__ == "__main__":
    main_()
