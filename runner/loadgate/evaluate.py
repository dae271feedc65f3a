"""Judge every objective: pure, values in, results out."""

from __future__ import annotations

from typing import Iterable

from loadgate.model import Measurements, Objective, Result, Status, Verdict


def breached(objective: Objective, value: float, bound: float) -> bool:
    return value > bound if objective.max is not None else value < bound


def judge_one(objective: Objective, value: float | None, note: str | None = None) -> Result:
    if value is None:
        return Result(objective, Status.FAIL, None, f"{objective.name}: {note or 'no data'}")
    measured = objective.format_value(value)
    if breached(objective, value, objective.bound):
        sign = ">" if objective.max is not None else "<"
        return Result(objective, Status.FAIL, value,
                      f"{describe(objective)} {measured} {sign} {objective.format_value(objective.bound)}")
    if objective.warn is not None and breached(objective, value, objective.warn):
        return Result(objective, Status.WARN, value,
                      f"{describe(objective)} {measured} is past the warning level "
                      f"{objective.format_value(objective.warn)} (limit {objective.threshold})")
    return Result(objective, Status.PASS, value, f"{describe(objective)} {measured} {objective.threshold}")


def describe(objective: Objective) -> str:
    """The SLI in words, as in a failure message: ``p95 latency of GET /items``."""
    if objective.sli == "latency":
        word = f"p{objective.percentile:g} latency"
    elif objective.sli == "promql":
        return objective.name
    else:
        word = objective.sli.replace("_", " ")
    return f"{word} of {objective.request}" if objective.request else word


def judge(objectives: Iterable[Objective], measurements: Measurements) -> Verdict:
    results = [
        judge_one(o, measurements.sli_values.get(o.name), measurements.notes.get(o.name))
        for o in objectives
    ]
    status = Status.FAIL if any(r.status is Status.FAIL for r in results) else Status.PASS
    return Verdict(status=status, results=results, measurements=measurements)


def unknown(objectives: Iterable[Objective], error: str) -> Verdict:
    """The verdict when the stack or the load generator failed: every objective is an error."""
    results = [Result(o, Status.ERROR, None, error) for o in objectives]
    return Verdict(status=Status.ERROR, results=results, measurements=None, error=error)
