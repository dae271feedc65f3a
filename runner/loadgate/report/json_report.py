"""results.json, in the shape the README documents."""

from __future__ import annotations

import json
from dataclasses import asdict

from loadgate.config.plan import Plan
from loadgate.model import Comparison, Objective, Result, Verdict


def in_unit(objective: Objective, value: float | None) -> float | None:
    """A value in the unit the report names (an error rate in %)."""
    if value is None:
        return None
    return round(value * 100 if objective.unit == "%" else value, 4)


def measured_in_unit(result: Result) -> float | None:
    return in_unit(result.objective, result.measured)


def comparison_entry(objective: Objective, comparison: Comparison) -> dict:
    return {"value": in_unit(objective, comparison.baseline), "now": in_unit(objective, comparison.now),
            "change_pct": None if comparison.change is None else round(comparison.change * 100, 2),
            "limit": comparison.limit, "status": comparison.status.value,
            "message": comparison.message}


def slo_fields(result: Result) -> dict:
    """Extra keys of one results.json ``slos`` entry, only for objectives that use extensions.

    ``request`` and ``percentile`` let a later run find this SLI when this file is its baseline.
    """
    objective, fields = result.objective, {}
    compared = objective.max_regression is not None or objective.min_ratio is not None
    if compared:
        fields["request"] = str(objective.request) if objective.request is not None else None
    if compared and objective.percentile is not None:
        fields["percentile"] = objective.percentile
    if objective.sustain:
        fields["for_s"] = objective.sustain
    if result.comparison is not None:
        fields["baseline"] = comparison_entry(objective, result.comparison)
    return fields


def document_fields(verdict: Verdict) -> dict:
    """Extra top-level results.json keys, only for a run cut short: ``cut_short``, ``aborted``."""
    if verdict.aborted is None:
        return {}
    a = verdict.aborted
    return {"cut_short": True, "aborted": {"objective": a.objective, "at": round(a.at, 3),
                                           "elapsed_s": a.elapsed, "message": a.message}}


def slo_entry(result: Result) -> dict:
    objective = result.objective
    return {"name": objective.name, "sli": objective.sli, "status": result.status.value,
            "measured": measured_in_unit(result), "unit": objective.unit,
            "threshold": objective.threshold, **slo_fields(result)}


def document(plan: Plan, verdict: Verdict) -> dict:
    figures = verdict.measurements
    totals = asdict(figures.totals) if figures else None
    if totals:
        totals.pop("method"), totals.pop("name")
    doc = {
        "run_id": plan.run_id,
        "verdict": verdict.status.value,
        "exit_code": int(verdict.exit_code),
        "window": asdict(figures.window) if figures else None,
        "totals": totals,
        "requests": [asdict(r) for r in figures.requests] if figures else [],
        "slos": [slo_entry(r) for r in verdict.results],
        **document_fields(verdict),
    }
    if verdict.error:
        doc["error"] = verdict.error
    return doc


def render(plan: Plan, verdict: Verdict) -> str:
    return json.dumps(document(plan, verdict), indent=2) + "\n"
