"""junit.xml as the CI reporters show it, outcome by outcome, element by element.

The rules below were found by running each reporter's released code on real loadgate output
against a fake GitHub API (docs/ci.md says how, and what each showed):
- dorny/test-reporter v3, ``java-junit``: groups testcases by classname, no group when it equals
  the suite's name; lists "✅ name", "⚪ name" (skipped, no text) and, for a failure or an error,
  "❌ name" then ``type: message``, one line each (src/report/get-report.ts); annotations (only
  with ``use-actions-summary: false``) go to junit.xml line 0: it maps Java stack frames only;
- mikepenz/action-junit-report v6.4.2: annotates failures and errors only; message = the
  element's ``message`` (else the text's first 2 lines); file = the <testsuite>'s ``file``; line =
  the last `` <file>...:N`` in the text; default title "<file>.<name>" (``check_title_template:
  '{{TEST_NAME}}'``: the name); its summary tables show titles and statuses, never text;
- EnricoMi/publish-unit-test-result-action v2.24.0 (junitparser 5): annotates failures (as
  warnings) and errors; title "name (classname) failed / with error"; details = message (unless the
  text holds it), text, system-out, system-err; skipped tests are listed by "classname ‑ name";
  a suite's <system-err> becomes a warning annotation only with ``report_suite_logs``.
None of the three shows anything of a passing testcase but its name.  Every file is also
validated against the junit-10 schema Jenkins' xunit reads, and parsed by junitparser.
"""

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from junitparser import JUnitXml

from loadgate.judge.verdict import judge
from loadgate.model import Abort, FailureReason, Measurements, RequestFigures, Stall, UserError, Window
from loadgate.report import junit
from tests.helpers import (
    INFRA_ERROR,
    JUNIT_XSD,
    NOISY,
    OBJECTIVES,
    ROOT,
    breached,
    compared,
    error_rate,
    failed_infrastructure,
    latency,
    measurements,
    passed_with_warning,
    plan,
)

SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))
DOCS = ROOT / "docs" / "ci.md"  # "loadgate in CI"
WINDOW = 25.0  # the sample measurements' window
SUITE = "shop.api"  # a dotted service name


def passed():
    return judge(OBJECTIVES, measurements(p95=100.0, errors=0.001))


REASONS = tuple(FailureReason("GET", "/items", f"HTTPError('50{i} Server Error')", 10 - i) for i in range(7))
EXCEPTION = UserError("KeyError", "'coupon'", "loadtest.py:22", "continued", 4)


def breach_with_reasons():
    figures = dataclasses.replace(measurements(errors=0.2), failure_reasons=REASONS, user_errors=(EXCEPTION,))
    return judge(OBJECTIVES, figures)


def aborted():
    abort = Abort(OBJECTIVES[0].name, 1764000012.3, 7.1, "p95 guard aborted the run 7.1 s after ...")
    return judge(OBJECTIVES, measurements(), aborted=abort)


FAMILY = "p95 latency of GET /items* <= 40 ms"
EACH = tuple(latency(95, 40, request=r, each=True, family=FAMILY, line=9) for r in ("GET /items", "GET /items/[id]"))


def each_family():
    figures = dataclasses.replace(measurements(), sli_values={EACH[0].name: 52.5, EACH[1].name: 12.0},
                                  objectives=EACH)
    return judge(EACH, figures)


def stalled():
    figures = dataclasses.replace(measurements(p95=100.0, errors=0.001),
                                  stalls=(Stall(1764000008.0, 1764000020.0, 12.0, blocked=True),))
    return judge(OBJECTIVES, figures)


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


VERDICTS = {"pass": passed, "warning": passed_with_warning, "breach": breach_with_reasons,
            "each": each_family, "regression": lambda: compared(70.0),
            "inconclusive": lambda: compared(50.0, NOISY), "no baseline": lambda: compared(50.0, baseline=False),
            "abort": aborted, "infrastructure": failed_infrastructure, "stall": stalled,
            "odd names": odd_names, "latency breach": breached}


def render(tmp_path, kind, name=SUITE):
    return junit.render(plan(tmp_path, name=name), VERDICTS[kind](), environ={})


def cases(xml):
    """Each testcase as (name, status, message): a pass's message is its <system-out>."""
    out = []
    for case in ET.fromstring(xml).iter("testcase"):
        found = [e for e in case if e.tag in ("failure", "error", "skipped")]
        if found:
            out.append((case.get("name"), found[0].tag, found[0].get("message")))
        else:
            out.append((case.get("name"), "pass", case.findtext("system-out")))
    return out


REGRESSION = "p95 latency of GET /items vs baseline: at most +5%"
LEVEL = "p95 latency <= 250 ms (warning level)"  # P95's warn: 250 ms
DIED, _, STORAGE = INFRA_ERROR.splitlines()  # the run's error: its headline, its most telling line
P95, P99, RATE, RPS = (o.name for o in OBJECTIVES)
WARNED = "p95 latency 260 ms is past the warning level 250 ms (limit <= 300 ms)"
REGRESSED = ("p95 latency of GET /items 70 ms vs baseline 50 ms: +40.0% (90 % interval +38.0% .. +42.0%), "
             "a regression beyond the limit +5% with 95 % confidence [10 intervals now vs 1 baseline run, "
             "lag-1 autocorrelation 0.00]")
EXPECTED = {
    "pass": [(P95, "pass", "p95 latency 100 ms <= 300 ms"),
             (LEVEL, "pass", "p95 latency 100 ms within the warning level"),
             (P99, "pass", "p99 latency of GET /items 480.2 ms <= 500 ms"),
             (RATE, "pass", "error rate 0.1% <= 1%"), (RPS, "pass", "throughput 60/s >= 50/s")],
    "warning": [(P95, "pass", f"warning: {WARNED}"), (LEVEL, "skipped", f"warning: {WARNED}"),
                (P99, "pass", "p99 latency of GET /items 480.2 ms <= 500 ms"),
                (RATE, "pass", "error rate 0.1% <= 1%"), (RPS, "pass", "throughput 60/s >= 50/s")],
    "breach": [(P95, "failure", "p95 latency 412.3 ms > 300 ms"),
               (LEVEL, "skipped", "warning: p95 latency 412.3 ms is past the warning level 250 ms (limit <= 300 ms)"),
               (P99, "pass", "p99 latency of GET /items 480.2 ms <= 500 ms"),
               (RATE, "failure", "error rate 20% > 1%\ntop failure reasons:\n"
                + "\n".join(f"  {10 - i} x GET /items: HTTPError('50{i} Server Error')" for i in range(5))),
               (RPS, "pass", "throughput 60/s >= 50/s")],
    "each": [(EACH[0].name, "failure", "p95 latency of GET /items 52.5 ms > 40 ms"),
             (EACH[1].name, "pass", "p95 latency of GET /items/[id] 12 ms <= 40 ms")],
    "regression": [("p95 latency of GET /items <= 500 ms", "pass", "p95 latency of GET /items 70 ms <= 500 ms"),
                   (REGRESSION, "failure", REGRESSED),
                   (RATE, "pass", "error rate 0% <= 1%")],
    "no baseline": [("p95 latency of GET /items <= 500 ms", "pass", "p95 latency of GET /items 50 ms <= 500 ms"),
                    (REGRESSION, "skipped", "not checked: no --baseline given"),
                    (RATE, "pass", "error rate 0% <= 1%")],
    "infrastructure": [("load test run", "error", f"{DIED}\n{STORAGE}")]
    + [(name, "skipped", f"not judged: the load test run failed: {DIED}") for name in (P95, LEVEL, P99, RATE, RPS)],
}


@pytest.mark.parametrize("kind", EXPECTED)
def test_each_outcome_element_by_element(tmp_path, kind):
    assert cases(render(tmp_path, kind)) == EXPECTED[kind]


@pytest.mark.parametrize("kind", VERDICTS)
def test_valid_for_jenkins_and_parsed_by_junitparser(tmp_path, kind):
    xml = render(tmp_path, kind)
    SCHEMA.validate(xml)
    suites = list(JUnitXml.fromstring(xml))
    assert len(suites) == 1 and len(list(suites[0])) == len(cases(xml))
    assert suites[0].name == SUITE and {c.classname for c in suites[0]} == {SUITE}


@pytest.mark.parametrize("kind", VERDICTS)
def test_reporters_add_testcase_times_within_the_window(tmp_path, kind):
    cases_ = list(next(iter(JUnitXml.fromstring(render(tmp_path, kind)))))
    window = 0.0 if kind == "infrastructure" else WINDOW
    assert sum(case.time for case in cases_) <= window
    assert kind == "infrastructure" or sum(case.time for case in cases_) > window - 0.01


def dorny(xml):
    """dorny's list of a suite: a group line only for a classname that differs from the suite's."""
    suite = ET.fromstring(xml).find("testsuite")
    lines = []
    for case in suite.iter("testcase"):
        if case.get("classname") != suite.get("name"):
            lines.append(case.get("classname"))
        issue = case.find("failure") if case.find("failure") is not None else case.find("error")
        icon = "❌" if issue is not None else "⚪" if case.find("skipped") is not None else "✅"
        lines.append(f"{icon} {case.get('name')}")
        if issue is not None:
            lines += ["\t" + line for line in f"{issue.get('type')}: {issue.get('message')}".splitlines()]
    return lines


def test_dorny_shows_no_extra_group_for_a_dotted_service_and_a_breach_with_its_reasons(tmp_path):
    assert dorny(render(tmp_path, "breach")) == [
        f"❌ {P95}", "\tSLOBreach: p95 latency 412.3 ms > 300 ms", f"⚪ {LEVEL}", f"✅ {P99}",
        f"❌ {RATE}", "\tSLOBreach: error rate 20% > 1%", "\ttop failure reasons:",
        *[f"\t  {10 - i} x GET /items: HTTPError('50{i} Server Error')" for i in range(5)], f"✅ {RPS}"]


def test_dorny_shows_the_regression_and_the_infrastructure_error_by_name(tmp_path):
    assert dorny(render(tmp_path, "regression"))[:3] == [
        "✅ p95 latency of GET /items <= 500 ms", f"❌ {REGRESSION}",
        f"\tRegression: {REGRESSED}"]
    assert dorny(render(tmp_path, "inconclusive"))[1] == f"⚪ {REGRESSION}"  # not decided
    assert dorny(render(tmp_path, "infrastructure")) == [
        "❌ load test run", f"\tInfrastructureError: {DIED}", f"\t{STORAGE}",
        *[f"⚪ {n}" for n in (P95, LEVEL, P99, RATE, RPS)]]


def mikepenz(xml):
    """mikepenz's annotations: (title, message, path, line) of each failure and error."""
    suite = ET.fromstring(xml).find("testsuite")
    file = suite.get("file")
    out = []
    for case in suite.iter("testcase"):
        for issue in (e for e in case if e.tag in ("failure", "error")):
            text = issue.text or ""
            found = re.findall(rf" [^ ]*{re.escape(file)}.*?:\d+", text)
            line = int(found[-1].rsplit(":", 1)[1]) if found else 1
            message = issue.get("message") or "\n".join(text.strip().split("\n")[:2]) or case.get("name")
            out.append((f"{file}.{case.get('name')}", message, file, line))
    return out


def test_mikepenz_annotates_each_breach_and_the_regression_on_the_slo_line(tmp_path):
    breach = mikepenz(render(tmp_path, "breach"))
    assert [(title, path, line) for title, _, path, line in breach] == [
        (f"slo.yaml.{P95}", "slo.yaml", 12), (f"slo.yaml.{RATE}", "slo.yaml", 20)]
    assert breach[1][1].startswith("error rate 20% > 1%\ntop failure reasons:\n  10 x GET /items")
    ((title, message, _, line),) = mikepenz(render(tmp_path, "regression"))
    assert title == f"slo.yaml.{REGRESSION}" and line == 30 and message.startswith(
        "p95 latency of GET /items 70 ms vs baseline 50 ms: +40.0%")


def enricomi(xml, suite_logs=False):
    """EnricoMi's annotations: (level, title, details) of failures, errors and, with
    report_suite_logs, the suite's <system-err>; then the skipped tests' notice."""
    suite = ET.fromstring(xml).find("testsuite")
    out = []
    for case in suite.iter("testcase"):
        for issue in (e for e in case if e.tag in ("failure", "error")):
            message, text = issue.get("message") or "", issue.text or ""
            contained = " ".join(text.split()).startswith(" ".join(message.split()))
            details = ([message] if not contained else []) + [text, case.findtext("system-out") or ""]
            state = "failed" if issue.tag == "failure" else "with error"
            out.append(("warning" if issue.tag == "failure" else "failure",
                        f"{case.get('name')} ({case.get('classname')}) {state}",
                        "\n".join(d.rstrip() for d in details if d.strip())))
    if suite_logs and suite.findtext("system-err"):
        out.append(("warning", f"Logging on stderr of test suite {suite.get('name')}", suite.findtext("system-err")))
    skipped = [f"{c.get('classname')} ‑ {c.get('name')}" for c in suite.iter("testcase")
               if c.find("skipped") is not None]
    return out, skipped


def test_enricomi_shows_the_run_error_once_and_every_objective_not_judged(tmp_path):
    annotations, skipped = enricomi(render(tmp_path, "infrastructure"))
    # the text starts with the message (headline and most telling line), then every line
    assert annotations == [("failure", f"load test run ({SUITE}) with error",
                            f"{DIED}\n{STORAGE}\n" + INFRA_ERROR.split("\n", 1)[1])]
    assert skipped == [f"{SUITE} ‑ {name}" for name in (P95, LEVEL, P99, RATE, RPS)]


def test_a_warning_passes_and_shows_where_reporters_look(tmp_path):
    xml = render(tmp_path, "warning")
    suite = next(iter(JUnitXml.fromstring(xml)))
    assert suite.failures == 0 and suite.errors == 0 and next(iter(suite)).is_passed
    # the warning level is skipped, the one status every reporter shows without counting a failure:
    # dorny ⚪, mikepenz "⚠️ skipped", EnricoMi's "1 skipped test found" naming it
    assert cases(xml)[1] == (LEVEL, "skipped", f"warning: {WARNED}") and dorny(xml)[1] == f"⚪ {LEVEL}"
    annotations, skipped = enricomi(xml, suite_logs=True)  # report_suite_logs: error
    assert annotations == [("warning", f"Logging on stderr of test suite {SUITE}", f"warning: {P95}: {WARNED}")]
    assert skipped == [f"{SUITE} ‑ {LEVEL}"] and enricomi(xml)[0] == []


def test_an_inconclusive_regression_is_skipped_not_passed_and_says_what_would_settle_it(tmp_path):
    xml = render(tmp_path, "inconclusive")
    (objective, regression, _) = cases(xml)
    assert objective == ("p95 latency of GET /items <= 500 ms", "pass", "p95 latency of GET /items 50 ms <= 500 ms")
    assert regression[:2] == (REGRESSION, "skipped")
    assert "neither beyond nor within the limit +5% with 95 % confidence: inconclusive; more data" in regression[2]
    assert enricomi(xml)[1] == [f"{SUITE} ‑ {REGRESSION}"]  # EnricoMi's "1 skipped test found"
    assert ET.fromstring(xml).find("testsuite").get("failures") == "0"


def test_a_cut_short_run_fails_the_aborting_objective_and_warns_once(tmp_path):
    xml = render(tmp_path, "abort")
    assert cases(xml)[0] == (P95, "failure", ("p95 guard aborted the run 7.1 s after ...; run cut short "
                                             "(over the shortened window: p95 latency 412.3 ms > 300 ms)"))
    assert xml.count("aborted the run") == 2 + 1  # the failure's message and text, the suite's warning
    assert "warning: run cut short: p95 guard aborted" in ET.fromstring(xml).findtext("testsuite/system-err")


@pytest.mark.parametrize("kind", ["stall", "breach"])
def test_each_note_once_in_the_suite_and_in_no_testcase(tmp_path, kind):
    xml = render(tmp_path, kind)
    verdict = VERDICTS[kind]()
    (note,) = verdict.notes
    err = ET.fromstring(xml).findtext("testsuite/system-err")
    assert err.count(f"note: {note}") == 1 and xml.count(note[:40]) == 1
    assert kind != "stall" or all(m.endswith("(warning: measured over a stall: see the run's notes)")
                                  for name, _, m in cases(xml) if name not in (RPS, LEVEL))


def test_the_suite_tells_the_totals_and_the_verdict(tmp_path):
    out = ET.fromstring(render(tmp_path, "breach")).findtext("testsuite/system-out")
    assert out == ("1234 requests, 7 failures, 60.0 req/s, p95 41.0 ms over a 25.0 s window\n"
                   "loadgate: FAILED: SLO breached")


def test_names_stay_the_same_across_outcomes(tmp_path):
    """Reporters and GitLab track tests by name: a passing and a failing run name them alike."""
    names = {kind: [c[0] for c in cases(render(tmp_path, kind))] for kind in ("pass", "breach", "warning", "abort")}
    assert len({tuple(v) for v in names.values()}) == 1
    names_of = [[c[0] for c in cases(render(tmp_path, kind))] for kind in ("regression", "inconclusive", "no baseline")]
    assert names_of[0] == names_of[1] == names_of[2]


def test_odd_names_are_escaped_everywhere(tmp_path):
    xml = render(tmp_path, "odd names")
    assert not any((ord(c) < 32 and c not in "\n\t") or c == "\x7f" for c in xml)
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case.get("name") == "error rate of GET /api/v1.2/items.json?\\x1b[31m\\x07\\x00\\n|<b> <= 1%"
    failure = case.find("failure")
    assert "5 x GET /api/v1.2/items.json?\\x1b[31m\\x07\\x00\\n|<b>: HTTPError('500 \\x1b[0m" in failure.text
    assert failure.get("message").count("\n") == 2  # the reasons' lines, not the name's newline
    assert "note: the locustfile's code raised: KeyError: '\\x1b' at loadtest.py:9" in \
        ET.fromstring(xml).findtext("testsuite/system-err")


def test_error_rate_failure_ends_with_the_slo_line(tmp_path):
    text = ET.fromstring(render(tmp_path, "breach")).findall("testsuite/testcase")[3].find("failure").text
    lines = text.splitlines()
    assert len([line for line in lines if line.startswith("  ")]) == 5 and lines[-1] == "objective: slo.yaml:20"


def test_docs_publish_the_junit_file_in_gitlab_and_jenkins():
    text = DOCS.read_text()
    assert "reports:\n      junit: reports/junit.xml" in text and "when: always" in text
    assert "junit 'reports/junit.xml'" in text


def test_no_extra_classname_group_whatever_the_service_name(tmp_path):
    for name in ("shop.api", "checkout <service>", "a.b.c"):
        xml = render(tmp_path, "pass", name=name)
        assert [line[0] for line in dorny(xml)] == ["✅"] * (len(OBJECTIVES) + 1)  # no group line
