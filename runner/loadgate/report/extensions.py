"""What the slo.yaml extensions add to every report: baseline comparisons and a cut-short run.

Only formatting; each renderer (json_report, junit, markdown, console) calls in here.
"""

from __future__ import annotations

from loadgate.model import Comparison, Objective, Result, Verdict
from loadgate.regression import change_text
from loadgate.units import format_number


def in_unit(objective: Objective, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value * 100 if objective.unit == "%" else value, 4)


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


def junit_properties(verdict: Verdict) -> dict[str, str]:
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
    return props


def junit_note(result: Result, verdict: Verdict) -> str:
    """Extra text for a testcase: the baseline line and the cut-short notice."""
    lines = []
    if result.comparison is not None:
        lines.append(f"baseline: {comparison_text(result)}")
    if verdict.aborted is not None and verdict.aborted.objective != result.objective.name:
        lines.append(f"run cut short: {verdict.aborted.message}")
    return "\n".join(lines)


def comparison_text(result: Result) -> str:
    c, fmt = result.comparison, result.objective.format_value
    base = "missing" if c.baseline is None else fmt(c.baseline)
    now = "-" if c.now is None else fmt(c.now)
    return f"baseline {base}, now {now}, change {change_text(c.change)} (limit {c.limit})"


def markdown_lines(verdict: Verdict, cell) -> list[str]:
    lines = []
    if verdict.aborted is not None:
        lines += ["", f"> ⛔ **Run cut short**: {cell(verdict.aborted.message)}"]
    compared = [r for r in verdict.results if r.comparison is not None]
    if compared:
        lines += ["", "| SLO | baseline | now | change | limit | status |",
                  "| --- | ---: | ---: | ---: | --- | --- |"]
        for r in compared:
            c, fmt = r.comparison, r.objective.format_value
            lines.append(f"| {cell(r.objective.name)} | {'missing' if c.baseline is None else fmt(c.baseline)} "
                         f"| {'–' if c.now is None else fmt(c.now)} | {change_text(c.change)} "
                         f"| {c.limit} | {c.status.value} |")
    return lines


def console_lines(verdict: Verdict) -> list[str]:
    lines = [f"{r.objective.name}: {comparison_text(r)}" for r in verdict.results
             if r.comparison is not None]
    if verdict.aborted is not None:
        lines.append(f"run cut short after {format_number(verdict.aborted.elapsed)} s: "
                     f"{verdict.aborted.message}")
    return lines
