"""The estimates behind a regression decision (pure): the ratio now / baseline and its spread.

``log_ratio`` (latency percentiles, throughput; judge/log_ratio.py) and ``rate_ratio`` (error
rate, here); why these, and how autocorrelation and run-to-run noise enter, is in
judge/significance.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

from loadgate.judge.log_ratio import MIN_INTERVALS, LogRatio, _np, log_ratio, log_ratios  # noqa: F401
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

def _dispersion(failures, requests, rate):
    """Per row: Pearson chi^2 / df of failures per interval (columns) around the row's rate."""
    np = _np()
    usable = (requests > 0) & (rate > 0)[:, None] & (rate < 1)[:, None]
    p = np.where(usable, rate[:, None], 0.5)
    chi2 = np.where(usable, (failures - requests * p) ** 2 / np.where(usable, requests * p * (1 - p), 1), 0.0)
    return chi2.sum(axis=1), usable.sum(axis=1)


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


def rate_ratios(now: tuple, baseline: tuple, baseline_runs: Sequence[tuple] = ()
                ) -> list[RateRatio | NoFailures | str]:
    """Compare failures and requests per interval, row by row: each side a pair of matrices
    (rows x intervals, every run's intervals side by side; NaN counts as 0).  ``baseline_runs``:
    each baseline run's pair of matrices, whose totals measure run-to-run overdispersion."""
    np = _np()
    sides = [tuple(np.nan_to_num(m) for m in side) for side in (now, baseline)]
    totals = [(f.sum(axis=1), n.sum(axis=1)) for f, n in sides]
    chi2, cells = 0.0, 0
    for (f, n), (failures, requests) in zip(sides, totals):
        more_chi2, more_cells = _dispersion(f, n, _rate(failures, requests))
        chi2, cells = chi2 + more_chi2, cells + more_cells
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(cells > 2, np.maximum(chi2 / np.where(cells > 2, cells - 2, 1), 1.0), 1.0)
    phi = np.maximum(phi, _between_runs(baseline_runs, totals[1]))
    out: list[RateRatio | NoFailures | str] = []
    for i in range(len(totals[0][0])):
        (f_now, n_now), (f_base, n_base) = ((float(f[i]), float(n[i])) for f, n in totals)
        if min(n_now, n_base) == 0:
            out.append("no requests in " + ("this run" if n_now == 0 else "the baseline"))
        elif f_now + f_base == 0:
            out.append(NoFailures())
        else:
            d = float(phi[i])
            out.append(RateRatio(f_now / d, (f_now + f_base) / d, int(n_now), int(n_base), d))
    return out


def _rate(failures, requests):
    np = _np()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(requests > 0, failures / np.where(requests > 0, requests, 1), 0.0)


def _between_runs(runs: Sequence[tuple], pooled: tuple):
    """Per row: Pearson chi^2 / df of the baseline runs' failure totals around their pooled rate
    (1 with fewer than two runs): whole runs differ more than their intervals say when the
    error rate moves from run to run (a flaky dependency, a warm cache or not), and this run has
    its own run effect, so its counts count as that many fewer independent ones too."""
    np = _np()
    if len(runs) < 2:
        return 1.0
    failures = np.stack([np.nan_to_num(f).sum(axis=1) for f, _ in runs], axis=1)
    requests = np.stack([np.nan_to_num(n).sum(axis=1) for _, n in runs], axis=1)
    chi2, used = _dispersion(failures, requests, _rate(*pooled))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(used > 1, np.maximum(chi2 / np.where(used > 1, used - 1, 1), 1.0), 1.0)


def _pairs(runs: Sequence[Sequence[tuple[int, int]]]) -> tuple:
    np = _np()
    cells = [c for run in runs for c in run]
    return (np.array([[f for f, _ in cells]], dtype=float).reshape(1, -1),
            np.array([[n for _, n in cells]], dtype=float).reshape(1, -1))


def rate_ratio(now: Sequence[Sequence[tuple[int, int]]], baseline: Sequence[Sequence[tuple[int, int]]]
               ) -> RateRatio | NoFailures | str:
    """One comparison: (failures, requests) per interval, one list per run."""
    return rate_ratios(_pairs(now), _pairs(baseline), [_pairs([run]) for run in baseline])[0]


# -- one figure of results.json interval columns --------------------------------------------------

FIGURES = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "error_rate", "rps")
Columns = dict  # results.json ``intervals``: column name -> one value per interval


def _matrix(rows: Sequence[Columns | None], figure: str):
    """One run's column of ``figure`` for every row (NaN where a row has no data); a column is a
    list (None: no value) or a float array (judge/results_reader.py)."""
    np = _np()
    values = [None if c is None else c.get(figure) for c in rows]
    width = max((len(v) for v in values if v is not None), default=0)
    if all(v is not None and len(v) == width for v in values):
        # one conversion for the whole run: rows of one run have as many intervals as its window
        return np.array(values, dtype=float).reshape(len(rows), width)
    out = np.full((len(rows), width), np.nan)
    for i, v in enumerate(values):
        if v is not None and len(v):
            out[i, :len(v)] = np.asarray(v, dtype=float)
    return out


def _counts(pairs: Sequence[tuple]) -> tuple:
    """Failures and requests of every row, the runs' intervals side by side."""
    np = _np()
    widths = [min(f.shape[1], n.shape[1]) for f, n in pairs]
    return (np.concatenate([f[:, :w] for (f, _), w in zip(pairs, widths)], axis=1),
            np.concatenate([n[:, :w] for (_, n), w in zip(pairs, widths)], axis=1))


def figure_estimates(figure: str, now: Sequence[Columns | None],
                     baseline: Sequence[Sequence[Columns | None]]) -> list[Estimate | str]:
    """``figure`` (FIGURES) compared row by row: ``now[i]`` is row i's interval columns in this
    run, ``baseline[j][i]`` in baseline run j (None: the row is not in that run)."""
    runs = [now, *baseline]
    if figure == "error_rate":
        matrices = [(_matrix(run, "failures"), _matrix(run, "requests")) for run in runs]
    else:
        matrices = [_matrix(run, figure) for run in runs]
    return matrix_estimates(figure, matrices[0], matrices[1:])


def matrix_estimates(figure: str, now, baseline: Sequence) -> list[Estimate | str]:
    """As figure_estimates, from each run's matrix of ``figure`` (rows x intervals, NaN: no
    value; for the error rate a pair of matrices, failures and requests)."""
    if figure == "error_rate":
        return rate_ratios(_counts([now]), _counts(baseline), baseline)
    return log_ratios([now], list(baseline))
