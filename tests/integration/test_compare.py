"""loadgate compare on two real runs (Locust, Prometheus, the demo service) whose latency differs.

The first run measures the demo service as it is; the second a demo service whose every latency
is four times as long (``--scale 4``: on a busy machine Locust's own delays are part of every
latency, so the measured change is smaller).  Compare must call the latency of the totals worse,
nothing better, and ``--fail-on worse`` must exit 1; a copy of the first run changes nothing.
"""

from __future__ import annotations

import json

import pytest

from loadgate.cli import main
from tests.integration.conftest import Gate, start_demo

pytestmark = pytest.mark.integration

SLOS = "  - sli: error_rate\n    max: 50%\n"
LOAD = "users: 10\n  spawn_rate: 10\n  duration: 12s\n  warmup: 2s"


@pytest.fixture
def slower_demo():
    process, url = start_demo("--scale", "4")
    yield url
    process.terminate()
    process.wait(10)


def test_compare_two_real_runs_finds_the_slowdown(tmp_path, demo, slower_demo, capsys):
    runs = {}
    for name, host in (("before", demo), ("after", slower_demo)):
        (tmp_path / name).mkdir()
        gate = Gate(tmp_path / name, host)
        assert gate.run(SLOS, load=LOAD) == 0
        runs[name] = gate.reports / "results.json"
    capsys.readouterr()

    assert main(["compare", str(runs["before"]), str(runs["after"]), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    decided = {(c["request"], c["figure"]): c for c in doc["comparisons"]}
    totals = [decided[("all requests", f)] for f in ("p50_ms", "p90_ms", "p95_ms")]
    assert all(c["decision"] == "worse" and c["change_pct"] > 30 for c in totals), totals
    latency = [c for c in doc["comparisons"] if c["figure"].endswith("_ms")]
    assert not [c for c in latency if c["decision"] == "better"]
    assert {"GET /items", "POST /checkout"} <= {c["request"] for c in doc["comparisons"]}

    assert main(["compare", str(runs["before"]), str(runs["after"]), "--fail-on", "worse"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[3].split()[-1] == "worse"  # surest and largest first

    copy = tmp_path / "copy.json"  # the same run under another name (a run is never its own baseline)
    copy.write_text(runs["before"].read_text())
    assert main(["compare", str(runs["before"]), str(copy), "--fail-on", "worse"]) == 0
    assert "0 worse, 0 better" in capsys.readouterr().out
    assert main(["compare", str(runs["before"]), str(runs["before"])]) == 2
