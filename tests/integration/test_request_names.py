"""Request names end to end: a Locust name that begins with a method word, a selector that
matches nothing, and a URL with a query string but no ``name=``."""

from __future__ import annotations

import json

import pytest

from loadgate.cli import main
from tests.helpers import Target, always

pytestmark = pytest.mark.integration

LOCUSTFILE = '''
from locust import HttpUser, constant, task

class U(HttpUser):
    wait_time = constant(0.05)

    @task
    def work(self):
        self.client.get("/get", name="GET /get")
        self.client.post("/users")
        self.client.get("/search?q=shoes&token=s3cret")
'''

SLOS = """\
  - sli: throughput
    min: 1/s
    request: GET /get
  - sli: throughput
    min: 1/s
    request: GET /user
  - sli: throughput
    min: 1/s
    request: /search?q=&token=
"""


def test_method_prefixed_names_no_data_and_query_strings(tmp_path, capsys):
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    with Target(always()) as target:
        (tmp_path / "slo.yaml").write_text(
            f"version: 1\nname: names\ntarget:\n  host: {target.url}\n"
            f"load:\n  users: 2\n  spawn_rate: 2\n  duration: 3s\nslos:\n{SLOS}")
        code = main(["run", "-f", str(tmp_path / "locustfile.py"), "--slo", str(tmp_path / "slo.yaml"),
                     "--report-dir", str(tmp_path / "reports")])
    out = capsys.readouterr().out
    assert code == 1, out
    doc = json.loads((tmp_path / "reports" / "results.json").read_text())
    by_name = {s["name"]: s for s in doc["slos"]}
    assert by_name["throughput of GET /get >= 1/s"]["status"] == "pass"  # name="GET /get", method GET
    assert by_name["throughput of /search?q=&token= >= 1/s"]["status"] == "pass"
    assert by_name["throughput of GET /user >= 1/s"]["status"] == "fail"
    assert ("no data: no request matching GET /user in the window; requests seen, closest first: "
            "POST /users, GET GET /get, GET /search?q=&token=") in out
    for report in ("results.json", "summary.md", "report.html", "junit.xml"):
        assert "s3cret" not in (tmp_path / "reports" / report).read_text()
