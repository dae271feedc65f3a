import pytest

from loadgate.config.slo_file import load_slo_file
from loadgate.errors import ConfigError

HEAD = "version: 1\nslos:\n"


def objectives(write, body):
    return load_slo_file(write("slo.yaml", HEAD + body)).objectives


def test_every_extension_key_parses(write):
    first, second = objectives(write, """\
  - sli: latency
    percentile: 95
    max: 300ms
    request: GET /api/*
    each: true
    max_regression: 10%
    abort_on_fail: true
    after: 30s
    for: 1m
  - sli: throughput
    min: 5/s
    min_ratio: 0.9
    request: 're:^POST /orders/\\d+'
""")
    assert (first.each, first.max_regression, first.abort_on_fail, first.after, first.sustain) == (
        True, 0.1, True, 30, 60)
    assert first.name == "p95 latency of GET /api/* <= 300 ms for 1m"
    assert first.request.kind == "glob" and second.request.kind == "regex"
    assert second.min_ratio == 0.9 and second.after == 0 and second.sustain is None


def test_version_1_files_keep_their_meaning(write):
    (plain,) = objectives(write, "  - sli: error_rate\n    max: 1%\n")
    assert (plain.each, plain.abort_on_fail, plain.sustain, plain.max_regression) == (
        False, False, None, None)


@pytest.mark.parametrize("body, where", [
    ("  - sli: throughput\n    min: 1/s\n    max_regression: 10%\n", "slo.yaml:5: slos[0].max_regression"),
    ("  - sli: latency\n    percentile: 95\n    max: 1s\n    min_ratio: 0.9\n", "slo.yaml:6: slos[0].min_ratio"),
    ("  - sli: error_rate\n    max: 1%\n    after: 5s\n", "slo.yaml:5: slos[0].after"),
    ("  - sli: promql\n    query: up\n    max: 1\n    each: true\n", "slo.yaml:6: slos[0].each"),
    ("  - sli: error_rate\n    max: 1%\n    request: 're:(oops'\n", "slo.yaml:5: slos[0].request"),
    ("  - sli: error_rate\n    max: 1%\n    for: soon\n", "slo.yaml:5: slos[0].for"),
    ("  - sli: error_rate\n    max: 1%\n    max_regression: -5%\n", "slo.yaml:5: slos[0].max_regression"),
    ("  - sli: throughput\n    min: 1\n    min_ratio: 0\n", "slo.yaml:5: slos[0].min_ratio"),
])
def test_misplaced_or_bad_keys_name_file_line_and_key(write, body, where):
    with pytest.raises(ConfigError) as info:
        objectives(write, body)
    assert where in str(info.value)


def test_confidence_of_regression_decisions(write):
    first, second = objectives(write, """\
  - sli: latency
    percentile: 95
    max: 300ms
    max_regression: 5%
    confidence: 99%
  - sli: throughput
    min: 5/s
    min_ratio: 0.9
""")
    assert first.confidence == 0.99 and second.confidence == 0.95  # the default
    with pytest.raises(ConfigError, match=r"slos\[0\]\.confidence.*between 50% and 100%"):
        objectives(write, "  - sli: error_rate\n    max: 1%\n    max_regression: 10%\n    confidence: 100%\n")
    with pytest.raises(ConfigError, match="confidence is the confidence of max_regression"):
        objectives(write, "  - sli: error_rate\n    max: 1%\n    confidence: 90%\n")
