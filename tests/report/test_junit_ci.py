"""junit.xml as the CI tools read it.

Each check below replays how one reporter derives what it shows, taken from its code:
- junitparser 5 (a real parse; EnricoMi/publish-unit-test-result-action parses with it);
- EnricoMi/publish-unit-test-result-action, python/publish/__init__.py @ c9bbcab:
  ``get_test_name``: "file ‑ classname ‑ name"; ``get_case_annotation``: title "name (classname)",
  annotation path = the testcase's ``file`` or its classname; only failure/error cases are
  annotated, with their stdout; ``get_suite_annotations_for_suite``: a suite's <system-err> is a
  'warning' annotation, its <system-out> a 'notice' (input ``report_suite_logs``);
  python/publish/junit.py: times and counts are summed over testcases and suites;
- dorny/test-reporter, src/parsers/java-junit/java-junit-parser.ts @ 29672c5: ``getGroups``
  groups testcases by classname, no group when the classname equals the suite's name; failed =
  failure or error, skipped = <skipped>; nothing of a passing testcase but its name and time;
- mikepenz/action-junit-report, src/testParser.ts @ 305cd1f: ``resolveFileAndLine``: file =
  testcase file || failure file || the <testsuite>'s ``file`` || classname.split('.').pop(); line
  = the last `` <file>...:N`` in the failure text; title "<file>.<name>"; the time is the sum of
  the testcases' times; skipped is not a failure;
- GitLab, lib/gitlab/ci/parsers/test/junit.rb and reports/test_case.rb (gitlabhq @ 028d8ac):
  status from failure > error > skipped, details = that element's content (nothing for a
  pass: <system-out> of a passing testcase is not shown), key = suite_classname_name; the
  "Suite" column of the Tests tab is the classname (test_suite_table.vue); the job's duration is
  the sum of the testcases' times.
Every file is also validated against the junit-10 schema Jenkins' xunit plugin reads.
"""

import dataclasses
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from loadgate.judge.verdict import judge
from loadgate.model import Abort, FailureReason, Measurements, RequestFigures, UserError, Window
from loadgate.report import junit
from tests.helpers import (
    JUNIT_XSD,
    OBJECTIVES,
    ROOT,
    breached,
    error_rate,
    failed_infrastructure,
    measurements,
    passed_with_warning,
    plan,
)

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
DOCS = ROOT / "docs" / "ci.md"  # "loadgate in CI"
WINDOW = 25.0  # the sample measurements' window


def passed():
    return judge(OBJECTIVES, measurements(p95=100.0, errors=0.001))


def aborted():
    abort = Abort(OBJECTIVES[0].name, 1764000012.3, 7.1, "p95 guard aborted the run 7.1 s after ...")
    return judge(OBJECTIVES, measurements(), aborted=abort)


ODD = "GET /api/v1.2/items.json?\x1b[31m\x07\x00\n|<b>"


def odd_names():
    """A request name with dots, an escape sequence, a bell, NUL, a newline and markup, failing."""
    odd = error_rate(0.01, name=f"error rate of {ODD} <= 1%", request=ODD, line=7)
    figures = RequestFigures("GET", ODD[4:], 10, 5, 1.0, 1.0, 1.0, 1.0, 1.0)
    reasons = (FailureReason("GET", ODD[4:], "HTTPError('500 \x1b[0m for url: /x?token=')", 5),)
    found = Measurements(window=Window(0, WINDOW), totals=figures, requests=(figures,),
                         sli_values={odd.name: 0.5}, failure_reasons=reasons,
                         user_errors=(UserError("KeyError", "'\x1b'", "loadtest.py:9", "continued", 3),))
    return judge([odd], found)


VERDICTS = {"pass": passed, "breach": breached, "warning": passed_with_warning, "abort": aborted,
            "infrastructure": failed_infrastructure, "odd names": odd_names}


def render(tmp_path, kind):
    return junit.render(plan(tmp_path), VERDICTS[kind](), environ={})


@pytest.mark.parametrize("kind", VERDICTS)
def test_valid_for_jenkins_and_parsed_by_junitparser(tmp_path, kind):
    xml = render(tmp_path, kind)
    SCHEMA.validate(xml)
    suites = list(JUnitXml.fromstring(xml))
    assert len(suites) == 1 and len(list(suites[0])) == len(VERDICTS[kind]().results)


@pytest.mark.parametrize("kind", VERDICTS)
def test_reporters_add_testcase_times_within_the_window(tmp_path, kind):
    cases = list(next(iter(JUnitXml.fromstring(render(tmp_path, kind)))))
    window = 0.0 if kind == "infrastructure" else WINDOW
    assert sum(case.time for case in cases) <= window
    assert kind == "infrastructure" or sum(case.time for case in cases) > window - 0.01


def test_classname_groups_one_service_and_survives_dots_in_request_names(tmp_path):
    xml = junit.render(plan(tmp_path, name="shop.example"), odd_names(), environ={})
    suite = next(iter(JUnitXml.fromstring(xml)))
    case = next(iter(suite))
    # mikepenz: the text after the last '.' of the classname would be the "file" without
    # <testsuite file>: with no dot in the classname, it is the whole group name.
    assert case.classname == "shop_example" and case.classname.split(".")[-1] == case.classname
    # dorny groups by classname; GitLab shows it as "Suite" and keys suite_classname_name: one
    # stable group per service, whatever the request names hold.
    assert {c.classname for c in suite} == {"shop_example"}
    # EnricoMi: "name (classname)" and "classname ‑ name"
    assert f"{case.name} ({case.classname})".endswith("<= 1% (shop_example)")


def test_mikepenz_annotates_the_slo_line(tmp_path):
    """mikepenz: file from <testsuite file>, line from the last ' <file>...:N' in the failure."""
    import re

    root = ET.fromstring(render(tmp_path, "breach"))
    suite = root.find("testsuite")
    failure = suite.find("testcase/failure")
    file = suite.get("file")
    matches = re.findall(rf" [^ ]*{re.escape(file)}.*?:\d+", failure.text)
    assert file == "slo.yaml" and matches[-1].rsplit(":", 1)[1] == "12"  # P95's line in helpers


def test_a_breach_is_one_failure_with_its_details(tmp_path):
    suite = next(iter(JUnitXml.fromstring(render(tmp_path, "breach"))))
    statuses = [type(c.result[0]).__name__ if c.result else "pass" for c in suite]
    assert statuses == ["Failure", "pass", "pass", "pass"]
    first = next(iter(suite))
    assert isinstance(first.result[0], Failure) and first.result[0].type == "SLOBreach"
    assert first.result[0].message == "p95 latency 412.3 ms > 300 ms"
    assert first.result[0].text.startswith("p95 latency 412.3 ms > 300 ms\n")


def test_an_infrastructure_error_is_one_error_and_the_rest_not_judged(tmp_path):
    suite = next(iter(JUnitXml.fromstring(render(tmp_path, "infrastructure"))))
    results = [c.result[0] for c in suite]
    assert isinstance(results[0], Error) and results[0].message == "Prometheus died:"
    assert results[0].text == "Prometheus died:\n<exit 1>"
    assert all(isinstance(r, Skipped) and r.message.startswith("not judged") for r in results[1:])
    assert (suite.errors, suite.skipped, suite.failures) == (1, 3, 0)


def test_warnings_pass_and_show_where_reporters_look(tmp_path):
    xml = render(tmp_path, "warning")
    suite = next(iter(JUnitXml.fromstring(xml)))
    assert all(c.is_passed for c in suite) and suite.failures == 0 and suite.errors == 0
    first = next(iter(suite))
    assert first.system_out.startswith("warning: p95 latency 260 ms")  # Jenkins shows it
    # EnricoMi (report_suite_logs: error) makes the suite's <system-err> a warning annotation;
    # GitLab, dorny and mikepenz show nothing of a passing testcase.
    err = ET.fromstring(xml).find("testsuite/system-err").text
    assert err.startswith("warning: p95 latency <= 300 ms: p95 latency 260 ms is past the warning")


def test_a_cut_short_run_warns_in_the_suite_and_fails_the_aborting_objective(tmp_path):
    xml = render(tmp_path, "abort")
    root = ET.fromstring(xml)
    assert "warning: run cut short: p95 guard aborted" in root.find("testsuite/system-err").text
    assert root.find("testsuite/testcase/failure") is not None


def test_odd_names_are_escaped_everywhere(tmp_path):
    xml = render(tmp_path, "odd names")
    assert not any(ord(c) < 32 and c not in "\n\t" or c == "\x7f" for c in xml)
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case.get("name") == "error rate of GET /api/v1.2/items.json?\\x1b[31m\\x07\\x00\\n|<b> <= 1%"
    failure = case.find("failure").text
    assert "5 x GET /api/v1.2/items.json?\\x1b[31m\\x07\\x00\\n|<b>: HTTPError('500 \\x1b[0m" in failure
    assert "note: the locustfile's code raised: KeyError: '\\x1b' at loadtest.py:9" in \
        ET.fromstring(xml).find("testsuite/system-err").text


def test_error_rate_failure_lists_the_top_reasons(tmp_path):
    reasons = tuple(FailureReason("GET", "/items", f"HTTPError('50{i} Server Error')", 10 - i)
                    for i in range(7))
    verdict = judge(OBJECTIVES, dataclasses.replace(measurements(errors=0.2), failure_reasons=reasons))
    text = ET.fromstring(junit.render(plan(tmp_path), verdict, environ={})).findall(
        "testsuite/testcase")[2].find("failure").text
    lines = text.splitlines()
    assert lines[:3] == ["error rate 20% > 1%", "top failure reasons in the window:",
                         "  10 x GET /items: HTTPError('500 Server Error')"]
    assert len([line for line in lines if line.startswith("  ")]) == 5 and lines[-1] == "objective: slo.yaml:20"


def test_docs_publish_the_junit_file_in_gitlab_and_jenkins():
    text = DOCS.read_text()
    assert "reports:\n      junit: reports/junit.xml" in text and "when: always" in text
    assert "junit 'reports/junit.xml'" in text

