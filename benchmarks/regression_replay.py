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
- methods: the gate (t on the logs of interval figures, AR(1) + run-to-run, judge/significance.py)
  with its mean of each run's logs, and with Yuen's trimmed mean (10 % or 20 % of each run's
  intervals cut from each end, the variance from the winsorized logs: a hiccup interval weighs
  less), Mann-Whitney / Hodges-Lehmann and a moving-block bootstrap (benchmarks/regression.py's),
  and, with ``--baselines 5`` or more, the spread of the baseline runs' means alone as every
  run's variance (the intervals' variance left out).

A false alarm is an A/A "fail"; caught is an A/B "fail"; inconclusive A/A is neither.
Before the methods, a yardstick for each figure: a test that knew the true spread of the
estimate (the root mean square of the A/A pairs' measured log ratios, which hold every noise a
real pair has: within runs and between them) instead of estimating it from the pair, judged at
the same one-sided 95 %: what no method that must estimate the spread from one pair can beat on
these runs.  With it, the spread that catching 19 of 20 slowdowns of the recorded size would
need, and the spread that would let 19 of 20 A/A pairs pass (an interval within the limit),
each with the window about that long (the spread taken to shrink as 1 / sqrt(window)).
``--compare``: the same pairs through ``loadgate compare`` instead (every request and figure of
the recorded runs, Holm over all of them): A/A pairs with any "worse", A/B pairs whose totals'
p95 is "worse".
Usage: .venv/bin/python benchmarks/regression_replay.py DIR [DIR...] [--limit 5%] [--baselines 1]
       [--compare]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from regression import block_bootstrap, hodges_lehmann
from scipy import stats

from loadgate.judge import significance

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


def gate(now: list[float], bases: list[list[float]], limit: float, trim: float = 0.0) -> str:
    estimate = significance.log_ratio([now], bases, trim)
    return significance.decide([significance.Question(estimate, limit)])[0].outcome


def runs_spread(now: list[float], bases: list[list[float]], limit: float, fewest: int = 5) -> str:
    """With ``fewest`` or more baseline runs, the spread of their mean logs alone (not the
    intervals') as each run's variance, this run's included: var(run means) (1 + 1/k), t with
    k - 1 degrees of freedom.  With fewer, the gate."""
    if len(bases) < fewest:
        return gate(now, bases, limit)
    means = [statistics.fmean(map(math.log, b)) for b in bases]
    k, bound = len(bases), math.log(limit)
    diff = statistics.fmean(map(math.log, now)) - statistics.fmean(means)
    half = stats.t.ppf(0.95, k - 1) * math.sqrt(statistics.variance(means) * (1 + 1 / k))
    return "fail" if diff - half > bound else "pass" if diff + half < bound else "inconclusive"


METHODS = {
    "the gate, mean of logs": gate,
    "the gate, 10 % trimmed mean (Yuen)": lambda n, b, limit: gate(n, b, limit, 0.1),
    "the gate, 20 % trimmed mean (Yuen)": lambda n, b, limit: gate(n, b, limit, 0.2),
    "Mann-Whitney / Hodges-Lehmann": lambda n, b, limit: hodges_lehmann(n, [v for x in b for v in x], limit, 0.95),
    "block bootstrap (blocks of 2)": lambda n, b, limit: block_bootstrap(n, [v for x in b for v in x], limit, 0.95),
    "the run means' spread (5+ runs)": runs_spread,
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


def outcomes(method, pairs_, figure: str, noise: tuple[float, float], limit: float) -> list[str]:
    rng = random.Random(7)  # the same noise for every method
    out = []
    for bases, now in pairs_:
        bases = [noisy(b, rng, *noise)[figure] for b in bases]
        out.append(method(noisy(now, rng, *noise)[figure], bases, limit))
    return out


def replay(triplets: list[dict], limit: float, baselines: int) -> None:
    same, slower = pairs(triplets, baselines)
    print(f"{len(triplets)} recorded triplets: {len(same)} A/A and {len(slower)} A/B pairs, "
          f"{baselines} baseline run(s) each, limit +{(limit - 1) * 100:g} %, 95 % confidence")
    for figure in FIGURES:
        changes = {kind: sorted((significance.log_ratio([now[figure]], [b[figure] for b in bases]).ratio - 1) * 100
                                for bases, now in group) for kind, group in (("A/A", same), ("A/B", slower))}
        print(f"  {figure}: measured change A/A {changes['A/A'][0]:+.1f} .. {changes['A/A'][-1]:+.1f} %; "
              f"A/B {changes['A/B'][0]:+.1f} .. {changes['A/B'][-1]:+.1f} %, "
              f"{sum(c < 15 for c in changes['A/B'])} of {len(slower)} below +15 %")
    for figure in FIGURES:
        print(yardstick(same, slower, figure, limit))
    for noise_name, noise in NOISE.items():
        print(f"\n{noise_name}:")
        for name, method in METHODS.items():
            cells = []
            for figure in FIGURES:
                aa = outcomes(method, same, figure, noise, limit)
                ab = outcomes(method, slower, figure, noise, limit)
                cells.append(f"{figure[:3]} false {aa.count('fail'):2d}/{len(aa)}, caught "
                             f"{ab.count('fail'):2d}/{len(ab)}, A/A inconclusive {aa.count('inconclusive'):2d}")
            print(f"  {name:36} " + "   ".join(cells))


def yardstick(same: list, slower: list, figure: str, limit: float) -> str:
    """What a test that knew the estimate's true spread would decide on these pairs."""
    def diffs(group: list) -> list[float]:
        return [significance.log_ratio([now[figure]], [b[figure] for b in bases]).diff for bases, now in group]

    aa, ab, bound, z = diffs(same), diffs(slower), math.log(limit), stats.norm.ppf(0.95)
    spread = math.sqrt(sum(d * d for d in aa) / len(aa))
    caught = sum(d - z * spread > bound for d in ab)
    passed = sum(d + z * spread < bound for d in aa)
    needed = (sorted(ab)[len(ab) // 2] - bound) / (2 * z)  # 95 % power at the median slowdown
    same_needed = bound / (2 * z)  # an A/A pair with no change passes 19 times in 20

    def longer(target: float) -> str:
        return f"{(spread / target) ** 2:.1f}x" if target > 0 else "no"

    return (f"  {figure}: knowing the spread ({spread:.3f} on the log scale): false "
            f"{sum(d - z * spread > bound for d in aa)}/{len(aa)}, caught {caught}/{len(ab)}, A/A "
            f"inconclusive {len(aa) - passed}; catching 19/20 needs a spread of {needed:.3f} (a window "
            f"{longer(needed)} as long), passing 19/20 A/A {same_needed:.3f} ({longer(same_needed)})")


def compare_pairs(folders: list[Path], baselines: int) -> None:
    """The recorded pairs through loadgate compare (all requests and figures, 5 % threshold)."""
    from loadgate.compare.changes import TOTALS, compare
    from loadgate.compare.runs import current_run

    files = []
    for folder in folders:
        for base in sorted(folder.glob("*-base")):
            paths = [base.with_name(base.name[:-4] + k) / "results.json" for k in ("base", "aa", "ab")]
            if all(p.exists() for p in paths):
                files.append({k: current_run(str(p)) for k, p in zip(("base", "aa", "ab"), paths)})
    same, slower = pairs(files, baselines)
    alarms = [c for c in (compare(b, n) for b, n in same) if c.count("worse")]
    worse = [row.figure for c in alarms for row in c.rows if row.outcome == "worse"]
    caught = sum(any(r.scope == TOTALS and r.figure == "p95_ms" and r.outcome == "worse" for r in compare(b, n).rows)
                 for b, n in slower)
    verdicts = [compare(b, n) for b, n in same]
    print(f"loadgate compare, {len(same)} A/A and {len(slower)} A/B pairs, {baselines} baseline run(s): "
          f"A/A pairs with any worse {len(alarms)}/{len(same)} ({', '.join(sorted(set(worse))) or '-'}), "
          f"figures compared per pair {len(verdicts[0].rows)}, A/A figures same "
          f"{sum(c.count('same') for c in verdicts)}/{sum(len(c.rows) for c in verdicts)}; "
          f"A/B totals' p95 worse {caught}/{len(slower)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--limit", default="5%")
    parser.add_argument("--baselines", type=int, default=1)
    parser.add_argument("--compare", action="store_true", help="the pairs through loadgate compare")
    args = parser.parse_args()
    if args.compare:
        return compare_pairs(args.folders, args.baselines)
    replay(load(args.folders), 1 + float(args.limit.rstrip("%")) / 100, args.baselines)


if __name__ == "__main__":
    main()
