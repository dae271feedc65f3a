"""Does the regression gate know noise?  False alarms and misses over real runs on this machine.

N A/A pairs: a baseline run and a second run against the same demo service; M A/B pairs: the
same baseline against a demo service whose every latency is --slowdown times longer (its
``--scale``).  Every run is a real ``loadgate run`` (Locust, Prometheus) of the repository's
locustfile; the second run of a pair gets ``--baseline`` and judges ``max_regression: 5%`` on the
p95 and the p99 latency of all requests.  A false alarm is an A/A "fail"; a miss is an A/B that
did not fail.  Inconclusive is neither: it passes, with a warning.

The same runs are then replayed offline with the candidate methods (judge/significance.py is
the one the gate uses): Mann-Whitney / Hodges-Lehmann on the interval figures taken as
independent draws, a moving-block bootstrap over intervals, and the old single-number comparison.

Usage: .venv/bin/python benchmarks/regression.py [--pairs 20] [--users 20] [--duration 15s]
       [--warmup 5s] [--slowdown 1.3] [--limit 5%] [--out DIR]
About 15 minutes for 20 pairs (60 runs).  Needs Prometheus on PATH; traffic goes only to the two
demo services this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scipy import stats

from loadgate.judge import significance

ROOT = Path(__file__).resolve().parents[1]

LOADGATE = str(Path(sys.executable).with_name("loadgate"))
FIGURES = ("p95_ms", "p99_ms")
SLO = """version: 1
name: regression-benchmark
load:
  users: {users}
  spawn_rate: {users}
  duration: {duration}
  warmup: {warmup}
slos:
  - sli: latency
    percentile: 95
    max: 10s
    max_regression: {limit}
  - sli: latency
    percentile: 99
    max: 10s
    max_regression: {limit}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(scale: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "loadgate.demo", "--port", str(port),
                             "--scale", str(scale)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the demo service on {url} did not start")


def gate(slo: Path, host: str, out: Path, baseline: Path | None = None) -> dict:
    argv = [LOADGATE, "run", "-q", "--slo", str(slo), "-f", str(ROOT / "load_tests" / "loadtest.py"),
            "-H", host, "--report-dir", str(out)]
    if baseline is not None:
        argv += ["--baseline", str(baseline / "results.json")]
    code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=120, check=False).returncode
    results = json.loads((out / "results.json").read_text())
    if code not in (0, 1) or results.get("verdict") == "error":
        raise SystemExit(f"run in {out} ended with exit {code}: {results.get('error')}")
    return results


def decisions(results: dict) -> dict[str, tuple[str, float | None]]:
    """p95_ms / p99_ms -> (the gate's decision, change in %)."""
    out = {}
    for slo in results["slos"]:
        base = slo.get("baseline") or {}
        out[f"p{slo['percentile']:g}_ms"] = (base.get("decision", "?"), base.get("change_pct"))
    return out


def intervals(results: dict, figure: str) -> list[float]:
    return [v for v in results["totals"]["intervals"][figure] if v is not None and v > 0]


def hodges_lehmann(now: list[float], base: list[float], limit: float, confidence: float) -> str:
    """Mann-Whitney / Hodges-Lehmann on log interval figures taken as independent draws."""
    diffs = sorted(math.log(a) - math.log(b) for a in now for b in base)
    n, m = len(now), len(base)
    z = stats.norm.ppf(confidence)
    k = max(int(math.floor(n * m / 2 - z * math.sqrt(n * m * (n + m + 1) / 12))), 0)
    low, high = diffs[k], diffs[-k - 1]
    return "fail" if low > math.log(limit) else "pass" if high < math.log(limit) else "inconclusive"


def block_bootstrap(now: list[float], base: list[float], limit: float, confidence: float,
                    block: int = 2, rounds: int = 2000) -> str:
    """Moving-block bootstrap of the difference of mean logs; percentile interval."""
    rng = random.Random(0)

    def resample(xs: list[float]) -> float:
        logs, out = [math.log(x) for x in xs], []
        starts = range(max(len(logs) - block + 1, 1))
        while len(out) < len(logs):
            first = rng.choice(starts)
            out += logs[first:first + block]
        return sum(out[:len(logs)]) / len(logs)

    diffs = sorted(resample(now) - resample(base) for _ in range(rounds))
    low, high = diffs[int(rounds * (1 - confidence))], diffs[int(rounds * confidence) - 1]
    return "fail" if low > math.log(limit) else "pass" if high < math.log(limit) else "inconclusive"


def single_number(now: dict, base: dict, figure: str, limit: float) -> str:
    return "fail" if now["totals"][figure] > base["totals"][figure] * limit else "pass"


def replay(pairs: list[tuple[dict, dict, dict]], limit: float) -> dict:
    """Candidate -> figure -> (A/A fails, A/B fails) on the same runs."""
    table: dict = {}
    for name, method in (
        ("t on logs, AR(1) + run-to-run (the gate)", lambda n, b, f: significance.decide(
            [significance.Question(significance.log_ratio([intervals(n, f)], [intervals(b, f)]), limit)])[0].outcome),
        ("Mann-Whitney / Hodges-Lehmann", lambda n, b, f: hodges_lehmann(
            intervals(n, f), intervals(b, f), limit, 0.95)),
        ("block bootstrap (blocks of 2 intervals)", lambda n, b, f: block_bootstrap(
            intervals(n, f), intervals(b, f), limit, 0.95)),
        ("single numbers (no confidence)", lambda n, b, f: single_number(n, b, f, limit)),
    ):
        for figure in FIGURES:
            aa = sum(method(a, base, figure) == "fail" for base, a, _ in pairs)
            ab = sum(method(b, base, figure) == "fail" for base, _, b in pairs)
            table.setdefault(name, {})[figure] = (aa, ab)
    for figure in FIGURES:  # as with --baseline DIR of the last runs: this pair's and the 2 before
        aa = sum(pooled(pairs, i, 1, figure, limit) == "fail" for i in range(len(pairs)))
        ab = sum(pooled(pairs, i, 2, figure, limit) == "fail" for i in range(len(pairs)))
        table.setdefault("the gate, against 3 baseline runs", {})[figure] = (aa, ab)
    return table


def pooled(pairs, i: int, which: int, figure: str, limit: float) -> str:
    bases = [intervals(pairs[j][0], figure) for j in (i, i - 1, i - 2) if j >= 0]
    estimate = significance.log_ratio([intervals(pairs[i][which], figure)], bases)
    return significance.decide([significance.Question(estimate, limit)])[0].outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--warmup", default="5s")
    parser.add_argument("--slowdown", type=float, default=1.3)
    parser.add_argument("--limit", default="5%")
    parser.add_argument("--out", type=Path, default=None, help="keep every run's reports here")
    parser.add_argument("--replay", type=Path, default=None,
                        help="only replay the runs kept in this --out directory with today's code")
    args = parser.parse_args()
    limit = 1 + float(args.limit.rstrip("%")) / 100
    if args.replay is not None:
        pairs = [tuple(json.loads((args.replay / f"{base.name[:2]}-{kind}" / "results.json").read_text())
                       for kind in ("base", "aa", "ab"))
                 for base in sorted(args.replay.glob("*-base"))]
        return report(pairs, args, limit, 0.0)
    out = args.out or Path(tempfile.mkdtemp(prefix="loadgate-regression-"))
    slo = out / "slo.yaml"
    out.mkdir(parents=True, exist_ok=True)
    slo.write_text(SLO.format(users=args.users, duration=args.duration, warmup=args.warmup,
                              limit=args.limit))
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores); runs in {out}", flush=True)
    same, _ = demo_a = start_demo(1.0)
    slower, _ = demo_b = start_demo(args.slowdown)
    pairs, started = [], time.monotonic()
    try:
        for i in range(1, args.pairs + 1):
            base = gate(slo, demo_a[1], out / f"{i:02d}-base")
            aa = gate(slo, demo_a[1], out / f"{i:02d}-aa", out / f"{i:02d}-base")
            ab = gate(slo, demo_b[1], out / f"{i:02d}-ab", out / f"{i:02d}-base")
            pairs.append((base, aa, ab))
            print(f"pair {i:2d}: A/A {decisions(aa)}  A/B {decisions(ab)}", flush=True)
    finally:
        for proc in (same, slower):
            proc.terminate()
            proc.wait(timeout=5)
    report(pairs, args, limit, time.monotonic() - started)


def report(pairs, args, limit: float, seconds: float) -> None:
    n = len(pairs)
    print(f"\n{n} A/A and {n} A/B pairs ({args.users} users, -t {args.duration}, warm-up "
          f"{args.warmup}, B {args.slowdown:g}x slower), max_regression {args.limit}, confidence 95 %, "
          f"{seconds / 60:.1f} min, load average at end {os.getloadavg()[0]:.2f}")
    print(f"{'figure':8} {'A/A fail (false alarm)':>23} {'A/A inconclusive':>17} "
          f"{'A/B fail (caught)':>18} {'A/B inconclusive':>17} {'A/A change':>20} {'A/B change':>20}")
    for figure in FIGURES:
        aa = [decisions(a)[figure] for _, a, _ in pairs]
        ab = [decisions(b)[figure] for _, _, b in pairs]

        def count(rows, outcome):
            return f"{sum(d == outcome for d, _ in rows)}/{n}"

        def spread(rows):
            changes = sorted(c for _, c in rows if c is not None)
            return f"{changes[0]:+.1f}..{changes[-1]:+.1f} %" if changes else "-"

        print(f"{figure:8} {count(aa, 'fail'):>23} {count(aa, 'inconclusive'):>17} "
              f"{count(ab, 'fail'):>18} {count(ab, 'inconclusive'):>17} {spread(aa):>20} {spread(ab):>20}")
    print("\nthe same runs replayed offline: false alarms (A/A fail) / caught (A/B fail)")
    for name, figures in replay(pairs, limit).items():
        cells = "  ".join(f"{f}: {aa:2d}/{n} false, {ab:2d}/{n} caught" for f, (aa, ab) in figures.items())
        print(f"  {name:42} {cells}")


if __name__ == "__main__":
    main()
