"""One objective against its threshold (pure: a value in, a result out)."""

from __future__ import annotations

from loadgate.model import Objective, Result, Status


def breached(objective: Objective, value: float, bound: float) -> bool:
    return value > bound if objective.max is not None else value < bound


def judge_one(objective: Objective, value: float | None, note: str | None = None) -> Result:
    if value is None:
        return Result(objective, Status.FAIL, None, f"{objective.name}: {note or 'no data'}")
    measured = objective.format_value(value)
    warning = ""
    if objective.warn is not None and breached(objective, value, objective.warn):
        warning = (f"{objective.describe()} {measured} is past the warning level "
                   f"{objective.format_value(objective.warn)} (limit {objective.threshold})")
    if breached(objective, value, objective.bound):
        sign = ">" if objective.max is not None else "<"
        return Result(objective, Status.FAIL, value,
                      f"{objective.describe()} {measured} {sign} "
                      f"{objective.format_value(objective.bound)}", warning=warning)
    if warning:
        return Result(objective, Status.WARN, value, warning, warning=warning)
    return Result(objective, Status.PASS, value,
                  f"{objective.describe()} {measured} {objective.threshold}")
