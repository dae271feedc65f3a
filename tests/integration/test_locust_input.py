"""What loadgate hands Locust is valid for Locust; what Prometheus cannot judge is found first."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from loadgate.stack.locust_argv import run_time, spawn_rate

ANY = "  - sli: error_rate\n    max: 100%\n"


@pytest.mark.parametrize("seconds", [4.5, 2.5, 0.001, 1, 3_600_000.0, 59.999])
def test_locust_parses_every_run_time_and_spawn_rate_loadgate_gives_it(seconds):
    # Locust's own parsers, in a process of their own (importing locust patches the interpreter)
    code = ("import sys; from locust.util.timespan import parse_timespan; "
            "print(parse_timespan(sys.argv[1]), float(sys.argv[2]))")
    out = subprocess.run([sys.executable, "-c", code, run_time(seconds), spawn_rate(seconds / 7)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) >= seconds and int(out[0]) - seconds < 1
    assert float(out[1]) == seconds / 7


@pytest.mark.parametrize("duration, seconds", [("4500ms", 4.5), ("2.5s", 2.5)])
def test_a_fractional_duration_runs_for_that_long(gate, duration, seconds):
    assert gate.run(ANY, "-t", duration) == 0
    window = gate.results()["window"]
    assert window["end"] - window["start"] == pytest.approx(seconds, abs=0.3)


@pytest.mark.parametrize("query, words", [
    ("'\"hello\"'", "returns a string, not one number"),
    ("up[1m]", "returns a range vector"),
    ("sum(rate(up[1m])", "Prometheus refused the query: invalid parameter \"query\": 1:17: parse error"),
    ("rate(up[$window]) / bogus_fn(up)", "unknown function with name \"bogus_fn\""),
])
def test_a_promql_objective_prometheus_cannot_judge_is_exit_2_before_the_load(
        gate, capsys, query, words):
    slos = ANY + f"  - sli: promql\n    name: bad query\n    query: {query}\n    max: 1\n"
    started = time.monotonic()
    assert gate.run(slos, load="users: 2\n  duration: 30s") == 2
    assert time.monotonic() - started < 10  # not after the 30 s load
    err = capsys.readouterr().err
    assert err.startswith(f"loadgate: error: {gate.slo}:11: query: ") and err.count("\n") == 1
    assert words in err and "(objective 'bad query')" in err


def test_a_bad_locust_argument_is_named_as_such(gate, capsys):
    assert gate.run(ANY, "--", "--no-such-option") == 2
    err = capsys.readouterr().err
    assert err.startswith("loadgate: error: Locust refused its command line: "
                          "unrecognized arguments: --no-such-option")
