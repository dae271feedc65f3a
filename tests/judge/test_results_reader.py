"""Reading results.json (judge/results_reader.py): the fast reader gives the comparisons the
plain reading (every value a Python object, as before it) gives, and checks the same types."""

import json
import math
import random

import pytest

from loadgate.compare.changes import HIGHER_IS_WORSE, TOTALS, _medians, compare, scope, value
from loadgate.errors import ConfigError
from loadgate.judge import interval_table
from loadgate.judge.baseline import Run, load
from loadgate.judge.comparisons import Change, decide_changes
from loadgate.judge.estimates import FIGURES, figure_estimates
from tests.helpers import results_document


def awkward(rng: random.Random, start: float, slower=None) -> dict:
    """A run with what real files hold besides full columns: null intervals, a row with fewer
    intervals, one without a column, one without intervals, a request twice, integers."""
    doc = results_document(rng, names=("/a", "/b", "/c", "/d", "/e", "/f"), start=start, slower=slower)
    a, b, c, d, e, f = doc["requests"]
    a["intervals"]["p95_ms"][3] = None  # an interval without requests
    a["intervals"]["rps"][0] = None
    for name, column in b["intervals"].items():
        if isinstance(column, list):
            b["intervals"][name] = column[:12]  # fewer intervals
    del c["intervals"]["p99_ms"]
    d["intervals"] = None
    del e["intervals"]
    doc["requests"].append(dict(f, rps=1))  # GET /f twice: the first one counts
    doc["totals"]["intervals"]["p50_ms"] = [int(v) for v in doc["totals"]["intervals"]["p50_ms"]]
    if rng.random() < 0.5:
        doc["requests"].pop(0)  # /a in some runs only
    return doc


def plain_run(doc: dict, path: str) -> Run:
    """The run as read before: the parsed document's own dicts and lists."""
    return Run(path, tuple(doc["slos"]), tuple(doc["requests"]), doc["totals"], doc["window"]["start"])


def summary(changes) -> dict:
    return {(r.scope, r.figure): (r.outcome, r.baseline, r.now, r.decision.ratio, r.decision.low,
                                  r.decision.high) for r in changes.rows}


def reference(baseline: list[Run], current: Run) -> dict:
    """compare() as it was before the tables: each figure from the rows' own interval lists
    (judge/estimates.py figure_estimates), the same decisions."""
    def by_scope(run):
        rows = {TOTALS: run.totals}
        for row in run.requests:
            rows.setdefault(scope(row), row)
        return rows

    base, now = [by_scope(run) for run in baseline], by_scope(current)
    scopes = [s for s in now if any(s in rows for rows in base)]
    questions, keys, medians = [], [], {}
    for figure in FIGURES:
        estimates = figure_estimates(figure, [now[s].get("intervals") for s in scopes],
                                     [[(rows.get(s) or {}).get("intervals") for s in scopes] for rows in base])
        for s, estimate, median_ in zip(scopes, estimates, _medians([[rows.get(s) for s in scopes]
                                                                     for rows in base], figure)):
            questions.append(Change(estimate, 0.05, HIGHER_IS_WORSE[figure]))
            keys.append((s, figure))
            medians[s, figure] = (median_, value(now[s], figure))
    return {key: (d.outcome, *medians[key], d.ratio, d.low, d.high)
            for key, d in zip(keys, decide_changes(questions))}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_reader_compares_as_the_plain_reading_does(tmp_path, seed):
    rng = random.Random(seed)
    docs = [awkward(rng, 1.7e9 + 60 * i) for i in range(4)]
    docs.append(awkward(rng, 1.8e9, slower={"/b": 1.3, None: 1.2}))
    paths = []
    for i, doc in enumerate(docs):
        paths.append(tmp_path / f"run{i}.json")
        paths[-1].write_text(json.dumps(doc))
    fast = [load(p).runs[0] for p in paths]
    assert all(run.table for run in fast)  # the fast path was taken
    plain = [plain_run(json.loads(p.read_text()), str(p)) for p in paths]
    expected = reference(plain[:-1], plain[-1])
    for runs in (fast, plain):  # a Run read here, or made from dicts (no table)
        got = summary(compare(runs[:-1], runs[-1]))
        assert got.keys() == expected.keys() and len(got) > 30
        for key in got:
            assert all(same(x, y) for x, y in zip(got[key], expected[key])), key
    assert any(outcome == "worse" for outcome, *_ in expected.values())


def test_columns_read_as_floats_with_nan_for_null(tmp_path):
    doc = awkward(random.Random(7), 1.7e9)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    run = load(path).runs[0]
    for row, read in zip(doc["requests"], run.requests):
        for name, column in (row.get("intervals") or {}).items():
            if isinstance(column, list) and name not in ("start", "error_rate"):
                assert [None if math.isnan(v) else v for v in read["intervals"][name]] == column


@pytest.mark.parametrize("column", [[[1.0, 2.0]], [[]], [1.0, "2"], [True, 1.0], [1.0, {}], "1.0", 5,
                                    [1.0, None, "x"]])
def test_a_column_that_is_not_a_list_of_numbers_is_refused(tmp_path, column):
    doc = results_document(random.Random(1))
    doc["requests"][1]["intervals"]["p90_ms"] = column
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"requests\[1\]\.intervals\.p90_ms: expected a list of numbers"):
        load(path)


def test_what_simdjson_refuses_is_read_as_before(tmp_path):
    doc = results_document(random.Random(1))
    doc["requests"][0]["requests"] = 10 ** 30  # beyond 64 bits: the standard library reads it
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    run = load(path).runs[0]
    assert run.requests[0]["requests"] == 10 ** 30
    assert list(run.totals["intervals"]["p95_ms"]) == doc["totals"]["intervals"]["p95_ms"]


def as_plain(rows) -> list[dict]:
    """Rows with their interval columns as lists (None: NaN), to compare two readings."""
    def column(values):
        return [None if math.isnan(v) else v for v in values]

    return [{k: ({c: column(v[c]) for c in v} if k == "intervals" and v is not None else v)
             for k, v in row.items()} for row in rows]


def usual(rng: random.Random) -> dict:
    """The usual shape with what the column-by-column reading must still take: null intervals,
    a row without intervals, one with them null, one without a field, integers."""
    doc = results_document(rng, names=("/a", "/b", "/c", "/d", "/e"))
    a, b, c, d, _ = doc["requests"]
    a["intervals"]["p95_ms"][3] = None
    a["intervals"]["rps"] = [int(v) for v in a["intervals"]["rps"]]
    del b["intervals"]
    c["intervals"] = None
    del d["p99_ms"]
    return doc


@pytest.mark.parametrize("shape", [usual, awkward])
def test_rows_read_column_by_column_are_those_read_object_by_object(tmp_path, monkeypatch, shape):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(shape(random.Random(3)) if shape is usual else shape(random.Random(3), 1.7e9)))
    taken = []
    rows = interval_table.rows
    monkeypatch.setattr(interval_table, "rows", lambda *a: taken.append(rows(*a)) or taken[-1])
    fast = load(path).runs[0]
    monkeypatch.setattr(interval_table, "rows", lambda *a: None)
    slow = load(path).runs[0]
    assert (taken[-1] is not None) == (shape is usual)  # the awkward file: object by object
    assert as_plain(fast.requests) == as_plain(slow.requests) and len(fast.requests) >= 5
    assert fast.table.keys() == slow.table.keys()
    for name, matrix in fast.table.items():
        assert matrix.shape == slow.table[name].shape
        assert ((matrix == slow.table[name]) | (matrix != matrix) & (slow.table[name] != slow.table[name])).all()
