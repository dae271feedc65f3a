"""junit.xml as the CI tools read it: Jenkins (the junit-10 schema its xunit model defines) and
GitLab (the elements and attributes its JUnit parser reads: testsuites/testsuite/testcase with
name, classname and time; failure/error/skipped decide the status, their text is the details)."""

import xml.etree.ElementTree as ET

import pytest
import xmlschema

from loadgate.report import junit
from tests.helpers import JUNIT_XSD, ROOT, breached, failed_infrastructure, passed_with_warning, plan

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
DOCS = ROOT / "README.md"  # its "loadgate in CI" section
VERDICTS = {"breach": breached, "warning": passed_with_warning, "infrastructure": failed_infrastructure}


def gitlab_cases(xml: str) -> list[dict]:
    """What GitLab's parser takes from each test case."""
    root = ET.fromstring(xml)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    cases = []
    for suite in suites:
        for case in suite.findall("testcase"):
            outcome = next((case.find(tag) for tag in ("failure", "error", "skipped")
                            if case.find(tag) is not None), None)
            cases.append({"name": case.get("name"), "classname": case.get("classname"),
                          "time": float(case.get("time") or 0),  # GitLab: absent is 0
                          "status": "success" if outcome is None else outcome.tag,
                          "details": (outcome.text or "") if outcome is not None else "",
                          "system_out": case.findtext("system-out") or ""})
    return cases


@pytest.mark.parametrize("kind", VERDICTS)
def test_valid_for_jenkins(tmp_path, kind):
    SCHEMA.validate(junit.render(plan(tmp_path), VERDICTS[kind]()))


def test_gitlab_reads_a_breach_with_its_details(tmp_path):
    cases = gitlab_cases(junit.render(plan(tmp_path), breached()))
    assert [c["status"] for c in cases] == ["failure", "success", "success", "success"]
    assert cases[0]["name"] == "p95 latency <= 300 ms" and cases[0]["classname"] == "loadgate.all"
    assert cases[0]["details"] == "p95 latency 412.3 ms > 300 ms"
    assert cases[1]["classname"] == "loadgate.GET /items" and all(c["time"] == 25.0 for c in cases)


def test_gitlab_reads_a_warning_as_a_pass_with_output(tmp_path):
    cases = gitlab_cases(junit.render(plan(tmp_path), passed_with_warning()))
    assert {c["status"] for c in cases} == {"success"}
    assert cases[0]["system_out"].startswith("warning: p95 latency 260 ms")


def test_gitlab_reads_an_infrastructure_failure_as_errors(tmp_path):
    cases = gitlab_cases(junit.render(plan(tmp_path), failed_infrastructure()))
    assert {c["status"] for c in cases} == {"error"}
    assert all("Prometheus died" in c["details"] for c in cases)


def test_docs_publish_the_junit_file_in_gitlab_and_jenkins():
    text = DOCS.read_text()
    assert "reports:\n      junit: reports/junit.xml" in text and "when: always" in text
    assert "junit 'reports/junit.xml'" in text
