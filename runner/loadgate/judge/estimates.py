"""The estimates behind a regression decision (pure): the ratio now / baseline and its spread.

``log_ratio`` (latency percentiles, throughput; judge/log_ratio.py) and ``rate_ratio`` (error
rate, here); why these, and how autocorrelation and run-to-run noise enter, is in
judge/significance.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

from loadgate.judge.log_ratio import MIN_INTERVALS, LogRatio, log_ratio, log_ratios  # noqa: F401
from loadgate.judge.special import beta_cdf, beta_ppf, beta_sf


class Estimate(Protocol):
    """The ratio now / baseline and what the data say about it."""

    ratio: float | None

    def interval(self, confidence: float) -> tuple[float, float]: ...

    def p_above(self, limit: float) -> float:
        """One-sided p-value against "ratio <= limit" (small: the ratio is above the limit)."""

    def p_below(self, limit: float) -> float:
        """One-sided p-value against "ratio >= limit"."""

    def more_data(self, limit: float, confidence: float) -> str: ...


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
        low = 0.0 if k <= 0 else beta_ppf(alpha / 2, k, n - k + 1)
        high = 1.0 if k >= n else beta_ppf(1 - alpha / 2, k + 1, n - k)
        return self._to_ratio(low), self._to_ratio(high)

    def p_above(self, limit: float) -> float:  # P(X >= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k <= 0 or n <= 0 else beta_cdf(self._share(limit), k, n - k + 1)

    def p_below(self, limit: float) -> float:  # P(X <= k | share(limit))
        k, n = self.failures_now, self.failures_all
        return 1.0 if k >= n or n <= 0 else beta_sf(self._share(limit), k + 1, n - k)

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


# -- one figure of results.json interval columns --------------------------------------------------

FIGURES = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "error_rate", "rps")
Columns = dict  # results.json ``intervals``: column name -> one value per interval


def _matrix(rows: Sequence[Columns | None], figure: str):
    """One run's column of ``figure`` for every row (NaN where a row has no data)."""
    from loadgate.judge.log_ratio import _np

    np = _np()
    values = [(c or {}).get(figure) or [] for c in rows]
    width = max(map(len, values), default=0)
    out = np.full((len(rows), width), np.nan)
    for i, column in enumerate(values):
        if column:
            out[i, :len(column)] = np.array(column, dtype=float)  # None -> NaN
    return out


def _counts(columns: Columns | None) -> list[tuple[int, int]]:
    columns = columns or {}
    return [(f or 0, n or 0) for f, n in zip(columns.get("failures") or [], columns.get("requests") or [])]


def figure_estimates(figure: str, now: Sequence[Columns | None],
                     baseline: Sequence[Sequence[Columns | None]]) -> list[Estimate | str]:
    """``figure`` (FIGURES) compared row by row: ``now[i]`` is row i's interval columns in this
    run, ``baseline[j][i]`` in baseline run j (None: the row is not in that run)."""
    if figure == "error_rate":
        return [rate_ratio([_counts(now[i])], [_counts(run[i]) for run in baseline])
                for i in range(len(now))]
    return log_ratios([_matrix(now, figure)], [_matrix(run, figure) for run in baseline])
