"""``loadgate compare``: formats and exit codes (the command line, on synthetic results.json files)."""

import json
import os
import random
import subprocess
import sys

import pytest

from loadgate.cli import main
from loadgate.judge import baseline, results_reader
from tests.helpers import results_document


@pytest.fixture
def runs(tmp_path):
    """main/ with three earlier runs; same.json like them; slower.json with GET /checkout 1.3x slower."""
    rng = random.Random(3)
    (tmp_path / "main").mkdir()
    for i in range(3):
        doc = results_document(rng, start=1.7e9 + 60 * i)
        (tmp_path / "main" / f"run-{i}").mkdir()
        (tmp_path / "main" / f"run-{i}" / "results.json").write_text(json.dumps(doc))
    (tmp_path / "same.json").write_text(json.dumps(results_document(rng, start=1.8e9)))
    slower = results_document(rng, start=1.8e9, names=("/items", "/checkout", "/new"),
                              slower={"/checkout": 1.3})
    (tmp_path / "slower.json").write_text(json.dumps(slower))
    return tmp_path


def compare(capsys, *argv):
    code = main(["compare", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_console_table_sorted_surest_first_with_one_sided_requests(capsys, runs):
    code, out, err = compare(capsys, runs / "main", runs / "slower.json")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "worse" in lines[0] and "3 baseline runs" in lines[0] and "Holm-corrected over all 18" in lines[0]
    assert lines[2].split()[:2] == ["request", "figure"]
    assert lines[3].startswith("GET /checkout") and lines[3].endswith("worse")
    assert "1 request only in this run: GET /new" in out


def test_fail_on_worse_exits_1_only_when_something_is_worse(capsys, runs):
    assert compare(capsys, runs / "main", runs / "slower.json", "--fail-on", "worse")[0] == 1
    code, out, _ = compare(capsys, runs / "main", runs / "same.json", "--fail-on", "worse")
    assert code == 0 and "0 worse" in out


def test_markdown_for_a_pull_request(capsys, runs):
    code, out, _ = compare(capsys, runs / "main", runs / "slower.json", "--format", "markdown")
    assert code == 0 and out.startswith("## loadgate compare: ❌")
    table = [line for line in out.splitlines() if line.startswith("| GET /checkout")]
    assert table and table[0].endswith("| ❌ worse |")
    assert "- 1 request only in this run: GET /new" in out


def test_json_has_every_comparison_with_its_interval(capsys, runs):
    code, out, _ = compare(capsys, runs / "main" / "run-0" / "results.json", runs / "main" / "run-1",
                           runs / "slower.json", "--format", "json", "--confidence", "90%", "--threshold", "10%")
    doc = json.loads(out)
    assert code == 0 and doc["confidence"] == 0.9 and doc["threshold"] == 0.1 and len(doc["baseline"]) == 2
    assert sum(doc["summary"].values()) == len(doc["comparisons"]) == 18
    worst = doc["comparisons"][0]
    assert (worst["request"], worst["decision"]) == ("GET /checkout", "worse")
    assert worst["interval_pct"][0] > 10 and worst["interval_level"] < 1
    assert doc["only_in_current"] == ["GET /new"] and doc["only_in_baseline"] == []


def test_the_current_run_in_a_baseline_directory_is_not_its_own_baseline(capsys, runs):
    code, out, _ = compare(capsys, runs / "main", runs / "main" / "run-2" / "results.json")
    assert code == 0 and "2 baseline runs" in out
    assert "besides CURRENT" in one_line(capsys, runs / "main" / "run-2", runs / "main" / "run-2")


def test_markdown_is_bounded_for_a_pull_request_comment(capsys, runs, monkeypatch):
    monkeypatch.setattr("loadgate.compare.formats.MARKDOWN_ROWS", 2)
    _, out, _ = compare(capsys, runs / "main", runs / "slower.json", "--format", "markdown")
    assert out.count("| GET") + out.count("| all requests") <= 4
    assert "more (`--format json` has every one)" in out


def one_line(capsys, *argv) -> str:
    code, out, err = compare(capsys, *argv)
    assert (code, out, err.count("\n"), "Traceback" in err) == (2, "", 1, False), err
    return err


def test_unreadable_input_is_exit_2_in_one_line(capsys, runs, tmp_path):
    assert "results.json not found" in one_line(capsys, runs / "main", tmp_path / "nope.json")
    (tmp_path / "broken.json").write_text('{"slos": [')
    assert "not valid JSON" in one_line(capsys, runs / "main", tmp_path / "broken.json")
    (tmp_path / "nan.json").write_text('{"slos": [], "totals": {"p95_ms": NaN}}')
    assert "NaN" in one_line(capsys, tmp_path / "nan.json", runs / "same.json")
    os.mkfifo(tmp_path / "fifo.json")
    assert "named pipe (FIFO), not a regular file" in one_line(capsys, runs / "main", tmp_path / "fifo.json")
    (tmp_path / "empty").mkdir()
    assert "no loadgate results.json" in one_line(capsys, tmp_path / "empty", runs / "same.json")
    assert "directory with 3 runs" in one_line(capsys, runs / "same.json", runs / "main")
    assert "at least one baseline run" in one_line(capsys, runs / "same.json")
    (tmp_path / "error.json").write_text('{"verdict": "error", "slos": [], "totals": null, "error": "x"}')
    assert "ended in an error" in one_line(capsys, runs / "main", tmp_path / "error.json")
    assert "--confidence" in one_line(capsys, runs / "main", runs / "same.json", "--confidence", "120%")
    assert "--threshold" in one_line(capsys, runs / "main", runs / "same.json", "--threshold", "0")


def test_a_broken_run_read_by_a_second_process_is_the_same_one_line(capsys, runs, monkeypatch):
    """Many runs are read by loadgate and a forked child at once (judge/forked_reader.py); one
    that the child finds broken is the same one line, exit 2."""
    for i in range(3, 12):
        doc = json.loads((runs / "main" / "run-0" / "results.json").read_text())
        doc["totals"]["p99_ms"] = "slow" if i in (7, 10) else doc["totals"]["p99_ms"]
        (runs / "main" / f"run-{i}").mkdir()
        (runs / "main" / f"run-{i}" / "results.json").write_text(json.dumps(doc))
    alone = one_line(capsys, runs / "main", runs / "slower.json")
    monkeypatch.setattr(baseline, "FORK_BYTES", 0)
    assert one_line(capsys, runs / "main", runs / "slower.json") == alone
    assert "run-10/results.json: BASELINE: totals.p99_ms: expected a number" in alone  # first in order


def test_a_file_beyond_the_size_cap_is_refused_unread(capsys, runs, monkeypatch):
    monkeypatch.setattr(results_reader, "MAX_BYTES", 1000)
    assert "the limit is 1 kiB" in one_line(capsys, runs / "same.json", runs / "slower.json")


def test_request_names_cannot_steer_the_terminal_or_the_markdown(capsys, runs, tmp_path):
    doc = json.loads((runs / "slower.json").read_text())
    doc["requests"][1]["name"] = "/checkout\x1b[2J | <img src=x>"
    (tmp_path / "hostile.json").write_text(json.dumps(doc))
    _, out, _ = compare(capsys, runs / "main", tmp_path / "hostile.json")
    assert "\x1b" not in out and "\\x1b[2J" in out
    _, out, _ = compare(capsys, runs / "main", tmp_path / "hostile.json", "--format", "markdown")
    assert "<img" not in out and "\\|" in out


def test_compare_starts_no_blas_threads_and_leaves_the_environment(runs, monkeypatch, capsys):
    """numpy's and scipy's OpenBLAS threads spun on the core where a child reads runs; compare
    makes no BLAS call.  A process of its own counts its threads after the command."""
    code = ("import sys; from loadgate.cli import main; main(sys.argv[1:]); "
            "print(open('/proc/self/stat').read().rpartition(')')[2].split()[17], file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code, "compare", str(runs / "main"), str(runs / "slower.json")],
                          capture_output=True, text=True, timeout=60, check=True, env=env)
    assert done.stderr.split()[-1] == "1"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert compare(capsys, runs / "main", runs / "slower.json")[0] == 0
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")  # the user's own setting is kept
    assert compare(capsys, runs / "main", runs / "slower.json")[0] == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


def test_compare_imports_only_what_it_uses(runs):
    """A process of its own (as a user runs it): the configuration, the reports, the pipeline and
    pydantic stay unloaded (issue #22: their imports were a third of the command's time)."""
    code = ("import sys; from loadgate.cli import main; main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, "compare", str(runs / "main"), str(runs / "slower.json")],
                          capture_output=True, text=True, timeout=60, check=True)
    loaded = set(done.stderr.split())
    assert "loadgate.compare.changes" in loaded and "numpy" in loaded
    unused = ("pydantic", "pydantic_core", "loadgate.config", "loadgate.report", "loadgate.pipeline")
    assert loaded.isdisjoint(unused), sorted(loaded & set(unused))
