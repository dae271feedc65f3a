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
  failures count as fewer independent ones.
- Several objectives from one ``each:``: Holm's step-down correction of the fail claims and,
  separately, of the pass claims, so neither a false alarm nor a false all-clear grows with the
  number of requests; each interval is shown at the level its claim was tested at.

Why not the alternatives: Mann-Whitney / Hodges-Lehmann on intervals treats them as independent
and cannot use the spread between baseline runs; a block bootstrap needs many more than the ten
intervals of a 10 s window to have blocks to resample, and its percentile interval is too narrow
at that size.  Measured on this machine: benchmarks/regression.py (README, "Regression against
baselines").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

from statistics import variance

from scipy import stats

MIN_INTERVALS = 3  # per side; fewer gives no variance worth the name
MAX_AUTOCORRELATION = 0.9


class Estimate(Protocol):
    """The ratio now / baseline and what the data say about it."""

    ratio: float | None

    def interval(self, confidence: float) -> tuple[float, float]: ...

    def p_above(self, limit: float) -> float:
        """One-sided p-value against "ratio <= limit" (small: the ratio is above the limit)."""

    def p_below(self, limit: float) -> float:
        """One-sided p-value against "ratio >= limit"."""

    def more_data(self, limit: float, confidence: float) -> str: ...


@dataclass(frozen=True)
class Decision:
    outcome: str  # fail | pass | inconclusive
    ratio: float | None  # now / baseline (point estimate)
    low: float | None  # confidence interval of the ratio
    high: float | None
    confidence: float  # the interval's level (Holm-adjusted inside an `each:` family)
    basis: str  # how it was judged, in words
    settle: str = ""  # inconclusive: what would settle it

    @property
    def change(self) -> float | None:
        return None if self.ratio is None else self.ratio - 1


# -- latency percentiles and throughput: logs of interval figures --------------------------------

def _logs(values: Sequence[float | None]) -> list[float]:
    return [math.log(v) for v in values if v is not None and v > 0 and math.isfinite(v)]


def _lag1(runs: Sequence[list[float]]) -> float:
    """Lag-1 autocorrelation pooled over runs, clipped to 0 .. MAX_AUTOCORRELATION."""
    num = den = 0.0
    for xs in runs:
        if len(xs) < 3:
            continue
        m = sum(xs) / len(xs)
        num += sum((a - m) * (b - m) for a, b in zip(xs, xs[1:]))
        den += sum((a - m) ** 2 for a in xs)
    return min(max(num / den, 0.0), MAX_AUTOCORRELATION) if den > 0 else 0.0


@dataclass(frozen=True)
class _Side:
    level: float  # mean over runs of each run's mean log
    within: float  # variance of `level` from the noise inside runs (autocorrelation-inflated)
    within_df: float
    run_means: tuple[float, ...]
    intervals: int

    @classmethod
    def of(cls, runs: Sequence[list[float]], inflation: float) -> _Side:
        means = tuple(sum(xs) / len(xs) for xs in runs)
        k = len(runs)
        within = sum(variance(xs) * inflation / len(xs) if len(xs) > 1 else 0.0
                     for xs in runs) / k ** 2
        df = sum(max(len(xs) / inflation - 1, 0.0) for xs in runs)
        return cls(sum(means) / k, within, max(df, 1.0), means, sum(len(xs) for xs in runs))

    @property
    def between(self) -> float:
        """var(run means) / k: run-to-run noise included; 0 with one run."""
        k = len(self.run_means)
        return variance(self.run_means) / k if k > 1 else 0.0


@dataclass(frozen=True)
class LogRatio:
    """exp(difference of mean logs): a ratio of geometric means of interval figures."""

    diff: float
    se: float
    df: float
    parts: tuple[tuple[str, float], ...]  # (where, variance) for `more_data`
    intervals_now: int
    runs_base: int
    autocorrelation: float

    @property
    def ratio(self) -> float:
        return math.exp(self.diff)

    def interval(self, confidence: float) -> tuple[float, float]:
        half = stats.t.ppf(0.5 + confidence / 2, self.df) * self.se
        return math.exp(self.diff - half), math.exp(self.diff + half)

    def _z(self, limit: float) -> float:
        gap = self.diff - math.log(limit)
        return gap / self.se if self.se > 0 else math.copysign(math.inf, gap or -1.0)

    def p_above(self, limit: float) -> float:
        return float(stats.t.sf(self._z(limit), self.df))

    def p_below(self, limit: float) -> float:
        return float(stats.t.cdf(self._z(limit), self.df))

    def more_data(self, limit: float, confidence: float) -> str:
        half = stats.t.ppf(0.5 + confidence / 2, self.df) * self.se
        gap = abs(self.diff - math.log(limit))
        factor = (half / gap) ** 2 if gap > 0 else math.inf
        if factor > 25:
            return ("the change is about at the limit: no practical amount of data settles it "
                    "(the limit, not the data, decides here)")
        base_share = dict(self.parts).get("baseline", 0.0) / max(self.se ** 2, 1e-300)
        now = f"a window about {math.ceil(factor * 10) / 10:g}x as long"
        if base_share < 0.3:
            return f"more data would settle it: {now}"
        runs = max(self.runs_base + 1, math.ceil(self.runs_base * factor))
        return f"more data would settle it: {now} and about {runs} baseline runs"


def log_ratio(now: Sequence[Sequence[float | None]], baseline: Sequence[Sequence[float | None]]
              ) -> LogRatio | str:
    """Compare interval figures (one list per run; None or <= 0 are skipped).

    Returns the estimate, or why there is too little data (a string).
    """
    now_runs = [xs for xs in map(_logs, now) if xs]
    base_runs = [xs for xs in map(_logs, baseline) if xs]
    counts = sum(map(len, now_runs)), sum(map(len, base_runs))
    if min(counts) < MIN_INTERVALS:
        which = "this run" if counts[0] < MIN_INTERVALS else "the baseline"
        return f"only {min(counts)} intervals with data in {which} (at least {MIN_INTERVALS} needed)"
    rho = _lag1(now_runs + base_runs)
    inflation = (1 + rho) / (1 - rho)
    a, b = _Side.of(now_runs, inflation), _Side.of(base_runs, inflation)
    base_var = max(b.within, b.between)
    tau2 = max(b.between - b.within, 0.0) * len(base_runs)  # run-to-run variance beyond within
    parts = [("now", a.within, a.within_df), ("run-to-run", tau2, len(base_runs) - 1),
             ("baseline", base_var, b.within_df if b.between <= b.within else len(base_runs) - 1)]
    total = sum(v for _, v, _ in parts)
    denom = sum(v ** 2 / df for _, v, df in parts if v > 0 and df > 0)
    df = total ** 2 / denom if denom > 0 else 1e6
    return LogRatio(a.level - b.level, math.sqrt(total), max(df, 1.0),
                    tuple((w, v) for w, v, _ in parts), a.intervals, len(base_runs), rho)


# -- error rate: counts -------------------------------------------------------------------------

def _dispersion(sides: Sequence[Sequence[tuple[int, int]]]) -> float:
    """Pearson chi^2 / df of failures per interval around each side's rate; at least 1."""
    chi2, cells = 0.0, 0
    for intervals in sides:
        failures, requests = sum(f for f, _ in intervals), sum(n for _, n in intervals)
        p = failures / requests if requests else 0.0
        for f, n in intervals:
            if n > 0 and 0 < p < 1:
                chi2 += (f - n * p) ** 2 / (n * p * (1 - p))
                cells += 1
    df = cells - len(sides)
    return max(chi2 / df, 1.0) if df > 0 else 1.0


@dataclass(frozen=True)
class RateRatio:
    """Failure rate now / baseline: failures now ~ Binomial(all failures, share(ratio))."""

    failures_now: float  # divided by the dispersion
    failures_all: float
    requests_now: int
    requests_base: int
    dispersion: float

    @property
    def ratio(self) -> float | None:
        base = self.failures_all - self.failures_now
        if base <= 0:
            return math.inf if self.failures_now > 0 else None
        return (self.failures_now / self.requests_now) / (base / self.requests_base)

    def _to_ratio(self, share: float) -> float:
        if share >= 1:
            return math.inf
        return share * self.requests_base / ((1 - share) * self.requests_now)

    def _share(self, ratio: float) -> float:
        return ratio * self.requests_now / (ratio * self.requests_now + self.requests_base)

    def interval(self, confidence: float) -> tuple[float, float]:
        k, n, alpha = self.failures_now, self.failures_all, 1 - confidence
        if n <= 0:
            return 0.0, math.inf
        low = 0.0 if k <= 0 else stats.beta.ppf(alpha / 2, k, n - k + 1)
        high = 1.0 if k >= n else stats.beta.ppf(1 - alpha / 2, k + 1, n - k)
        return self._to_ratio(low), self._to_ratio(high)

    def p_above(self, limit: float) -> float:  # P(X >= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k <= 0 or n <= 0 else float(stats.beta.cdf(self._share(limit), k, n - k + 1))

    def p_below(self, limit: float) -> float:  # P(X <= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k >= n or n <= 0 else float(stats.beta.sf(self._share(limit), k + 1, n - k))

    def more_data(self, limit: float, confidence: float) -> str:
        return ("more data would settle it: a longer window and more baseline runs (only "
                f"{self.failures_all:.3g} independent failures to compare)")


class NoFailures:
    """No failure on either side: the error rate cannot have regressed."""

    ratio = None

    def interval(self, confidence: float) -> tuple[float, float]:
        return math.nan, math.nan

    def p_above(self, limit: float) -> float:
        return 1.0

    def p_below(self, limit: float) -> float:
        return 0.0

    def more_data(self, limit: float, confidence: float) -> str:
        return ""


def rate_ratio(now: Sequence[Sequence[tuple[int, int]]], baseline: Sequence[Sequence[tuple[int, int]]]
               ) -> RateRatio | NoFailures | str:
    """Compare (failures, requests) per interval, one list per run."""
    now_all = [c for run in now for c in run]
    base_all = [c for run in baseline for c in run]
    requests = sum(n for _, n in now_all), sum(n for _, n in base_all)
    if min(requests) == 0:
        return "no requests in " + ("this run" if requests[0] == 0 else "the baseline")
    if not any(f for f, _ in now_all + base_all):
        return NoFailures()
    phi = _dispersion([now_all, base_all])
    failures_now = sum(f for f, _ in now_all)
    failures_all = failures_now + sum(f for f, _ in base_all)
    return RateRatio(failures_now / phi, failures_all / phi, requests[0], requests[1], phi)


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
    """Holm-adjusted p-values and each one's multiplier (m - rank + 1)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, multiplier, running = [1.0] * m, [1] * m, 0.0
    for rank, i in enumerate(order):
        multiplier[i] = m - rank
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted, multiplier


def decide(questions: Sequence[Question], confidence: float = 0.95) -> list[Decision]:
    """Fail / pass / inconclusive for each question; one family (Holm) for all of them."""
    alpha = 1 - confidence
    claims = [_claims(q) for q in questions]
    fail_adj, fail_mult = holm([c[0] for c in claims])
    pass_adj, pass_mult = holm([c[1] for c in claims])
    decisions = []
    for i, q in enumerate(questions):
        outcome = "fail" if fail_adj[i] < alpha else "pass" if pass_adj[i] < alpha else "inconclusive"
        level = round(1 - 2 * alpha / (pass_mult[i] if outcome == "pass" else fail_mult[i]), 9)
        decisions.append(_decision(q, outcome, level, len(questions)))
    return decisions


def _decision(q: Question, outcome: str, level: float, family: int) -> Decision:
    if isinstance(q.estimate, str):
        return Decision("inconclusive", None, None, None, level, q.estimate,
                        "more data would settle it: a longer window or more baseline runs")
    low, high = (None if math.isnan(v) else v for v in q.estimate.interval(level))
    basis = _basis(q.estimate) + (f"; Holm-corrected across {family} objectives" if family > 1 else "")
    settle = q.estimate.more_data(q.limit, level) if outcome == "inconclusive" else ""
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


