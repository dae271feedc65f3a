"""Changes between runs (``loadgate compare``): worse / better / same / inconclusive, pure.

The gate's statistics (the method: judge/significance.py; the estimates: judge/log_ratio.py,
judge/estimates.py) ask three one-sided questions of each figure: worse beyond the threshold,
better beyond it, and within it (two one-sided tests); each kind is Holm-corrected over
everything compared (significance.py ``_outcomes``).

A comparison of 1 000 requests asks them of 6 006 figures.  The log-ratio estimates' p-values
and interval widths are taken in one call of the t distribution each for all of them
(log_ratio.beyond / halves, which the one-at-a-time methods the gate uses are a batch of one
of): deciding took 0.05 s instead of 0.08 s in benchmarks/compare.py (this 2-core machine,
load average 1), the figures exactly those of one at a time (tests/compare/test_pinned.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loadgate.judge.estimates import Estimate, NoFailures
from loadgate.judge.log_ratio import LogRatio, beyond, halves
from loadgate.judge.significance import Decision, _decision, _outcomes


@dataclass(frozen=True)
class Change:
    """One figure compared between runs: its estimate, the threshold of "same", which side is worse."""

    estimate: Estimate | str
    threshold: float  # 0.05: "same" is a ratio within 0.95 .. 1.05
    higher_is_worse: bool = True


def _claims(q: Change) -> tuple[float, float, float]:
    """One-sided p-values of "worse beyond the threshold", "better beyond it", and (two one-sided
    tests) "within it"."""
    if isinstance(q.estimate, NoFailures):
        return 1.0, 1.0, 0.0
    if isinstance(q.estimate, str):
        return 1.0, 1.0, 1.0
    up, down = 1 + q.threshold, 1 - q.threshold
    rises, falls = q.estimate.p_above(up), q.estimate.p_below(down)
    within = max(q.estimate.p_below(up), q.estimate.p_above(down))
    return (rises, falls, within) if q.higher_is_worse else (falls, rises, within)


def _all_claims(changes: Sequence[Change]) -> list[tuple[float, float, float]]:
    """_claims of every change; those of log-ratio estimates at once, per threshold."""
    claims: list = [None if type(c.estimate) is LogRatio else _claims(c) for c in changes]
    for threshold in {c.threshold for c in changes}:
        at = [i for i, c in enumerate(changes) if claims[i] is None and c.threshold == threshold]
        estimates = [changes[i].estimate for i in at]
        above_up, below_up = beyond(estimates, 1 + threshold)
        above_down, below_down = beyond(estimates, 1 - threshold)
        for i, rises, falls, *within in zip(at, above_up, below_down, below_up, above_down):
            claims[i] = (rises, falls, max(within)) if changes[i].higher_is_worse else (falls, rises, max(within))
    return claims


def decide_changes(changes: Sequence[Change], confidence: float = 0.95) -> list[Decision]:
    """Worse / better / same / inconclusive for each change; Holm across all of them."""
    alpha = 1 - confidence
    outcomes = _outcomes(_all_claims(changes), ("worse", "better", "same"), alpha)
    levels = [round(1 - 2 * alpha / multiplier, 9) for _, multiplier in outcomes]
    logs = [i for i, c in enumerate(changes) if type(c.estimate) is LogRatio]
    half: list = [None] * len(changes)
    for i, h in zip(logs, halves([changes[i].estimate for i in logs], [levels[i] for i in logs])):
        half[i] = h
    decisions = []
    for c, (outcome, _), level, h in zip(changes, outcomes, levels, half):
        ratio = getattr(c.estimate, "ratio", None)
        nearer = 1 + c.threshold if (ratio or 1.0) >= 1 else 1 - c.threshold
        decisions.append(_decision(c, outcome, level, len(changes), nearer, "comparisons", h))
    return decisions
