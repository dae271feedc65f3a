"""``max_regression`` / ``min_ratio``: each objective against its baseline runs (pure).

- ``max_regression: 10%`` (latency, error rate): the change now / baseline is judged against the
  ratio 1.10; ``min_ratio: 0.9`` (throughput) against 0.9 from below.  judge/significance.py
  decides from the interval figures of this run and of every baseline run, with the objective's
  ``confidence`` (default 95 %): ``fail`` (the objective fails), ``pass``, or ``inconclusive``
  (it passes with a warning that says what would settle it).
- The objectives one ``each:`` expands into are one family: Holm's correction across them.
- A baseline without interval figures (a results.json from before they existed) is compared as
  single numbers (the median over its runs), and the result says so.
- No ``--baseline``: not checked (said so); a baseline without the SLI: a warning.
"""

from __future__ import annotations

import dataclasses
from statistics import median
from typing import Sequence

from loadgate.judge import significance
from loadgate.judge.baseline import Baseline, intervals_for, value_for
from loadgate.judge.significance import Decision, Question
from loadgate.model import Comparison, Intervals, Objective, Result, Status
from loadgate.units import format_number


def limit_text(objective: Objective) -> str:
    if objective.max_regression is not None:
        return f"+{format_number(round(objective.max_regression * 100, 4))}%"
    return f"x{format_number(objective.min_ratio)}"


def change_text(change: float | None) -> str:
    return "n/a" if change is None else "+inf%" if change == float("inf") else f"{change * 100:+.1f}%"


def interval_text(c: Comparison) -> str:
    """``+18.1% .. +38.0% (90 %)``; empty for single numbers."""
    if c.low is None or c.confidence is None:
        return ""
    return (f"{change_text(c.low)} .. {change_text(c.high)} "
            f"({format_number(round(c.confidence * 100, 2))} %)")


def decision_text(c: Comparison) -> str:
    """``fail``, ``pass``, ``inconclusive``, with ``(single numbers)`` when judged without intervals."""
    if not c.decision:
        return c.status.value
    return c.decision if c.confidence is not None else f"{c.decision} (single numbers)"


def compared(objective: Objective) -> bool:
    return objective.max_regression is not None or objective.min_ratio is not None


def limit_ratio(objective: Objective) -> float:
    if objective.max_regression is not None:
        return 1 + objective.max_regression
    return objective.min_ratio or 0.0


def figure(objective: Objective) -> str:
    """The interval column (judge/estimates.py FIGURES) an objective is compared on."""
    if objective.sli == "latency":
        return objective.percentile_field
    return "error_rate" if objective.sli == "error_rate" else "rps"


def columns(now: Intervals) -> dict:
    """This run's interval figures as the columns a results.json keeps."""
    return {"requests": now.requests, "failures": now.failures, "rps": now.rps, **now.latency}


def question(objective: Objective, now: Intervals | None, baseline: Baseline) -> Question | None:
    """The significance question for one objective; None: single numbers only."""
    runs = [c for c in (intervals_for(run, objective) for run in baseline.runs) if c]
    if now is None or not runs:
        return None
    estimate = significance.figure_estimates(figure(objective), [columns(now)], [[c] for c in runs])[0]
    return Question(estimate, limit_ratio(objective), objective.max_regression is not None)


def apply_all(results: Sequence[Result], baseline: Baseline | None,
              intervals: dict[str, Intervals]) -> list[Result]:
    """Every result with its baseline comparison; families from one ``each:`` judged together."""
    out = list(results)
    families: dict[str, list[int]] = {}
    for i, result in enumerate(results):
        objective = result.objective
        if not compared(objective):
            continue
        if baseline is None:
            out[i] = dataclasses.replace(result, message=f"{result.message} (no --baseline given: "
                                         "regression not checked)", limit_status=result.status,
                                         limit_message=result.message)
            continue
        families.setdefault(objective.family or objective.name, []).append(i)
    for members in families.values():
        decided = _decide_family([results[i] for i in members], baseline, intervals)
        for i, comparison in zip(members, decided):
            out[i] = combine(results[i], comparison)
    return out


def _decide_family(results: list[Result], baseline: Baseline, intervals: dict[str, Intervals]
                   ) -> list[Comparison]:
    questions = [question(r.objective, intervals.get(r.objective.name), baseline) for r in results]
    asked = [q for q in questions if q is not None]
    confidence = results[0].objective.confidence
    answers = iter(significance.decide(asked, confidence) if asked else [])
    comparisons = []
    for result, q in zip(results, questions):
        base = _median([value_for(run, result.objective) for run in baseline.runs])
        if q is None:
            decision = significance.single_number(result.measured, base, limit_ratio(result.objective),
                                                  result.objective.max_regression is not None)
        else:
            decision = next(answers)
        comparisons.append(comparison(result, base, decision, baseline))
    return comparisons


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def comparison(result: Result, base: float | None, decision: Decision, baseline: Baseline) -> Comparison:
    objective, now = result.objective, result.measured
    limit = limit_text(objective)
    if base is None:
        return Comparison(None, now, None, limit, Status.WARN,
                          f"no baseline value for {objective.describe()} in {baseline.path}: "
                          "regression not checked", decision="", runs=len(baseline.runs))
    if now is None:
        return Comparison(base, None, None, limit, Status.FAIL, "no value now to compare",
                          runs=len(baseline.runs))
    change = decision.change if decision.ratio is not None else (
        (now - base) / base if base else None)
    status = {"fail": Status.FAIL, "pass": Status.PASS}.get(decision.outcome, Status.WARN)
    fields = dict(decision=decision.outcome, basis=decision.basis, settle=decision.settle,
                  runs=len(baseline.runs))
    if decision.low is not None:
        fields.update(low=decision.low - 1, high=decision.high - 1, confidence=decision.confidence)
    draft = Comparison(base, now, change, limit, status, "", **fields)
    return dataclasses.replace(draft, message=message(objective, draft))


def message(objective: Objective, c: Comparison) -> str:
    fmt = objective.format_value
    head = (f"{objective.describe()} {fmt(c.now)} vs baseline {fmt(c.baseline)}"
            f"{'' if c.runs == 1 else f' (median of {c.runs} runs)'}: {change_text(c.change)}")
    if c.confidence is None:  # single numbers
        verdict = "regression beyond" if c.decision == "fail" else "within"
        return f"{head}, {verdict} the limit {c.limit} ({c.basis})"
    sure = f"{format_number(round(objective.confidence * 100, 2))} % confidence"
    span = (f"{format_number(round(c.confidence * 100, 2))} % interval "
            f"{change_text(c.low)} .. {change_text(c.high)}")  # the words of interval_text
    words = {"fail": f"a regression beyond the limit {c.limit} with {sure}",
             "pass": f"within the limit {c.limit} with {sure}",
             "inconclusive": f"neither beyond nor within the limit {c.limit} with {sure}: "
                             f"inconclusive; {c.settle}"}[c.decision]
    return f"{head} ({span}), {words} [{c.basis}]"


def combine(result: Result, comparison: Comparison) -> Result:
    """A regression fails the objective; an inconclusive or missing baseline warns.  The result
    keeps its own thresholds' status and message (``limit_status``, ``limit_message``): the
    JUnit report shows the two apart."""
    status, msg = result.status, result.message
    if comparison.status is Status.FAIL and result.measured is not None:
        status, msg = Status.FAIL, (comparison.message if status is not Status.FAIL
                                    else f"{msg}; {comparison.message}")
    elif comparison.status is Status.WARN and status in (Status.PASS, Status.WARN):
        status, msg = Status.WARN, f"{msg}; {comparison.message}"
    return dataclasses.replace(result, status=status, message=msg, comparison=comparison,
                               limit_status=result.status, limit_message=result.message)
