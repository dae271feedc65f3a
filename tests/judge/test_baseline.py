import json
import logging
import os
import random
import time
from collections.abc import Mapping

import pytest

from loadgate.errors import ConfigError
from loadgate.judge import baseline
from loadgate.judge.baseline import intervals_for, load, read_runs, split_paths, value_for
from tests.helpers import error_rate, latency, new_children, processes, results_document, throughput

DOC = {"verdict": "pass", "totals": {"requests": 100, "failures": 2, "rps": 10.0, "p50_ms": 5,
                                      "p90_ms": 9, "p95_ms": 9.5, "p99_ms": 12},
       "requests": [{"method": "GET", "name": "/items", "requests": 50, "failures": 1, "rps": 5.0,
                     "p50_ms": 4, "p90_ms": 8, "p95_ms": 8.5, "p99_ms": 11}],
       "slos": [{"name": "checkout errors", "sli": "error_rate", "measured": 1.5, "unit": "%"},
                {"name": "old name", "sli": "latency", "measured": 42.0, "unit": "ms",
                 "request": "GET /items", "percentile": 95}]}


def test_values_from_entries_then_names_then_the_request_table(write):
    baseline = load(write("base.json", json.dumps(DOC))).runs[0]
    assert value_for(baseline, latency(95, request="GET /items")) == 42.0  # same scope, renamed
    errors = error_rate(0.05, name="checkout errors")
    assert value_for(baseline, errors) == pytest.approx(0.015)  # by name, % -> fraction
    assert value_for(baseline, latency(99, request="GET /items")) == 11  # from the table
    assert value_for(baseline, latency(50)) == 5  # totals
    rps = throughput(1, name="t", request="/items")
    assert value_for(baseline, rps) == 5.0
    assert value_for(baseline, latency(75, request="GET /items")) is None
    assert value_for(baseline, latency(95, request="GET /other")) is None


@pytest.mark.parametrize("text, words", [("{", "not valid JSON"), ("[1]", "not a loadgate results.json")])
def test_broken_baseline_is_a_config_error(write, text, words):
    with pytest.raises(ConfigError, match=words):
        load(write("base.json", text))


def test_missing_baseline_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.json.*baseline not found"):
        load(tmp_path / "nope.json")
    assert load(None) is None


@pytest.mark.parametrize("change, words", [
    (lambda d: d["slos"][1].update(measured="fast"), "slos[1].measured: expected a number, got 'fast'"),
    (lambda d: d["slos"][1].update(percentile="95"), "slos[1].percentile: expected a number"),
    (lambda d: d["slos"][1].update(percentile=True), "slos[1].percentile: expected a number"),
    (lambda d: d["slos"][0].update(name=3), "slos[0].name: expected a string"),
    (lambda d: d["requests"][0].update(requests="50"), "requests[0].requests: expected a number"),
    (lambda d: d["totals"].update(rps=[1]), "totals.rps: expected a number"),
    (lambda d: d.update(requests={"a": 1}), "requests: expected a list"),
    (lambda d: d.update(totals=[1]), "totals: expected an object"),
    (lambda d: d["slos"].append("x"), "slos[2]: expected an object"),
])
def test_wrong_typed_fields_are_refused_naming_them(write, change, words):
    doc = json.loads(json.dumps(DOC))
    change(doc)
    with pytest.raises(ConfigError) as info:
        load(write("base.json", json.dumps(doc)))
    assert str(info.value).endswith(f"base.json: --baseline: {words}") or words in str(info.value)
    assert "--baseline" in str(info.value)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_baseline_are_refused(write, constant):
    text = json.dumps(DOC).replace('"measured": 42.0', f'"measured": {constant}')
    with pytest.raises(ConfigError, match=f"holds {constant}"):
        load(write("base.json", text))


COLUMNS = {"seconds": 1.0, "start": [1.0, 2.0, 3.0], "requests": [10, 11, 12], "failures": [0, 1, 0],
           "rps": [10.0, 11.0, 12.0], "p95_ms": [9.0, 9.5, 10.0]}


def with_intervals(p95_entry=None):
    doc = json.loads(json.dumps(DOC))
    doc["totals"]["intervals"] = COLUMNS
    if p95_entry is not None:
        doc["slos"][1]["intervals"] = p95_entry
    return doc


def test_interval_figures_from_the_slo_entry_then_the_table(write):
    run = load(write("base.json", json.dumps(with_intervals({"p95_ms": [1.0, 2.0, 3.0]})))).runs[0]
    # columns are float arrays (judge/results_reader.py)
    assert list(intervals_for(run, latency(95, request="GET /items"))["p95_ms"]) == [1.0, 2.0, 3.0]
    assert list(intervals_for(run, latency(95))["p95_ms"]) == [9.0, 9.5, 10.0]  # totals
    assert intervals_for(run, latency(99)) is None  # no p99 column kept
    assert list(intervals_for(run, throughput(1, name="t"))["rps"]) == [10.0, 11.0, 12.0]
    old = load(write("old.json", json.dumps(DOC))).runs[0]
    assert intervals_for(old, latency(95)) is None  # written before intervals existed


def test_a_directory_and_several_files_pool_their_runs_and_skip_what_is_not_a_run(write, tmp_path):
    for i in range(3):
        write(f"main/run{i}/results.json", json.dumps(with_intervals()))
    write("main/notes.json", json.dumps({"something": "else"}))
    write("main/broken/results.json", json.dumps({**DOC, "verdict": "error", "totals": None}))
    baseline = load([tmp_path / "main"])
    assert len(baseline.runs) == 3 and "3 runs in" in baseline.path
    extra = write("one.json", json.dumps(DOC))
    assert len(load([tmp_path / "main", extra]).runs) == 4
    assert len(load(split_paths(f"{extra},,{extra},")).runs) == 2  # LOADGATE_BASELINE


def test_an_empty_directory_is_a_config_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"no loadgate results\.json in this directory"):
        load([tmp_path / "empty"])


def test_interval_columns_of_the_wrong_type_are_refused(write):
    doc = with_intervals()
    doc["totals"]["intervals"]["p95_ms"] = ["fast"]
    with pytest.raises(ConfigError, match=r"totals\.intervals\.p95_ms: expected a list of numbers"):
        load(write("base.json", json.dumps(doc)))


# -- many runs: read by this process and a forked child (judge/forked_reader.py) -----------------

def history(folder, count: int = 12):
    """``count`` runs in folder/main (one in a sub-folder, one that ended in an error), a JSON
    file that is not a run beside them, and one run of its own: the paths to read."""
    rng = random.Random(5)
    (folder / "main" / "nested").mkdir(parents=True)
    for i in range(count):
        doc = results_document(rng, start=1.7e9 + 60 * i, names=("/items", "/checkout", f"/only-{i}"))
        place = folder / "main" / ("nested" if i == 4 else "") / f"run-{i:02d}.json"
        place.write_text(json.dumps(doc if i != 6 else {**doc, "verdict": "error"}))
    (folder / "main" / "notes.json").write_text("[1]")
    (folder / "alone.json").write_text(json.dumps(results_document(rng, start=1.9e9)))
    return [folder / "main", folder / "alone.json"]


def plain(runs) -> list:
    def row(entry: dict) -> dict:
        return {k: dict((c, list(v[c])) for c in v) if isinstance(v, Mapping) else v for k, v in entry.items()}

    return [(r.path, r.started, [row(s) for s in r.slos], [row(e) for e in r.requests], row(r.totals),
             {k: v.tolist() for k, v in r.table.items()}) for r in runs]


def test_many_runs_read_by_two_processes_as_by_one(tmp_path, monkeypatch, caplog):
    paths = history(tmp_path)
    caplog.set_level(logging.DEBUG, "loadgate")
    alone = read_runs(paths, "BASELINE")
    said, caplog.records[:] = [r.getMessage() for r in caplog.records], []
    monkeypatch.setattr(baseline, "FORK_BYTES", 0)
    children, before = [], set(processes(os.getpid()))
    both = read_runs(paths, "BASELINE", meanwhile=lambda: children.extend(new_children(before)))
    assert len(children) == 1 and new_children(before) == []  # one child, reaped
    assert len(both) == 12 and plain(both) == plain(alone)  # the error run left out, alone.json last
    assert [r.getMessage() for r in caplog.records] == said and "notes.json is not a loadgate" in said[0]


@pytest.mark.parametrize("broken", [(3,), (3, 9), (11,)])
def test_a_broken_run_read_by_a_child_is_the_same_error(tmp_path, monkeypatch, broken):
    paths = history(tmp_path)
    for i in broken:
        doc = json.loads((tmp_path / "main" / f"run-{i:02d}.json").read_text())
        doc["requests"][i % 3]["p95_ms"] = "slow"
        (tmp_path / "main" / f"run-{i:02d}.json").write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as alone:
        read_runs(paths, "BASELINE")
    monkeypatch.setattr(baseline, "FORK_BYTES", 0)
    before = set(processes(os.getpid()))
    with pytest.raises(ConfigError) as both:
        read_runs(paths, "BASELINE", meanwhile=lambda: time.sleep(0.2))  # the child reads most
    assert str(both.value) == str(alone.value) and f"run-{broken[0]:02d}.json" in str(alone.value)
    assert new_children(before) == []


def test_few_bytes_are_read_by_this_process_alone(tmp_path):
    children, before = [], set(processes(os.getpid()))
    assert len(read_runs(history(tmp_path), "BASELINE", lambda: children.extend(new_children(before)))) == 12
    assert children == [] and sum(f.stat().st_size for f in tmp_path.rglob("*.json")) < baseline.FORK_BYTES
