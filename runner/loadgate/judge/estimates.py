"""The estimates behind a regression decision (pure): the ratio now / baseline and its spread.

``log_ratio`` (latency percentiles, throughput) and ``rate_ratio`` (error rate); why these, and
how autocorrelation and run-to-run noise enter, is in judge/significance.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import variance
from typing import Protocol, Sequence


def _stats():
    """scipy.stats, imported on first use: its ~0.8 s of imports would otherwise delay every
    run and every `loadgate validate`, and only a regression objective needs it."""
    from scipy import stats

    return stats


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
        half = _stats().t.ppf(0.5 + confidence / 2, self.df) * self.se
        return math.exp(self.diff - half), math.exp(self.diff + half)

    def _z(self, limit: float) -> float:
        gap = self.diff - math.log(limit)
        return gap / self.se if self.se > 0 else math.copysign(math.inf, gap or -1.0)

    def p_above(self, limit: float) -> float:
        return float(_stats().t.sf(self._z(limit), self.df))

    def p_below(self, limit: float) -> float:
        return float(_stats().t.cdf(self._z(limit), self.df))

    def more_data(self, limit: float, confidence: float) -> str:
        half = _stats().t.ppf(0.5 + confidence / 2, self.df) * self.se
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
        low = 0.0 if k <= 0 else _stats().beta.ppf(alpha / 2, k, n - k + 1)
        high = 1.0 if k >= n else _stats().beta.ppf(1 - alpha / 2, k + 1, n - k)
        return self._to_ratio(low), self._to_ratio(high)

    def p_above(self, limit: float) -> float:  # P(X >= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k <= 0 or n <= 0 else float(_stats().beta.cdf(self._share(limit), k, n - k + 1))

    def p_below(self, limit: float) -> float:  # P(X <= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k >= n or n <= 0 else float(_stats().beta.sf(self._share(limit), k + 1, n - k))

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
