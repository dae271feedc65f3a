"""Run history: each objective's measured value across the baseline runs and this one (pure).

With ``--baseline`` (for instance a directory of main's last runs), report.html draws each
objective's value run after run, oldest to newest, with its threshold, and summary.md gives a
one-line trend.  A run's value is the one the regression gate compares with
(judge/baseline.py ``value_for``); runs are ordered by the start of their window.  Objectives an
``each:`` expanded into are left out (one per request name: a thousand charts help nobody), and
so is any objective beyond the first MAX_OBJECTIVES.
"""

from __future__ import annotations

from collections.abc import Sequence

from loadgate.judge.baseline import Baseline, value_for
from loadgate.model import History, Result

MAX_OBJECTIVES = 40


def history(results: Sequence[Result], baseline: Baseline | None) -> History | None:
    if baseline is None:
        return None
    runs = sorted(baseline.runs, key=lambda r: (r.started is None, r.started or 0.0, r.path))
    shown = [r for r in results if r.objective.family is None][:MAX_OBJECTIVES]
    values = {r.objective.name: tuple(value_for(run, r.objective) for run in runs) + (r.measured,)
              for r in shown}
    return History(len(runs) + 1, values, left_out=len(results) - len(shown))
