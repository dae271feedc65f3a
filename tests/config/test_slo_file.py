import pytest

from loadgate.config.slo_file import load_slo_file
from loadgate.errors import ConfigError

GOOD = """\
version: 1
name: checkout-service
target:
  host: http://127.0.0.1:8080
load:
  users: 20
  spawn_rate: 10
  duration: 30s
  warmup: 5s
  workers: 2
scrape:
  - job: service
    targets: ["127.0.0.1:8080"]
slos:
  - sli: latency
    percentile: 95
    max: 300ms
    warn: 250ms
    request: GET /items
  - sli: latency
    percentile: 99.9
    max: 1s
  - sli: error_rate
    max: 1%
  - sli: throughput
    min: 50/s
  - sli: promql
    name: service CPU
    query: max(rate(process_cpu_seconds_total{job="service"}[30s]))
    max: 0.8
"""


def test_full_example_parses(write):
    doc = load_slo_file(write("slo.yaml", GOOD))
    names = [o.name for o in doc.objectives]
    assert names == [
        "p95 latency of GET /items <= 300 ms", "p99.9 latency <= 1000 ms", "error rate <= 1%",
        "throughput >= 50/s", "service CPU",
    ]
    latency = doc.objectives[0]
    assert (latency.max, latency.warn, latency.percentile) == (300, 250, 95)
    assert (latency.request.method, latency.request.name) == ("GET", "/items")
    assert doc.objectives[2].max == pytest.approx(0.01)
    assert doc.spec.load.duration == 30 and doc.spec.load.warmup == 5 and doc.spec.load.workers == 2
    assert doc.scrapes[0].metrics_path == "/metrics"
    assert latency.line == 15


def error_for(write, text):
    with pytest.raises(ConfigError) as info:
        load_slo_file(write("slo.yaml", text))
    return str(info.value)


def replace(old, new):
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize("text, expected", [
    (replace("    warn: 250ms\n", "    warn: 250ms\n    colour: red\n"), "slo.yaml:19: slos[0].colour: unknown key"),
    (replace("max: 300ms", "max: 300 parsecs"), "slo.yaml:17: slos[0].max: expected a time"),
    (replace("percentile: 95", "percentile: 100"), "slo.yaml:16: slos[0].percentile: Input should be less than 100"),
    (replace("percentile: 95", "percentile: 0"), "slo.yaml:16: slos[0].percentile: Input should be greater than 0"),
    (replace("sli: throughput", "sli: happiness"), "slo.yaml:25: slos[3]: unknown sli 'happiness'"),
    (replace("  users: 20", "  users: many"), "slo.yaml:6: load.users: Input should be a valid integer"),
    (replace("  duration: 30s", "  duration: 30"), "slo.yaml:8: load.duration: 30 needs a unit"),
    (replace("    max: 1%", "    max: 150%"), "slo.yaml:24: slos[2].max: a rate must be between 0 and 1"),
    (replace("version: 1", "version: 2"), "slo.yaml:1: version: unsupported version 2"),
    (replace("    max: 0.8\n", ""), "slo.yaml:27: slos[4]: a promql objective needs exactly one of max or min"),
    (replace("    warn: 250ms", "    warn: 400ms"), "slo.yaml:15: slos[0]: warn must not be above max"),
    (replace("  - sli: error_rate\n    max: 1%\n", "  - sli: latency\n    percentile: 99.9\n    max: 1s\n"),
     "two SLOs are named 'p99.9 latency <= 1000 ms'"),
])
def test_errors_name_file_line_and_key(write, text, expected):
    assert expected in error_for(write, text)


@pytest.mark.parametrize("text, expected", [
    ("", "slo.yaml: the file is empty"),
    ("version: 1\nslos: [\n", "slo.yaml:3: invalid YAML"),
    ("version: 1\nname: x\n", "slo.yaml:1: slos: required key is missing"),
    ("version: 1\nslos: []\n", "slo.yaml:2: slos: List should have at least 1 item"),
    ("- just\n- a list\n", "expected a mapping"),
    ("version: 1\nslos:\n  - max: 1%\n", "slos[0]: every SLO needs `sli:`"),
])
def test_broken_files(write, text, expected):
    assert expected in error_for(write, text)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: SLO file not found"):
        load_slo_file(tmp_path / "nope.yaml")
