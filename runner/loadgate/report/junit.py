"""junit.xml through the junit-xml package, valid against the schema Jenkins' xunit reads.

One <testsuite> named after the SLO file's ``name``, one <testcase> per objective.  That schema
has no per-testcase properties, so each objective's measured value, threshold and unit are
suite-level properties prefixed with the objective's position (``slo.1.measured`` ...).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from junit_xml import TestCase, TestSuite

from loadgate.config.plan import Plan
from loadgate.judge.regression import change_text
from loadgate.model import Result, Status, Verdict
from loadgate.report.console import comparison_text
from loadgate.report.json_report import in_unit, measured_in_unit

NOT_IN_SCHEMA = ("disabled", "assertions")


def testcase(result: Result, seconds: float, verdict: Verdict | None = None) -> TestCase:
    objective = result.objective
    case = TestCase(objective.name, classname=f"loadgate.{objective.scope}", elapsed_sec=seconds)
    if result.status is Status.FAIL:
        case.add_failure_info(message=result.message, output=result.message, failure_type="SLOBreach")
    elif result.status is Status.ERROR:
        case.add_error_info(message=result.message, output=result.message,
                            error_type="InfrastructureError")
    else:
        case.stdout = ("warning: " if result.status is Status.WARN else "") + result.message
    note = junit_note(result, verdict) if verdict is not None else ""
    if note:
        case.stdout = f"{case.stdout}\n{note}" if case.stdout else note
    return case


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
    return props


def junit_note(result: Result, verdict: Verdict) -> str:
    """Extra text for a testcase: the baseline line and the cut-short notice."""
    lines = []
    if result.comparison is not None:
        lines.append(f"baseline: {comparison_text(result)}")
    if verdict.aborted is not None and verdict.aborted.objective != result.objective.name:
        lines.append(f"run cut short: {verdict.aborted.message}")
    return "\n".join(lines)


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


def render(plan: Plan, verdict: Verdict) -> str:
    seconds = verdict.measurements.window.seconds if verdict.measurements else 0.0
    suite = TestSuite(plan.name, [testcase(r, seconds, verdict) for r in verdict.results],
                      properties=properties(verdict, plan.run_id),
                      timestamp=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    element = suite.build_xml_doc()
    for attribute in NOT_IN_SCHEMA:
        element.attrib.pop(attribute, None)
    element.set("time", f"{seconds:.3f}")
    for case in element.iter("testcase"):  # junit-xml leaves out a zero time; reporters expect one
        case.set("time", f"{seconds:.3f}")
    root = ET.Element("testsuites", {key: element.get(key) for key in ("name", "tests", "failures", "errors", "time")})
    root.append(element)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
