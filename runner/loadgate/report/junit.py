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

The testcases are junit_testcases.py, the properties junit_properties.py; this module writes the
document around them.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timezone

from junit_xml import TestSuite

from loadgate.config.plan import Plan
from loadgate.model import Status, Verdict
from loadgate.printable import visible
from loadgate.report.console import VERDICTS, totals_line
from loadgate.report.github import slo_file
from loadgate.report.junit_properties import properties
from loadgate.report.junit_testcases import testcases

NOT_IN_SCHEMA = ("disabled", "assertions")


def share(window_seconds: float, count: int) -> float:
    """Each testcase's time: an equal share of the window, rounded down to the millisecond, so
    that the reporters' sums stay within the window."""
    return math.floor(window_seconds * 1000 / max(count, 1)) / 1000


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
