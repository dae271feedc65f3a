"""The regression gate's method, re-chosen on a replay of recorded runs.

Replays the runs that ``benchmarks/regression.py --out DIR`` kept (NN-base, NN-aa against the same
demo service, NN-ab against one --slowdown times slower) with candidate methods, offline, so many
more pairs and noise levels can be judged than real runs on a shared machine allow:

- pairs: A/A = (base i, aa i) and (aa i, base i+1), the first being the one baseline run;
  A/B = (base i, ab i) and (aa i, ab i).  With ``--baselines 3`` the baseline is the A run and
  the two A runs recorded before it (as with ``--baseline DIR`` of main's last runs);
- noise levels: the recorded runs as they are, and with extra noise drawn per run
  (``run +3 %`` / ``run +6 %``: every interval figure of a run multiplied by one log-normal
  factor, as on a machine whose runs differ more) or per interval (``intervals +10 %``, a
  noisier machine within a run), seeded;
- methods: the gate (t on the logs of interval figures, AR(1) + run-to-run, judge/significance.py),
  the gate on winsorized intervals (each run's figures clipped to its 10th..90th percentile: a
  hiccup interval weighs less), Mann-Whitney / Hodges-Lehmann and a moving-block bootstrap
  (benchmarks/regression.py's).

A false alarm is an A/A "fail"; caught is an A/B "fail"; inconclusive A/A is neither.
Usage: .venv/bin/python benchmarks/regression_replay.py DIR [DIR...] [--limit 5%] [--baselines 1]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from regression import block_bootstrap, hodges_lehmann  # noqa: E402

from loadgate.judge import significance  # noqa: E402

FIGURES = ("p95_ms", "p99_ms")
NOISE = {"as recorded": (0.0, 0.0), "run +3 %": (0.03, 0.0), "run +6 %": (0.06, 0.0),
         "intervals +10 %": (0.0, 0.10)}


def load(folders: list[Path]) -> list[dict[str, dict]]:
    """Every complete triplet: kind (base / aa / ab) -> figure -> interval values."""
    triplets = []
    for folder in folders:
        for base in sorted(folder.glob("*-base")):
            paths = {kind: base.with_name(base.name[:-4] + kind) / "results.json" for kind in ("base", "aa", "ab")}
            if all(p.exists() for p in paths.values()):
                triplets.append({kind: columns(json.loads(p.read_text())) for kind, p in paths.items()})
    return triplets


def columns(results: dict) -> dict[str, list[float]]:
    intervals = results["totals"]["intervals"]
    return {f: [v for v in intervals[f] if v is not None and v > 0] for f in FIGURES}


def noisy(run: dict[str, list[float]], rng: random.Random, run_sd: float, interval_sd: float) -> dict:
    level = math.exp(rng.gauss(0, run_sd))
    return {f: [v * level * math.exp(rng.gauss(0, interval_sd)) for v in values] for f, values in run.items()}


def winsorized(values: list[float]) -> list[float]:
    ordered = sorted(values)
    low, high = ordered[len(values) // 10], ordered[-1 - len(values) // 10]
    return [min(max(v, low), high) for v in values]


def gate(now: list[float], bases: list[list[float]], limit: float) -> str:
    estimate = significance.log_ratio([now], bases)
    return significance.decide([significance.Question(estimate, limit)])[0].outcome


METHODS = {
    "the gate (t on logs, AR(1) + run-to-run)": gate,
    "the gate on winsorized intervals": lambda n, b, limit: gate(winsorized(n), [winsorized(x) for x in b], limit),
    "Mann-Whitney / Hodges-Lehmann": lambda n, b, limit: hodges_lehmann(n, [v for x in b for v in x], limit, 0.95),
    "block bootstrap (blocks of 2)": lambda n, b, limit: block_bootstrap(n, [v for x in b for v in x], limit, 0.95),
}


def pairs(triplets: list[dict], baselines: int) -> tuple[list, list]:
    """(baseline runs, run) for A/A and for A/B; the baseline's A runs, newest last."""
    a_runs = [run for t in triplets for run in (t["base"], t["aa"])]  # in recorded order
    same, slower = [], []
    for i, t in enumerate(triplets):
        for position, baseline, now in ((2 * i, t["base"], t["aa"]), (2 * i + 1, t["aa"], None)):
            earlier = a_runs[max(position - baselines + 1, 0):position] + [baseline]
            if now is not None:
                same.append((earlier, now))
            elif i + 1 < len(triplets):
                same.append((earlier, triplets[i + 1]["base"]))
            slower.append((earlier, t["ab"]))
    return same, slower


def replay(triplets: list[dict], limit: float, baselines: int) -> None:
    same, slower = pairs(triplets, baselines)
    print(f"{len(triplets)} recorded triplets: {len(same)} A/A and {len(slower)} A/B pairs, "
          f"{baselines} baseline run(s) each, limit +{(limit - 1) * 100:g} %, 95 % confidence")
    for noise, (run_sd, interval_sd) in NOISE.items():
        print(f"\n{noise}:")
        for name, method in METHODS.items():
            cells = []
            for figure in FIGURES:
                rng = random.Random(7)  # the same noise for every method

                def outcome(bases, now):
                    bases = [noisy(b, rng, run_sd, interval_sd)[figure] for b in bases]
                    return method(noisy(now, rng, run_sd, interval_sd)[figure], bases, limit)

                aa = [outcome(b, n) for b, n in same]
                ab = [outcome(b, n) for b, n in slower]
                cells.append(f"{figure[:3]} false {aa.count('fail'):2d}/{len(aa)}, caught "
                             f"{ab.count('fail'):2d}/{len(ab)}, A/A inconclusive {aa.count('inconclusive'):2d}")
            print(f"  {name:42} " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--limit", default="5%")
    parser.add_argument("--baselines", type=int, default=1)
    args = parser.parse_args()
    replay(load(args.folders), 1 + float(args.limit.rstrip("%")) / 100, args.baselines)


if __name__ == "__main__":
    main()
