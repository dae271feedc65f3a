"""The regression gate end to end: real Locust and Prometheus against a service the test controls.

Two baseline runs go into a directory; a run against the same service (A/A) must not fail, a run
against the same service made 50 % slower must fail, each judged against both baseline runs.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from loadgate.cli import main
from tests.helpers import Target, locustfile

pytestmark = pytest.mark.integration

SLO = """version: 1
name: regression
target:
  host: {url}
load:
  users: 10
  spawn_rate: 10
  duration: 14s
  warmup: 5s
slos:
  - sli: latency
    percentile: 95
    max: 2s
    max_regression: 10%
  - sli: latency
    percentile: 90
    max: 2s
    max_regression: 10%
    request: GET /api/*
    each: true
"""


def gate(tmp_path: Path, name: str, url: str, *baseline: Path) -> tuple[int, dict]:
    run = tmp_path / name
    run.mkdir(parents=True)
    (run / "slo.yaml").write_text(SLO.format(url=url))
    (run / "locustfile.py").write_text(locustfile("GET /api/users", "GET /api/items"))
    argv = ["run", "-q", "--slo", str(run / "slo.yaml"), "-f", str(run / "locustfile.py"),
            "--report-dir", str(run / "reports")]
    if baseline:
        argv += ["--baseline", *map(str, baseline)]
    code = main(argv)
    return code, json.loads((run / "reports" / "results.json").read_text())


def test_a_a_does_not_fail_and_a_target_50_percent_slower_fails(tmp_path):
    scale = {"now": 1.0}
    rng = random.Random(7)

    def answer(method, path, t):  # lognormal latency, median 60 ms: well above a busy machine's
        return 0.06 * scale["now"] * math.exp(rng.gauss(0, 0.2)), 200  # own few ms of waiting

    with Target(answer) as service:
        runs = tmp_path / "main-runs"
        for i in range(2):
            code, base = gate(runs, f"base{i}", service.url)
            assert code == 0
        totals = base["totals"]["intervals"]
        assert totals["seconds"] == 1.0 and len(totals["start"]) >= 5
        assert sum(totals["requests"]) <= base["totals"]["requests"] < 2 * sum(totals["requests"])
        assert all(len(r["intervals"]["p95_ms"]) == len(totals["start"]) for r in base["requests"])
        assert len(base["slos"][0]["intervals"]["p95_ms"]) == len(totals["start"])

        code, same = gate(tmp_path, "a-a", service.url, runs)
        reports = tmp_path / "a-a" / "reports"  # the run history of a --baseline directory
        assert "**History** (3 runs: 2 earlier runs from --baseline and this one" in (
            reports / "summary.md").read_text()
        page = (reports / "report.html").read_text()
        assert page.count('<figure class="history">') == 1 and 'data-chart="history p95' in page
        decisions = [s["baseline"]["decision"] for s in same["slos"]]
        assert code == 0 and "fail" not in decisions, [s["baseline"]["message"] for s in same["slos"]]
        assert all(s["baseline"]["runs"] == 2 for s in same["slos"])

        scale["now"] = 1.5
        code, slower = gate(tmp_path, "a-b", service.url, runs)
        total = slower["slos"][0]["baseline"]
        assert code == 1 and total["decision"] == "fail", total["message"]
        assert 10 < total["interval_pct"][0] < total["change_pct"] < total["interval_pct"][1]
        assert "beyond the limit +10% with 95 % confidence" in total["message"]
        each = [s["baseline"] for s in slower["slos"][1:]]
        assert len(each) == 2 and all("Holm-corrected across 2 objectives" in b["basis"] for b in each)
