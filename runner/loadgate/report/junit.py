"""junit.xml through the junit-xml package, valid against the schema Jenkins' xunit reads.

One <testsuite> named after the SLO file's ``name``, one <testcase> per objective.  That schema
has no per-testcase properties, so each objective's measured value, threshold and unit are
suite-level properties prefixed with the objective's position (``slo.1.measured`` ...).

How the CI reporters read it (their code; tests/report/test_junit_ci.py replays each rule):
- classname: GitLab shows it as the "Suite" column and keys a test by suite, classname and
  name; dorny/test-reporter groups testcases by it (none when it equals the suite's name);
  EnricoMi/publish-unit-test-result-action titles "name (classname)"; mikepenz/action-junit-report
  keeps the text after its last ``.``.  So the classname is the suite's name without dots: one
  flat, stable group per service, whatever dots the request names hold.
- ``file`` on the <testsuite> (the SLO file): mikepenz annotates that file, at the line it finds
  as `` slo.yaml:12`` in the failure text, which is the failure's last line here.
- time: every reporter adds the testcases' times, so each gets an equal share of the window.
- a passing testcase shows nothing of itself in GitLab, dorny or mikepenz; warnings go to its
  <system-out> (Jenkins shows it) and to the suite's <system-err>, which EnricoMi turns into a
  warning annotation (``report_suite_logs: error``) without counting a failure.
- an infrastructure failure is one <error> (on the first testcase); the others are <skipped>,
  not judged: reporters count one error instead of repeating it on every objective.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Mapping

from junit_xml import TestCase, TestSuite

from loadgate.config.plan import Plan
from loadgate.judge.reasons import TOP
from loadgate.judge.regression import change_text
from loadgate.model import Result, Status, Verdict
from loadgate.printable import visible
from loadgate.report.console import comparison_text
from loadgate.report.github import slo_file
from loadgate.report.json_report import in_unit, measured_in_unit

NOT_IN_SCHEMA = ("disabled", "assertions")


def classname(plan: Plan) -> str:
    return plan.name.replace(".", "_")


def share(window_seconds: float, count: int) -> float:
    """Each testcase's time: an equal share of the window, rounded down to the millisecond, so
    that the reporters' sums stay within the window."""
    return math.floor(window_seconds * 1000 / max(count, 1)) / 1000


def failure_text(result: Result, where: str) -> str:
    """The failure's details: the message, the top failure reasons, and the SLO's file:line last."""
    lines = [visible(result.message)]
    if result.reasons:
        lines.append("top failure reasons in the window:")
        lines += [f"  {visible(r.describe())}" for r in result.reasons[:TOP]]
    if where:
        lines.append(f"objective: {where}")
    return "\n".join(lines)


def testcase(plan: Plan, result: Result, seconds: float, verdict: Verdict, first: bool,
             where: str) -> TestCase:
    case = TestCase(result.objective.name, classname=classname(plan), elapsed_sec=seconds)
    if verdict.status is Status.ERROR:
        if first:
            error = verdict.error or result.message
            case.add_error_info(message=error.splitlines()[0] if error else "infrastructure error",
                                output=error, error_type="InfrastructureError")
        else:
            case.add_skipped_info(message="not judged: infrastructure error, verdict unknown "
                                          "(the error is on the first testcase)")
        return case
    if result.status is Status.FAIL:
        case.add_failure_info(message=result.message, output=failure_text(result, where),
                              failure_type="SLOBreach")
    else:
        case.stdout = ("warning: " if result.status is Status.WARN else "") + visible(result.message)
    extra = junit_note(result, verdict)
    if extra:
        case.stdout = f"{case.stdout}\n{extra}" if case.stdout else extra
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
    figures = verdict.measurements
    for index, text in enumerate(figures.warnings if figures else (), start=1):
        props[f"warning.{index}"] = text
    return props


def junit_note(result: Result, verdict: Verdict) -> str:
    """Extra text for a testcase: reasons of a passing error-rate objective, the baseline line,
    the cut-short notice."""
    lines = []
    if result.reasons and result.status is not Status.FAIL:
        lines += ["failure reasons in the window:"] + [f"  {visible(r.describe())}"
                                                       for r in result.reasons[:TOP]]
    if result.comparison is not None:
        lines.append(f"baseline: {visible(comparison_text(result))}")
    if verdict.aborted is not None and verdict.aborted.objective != result.objective.name:
        lines.append(f"run cut short: {visible(verdict.aborted.message)}")
    return "\n".join(lines)


def suite_warnings(verdict: Verdict) -> str:
    """The suite's <system-err>: every warning and every note on the run (crashed users ...)."""
    lines = [visible(f"warning: {r.objective.name}: {r.message}") for r in verdict.results
             if r.status is Status.WARN]
    if verdict.aborted is not None:
        lines.append(visible(f"warning: run cut short: {verdict.aborted.message}"))
    lines += [visible(f"note: {note}") for note in verdict.notes]
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


def printable_tree(element: ET.Element) -> None:
    """Every text and attribute with control characters escaped (XML 1.0 forbids most)."""
    for node in element.iter():
        node.text = None if node.text is None else visible(node.text, newlines=True)
        for key, value in node.attrib.items():
            node.set(key, visible(value))


def render(plan: Plan, verdict: Verdict, environ: Mapping[str, str] = os.environ) -> str:
    seconds = verdict.measurements.window.seconds if verdict.measurements else 0.0
    each = share(seconds, len(verdict.results))
    source = slo_file(plan, environ)
    cases = [testcase(plan, r, each, verdict, index == 0,
                      f"{source}:{r.objective.line}" if r.objective.line else "")
             for index, r in enumerate(verdict.results)]
    suite = TestSuite(plan.name, cases, properties=properties(verdict, plan.run_id), file=source,
                      stderr=suite_warnings(verdict) or None,
                      timestamp=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    element = suite.build_xml_doc()
    for attribute in NOT_IN_SCHEMA:
        element.attrib.pop(attribute, None)
    element.set("time", f"{seconds:.3f}")
    for case in element.iter("testcase"):  # junit-xml leaves out a zero time; reporters expect one
        case.set("time", f"{each:.3f}")
    root = ET.Element("testsuites", {key: element.get(key) for key in ("name", "tests", "failures", "errors", "time")})
    root.append(element)
    printable_tree(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
