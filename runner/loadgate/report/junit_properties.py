"""The properties of junit.xml's <testsuite>: every figure (slo.N.*, baseline and abort figures),
for scripts; no reporter shows them."""

from __future__ import annotations

from loadgate.judge.regression import change_text
from loadgate.model import Verdict
from loadgate.report.json_report import in_unit, measured_in_unit


def properties(verdict: Verdict, run_id: str = "") -> dict[str, str]:
    props = {"run_id": run_id, "verdict": verdict.status.value,
             "exit_code": str(int(verdict.exit_code))}
    for index, result in enumerate(verdict.results, start=1):
        measured = measured_in_unit(result)
        props[f"slo.{index}.name"] = result.objective.name
        props[f"slo.{index}.status"] = result.status.value
        props[f"slo.{index}.measured"] = "" if measured is None else f"{measured:g}"
        props[f"slo.{index}.threshold"] = result.objective.threshold
        props[f"slo.{index}.unit"] = result.objective.unit
    props.update(baseline_properties(verdict))
    figures = verdict.measurements
    for index, text in enumerate(figures.warnings if figures else (), start=1):
        props[f"warning.{index}"] = text
    return props


def baseline_properties(verdict: Verdict) -> dict[str, str]:
    """A cut-short run and every baseline comparison, as suite properties."""
    props = {}
    if verdict.aborted is not None:
        props.update({"cut_short": "true", "aborted.objective": verdict.aborted.objective,
                      "aborted.elapsed_s": f"{verdict.aborted.elapsed:g}",
                      "aborted.at": f"{verdict.aborted.at:.3f}"})
    for index, result in enumerate(verdict.results, start=1):
        comparison = result.comparison
        if comparison is None:
            continue
        base = in_unit(result.objective, comparison.baseline)
        props[f"slo.{index}.baseline"] = "" if base is None else f"{base:g}"
        props[f"slo.{index}.change"] = change_text(comparison.change)
        props[f"slo.{index}.regression_limit"] = comparison.limit
        props[f"slo.{index}.baseline_status"] = comparison.status.value
        props[f"slo.{index}.baseline_decision"] = comparison.decision
        props[f"slo.{index}.baseline_runs"] = str(comparison.runs)
        if comparison.low is not None:
            props[f"slo.{index}.change_low"] = change_text(comparison.low)
            props[f"slo.{index}.change_high"] = change_text(comparison.high)
            props[f"slo.{index}.interval_level"] = f"{comparison.confidence:g}"
    return props
