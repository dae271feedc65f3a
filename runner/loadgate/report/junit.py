"""junit.xml through the junit-xml package, valid against the schema Jenkins' xunit reads.

The layout comes from running the GitHub reporters' released code on real loadgate output
(mikepenz/action-junit-report v6.4.2, dorny/test-reporter v3 ``java-junit``,
EnricoMi/publish-unit-test-result-action v2.24.0; docs/ci.md shows what each shows).
What they show, by default, of a testcase: its name and status (pass, fail, error, skipped),
and, for a failure or an error only, its ``message`` (dorny, mikepenz) or its text (EnricoMi's
annotation).  Nothing of a passing testcase's text, of properties or of the suite's logs (EnricoMi
shows <system-err> only with ``report_suite_logs``).  Hence:

- one <testsuite> named after the SLO file's ``name``; every testcase's classname is that name:
  dorny then adds no group level (it groups by a classname that differs from the suite's name),
  EnricoMi titles "name (classname)", GitLab's "Suite" column and Jenkins show the service;
- one testcase per objective, named as the objective (stable across runs: reporters and GitLab
  track tests by name), judged on its own thresholds;
- one more per ``warn`` level (below), and one per ``max_regression`` / ``min_ratio``
  objective, ``<SLI> vs baseline: at most +5%``: fails on a regression; an inconclusive
  comparison or a baseline that cannot be checked is <skipped> ("not decided": dorny's ⚪,
  mikepenz's "⚠️ skipped", EnricoMi's skipped notice);
- a breach is ``<failure type="SLOBreach">`` whose message is the console's line, plus the top
  failure reasons of an error-rate objective (dorny lists a message's lines, mikepenz makes it
  the annotation's message); its text ends with `` slo.yaml:12``, where mikepenz annotates;
- an infrastructure error is one testcase, "load test run", with <error> whose message is the
  error's headline and its last line (e.g. the exception a traceback ends with: the lines
  between are in the text); every objective is <skipped>, "not judged" (reporters count one
  error, not one per objective);
- a warning passes: ``warning: ...`` in its <system-out> (Jenkins) and, once, in the suite's
  <system-err> with the run's notes and the cut-short notice (EnricoMi with report_suite_logs);
  an objective's ``warn`` level is a testcase too, ``p95 latency <= 150 ms (warning level)``,
  <skipped> once crossed: the one status all three show that counts no failure (pytest reports
  an xfail so); a passing testcase would show as a clean pass;
- testcase ``file``/``line`` attributes are left out: junit-10 has none (EnricoMi would read
  them); the <testsuite>'s ``file`` is the SLO file (mikepenz annotates it);
- each testcase's time is an equal share of the window: every reporter adds them.
Properties carry every figure (slo.N.*, baseline and abort figures) for scripts.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timezone

from junit_xml import TestCase, TestSuite

from loadgate.config.plan import Plan
from loadgate.judge.reasons import TOP
from loadgate.judge.regression import change_text, compared, limit_text
from loadgate.model import Objective, Result, Status, Verdict
from loadgate.printable import visible
from loadgate.report.console import VERDICTS, comparison_text, totals_line
from loadgate.report.github import slo_file
from loadgate.report.json_report import in_unit, measured_in_unit

NOT_IN_SCHEMA = ("disabled", "assertions")
RUN = "load test run"  # the testcase of an infrastructure error


def share(window_seconds: float, count: int) -> float:
    """Each testcase's time: an equal share of the window, rounded down to the millisecond, so
    that the reporters' sums stay within the window."""
    return math.floor(window_seconds * 1000 / max(count, 1)) / 1000


def regression_name(objective: Objective) -> str:
    """``p95 latency of GET /items vs baseline: at most +5%`` (stable: from slo.yaml alone)."""
    bound = "at most" if objective.max_regression is not None else "at least"
    return f"{objective.describe()} vs baseline: {bound} {limit_text(objective)}"


def warning_name(objective: Objective) -> str:
    """``p95 latency <= 150 ms (warning level)`` (stable: from slo.yaml alone)."""
    return f"{objective.describe()} {objective.comparator} {objective.format_value(objective.warn)} (warning level)"


def warning_case(plan: Plan, result: Result) -> TestCase:
    """The ``warn`` level: passes within it; past it, <skipped> with the warning, the one status
    every reporter shows (mikepenz "⚠️ skipped") that counts no failure, as pytest's xfail."""
    case = TestCase(warning_name(result.objective), classname=plan.name)
    if result.warning:
        case.add_skipped_info(message=visible(f"warning: {result.warning}"))
    elif result.measured is None:
        case.add_skipped_info(message=f"not judged: {visible(result.message)}")
    else:
        measured = result.objective.format_value(result.measured)
        case.stdout = visible(f"{result.objective.describe()} {measured} within the warning level")
    return case


def where_line(where: str) -> list[str]:
    return [f"objective: {where}"] if where else []


def breach(plan: Plan, status: Status, message: str, result: Result, where: str) -> TestCase:
    case = TestCase(result.objective.name, classname=plan.name)
    if status is Status.FAIL:
        reasons = [f"  {visible(r.describe())}" for r in result.reasons[:TOP]]
        head = "\n".join([visible(message)] + (["top failure reasons:"] + reasons if reasons else []))
        case.add_failure_info(message=head, output="\n".join([head] + where_line(where)),
                              failure_type="SLOBreach")
    else:
        case.stdout = ("warning: " if status is Status.WARN else "") + visible(message)
    return case


def objective_case(plan: Plan, result: Result, verdict: Verdict, where: str) -> TestCase:
    """The objective on its own thresholds (the abort, if it cut the run short)."""
    aborting = verdict.aborted is not None and verdict.aborted.objective == result.objective.name
    if result.limit_status is None or aborting:
        return breach(plan, result.status, result.message, result, where)
    return breach(plan, result.limit_status, result.limit_message, result, where)


def regression_case(plan: Plan, result: Result, where: str) -> TestCase:
    case = TestCase(regression_name(result.objective), classname=plan.name)
    c = result.comparison
    if c is None:
        case.add_skipped_info(message="not checked: no --baseline given")
    elif c.status is Status.FAIL:
        message = visible(c.message if c.decision else f"{result.objective.describe()}: {c.message}")
        case.add_failure_info(message=message, output="\n".join([message] + where_line(where)),
                              failure_type="Regression")
    elif c.status is Status.WARN:
        case.add_skipped_info(message=visible(c.message))
    else:
        case.stdout = visible(f"{result.objective.describe()}: {comparison_text(result)}")
    return case


def error_cases(plan: Plan, verdict: Verdict) -> list[TestCase]:
    """An infrastructure error (or a signal): one error on the run, every objective not judged."""
    error = visible(verdict.error or "infrastructure error", newlines=True)
    lines = [line for line in error.splitlines() if line.strip()] or ["infrastructure error"]
    headline, telling = lines[0], lines[1:][-1:]
    message = "\n".join([headline] + telling)  # the headline and the most telling line
    run = TestCase(RUN, classname=plan.name)  # the text starts with the message (EnricoMi shows it once)
    run.add_error_info(message=message, output="\n".join([message] + lines[1:]) if telling else message,
                       error_type="Interrupted" if verdict.interrupted_by else "InfrastructureError")
    names = [name for r in verdict.results for name in names_of(r.objective)]
    cases = [run]
    for name in names:
        case = TestCase(name, classname=plan.name)
        case.add_skipped_info(message=f"not judged: the {RUN} failed: {headline}")
        cases.append(case)
    return cases


def names_of(objective: Objective) -> list[str]:
    """The testcases of one objective: itself, its warning level, its baseline comparison."""
    names = [objective.name]
    if objective.warn is not None:
        names.append(warning_name(objective))
    if compared(objective):
        names.append(regression_name(objective))
    return names


def testcases(plan: Plan, verdict: Verdict, source: str) -> list[TestCase]:
    if verdict.status is Status.ERROR:
        return error_cases(plan, verdict)
    cases = []
    for result in verdict.results:
        line = result.objective.line
        where = f"{source}:{line}" if line else ""
        cases.append(objective_case(plan, result, verdict, where))
        if result.objective.warn is not None:
            cases.append(warning_case(plan, result))
        if compared(result.objective):
            cases.append(regression_case(plan, result, where))
    return cases


def suite_out(verdict: Verdict) -> str:
    """The suite's <system-out>: the console's totals line and verdict."""
    totals = totals_line(verdict.measurements) if verdict.measurements else ""
    return "\n".join(line for line in (totals, f"loadgate: {VERDICTS[verdict.status]}") if line)


def suite_err(verdict: Verdict) -> str:
    """The suite's <system-err>: every warning, the cut-short notice and each note, once."""
    lines = [f"warning: {r.objective.name}: {r.message}" for r in verdict.results
             if r.status is Status.WARN]
    if verdict.aborted is not None:
        lines.append(f"warning: run cut short: {verdict.aborted.message}")
    figures = verdict.measurements
    lines += [f"warning: {text}" for text in (figures.warnings if figures else ())]
    lines += [f"note: {note}" for note in verdict.notes]
    return "\n".join(visible(line) for line in lines)


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


def printable_tree(element: ET.Element) -> None:
    """Every text and attribute with control characters escaped (XML 1.0 forbids most); a
    failure's message keeps its line breaks (dorny and mikepenz show its lines)."""
    for node in element.iter():
        node.text = None if node.text is None else visible(node.text, newlines=True)
        for key, value in node.attrib.items():
            node.set(key, visible(value, newlines=key == "message"))


def render(plan: Plan, verdict: Verdict, environ: Mapping[str, str] = os.environ) -> str:
    seconds = verdict.measurements.window.seconds if verdict.measurements else 0.0
    source = slo_file(plan, environ)
    cases = testcases(plan, verdict, source)
    each = share(seconds, len(cases))
    suite = TestSuite(plan.name, cases, properties=properties(verdict, plan.run_id), file=source,
                      stdout=suite_out(verdict) or None, stderr=suite_err(verdict) or None,
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
