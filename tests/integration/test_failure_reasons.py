"""Why it failed, end to end: real Locust (master and workers), real Prometheus, the test Target.

500s and refused connections become failure reasons; exceptions in ``on_start`` and in a task,
and ``sys.exit()`` in a task, become user errors; each shows in every report and the console.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from junitparser import JUnitXml

from loadgate.cli import main
from loadgate.stack.processes import free_port
from tests.helpers import JUNIT_XSD, Target, always

pytestmark = pytest.mark.integration
SCHEMA = xmlschema.XMLSchema(str(JUNIT_XSD))

SCENARIO = '''
import os, sys
from locust import HttpUser, constant, task

MODE = {mode!r}

class U(HttpUser):
    wait_time = constant(0.05)

    def on_start(self):
        if MODE == "on_start":
            raise ValueError("no account for this user")

    @task
    def work(self):
        self.client.get("/search?q=shoes&token=s3cret")
        self.client.get("/fail")
        if MODE == "refused":
            self.client.get("http://127.0.0.1:{closed}/down", name="/down")
        if MODE == "task":
            {{}}["session"]
        if MODE == "exit":
            sys.exit(0)
'''


class Run:
    def __init__(self, tmp_path: Path, mode: str, target: Target) -> None:
        self.dir, self.reports = tmp_path, tmp_path / "reports"
        (tmp_path / "locustfile.py").write_text(SCENARIO.format(mode=mode, closed=free_port()))
        self.target = target

    def __call__(self, slos: str, *args: str, capsys=None) -> int:
        (self.dir / "slo.yaml").write_text(
            f"version: 1\nname: reasons\ntarget:\n  host: {self.target.url}\n"
            f"load:\n  users: 4\n  spawn_rate: 4\n  duration: 4s\nslos:\n{slos}")
        return main(["run", "-f", str(self.dir / "locustfile.py"), "--slo", str(self.dir / "slo.yaml"),
                     "--report-dir", str(self.reports), *args])

    def results(self) -> dict:
        return json.loads((self.reports / "results.json").read_text())

    def junit(self) -> str:
        xml = (self.reports / "junit.xml").read_text()
        SCHEMA.validate(xml)
        JUnitXml.fromstring(xml)
        return xml

    def text(self, name: str) -> str:
        return (self.reports / name).read_text()


def answer(method, path, t):
    return 0.0, 500 if path.startswith("/fail") else 200


ERRORS = "  - sli: error_rate\n    max: 1%\n  - sli: error_rate\n    max: 1%\n    request: GET /fail\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_500s_and_refused_connections_are_failure_reasons_everywhere(tmp_path, capsys, workers):
    with Target(answer) as target:
        run = Run(tmp_path, "refused", target)
        assert run(ERRORS, "--workers", workers) == 1
    out = capsys.readouterr().out
    doc = run.results()
    reasons = {(r["name"], r["reason"]): r["count"] for r in doc["failure_reasons"]}
    fail = reasons[("/fail", "HTTPError('500 Server Error: Internal Server Error for url: /fail')")]
    refused = [count for (name, reason), count in reasons.items() if name == "/down"]
    assert len(refused) == 1 and "Connection refused" in next(r for (n, r) in reasons if n == "/down")
    by_name = {r["name"]: r for r in doc["requests"]}
    assert fail == by_name["/fail"]["failures"] and refused[0] == by_name["/down"]["failures"]
    assert sum(reasons.values()) == doc["totals"]["failures"]  # each failure counted once
    assert "/search?q=&token=" in by_name and "s3cret" not in json.dumps(doc)  # query values dropped
    only_fail = doc["slos"][1]["failure_reasons"]
    assert [r["name"] for r in only_fail] == ["/fail"]
    assert "fail: error rate of GET /fail" in out and f"  {fail} x GET /fail: HTTPError('500" in out
    assert "HTTPError(&#x27;500" in run.text("report.html") or "HTTPError('500" in run.text("report.html")
    assert "| GET /fail | HTTPError('500 Server Error" in run.text("summary.md")
    failure = ET.fromstring(run.junit()).findall("testsuite/testcase")[1].find("failure").text
    assert f"  {fail} x GET /fail: HTTPError('500 Server Error" in failure
    for name in ("results.json", "summary.md", "report.html", "junit.xml"):
        assert "s3cret" not in run.text(name)


def test_an_exception_in_on_start_says_the_users_crashed(tmp_path, capsys):
    with Target(always()) as target:
        run = Run(tmp_path, "on_start", target)
        assert run("  - sli: throughput\n    min: 1/s\n") == 1
    out = capsys.readouterr().out
    doc = run.results()
    [error] = doc["user_errors"]
    assert (error["type"], error["message"], error["effect"], error["count"]) == (
        "ValueError", "no account for this user", "stopped_user", 4)
    assert error["location"] == f"{tmp_path / 'locustfile.py'}:12" or error["location"].endswith("locustfile.py:12")
    message = doc["slos"][0]
    assert message["status"] == "fail"
    assert "4 users crashed: ValueError: no account for this user at" in out
    assert "4 users crashed" in " ".join(doc["notes"])
    assert "4 users crashed" in run.text("summary.md") and "Exceptions in the locustfile" in run.text("report.html")
    case = ET.fromstring(run.junit()).find("testsuite/testcase")
    assert "no data" in case.find("failure").get("message") and "4 users crashed" in case.find("failure").get("message")


def test_an_exception_in_a_task_is_counted_and_the_users_go_on(tmp_path, capsys):
    with Target(always()) as target:
        run = Run(tmp_path, "task", target)
        assert run("  - sli: error_rate\n    max: 1%\n") == 0  # the requests after it succeed
    doc = run.results()
    [error] = doc["user_errors"]
    assert (error["type"], error["message"], error["effect"]) == ("KeyError", "'session'", "continued")
    assert error["location"].endswith("locustfile.py:21") and error["count"] > 10
    assert "KeyError: 'session' at" in capsys.readouterr().out
    assert "KeyError" in run.text("summary.md") and "KeyError" in run.text("report.html")


def test_sys_exit_in_a_task_stops_the_load_and_says_so(tmp_path, capsys):
    with Target(always()) as target:
        run = Run(tmp_path, "exit", target)
        code = run("  - sli: throughput\n    min: 1/s\n")
    captured = capsys.readouterr()
    assert code == 3, captured  # the load generator stopped: the verdict is unknown, not "could not load"
    doc = run.results()
    assert doc["verdict"] == "error" and doc["user_errors"], doc["error"]
    assert doc["user_errors"][0]["effect"] == "stopped_load"
    assert doc["error"].startswith("the locustfile stopped the load: sys.exit(0) at")
    assert "locustfile.py:23" in doc["error"] and "sys.exit(0)" in captured.out
    xml = run.junit()
    assert ET.fromstring(xml).find("testsuite/testcase/error").get("message").startswith(
        "the locustfile stopped the load")
