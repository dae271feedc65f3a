"""results.json, exactly in the SPEC's shape."""

from __future__ import annotations

import json
from dataclasses import asdict

from loadgate.model import Result, Verdict
from loadgate.plan import Plan
from loadgate.report import extensions


def measured_in_unit(result: Result) -> float | None:
    """The measured value in the unit the report names (an error rate in %)."""
    if result.measured is None:
        return None
    value = result.measured * 100 if result.objective.unit == "%" else result.measured
    return round(value, 4)


def slo_entry(result: Result) -> dict:
    objective = result.objective
    return {"name": objective.name, "sli": objective.sli, "status": result.status.value,
            "measured": measured_in_unit(result), "unit": objective.unit,
            "threshold": objective.threshold, **extensions.slo_fields(result)}


def document(plan: Plan, verdict: Verdict) -> dict:
    figures = verdict.measurements
    totals = asdict(figures.totals) if figures else None
    if totals:
        totals.pop("method"), totals.pop("name")
    doc = {
        "verdict": verdict.status.value,
        "exit_code": int(verdict.exit_code),
        "window": asdict(figures.window) if figures else None,
        "totals": totals,
        "requests": [asdict(r) for r in figures.requests] if figures else [],
        "slos": [slo_entry(r) for r in verdict.results],
        **extensions.document_fields(verdict),
    }
    if verdict.error:
        doc["error"] = verdict.error
    return doc


def render(plan: Plan, verdict: Verdict) -> str:
    return json.dumps(document(plan, verdict), indent=2) + "\n"
