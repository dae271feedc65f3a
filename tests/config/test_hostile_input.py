"""Hostile or careless slo.yaml input: one ConfigError naming file, line and key; fast; bounded."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from loadgate.config.plan import build_plan
from loadgate.config.slo_file import load_slo_file
from loadgate.config.yaml_reader import MAX_BYTES, MAX_VALUES
from loadgate.errors import ConfigError

HEAD = "version: 1\ntarget: {host: 'http://127.0.0.1:1'}\n"


def error_for(write, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_slo_file(write("slo.yaml", text))
    return str(info.value)


@pytest.mark.parametrize("slo, key", [
    ("{sli: promql, query: up, min: .nan}", "slos[0].min"),
    ("{sli: promql, query: up, max: .inf}", "slos[0].max"),
    ("{sli: promql, query: up, max: 1, warn: -.inf}", "slos[0].warn"),
    ("{sli: latency, percentile: .nan, max: 1s}", "slos[0].percentile"),
    ("{sli: throughput, min: .nan}", "slos[0].min"),
    ("{sli: throughput, min: 1e999/s}", "slos[0].min"),
    ("{sli: error_rate, max: .nan}", "slos[0].max"),
    ("{sli: latency, percentile: 95, max: 1s, max_regression: .inf}", "slos[0].max_regression"),
    ("{sli: throughput, min: 1, min_ratio: .inf}", "slos[0].min_ratio"),
])
def test_nan_and_infinity_are_refused(write, slo, key):
    message = error_for(write, HEAD + f"slos:\n  - {slo}\n")
    assert f"slo.yaml:4: {key}: " in message
    assert "finite" in message or "expected" in message


@pytest.mark.parametrize("load, key", [
    ("spawn_rate: .inf", "load.spawn_rate"), ("spawn_rate: .nan", "load.spawn_rate"),
    ("users: true", "load.users"), ("workers: true", "load.workers"),
    ("spawn_rate: true", "load.spawn_rate"), ("duration: .inf", "load.duration"),
    ("duration: 99999999999999999999999999999999999999999999999999999999999999999999999999999999999"
     "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
     "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
     "9999999999999999999999999999999999999999999999999999999999999999h", "load.duration"),
])
def test_load_numbers_are_finite_and_not_booleans(write, load, key):
    message = error_for(write, HEAD + f"load:\n  {load}\nslos: [{{sli: error_rate, max: 1%}}]\n")
    assert f"slo.yaml:4: {key}: " in message


def test_a_boolean_percentile_is_not_p1(write):
    message = error_for(write, HEAD + "slos:\n  - {sli: latency, percentile: true, max: 1s}\n")
    assert "slos[0].percentile" in message and "True" in message


def test_duplicate_keys_name_both_lines(write):
    text = HEAD + "slos:\n  - sli: latency\n    percentile: 95\n    max: 300ms\n    max: 1ms\n"
    assert error_for(write, text) == ("{}:7: max: duplicate key (first on line 6, again on line 7);"
                                      " remove one").format(write("x", "").with_name("slo.yaml"))


def test_duplicate_top_level_sections_are_refused(write):
    message = error_for(write, HEAD + "slos: [{sli: error_rate, max: 1%}]\nslos: []\n")
    assert "duplicate key (first on line 3, again on line 4)" in message


def test_an_alias_bomb_is_refused_fast(write):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
              f"*a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)]
    started = time.monotonic()
    message = error_for(write, HEAD + "\n".join(lines) + "\nslos: [{sli: error_rate, max: *a9}]\n")
    assert time.monotonic() - started < 2
    assert f"more than {MAX_VALUES} values" in message


def test_small_aliases_still_work(write):
    text = HEAD + "x-shared: &p95 {sli: latency, percentile: 95, max: 1s}\n"
    with pytest.raises(ConfigError, match="x-shared: unknown key"):  # aliases parse; key unknown
        load_slo_file(write("slo.yaml", text + "slos: [*p95]\n"))
    doc = load_slo_file(write("slo.yaml", HEAD + "slos:\n  - &one {sli: latency, percentile: 95, "
                                                 "max: 1s}\n  - {<<: *one, percentile: 99}\n"))
    assert [o.percentile for o in doc.objectives] == [95, 99]


def test_a_recursive_alias_is_refused(write):
    assert "refers to itself" in error_for(write, HEAD + "x: &x [*x]\nslos: []\n")


def test_a_huge_file_is_refused_before_it_is_read(write, tmp_path):
    path = tmp_path / "slo.yaml"
    with open(path, "w") as out:
        out.write(HEAD + "scrape:\n")
        job = "  - {job: j, targets: ['127.0.0.1:1']}\n"
        out.write(job * (50 * 1024 * 1024 // len(job)))  # 50 MB, ~1.4 million scrape jobs
        out.write("slos: [{sli: error_rate, max: 1%}]\n")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"slo.yaml: the SLO file is 50 MiB; the limit is 1 MiB"):
        load_slo_file(path)
    assert time.monotonic() - started < 0.5


def test_many_scrape_jobs_below_the_byte_limit_are_refused(write):
    jobs = "".join(f"  - {{job: j{i}, targets: ['127.0.0.1:1']}}\n" for i in range(101))
    assert len(jobs) < MAX_BYTES
    message = error_for(write, HEAD + "scrape:\n" + jobs + "slos: [{sli: error_rate, max: 1%}]\n")
    assert "scrape: List should have at most 100 items" in message


def test_percentile_names_keep_every_digit(write):
    doc = load_slo_file(write("slo.yaml", HEAD + "slos:\n  - {sli: latency, percentile: 99.99999, "
                                                 "max: 1s}\n"))
    assert doc.objectives[0].name == "p99.99999 latency <= 1000 ms"
    doc = load_slo_file(write("slo.yaml", HEAD + "slos:\n  - {sli: latency, percentile: "
                                                 "99.9999999999999, max: 1s}\n"))
    assert doc.objectives[0].name.startswith("p99.9999999999999 latency")


def test_a_long_wrong_value_is_shortened_in_the_message(write):
    message = error_for(write, HEAD + "slos:\n  - {sli: latency, percentile: 95, max: "
                        + "x" * 5000 + "}\n")
    assert len(message) < 300


ARGS = dict(slo=None, locustfile=None, host=None, users=None, spawn_rate=None, duration=None,
            warmup=None, workers=None, prometheus_url=None, prometheus_bin=None, report_dir=None,
            keep_stack=False, locust_args=())


@pytest.mark.parametrize("name, value", [("LOADGATE_SPAWN_RATE", "nan"),
                                         ("LOADGATE_SPAWN_RATE", "inf"),
                                         ("LOADGATE_SPAWN_RATE", "1e999"),
                                         ("LOADGATE_USERS", "1.5"),
                                         ("LOADGATE_DURATION", "1e999h"),
                                         ("LOADGATE_EXPORTER_PORT", "abc"),
                                         ("LOADGATE_EXPORTER_PORT", "70000"),
                                         ("LOADGATE_EXPORTER_PORT", "-1"),
                                         ("LOADGATE_BASELINE", ","),
                                         ("LOADGATE_BASELINE", " , ,")])
def test_environment_numbers_are_checked(write, name, value):
    slo = write("slo.yaml", HEAD + "slos: [{sli: error_rate, max: 1%}]\n")
    locustfile = write("lf.py", "")
    args = SimpleNamespace(**{**ARGS, "slo": str(slo), "locustfile": str(locustfile)})
    with pytest.raises(ConfigError, match=f"^{name}: "):
        build_plan(args, {name: value})


def test_a_duration_beyond_a_year_is_refused(write):
    slo = write("slo.yaml", HEAD + "load: {duration: 9000h}\nslos: [{sli: error_rate, max: 1%}]\n")
    args = SimpleNamespace(**{**ARGS, "slo": str(slo), "locustfile": str(write("lf.py", ""))})
    with pytest.raises(ConfigError, match=r"^duration: the duration \(9000h\) is longer than the "
                                          r"limit of 366 days"):
        build_plan(args, {})
    assert build_plan(args, {"LOADGATE_DURATION": "1000h"}).duration == 3_600_000
