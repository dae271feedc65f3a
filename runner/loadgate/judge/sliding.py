"""Judge a ``for:`` objective from its per-window figures (pure: figures in, result out).

The objective fails only when the figure over some window of ``for`` seconds inside the evaluation
window breaches the threshold; the measured value reported is the worst window's figure.
"""

from __future__ import annotations

import dataclasses

from loadgate.judge.threshold import breached, judge_one
from loadgate.model import Objective, Result, Status
from loadgate.units import format_seconds


def worst(objective: Objective, points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    pick = max if objective.max is not None else min
    return pick(points, key=lambda point: point[1])


def judge(objective: Objective, points: tuple[tuple[float, float], ...] | None,
          whole: float | None, note: str | None, window_start: float) -> Result:
    """``points``: (window end, figure); None when the evaluation window is shorter than ``for``."""
    span = format_seconds(objective.sustain or 0)
    if points is None:  # no full window fits: judge the whole (shorter) window instead
        result = judge_one(objective, whole, note)
        return dataclasses.replace(result, message=f"{result.message} (the window was shorter "
                                   f"than for: {span}; judged over the whole window)")
    if not points:
        return judge_one(objective, None, note or f"no data: no {span} window had requests")
    end, value = worst(objective, points)
    result = judge_one(objective, value)
    where = (f"over the {span} window ending {end - window_start:.1f} s into the evaluation "
             f"window")
    if result.status is Status.FAIL:
        bad = sum(breached(objective, v, objective.bound) for _, v in points)
        where += f"; {bad} of {len(points)} window positions breached"
    else:
        where = f"worst {span} window: ending {end - window_start:.1f} s into the evaluation window"
    return dataclasses.replace(result, message=f"{result.message} ({where})")

