"""Judge every objective: pure, values in, results out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from loadgate.model import Abort, Measurements, Objective, Result, Status, Verdict

if TYPE_CHECKING:
    from loadgate.baseline import Baseline


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


def judge(objectives: Iterable[Objective], measurements: Measurements,
          baseline: Baseline | None = None, aborted: Abort | None = None) -> Verdict:
    """Every objective as measured (patterns resolved), against the baseline; an abort fails."""
    results = [
        judge_objective(o, measurements, baseline, aborted)
        for o in (measurements.objectives or tuple(objectives))
    ]
    status = Status.FAIL if any(r.status is Status.FAIL for r in results) or aborted else Status.PASS
    return Verdict(status=status, results=results, measurements=measurements, aborted=aborted)


def judge_objective(objective: Objective, measurements: Measurements,
                    baseline: Baseline | None = None, aborted: Abort | None = None) -> Result:
    from loadgate import abort, regression, sustained

    value, note = measurements.sli_values.get(objective.name), measurements.notes.get(objective.name)
    if objective.sustain:
        result = sustained.judge(objective, measurements.sustained.get(objective.name), value, note,
                                 measurements.window.start)
    else:
        result = judge_one(objective, value, note)
    return abort.mark(regression.apply(result, baseline), aborted)


def unknown(objectives: Iterable[Objective], error: str) -> Verdict:
    """The verdict when the stack or the load generator failed: every objective is an error."""
    results = [Result(o, Status.ERROR, None, error) for o in objectives]
    return Verdict(status=Status.ERROR, results=results, measurements=None, error=error)
