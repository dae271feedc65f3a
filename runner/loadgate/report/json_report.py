"""results.json, in the shape docs/reports.md documents and results.schema.json describes."""

from __future__ import annotations

import json
from dataclasses import asdict

from loadgate.config.plan import Plan
from loadgate.model import Comparison, Intervals, Objective, Result, Verdict
from loadgate.printable import valid
from loadgate.results_format import SCHEMA_VERSION

REASONS_PER_SLO = 20  # an error-rate objective's most frequent failure reasons in results.json


def in_unit(objective: Objective, value: float | None) -> float | None:
    """A value in the unit the report names (an error rate in %)."""
    if value is None:
        return None
    return round(value * 100 if objective.unit == "%" else value, 4)


def measured_in_unit(result: Result) -> float | None:
    return in_unit(result.objective, result.measured)


def _pct(change: float | None) -> float | None:
    return None if change is None or change == float("inf") else round(change * 100, 2)


def comparison_entry(objective: Objective, c: Comparison) -> dict:
    """``decision``: fail / pass / inconclusive; ``interval_pct``: the change's confidence
    interval at ``interval_level`` (null for single numbers); ``runs``: baseline runs compared."""
    return {"value": in_unit(objective, c.baseline), "now": in_unit(objective, c.now),
            "change_pct": _pct(c.change), "limit": c.limit, "status": c.status.value,
            "decision": c.decision or None,
            "interval_pct": None if c.low is None else [_pct(c.low), _pct(c.high)],
            "interval_level": c.confidence, "runs": c.runs, "basis": c.basis,
            "settle": c.settle or None, "message": c.message}


def columns(intervals: Intervals | None) -> dict | None:
    """Figures per interval as columns, one value per interval (``start`` in unix seconds)."""
    if intervals is None:
        return None
    error_rate = [round(f / n, 6) if n else None for f, n in zip(intervals.failures, intervals.requests)]
    return {"seconds": intervals.seconds, "start": list(intervals.starts),
            "requests": list(intervals.requests), "failures": list(intervals.failures),
            "rps": list(intervals.rps), "error_rate": error_rate,
            **{key: list(values) for key, values in intervals.latency.items()}}


def row(figures) -> dict:
    entry = asdict(figures)
    entry["intervals"] = columns(figures.intervals)
    return entry


def slo_fields(result: Result, intervals: Intervals | None = None) -> dict:
    """Extra keys of one results.json ``slos`` entry, only for objectives that use extensions.

    ``request``, ``percentile`` and ``intervals`` let a later run find this SLI when this file is
    its baseline.
    """
    objective, fields = result.objective, {}
    compared = objective.max_regression is not None or objective.min_ratio is not None
    if compared:
        fields["request"] = str(objective.request) if objective.request is not None else None
    if compared and objective.percentile is not None:
        fields["percentile"] = objective.percentile
    if compared:
        fields["confidence"] = objective.confidence
    if compared and intervals is not None:
        fields["intervals"] = columns(intervals)
    if objective.sustain:
        fields["for_s"] = objective.sustain
    if result.comparison is not None:
        fields["baseline"] = comparison_entry(objective, result.comparison)
    if objective.sli == "error_rate":
        fields["failure_reasons"] = [asdict(r) for r in result.reasons[:REASONS_PER_SLO]]
    return fields


def document_fields(verdict: Verdict) -> dict:
    """Extra top-level results.json keys, only for a run cut short: ``cut_short``, ``aborted``."""
    if verdict.aborted is None:
        return {}
    a = verdict.aborted
    return {"cut_short": True, "aborted": {"objective": a.objective, "at": round(a.at, 3),
                                           "elapsed_s": a.elapsed, "message": a.message}}


def slo_entry(result: Result, intervals: Intervals | None = None) -> dict:
    objective = result.objective
    return {"name": objective.name, "sli": objective.sli, "status": result.status.value,
            "measured": measured_in_unit(result), "unit": objective.unit,
            "threshold": objective.threshold, **slo_fields(result, intervals)}


def document(plan: Plan, verdict: Verdict) -> dict:
    figures = verdict.measurements
    totals = row(figures.totals) if figures else None
    if totals:
        totals.pop("method"), totals.pop("name")
    kept = figures.intervals if figures else {}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "run_id": plan.run_id,
        "verdict": verdict.status.value,
        "exit_code": int(verdict.exit_code),
        "window": asdict(figures.window) if figures else None,
        "totals": totals,
        "requests": [row(r) for r in figures.requests] if figures else [],
        "slos": [slo_entry(r, kept.get(r.objective.name)) for r in verdict.results],
        "failure_reasons": [asdict(r) for r in figures.failure_reasons] if figures else [],
        "user_errors": [asdict(e) for e in figures.user_errors] if figures else [],
        "notes": list(verdict.notes),
        **document_fields(verdict),
    }
    if figures and figures.warnings:
        doc["warnings"] = list(figures.warnings)
    if verdict.error:
        doc["error"] = verdict.error
    return doc


def valid_text(value: object) -> object:
    """Every string in the document (keys too) valid Unicode: a lone surrogate in a name would
    come out as a ``\\udcff`` escape that readers decode to text they cannot encode."""
    if isinstance(value, str):
        return valid(value)
    if isinstance(value, dict):
        return {valid(k) if isinstance(k, str) else k: valid_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [valid_text(v) for v in value]
    return value


def render(plan: Plan, verdict: Verdict) -> str:
    return json.dumps(valid_text(document(plan, verdict)), indent=2) + "\n"
