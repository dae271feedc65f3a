"""``max_regression`` / ``min_ratio``: judge a result against the baseline run (pure).

- ``max_regression: 10%`` (latency, error rate): fails when now > baseline x (1 + 10 %).  A
  baseline of zero allows nothing above zero.
- ``min_ratio: 0.9`` (throughput): fails when now < baseline x 0.9.
A baseline without the SLI (or no ``--baseline``) is not a failure: the result says so, and
with a baseline file given the objective passes with a warning.
"""

from __future__ import annotations

import dataclasses

from loadgate.judge.baseline import Baseline, value_for
from loadgate.model import Comparison, Objective, Result, Status
from loadgate.units import format_number


def limit_text(objective: Objective) -> str:
    if objective.max_regression is not None:
        return f"+{format_number(round(objective.max_regression * 100, 4))}%"
    return f"x{format_number(objective.min_ratio)}"


def change_text(change: float | None) -> str:
    return "n/a" if change is None else f"{change * 100:+.1f}%"


def compare(objective: Objective, now: float | None, base: float | None, source: str) -> Comparison:
    limit = limit_text(objective)
    if base is None:
        return Comparison(None, now, None, limit, Status.WARN,
                          f"no baseline value for {objective.describe()} in {source}: "
                          "regression not checked")
    change = (now - base) / base if now is not None and base else None
    if now is None:
        return Comparison(base, None, None, limit, Status.FAIL, "no value now to compare")
    fmt = objective.format_value
    if objective.max_regression is not None:
        allowed = base * (1 + objective.max_regression)
        bad, word = now > allowed, "above"
    else:
        allowed = base * (objective.min_ratio or 0)
        bad, word = now < allowed, "below"
    verdict = "regression" if bad else "within"
    message = (f"{objective.describe()} {fmt(now)} vs baseline {fmt(base)} ({change_text(change)}); "
               f"{verdict} the limit {limit} ({word} {fmt(allowed)} fails)")
    return Comparison(base, now, change, limit, Status.FAIL if bad else Status.PASS, message)


def apply(result: Result, baseline: Baseline | None) -> Result:
    """The result with its baseline comparison; a regression fails it, a missing baseline warns."""
    objective = result.objective
    if objective.max_regression is None and objective.min_ratio is None:
        return result
    if baseline is None:
        return dataclasses.replace(result, message=f"{result.message} (no --baseline given: "
                                   "regression not checked)")
    comparison = compare(objective, result.measured, value_for(baseline, objective), baseline.path)
    status, message = result.status, result.message
    if comparison.status is Status.FAIL and result.measured is not None:
        status, message = Status.FAIL, (comparison.message if status is not Status.FAIL
                                        else f"{message}; {comparison.message}")
    elif comparison.status is Status.WARN and status is Status.PASS:
        status, message = Status.WARN, f"{message}; {comparison.message}"
    return dataclasses.replace(result, status=status, message=message, comparison=comparison)
