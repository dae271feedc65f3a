"""The testcases of junit.xml: one per objective, its warning level and its baseline comparison,
or, after an infrastructure error, one error on the run and every objective not judged (the
layout, and why, is junit.py's docstring)."""

from __future__ import annotations

from junit_xml import TestCase

from loadgate.config.plan import Plan
from loadgate.judge.reasons import TOP
from loadgate.judge.regression import compared, limit_text
from loadgate.model import Objective, Result, Status, Verdict
from loadgate.printable import visible
from loadgate.report.console import comparison_text

RUN = "load test run"  # the testcase of an infrastructure error


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
