"""Latency percentiles and throughput: the ratio now / baseline from the logs of interval figures.

Why this method is in judge/significance.py.  One implementation serves the regression gate (one
objective at a time) and ``loadgate compare`` (every request and figure of two sets of runs at
once): ``log_ratios`` works on a batch, one row per comparison, with numpy; ``log_ratio`` is a
batch of one.  Each run is a matrix (rows x that run's intervals); a value that is missing, zero
or not finite is left out, and a run with no value in a row is not a run of that row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from loadgate.judge.special import t_ppf, t_sf

if TYPE_CHECKING:
    import numpy as np

MIN_INTERVALS = 3  # per side; fewer gives no variance worth the name
MAX_AUTOCORRELATION = 0.9
TRIM = 0.0  # share of each run's intervals cut from each end (judge/significance.py: why)


@cache
def _np():
    """numpy, imported on first use (judge/special.py says why)."""
    import numpy

    return numpy


def _exp(x: float) -> float:
    """exp() whose overflow is +inf: a wide interval (few degrees of freedom, a strict Holm level
    over a thousand questions) has no upper bound rather than an OverflowError."""
    return math.exp(x) if x < 709.0 else math.inf


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

    def interval(self, confidence: float, half: float | None = None) -> tuple[float, float]:
        """``half``: this estimate's ``halves`` at ``confidence``, when taken for many at once."""
        half = halves([self], [confidence])[0] if half is None else half
        return _exp(self.diff - half), _exp(self.diff + half)

    def p_above(self, limit: float) -> float:
        return beyond([self], limit)[0][0]

    def p_below(self, limit: float) -> float:
        return beyond([self], limit)[1][0]

    def more_data(self, limit: float, confidence: float, half: float | None = None) -> str:
        half = halves([self], [confidence])[0] if half is None else half
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


def beyond(estimates: Sequence[LogRatio], limit: float) -> tuple[list[float], list[float]]:
    """Each estimate's one-sided p-values against "ratio <= limit" and against "ratio >= limit"
    (``p_above`` / ``p_below``: a batch of one): one call of the t distribution for all."""
    np = _np()
    diff, se, df = (np.array([getattr(e, name) for e in estimates], dtype=float) for name in ("diff", "se", "df"))
    gap = diff - math.log(limit)
    with np.errstate(divide="ignore", invalid="ignore"):  # no spread: beyond the limit or not at all
        z = np.where(se > 0, gap / np.where(se > 0, se, 1.0), np.where(gap == 0, -np.inf, np.copysign(np.inf, gap)))
    return t_sf(z, df).tolist(), t_sf(-z, df).tolist()


def halves(estimates: Sequence[LogRatio], confidences: Sequence[float]) -> list[float]:
    """Each estimate's half-width (log scale) of its interval at its confidence."""
    np = _np()
    df, se = (np.array([getattr(e, name) for e in estimates], dtype=float) for name in ("df", "se"))
    return (t_ppf(0.5 + np.array(confidences, dtype=float) / 2, df) * se).tolist()


@dataclass
class _Runs:
    """Per row (axis 0) and run (axis 1): intervals with data, those left after trimming (h), the
    (trimmed) mean log, the sum of squares of the (winsorized) logs around their mean, and the
    lag-1 sums of runs with at least three intervals."""

    count: np.ndarray
    kept: np.ndarray
    mean: np.ndarray
    squares: np.ndarray
    lag: np.ndarray
    lag_squares: np.ndarray

    @classmethod
    def of(cls, runs: Sequence[np.ndarray], rows: int, trim: float) -> _Runs:
        np = _np()
        if not runs:
            return cls(*(np.zeros((rows, 0)) for _ in range(6)))
        return cls(*(np.stack(parts, axis=1) for parts in zip(*(_run(m, trim) for m in runs))))


def _run(values: np.ndarray, trim: float) -> tuple[np.ndarray, ...]:
    """One run's figures per row; ``trim``: the share cut from each end (Yuen's trimmed mean,
    its variance from the winsorized values)."""
    np = _np()
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(values > 0, values, np.nan))
    logs[~np.isfinite(logs)] = np.nan
    present = ~np.isnan(logs)
    count = present.sum(axis=1)
    cut = np.floor(trim * count).astype(int)
    kept = count - 2 * cut
    if trim > 0 and logs.shape[1]:
        ordered = np.sort(logs, axis=1)  # NaN last
        rows = np.arange(len(logs))
        low, high = ordered[rows, cut], ordered[rows, np.maximum(count - cut - 1, 0)]
        position = np.arange(logs.shape[1])[None, :]
        middle = (position >= cut[:, None]) & (position < (count - cut)[:, None])
        mean = np.where(middle, ordered, 0.0).sum(axis=1) / np.maximum(kept, 1)
        logs = np.clip(logs, low[:, None], high[:, None])  # winsorized; NaN stays NaN
        spread_mean = np.nansum(logs, axis=1) / np.maximum(count, 1)
    else:
        mean = spread_mean = np.nansum(logs, axis=1) / np.maximum(count, 1)
    centred = np.where(present, logs - spread_mean[:, None], 0.0)
    squares = (centred ** 2).sum(axis=1)
    # adjacent intervals that both have data (a gap breaks the chain)
    lag = (centred[:, 1:] * centred[:, :-1]).sum(axis=1)
    long = count >= 3  # one or two intervals say nothing about autocorrelation
    return count, kept, mean, squares, np.where(long, lag, 0.0), np.where(long, squares, 0.0)


def _side(runs: _Runs, inflation: np.ndarray) -> dict[str, np.ndarray]:
    """Each row's level (mean of run means), its within-run variance (autocorrelation-inflated)
    with degrees of freedom, and var(run means) / k."""
    np = _np()
    present = runs.count > 0
    runs_k = present.sum(axis=1)
    k = np.maximum(runs_k, 1)
    level = (runs.mean * present).sum(axis=1) / k
    # Yuen: var(trimmed mean) = winsorized sum of squares / (h (h - 1)); untrimmed, h = n
    h = runs.kept
    var = np.where(h > 1, runs.squares / np.maximum(h - 1, 1), 0.0)
    within = (var * inflation[:, None] / np.maximum(h, 1)).sum(axis=1) / k ** 2
    df = np.maximum(np.maximum(h / inflation[:, None] - 1, 0.0).sum(axis=1), 1.0)
    spread = ((runs.mean - level[:, None]) ** 2 * present).sum(axis=1)
    between = np.where(runs_k > 1, spread / np.maximum(k - 1, 1) / k, 0.0)
    return {"level": level, "within": within, "df": df, "between": between, "k": runs_k,
            "intervals": runs.count.sum(axis=1)}


def log_ratios(now: Sequence[np.ndarray], baseline: Sequence[np.ndarray], trim: float = TRIM
               ) -> list[LogRatio | str]:
    """Compare interval figures, one matrix (rows x intervals, NaN: no data) per run.

    Returns each row's estimate, or why there is too little data (a string).
    """
    np = _np()
    rows = (list(now) + list(baseline))[0].shape[0] if (now or baseline) else 0
    a_runs, b_runs = _Runs.of(now, rows, trim), _Runs.of(baseline, rows, trim)
    rho = _autocorrelation(a_runs, b_runs)
    inflation = (1 + rho) / (1 - rho)
    a, b = _side(a_runs, inflation), _side(b_runs, inflation)
    k = b["k"]
    base_var = np.maximum(b["within"], b["between"])
    tau2 = np.maximum(b["between"] - b["within"], 0.0) * k  # run-to-run variance beyond within
    base_df = np.where(b["between"] <= b["within"], b["df"], k - 1)
    total, df = _satterthwaite(((a["within"], a["df"]), (tau2, k - 1), (base_var, base_df)))
    diff = a["level"] - b["level"]
    out: list[LogRatio | str] = []
    for i in range(len(diff)):
        counts = int(a["intervals"][i]), int(b["intervals"][i])
        if min(counts) < MIN_INTERVALS:
            which = "this run" if counts[0] < MIN_INTERVALS else "the baseline"
            out.append(f"only {min(counts)} intervals with data in {which} "
                       f"(at least {MIN_INTERVALS} needed)")
            continue
        out.append(LogRatio(float(diff[i]), math.sqrt(total[i]), float(df[i]),
                            (("now", float(a["within"][i])), ("run-to-run", float(tau2[i])),
                             ("baseline", float(base_var[i]))),
                            counts[0], int(k[i]), float(rho[i])))
    return out


def _autocorrelation(a_runs: _Runs, b_runs: _Runs) -> np.ndarray:
    """Each row's lag-1 autocorrelation pooled over both sides' runs, clipped to 0 .. MAX."""
    np = _np()
    num = a_runs.lag.sum(axis=1) + b_runs.lag.sum(axis=1)
    den = a_runs.lag_squares.sum(axis=1) + b_runs.lag_squares.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, np.clip(num / np.where(den > 0, den, 1), 0.0, MAX_AUTOCORRELATION), 0.0)


def _satterthwaite(parts) -> tuple[np.ndarray, np.ndarray]:
    """The total of the (variance, degrees of freedom) parts and its Satterthwaite df."""
    np = _np()
    total = sum(v for v, _ in parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = sum(np.where((v > 0) & (d > 0), v ** 2 / np.where(d > 0, d, 1), 0.0) for v, d in parts)
        df = np.maximum(np.where(denom > 0, total ** 2 / np.where(denom > 0, denom, 1), 1e6), 1.0)
    return total, df


def matrix(values: Sequence[float | None]) -> np.ndarray:
    """One run's interval figures as a one-row matrix (None: no data)."""
    np = _np()
    return np.array([[np.nan if v is None else v for v in values]], dtype=float).reshape(1, -1)


def log_ratio(now: Sequence[Sequence[float | None]], baseline: Sequence[Sequence[float | None]],
              trim: float = TRIM) -> LogRatio | str:
    """One comparison: interval figures, one list per run (None or <= 0 are skipped)."""
    return log_ratios([matrix(xs) for xs in now], [matrix(xs) for xs in baseline], trim)[0]
