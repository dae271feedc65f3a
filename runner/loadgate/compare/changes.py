"""What changed between the baseline runs and this one (pure: runs in, changes out).

For the totals and every request present on both sides, each figure (p50, p90, p95, p99, error
rate, throughput) is compared as the regression gate compares an objective: the interval
figures of this run against those of every baseline run (judge/estimates.py), then worse /
better / same (within +-threshold) / inconclusive with the chosen confidence, Holm-corrected
over everything compared (judge/comparisons.py decide_changes).  The interval shown has each
end a one-sided bound at that confidence (two-sided 90 % for 95 %), as the gate's.

Speed (issue #22; benchmarks/compare.py: 30 baseline runs and one of 1 000 requests x 30
intervals, 81 MB; this 2-core machine, load average 1-1.5, 20:08 UTC 4 Dec 2026, before and
after alternately): the ``loadgate compare`` command 1.26-1.40 s -> 0.92-1.00 s; in one process
0.98-1.01 s -> 0.63-0.68 s, of which reading 0.44-0.50 s -> 0.37-0.40 s (judge/interval_table.py),
comparing 0.37-0.42 s -> 0.21-0.22 s (deciding at once: judge/comparisons.py; the garbage
collector paused), the console table 0.06 s -> 0.04-0.07 s; imports 0.45 s -> 0.23 s, of which
scipy.special 0.15 s (docs/benchmarks.md: what is left).  Third pass (23:40 UTC, quiet): the
command 0.80-0.82 s -> 0.65-0.67 s, the runs read by this process and a child
(judge/forked_reader.py), scipy imported meanwhile with one BLAS thread; comparing is unchanged,
0.20-0.21 s, the largest part left on one core.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from dataclasses import dataclass

from loadgate.judge.baseline import QUANTILE_FIELDS, Run
from loadgate.judge.comparisons import Change, decide_changes
from loadgate.judge.estimates import FIGURES, _matrix, _np, matrix_estimates
from loadgate.judge.significance import Decision

TOTALS = "all requests"
NOTHING: dict = {}
ORDER = {"worse": 0, "better": 1, "inconclusive": 2, "same": 3}
HIGHER_IS_WORSE = {figure: figure != "rps" for figure in FIGURES}
assert set(QUANTILE_FIELDS.values()) <= set(FIGURES)


@dataclass(frozen=True)
class Row:
    """One figure of one request (or of the totals)."""

    scope: str  # "all requests" or "GET /items"
    figure: str  # FIGURES
    baseline: float | None  # median over the baseline runs (ms, fraction, /s)
    now: float | None
    decision: Decision

    @property
    def outcome(self) -> str:
        return self.decision.outcome


@dataclass(frozen=True)
class Changes:
    rows: tuple[Row, ...]  # sorted: surest and largest first
    only_baseline: tuple[str, ...]  # requests in the baseline runs only
    only_now: tuple[str, ...]  # requests in this run only
    baseline: tuple[str, ...]  # the baseline runs' files, oldest first
    current: str
    confidence: float
    threshold: float

    def count(self, outcome: str) -> int:
        return sum(row.outcome == outcome for row in self.rows)


def scope(row: dict) -> str:
    method, name = row.get("method"), row.get("name")
    return f"{method} {name}" if method and name else str(method or name or "")


def value(row: dict | None, figure: str) -> float | None:
    """One figure of a results.json row (totals or a request), in its unit (ms, fraction, /s)."""
    if row is None:
        return None
    if figure == "error_rate":
        requests = row.get("requests")
        return (row.get("failures") or 0) / requests if requests else None
    found = row.get(figure)
    return float(found) if isinstance(found, (int, float)) and math.isfinite(found) else None


def _positions(run: Run) -> dict[str, int]:
    """Each request's row in the run (a request twice in one file: the first one); totals: -2."""
    positions: dict[str, int] = {}
    for i, row in enumerate(run.requests):
        positions.setdefault(scope(row), i)
    positions[TOTALS] = -2
    return positions


def _rows(run: Run, positions: dict[str, int], scopes: Sequence[str]) -> list[dict | None]:
    return [run.totals if s == TOTALS else run.requests[positions[s]] if s in positions else None
            for s in scopes]


def _figure(run: Run, index, figure: str):
    """The run's interval matrix of ``figure`` for the rows ``index`` (row of run.requests; -1:
    not in the run, NaN; -2: the totals): from the run's table (judge/results_reader.py), else
    from its rows."""
    np = _np()
    body = run.table.get(figure) if run.table else None
    if body is None:
        body = _matrix([r.get("intervals") for r in run.requests], figure)
    totals = _matrix([(run.totals or NOTHING).get("intervals")], figure)
    width = max(body.shape[1], totals.shape[1])
    stacked = np.full((len(body) + 2, width), np.nan)  # the requests, the totals, nothing
    stacked[:len(body), :body.shape[1]] = body
    stacked[-2, :totals.shape[1]] = totals[0]
    return stacked[index]


SCALARS = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "rps", "requests", "failures")


def _scalars(base: list[list[dict | None]]):
    """Every row's SCALARS in every run at once (runs x rows x SCALARS; NaN: none)."""
    blank = (None,) * len(SCALARS)
    return _np().array([[tuple(map(row.get, SCALARS)) if row else blank for row in rows]
                        for rows in base], dtype=float).reshape(len(base), -1, len(SCALARS))


def _medians(base: list[list[dict | None]], figure: str, scalars=None) -> list[float | None]:
    """Each scope's median of ``figure`` over the baseline runs it is in (``scalars``: the
    rows' _scalars, taken once for every figure)."""
    import numpy

    def column(name: str):
        if scalars is not None:
            return scalars[:, :, SCALARS.index(name)].copy()
        return numpy.array([[(row or NOTHING).get(name) for row in rows] for rows in base], dtype=float)

    if figure == "error_rate":
        with numpy.errstate(divide="ignore", invalid="ignore"):
            requests = column("requests")
            values = numpy.nan_to_num(column("failures")) / numpy.where(requests > 0, requests, numpy.nan)
    else:
        values = column(figure)
    values[~numpy.isfinite(values)] = numpy.nan
    present = ~numpy.isnan(values).all(axis=0)
    medians = numpy.nanmedian(numpy.where(present, values, 0.0), axis=0)
    return [float(m) if p else None for m, p in zip(medians, present)]


def compare(baseline: Sequence[Run], current: Run, confidence: float = 0.95,
            threshold: float = 0.05) -> Changes:
    """The garbage collector is paused meanwhile, as for reading (judge/baseline.py read_runs):
    no cycle is made, and a pass over the runs' objects cost up to 0.05 s of the 0.25 s (30 runs
    of 1 000 requests)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compare(baseline, current, confidence, threshold)
    finally:
        if enabled:
            gc.enable()


def _compare(baseline: Sequence[Run], current: Run, confidence: float, threshold: float) -> Changes:
    np = _np()
    positions = [_positions(run) for run in baseline]
    now = _positions(current)
    seen = set().union(*positions)
    scopes = [s for s in now if s in seen]  # totals first
    base = [_rows(run, p, scopes) for run, p in zip(baseline, positions)]  # None: not in that run
    now_rows = _rows(current, now, scopes)
    index = [np.array([p.get(s, -1) for s in scopes]) for p in [now, *positions]]
    runs = [current, *baseline]
    questions, cells, scalars = [], [], _scalars(base)
    for figure in FIGURES:
        pairs = ("failures", "requests") if figure == "error_rate" else (figure,)
        matrices = [tuple(_figure(run, i, f) for f in pairs) for run, i in zip(runs, index)]
        if figure != "error_rate":
            matrices = [m for m, in matrices]
        estimates = matrix_estimates(figure, matrices[0], matrices[1:])
        medians = _medians(base, figure, scalars)
        for s, row, estimate, median_ in zip(scopes, now_rows, estimates, medians):
            questions.append(Change(estimate, threshold, HIGHER_IS_WORSE[figure]))
            cells.append((s, figure, median_, value(row, figure)))
    decisions = decide_changes(questions, confidence) if questions else []
    rows = sorted((Row(*cell, decision) for cell, decision in zip(cells, decisions)), key=_surest)
    return Changes(tuple(rows), tuple(sorted(seen - set(now))), tuple(s for s in now if s not in seen),
                   tuple(run.path for run in baseline), current.path, confidence, threshold)


def _surest(row: Row) -> tuple:
    """Worse, better, inconclusive, same; within each the largest change first."""
    ratio = row.decision.ratio
    size = abs(math.log(ratio)) if ratio and ratio > 0 and math.isfinite(ratio) else (
        math.inf if ratio == math.inf else 0.0)
    return ORDER[row.outcome], -size, row.scope != TOTALS, row.scope, FIGURES.index(row.figure)
