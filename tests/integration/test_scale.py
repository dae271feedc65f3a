"""1 000 request names on the local stack, and a Prometheus without the native histogram flag."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

from loadgate.cli import main
from loadgate.measure.cardinality import NAME_LIMIT

NAMES = 1000
LOCUSTFILE = f'''
import json, os, random
from locust import FastHttpUser, constant, events, task

samples = []

@events.request.add_listener
def record(request_type, name, response_time, exception=None, **kw):
    samples.append([name, response_time])

@events.quitting.add_listener
def dump(environment, **kw):
    with open(os.path.join(os.environ["RECORD_DIR"], f"samples-{{os.getpid()}}.json"), "w") as out:
        json.dump(samples, out)

class Api(FastHttpUser):
    wait_time = constant(0.005)

    @task
    def item(self):
        self.client.get("/health", name=f"/api/items/{{random.randrange({NAMES})}}")
'''
EACH = """\
  - sli: latency
    percentile: 95
    max: 10s
    request: GET /api/items/*
    each: true
    for: 3s
  - sli: error_rate
    max: 50%
    request: GET /api/items/*
    each: true
    for: 2s
  - sli: latency
    percentile: 99
    max: 10s
"""
REGRESSION = """\
  - sli: latency
    percentile: 75
    max: 10s
    max_regression: 100%
    request: GET /api/items/*
    each: true
"""


def run(tmp_path, host, slos, *args, duration="8s"):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "lf.py").write_text(LOCUSTFILE)
    (tmp_path / "slo.yaml").write_text(f"version: 1\nname: scale\ntarget:\n  host: {host}\n"
                                       f"load:\n  users: 20\n  spawn_rate: 20\n  duration: {duration}\n"
                                       f"slos:\n{slos}")
    return main(["run", "-f", str(tmp_path / "lf.py"), "--slo", str(tmp_path / "slo.yaml"),
                 "--report-dir", str(tmp_path / "reports"), *args])


def test_a_thousand_names_each_judged_with_the_cardinality_warning(tmp_path, demo, monkeypatch, capsys):
    monkeypatch.setenv("RECORD_DIR", str(tmp_path))
    assert run(tmp_path, demo, EACH) == 0
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    samples = [s for path in tmp_path.glob("samples-*.json") for s in json.loads(path.read_text())]
    seen = {name for name, _ in samples}
    assert len(seen) > NAME_LIMIT and results["totals"]["requests"] == len(samples)
    names = {r["name"] for r in results["requests"]}
    assert names == seen
    assert len(results["slos"]) == 2 * len(seen) + 1
    assert all(s["status"] == "pass" and s["measured"] is not None for s in results["slos"])
    assert len(results["warnings"]) == 1 and "/api/items/… (" in results["warnings"][0]
    output = capsys.readouterr().out
    assert output.count(f"{len(seen)} request names in this run (more than {NAME_LIMIT})") == 1
    props = {p.get("name"): p.get("value") for p in ET.parse(tmp_path / "reports" / "junit.xml").iter("property")}
    assert "Locust's name= argument" in props["warning.1"]
    counts = {}
    for name, _ in samples:
        counts[name] = counts.get(name, 0) + 1
    assert {r["name"]: r["requests"] for r in results["requests"]} == counts
    # the totals read one all-requests histogram, not a thousand summed: the same percentiles
    times = sorted(ms for _, ms in samples)
    for field, q in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        exact = times[max(math.ceil(q * len(times)) - 1, 0)]
        assert abs(results["totals"][field] / exact - 1) < 0.01, (field, results["totals"][field], exact)
    # above the name limit only the totals keep per-interval figures (seconds saved per run)
    assert results["totals"].get("intervals") and not any(r.get("intervals") for r in results["requests"])


def test_a_regression_objective_over_a_thousand_names_reads_their_intervals_once(tmp_path, demo, monkeypatch):
    """each: with max_regression over 1 000 names: every objective gets its own percentile per
    interval from one per-request table (three range queries), in the baseline run and now."""
    monkeypatch.setenv("RECORD_DIR", str(tmp_path))
    assert run(tmp_path / "base", demo, REGRESSION) == 0
    base = json.loads((tmp_path / "base" / "reports" / "results.json").read_text())
    judged = base["slos"]
    assert len(judged) > NAME_LIMIT and all(len(s["intervals"]["p75_ms"]) >= 3 for s in judged)
    # a baseline objective over one request lifts the 500-name limit of per-request intervals
    # (a name first seen in the window's last partial interval has none)
    assert sum(1 for r in base["requests"] if r.get("intervals")) > NAME_LIMIT
    baseline = tmp_path / "base" / "reports" / "results.json"
    assert run(tmp_path / "now", demo, REGRESSION, "--baseline", str(baseline)) in (0, 1)
    now = json.loads((tmp_path / "now" / "reports" / "results.json").read_text())
    decisions = [s["baseline"] for s in now["slos"] if s["baseline"]["value"] is not None]
    assert len(decisions) > NAME_LIMIT  # names the baseline run never saw are not compared
    assert all(d["decision"] in ("pass", "fail", "inconclusive") for d in decisions)
    assert all("single numbers" not in d["basis"] for d in decisions)  # judged on intervals
