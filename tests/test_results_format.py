"""results.json's version and JSON Schema: the schema ships with the package, describes what the
reports write (every report the tests write is checked against it: tests/conftest.py and
tests.helpers.read_results), and a results.json of a version this loadgate cannot read is refused
naming that version."""

import json
import re

import pytest

from loadgate import results_format
from loadgate.cli import main
from loadgate.errors import ConfigError
from loadgate.judge.baseline import load
from loadgate.report import json_report
from tests.helpers import breached, check_results, failed_infrastructure, plan

DOC = {"verdict": "pass", "totals": {"requests": 100, "failures": 2, "rps": 10.0, "p50_ms": 5, "p90_ms": 9,
                                      "p95_ms": 9.5, "p99_ms": 12}, "requests": [], "slos": []}


def test_every_document_names_its_version_and_follows_the_schema(tmp_path):
    for verdict in (breached(), failed_infrastructure()):
        doc = json.loads(json_report.render(plan(tmp_path), verdict))
        assert doc["schema_version"] == results_format.SCHEMA_VERSION == 1
        check_results(doc)


def test_the_schema_refuses_what_loadgate_does_not_write(tmp_path):
    doc = json.loads(json_report.render(plan(tmp_path), breached()))
    for broken, where in ((dict(doc, extra=1), "$: Additional properties"),
                          (dict(doc, schema_version=2), "$.schema_version:"),
                          (dict(doc, slos=[dict(doc["slos"][0], measured="fast")]), "$.slos[0].measured:"),
                          (dict(doc, totals=dict(doc["totals"], requests=-1)), "$.totals")):
        with pytest.raises(AssertionError, match=re.escape(f"at {where}")):
            check_results(broken)


@pytest.mark.parametrize("version, shown", [(2, "2"), ("1", '"1"'), (True, "true"), (1.5, "1.5"), (None, "null")])
def test_a_version_it_cannot_read_is_refused_naming_it(write, version, shown):
    path = write("base.json", json.dumps(dict(DOC, schema_version=version)))
    with pytest.raises(ConfigError, match=f"schema_version {shown}, which this loadgate cannot read "
                                          r"\(it reads schema_version 1\)"):
        load(path)


def test_in_a_folder_too_and_files_without_a_version_still_read(write, tmp_path):
    write("runs/a.json", json.dumps(DOC))  # written before schema_version existed: version 1
    write("runs/b.json", json.dumps(dict(DOC, schema_version=1)))
    assert len(load(tmp_path / "runs").runs) == 2
    write("runs/c.json", json.dumps(dict(DOC, schema_version=7)))
    with pytest.raises(ConfigError, match=r"c\.json: --baseline: a results\.json of schema_version 7"):
        load(tmp_path / "runs")


def test_run_with_such_a_baseline_exits_2_in_one_line(write, capsys):
    path = write("base.json", json.dumps(dict(DOC, schema_version=3)))
    slo = write("slo.yaml", "version: 1\ntarget:\n  host: http://127.0.0.1:9\nslos:\n  - sli: latency\n"
                            "    percentile: 95\n    max: 300ms\n    max_regression: 10%\n")
    locustfile = write("locustfile.py", "from locust import HttpUser\n")
    assert main(["run", "--slo", str(slo), "-f", str(locustfile), "--baseline", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "schema_version 3" in err and str(path) in err
