"""Judge every objective: pure, values in, results out."""

from __future__ import annotations

import dataclasses
from typing import Iterable

from loadgate.judge import reasons, regression, sliding
from loadgate.judge.baseline import Baseline
from loadgate.judge.history import history
from loadgate.judge.threshold import judge_one
from loadgate.model import Abort, Measurements, Objective, Result, Status, Verdict, Window


def judge(objectives: Iterable[Objective], measurements: Measurements,
          baseline: Baseline | None = None, aborted: Abort | None = None,
          planned: tuple[float, float] | None = None) -> Verdict:
    """Every objective as measured (patterns resolved), against the baseline; an abort fails.

    A load that the locustfile's own code stopped (``sys.exit()``) is not judged: its verdict is
    unknown, as when the load generator fails.  ``planned``: (warm-up, duration); a load that
    ended well before its duration otherwise (``runner.quit()``, a LoadTestShape that ended) is
    judged over what ran, with a note.
    """
    objectives = measurements.objectives or tuple(objectives)
    notes = reasons.notes(measurements.user_errors)
    stopped = reasons.stopped_load(measurements.user_errors)
    if stopped:
        verdict = unknown(objectives, stopped)
        return dataclasses.replace(verdict, measurements=measurements, notes=notes[1:])
    crashed = reasons.crashed(measurements.user_errors)
    results = [with_stalls(with_crash(mark(judge_objective(o, measurements), aborted), crashed),
                           measurements) for o in objectives]
    results = regression.apply_all(results, baseline, measurements.intervals)
    status = Status.FAIL if any(r.status is Status.FAIL for r in results) or aborted else Status.PASS
    notes += [s.describe(measurements.window) for s in measurements.stalls]
    notes += [text for text in [ended_early(measurements.window, planned)] if text and not aborted]
    return Verdict(status=status, results=results, measurements=measurements, aborted=aborted,
                   notes=notes, history=history(results, baseline))


EARLY = 1.0  # seconds short of the duration before a load counts as ended early (Locust's -t
# stops within ~0.1 s of it)


def ended_early(window: Window, planned: tuple[float, float] | None) -> str | None:
    """"the load ran 13.0 s of the planned 20 s: ..." when it ended well before its duration."""
    if planned is None:
        return None
    warmup, duration = planned
    ran = max(window.seconds + warmup, 0.0)
    if ran >= duration - max(EARLY, 0.02 * duration):
        return None
    return (f"the load ran {ran:.1f} s of the planned {duration:g} s: the locustfile ended it "
            "(runner.quit(), or its LoadTestShape's tick() returned None); the SLOs are judged "
            f"over the {window.seconds:.1f} s it ran after the warm-up")


STALLED = "measured over a stall: see the run's notes"


def with_stalls(result: Result, measurements: Measurements) -> Result:
    """A request objective measured over a stall says so; passing, it passes with a warning.
    The stall itself is told once, in the verdict's notes, not in every objective."""
    if not measurements.stalls or result.objective.sli == "promql":
        return result
    status = Status.WARN if result.status is Status.PASS else result.status
    return dataclasses.replace(result, status=status, message=f"{result.message} (warning: {STALLED})")


def with_crash(result: Result, crashed: str | None) -> Result:
    """A "no data" result says so when users crashed: that is usually why."""
    if crashed is None or result.measured is not None or result.status is not Status.FAIL:
        return result
    return dataclasses.replace(result, message=f"{result.message} ({crashed})")


def judge_objective(objective: Objective, measurements: Measurements) -> Result:
    """One objective against its thresholds (the baseline comes after, per `each:` family)."""
    value, note = measurements.sli_values.get(objective.name), measurements.notes.get(objective.name)
    if objective.sustain:
        result = sliding.judge(objective, measurements.sustained.get(objective.name), value, note,
                               measurements.window.start)
    else:
        result = judge_one(objective, value, note)
    return dataclasses.replace(result, reasons=reasons.for_objective(objective, measurements.failure_reasons))


def mark(result: Result, aborted: Abort | None) -> Result:
    """The objective that aborted the run fails, whatever the shortened window says."""
    if aborted is None or result.objective.name != aborted.objective:
        return result
    return dataclasses.replace(result, status=Status.FAIL,
                               message=f"{aborted.message}; run cut short "
                                       f"(over the shortened window: {result.message})")


def unknown(objectives: Iterable[Objective], error: str, interrupted_by: int | None = None) -> Verdict:
    """The verdict when the stack or the load generator failed, or a signal ended the run
    (``interrupted_by``: its exit code, 130 or 143): every objective is an error."""
    results = [Result(o, Status.ERROR, None, error) for o in objectives]
    return Verdict(status=Status.ERROR, results=results, measurements=None, error=error,
                   interrupted_by=interrupted_by)
