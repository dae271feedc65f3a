"""Is a change against the baseline real?  Pure: interval figures in, a decision out.

``max_regression`` / ``min_ratio`` compare this run with one or more baseline runs.  Each run
keeps its figures per short interval of the window (1 s, see measure/intervals.py), so a run
is a small sample, not one number, and the question becomes: is the ratio now / baseline beyond
the limit with the stated confidence?  ``fail`` when it is beyond the limit with that confidence
(one-sided), ``pass`` when it is within with that confidence, else ``inconclusive`` (with what
would settle it).  As in an equivalence test (TOST), the interval shown is the two-sided
(2 x confidence - 1) one, 90 % for 95 %: each of its ends is a one-sided bound at the stated
confidence, so "fail" is exactly "the whole interval is beyond the limit".

Method, and why.  Interval figures of one run are not independent draws: a slow second is
followed by a slow second (GC, a busy neighbour, a warming cache), and whole runs differ from
each other (issue #13 measured p99 moving -9.5 % .. +3 % between A/A runs).  So:

- Latency percentiles and throughput: the log of each interval's figure (a ratio becomes a
  difference, the skew of latency shrinks).  Each side's level is the mean over its runs of each
  run's mean log.  Its variance is the within-run variance inflated for autocorrelation by the
  AR(1) factor (1 + r) / (1 - r), r the lag-1 autocorrelation pooled over all runs (clipped to
  0 .. 0.9, never deflating), i.e. n intervals count as n (1 - r) / (1 + r) independent ones.
  With several baseline runs the spread of their means measures run-to-run noise directly: the
  baseline variance is at least var(run means) / k, and the excess over the within-run part
  (tau^2) is added to this run's variance too, since this run has its own run effect.  The
  interval of the log ratio is Welch's t with Satterthwaite degrees of freedom over these parts,
  so few intervals or few runs widen it honestly (3 intervals: t = 4.3).
- Error rate: failures are counts, mostly zero per interval, so a log scale does not work.  The
  ratio of two rates is judged with the conditional binomial test (failures now out of all
  failures, given the requests on each side), its exact Clopper-Pearson interval, and the counts
  divided by the overdispersion (Pearson chi^2 / df over intervals, at least 1): bursts of
  failures count as fewer independent ones.  With two or more baseline runs, the dispersion of
  their totals around their pooled rate (Pearson chi^2 / (runs - 1)) is the floor: an error rate
  that moves from run to run (40 % here) made one run against five of the same service "fail"
  24 times in 200 judged on intervals alone, 8 with it (tests/judge/test_significance.py).
- Several objectives from one ``each:``: Holm's step-down correction of the fail claims and,
  separately, of the pass claims, so neither a false alarm nor a false all-clear grows with the
  number of requests; each interval is shown at the level its claim was tested at.

Why not the alternatives: Mann-Whitney / Hodges-Lehmann on intervals treats them as independent
and cannot use the spread between baseline runs; a block bootstrap needs many more than the ten
intervals of a 10 s window to have blocks to resample, and its percentile interval is too narrow
at that size.  Measured on this machine (benchmarks/regression.py, twice 20 A/A and 20 A/B
pairs of 10 s windows, 5 % limit, target 1.3x slower, load average 3-8 on 2 cores), false alarms
/ caught on p95 over the 40 pairs: this method 1 and 25; Mann-Whitney / Hodges-Lehmann 2 and 31;
a moving-block bootstrap 5 and 29; two single numbers 13 and 38.  Fewest false alarms first: a
gate people must trust; Hodges-Lehmann's robustness to hiccup intervals is the next thing to
combine with the autocorrelation and run-to-run terms.  On a quiet machine (load average
under 1, 20 + 20 pairs): p95 0 false alarms and 20/20 caught for this method (Hodges-Lehmann and
the bootstrap the same; single numbers 5 false alarms); p99 1 and 13/20 (its tail is thin in a
10 s window: the rest are inconclusive, as they should be).

Re-chosen on a larger replay (issue #22; benchmarks/regression_replay.py, docs/benchmarks.md):
35 recorded triplets (70 A and 35 B runs of 10 s windows, B 1.3x slower, on this 2-core machine
at load average 4-11 while other tests ran; A/A changes measured -30 % .. +39 %), 69 A/A and
70 A/B pairs against one baseline run, as recorded and with extra noise per run (+3 %, +6 %) or
per interval (+10 %).  p95, false alarms / caught: this method 5/69 and 50/70 as recorded (3-9
and 35-48 with extra noise); Yuen's 10 % / 20 % trimmed means 4/69 and 43/70, 3/69 and 39/70
(fewer caught at every noise level); Hodges-Lehmann 4/69 and 54/70 (5-8 and 44-52); the block
bootstrap 6/69 and 53/70 (4-9 and 46-52).  No candidate met both goals (<= 1/20 false alarms,
>= 19/20 caught) on runs this noisy, none had fewer false alarms at every noise level, and the
ones that caught more also alarmed more with three baseline runs (Hodges-Lehmann 8/69, the
bootstrap 10/69, this method 5/69): the method stays.  ``log_ratio(trim=...)`` keeps Yuen's
trimmed mean for the replay only (TRIM = 0).

The run-to-run term with several baseline runs (issue #22), tried on the same replay with
three baseline runs: tau^2 as the whole variance of the baseline runs' levels (var(run means),
not only its excess over the within-run part, i.e. every run's level a random effect counted in
full) gave the gate p95 3/69 false alarms and 36/70 caught as recorded (this method: 5/69 and
43/70; with extra noise 2-3/69 and 28-34/70 against 2-7/69 and 31-37/70), and ``loadgate
compare`` 4/69 A/A pairs with any "worse" against 5/69 but the totals' p95 of the slower runs
worse in 7/70 against 15/70: two false alarms fewer for a sixth to a half of the catches, not
adopted.  The estimate above (one-way ANOVA: the excess of var(run means) over the within-run
part) stays.

Checked on a quiet machine with 30 s windows (20 more triplets, 39 A/A and 40 A/B pairs against
one baseline run; docs/benchmarks.md): 0/39 false alarms and 40/40 caught on p95 and on p99
alike, A/A inconclusive 22/39 on p95 (33/39 with 10 s windows).  With 10 s windows p99 caught
25/40; a test that knew the estimate's true spread (the A/A pairs' RMS) caught 37/40, so no
method reaches 19/20 there.  The rest of the gap is the spread estimated from the pair: on the
quiet runs the intervals' variance over-predicts how much a run's mean moves (var(run means) /
(within-run variance / n) = 0.62-0.69), on the busy ones it under-predicts it 3-8x; one
baseline run cannot tell the two apart, so the estimate is not shrunk for the quiet case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from loadgate.judge.estimates import (  # noqa: F401  (the estimates are part of this module's API)
    Estimate,
    LogRatio,
    NoFailures,
    RateRatio,
    figure_estimates,
    log_ratio,
    rate_ratio,
)
from loadgate.judge.log_ratio import _np


@dataclass(frozen=True)
class Decision:
    outcome: str  # fail | pass | inconclusive (the gate); worse | better | same | inconclusive (comparisons.py)
    ratio: float | None  # now / baseline (point estimate)
    low: float | None  # confidence interval of the ratio
    high: float | None
    confidence: float  # the interval's level (Holm-adjusted inside an `each:` family)
    basis: str  # how it was judged, in words
    settle: str = ""  # inconclusive: what would settle it

    @property
    def change(self) -> float | None:
        return None if self.ratio is None else self.ratio - 1


# -- decisions, with Holm across a family ---------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One objective: its estimate (or why there is none), its limit and which side is worse."""

    estimate: Estimate | str
    limit: float  # ratio: 1.05 for max_regression 5 %, 0.9 for min_ratio 0.9
    higher_is_worse: bool = True


def _claims(q: Question) -> tuple[float, float]:
    """One-sided p-values of the fail claim and of the pass claim."""
    if isinstance(q.estimate, str):
        return 1.0, 1.0
    above, below = q.estimate.p_above(q.limit), q.estimate.p_below(q.limit)
    fail, ok = (above, below) if q.higher_is_worse else (below, above)
    return fail, ok


def holm(p_values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Holm-adjusted p-values and each one's multiplier (m - rank + 1), ties in the given order."""
    np = _np()
    p = np.array(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    multiplier = np.empty(len(p), dtype=int)
    multiplier[order] = len(p) - np.arange(len(p))
    adjusted = np.empty(len(p))
    adjusted[order] = np.maximum.accumulate(np.fmin(1.0, multiplier[order] * p[order]))
    return adjusted.tolist(), multiplier.tolist()


def _outcomes(claims: Sequence[Sequence[float]], names: Sequence[str], alpha: float
              ) -> list[tuple[str, int]]:
    """Each question's first claim (in the order of ``names``) that holds after Holm's correction
    across all questions, with its multiplier; else ``inconclusive`` with the first claim's."""
    np = _np()
    adjusted = [holm([c[j] for c in claims]) for j in range(len(names))]
    held = np.array([a for a, _ in adjusted]) < alpha  # claims x questions
    first = held.argmax(axis=0).tolist()  # the first that holds (0 when none does)
    multipliers = [m for _, m in adjusted]
    return [(names[j], multipliers[j][i]) if any_ else ("inconclusive", multipliers[0][i])
            for i, (j, any_) in enumerate(zip(first, held.any(axis=0).tolist()))]


def decide(questions: Sequence[Question], confidence: float = 0.95) -> list[Decision]:
    """Fail / pass / inconclusive for each question; one family (Holm) for all of them."""
    alpha = 1 - confidence
    outcomes = _outcomes([_claims(q) for q in questions], ("fail", "pass"), alpha)
    return [_decision(q, outcome, round(1 - 2 * alpha / multiplier, 9), len(questions), q.limit)
            for q, (outcome, multiplier) in zip(questions, outcomes)]


def _decision(q, outcome: str, level: float, family: int, limit: float, members: str = "objectives",
              half: float | None = None) -> Decision:
    """``q``: a Question or a Change (judge/comparisons.py); ``half``: its log-ratio estimate's
    half-width at ``level``, when taken for many at once (log_ratio.halves)."""
    if isinstance(q.estimate, str):
        return Decision("inconclusive", None, None, None, level, q.estimate,
                        "more data would settle it: a longer window or more baseline runs")
    at = () if half is None else (half,)
    low, high = (None if math.isnan(v) else v for v in q.estimate.interval(level, *at))
    basis = _basis(q.estimate) + (f"; Holm-corrected across {family} {members}" if family > 1 else "")
    settle = q.estimate.more_data(limit, level, *at) if outcome == "inconclusive" else ""
    return Decision(outcome, q.estimate.ratio, low, high, level, basis, settle)


def _basis(estimate: Estimate) -> str:
    if isinstance(estimate, LogRatio):
        return (f"{estimate.intervals_now} intervals now vs {estimate.runs_base} baseline run"
                f"{'s' if estimate.runs_base != 1 else ''}, lag-1 autocorrelation "
                f"{estimate.autocorrelation:.2f}")
    if isinstance(estimate, RateRatio):
        return f"failure counts, overdispersion {estimate.dispersion:.2f}"
    if isinstance(estimate, NoFailures):
        return "no failures in this run or the baseline"
    return "single numbers"


def single_number(now: float | None, base: float | None, limit: float,
                  higher_is_worse: bool = True) -> Decision:
    """An older baseline without interval figures: the two numbers, without a confidence."""
    basis = "single numbers: the baseline has no interval figures (an older results.json), no confidence"
    if now is None or base is None:
        return Decision("inconclusive", None, None, None, 0.0, basis, "a baseline with interval figures")
    if base == 0:
        ratio = None if now == 0 else math.inf
        worse = now > 0 if higher_is_worse else False
    else:
        ratio = now / base
        worse = ratio > limit if higher_is_worse else ratio < limit
    return Decision("fail" if worse else "pass", ratio, None, None, 0.0, basis)


