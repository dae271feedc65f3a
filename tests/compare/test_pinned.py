"""loadgate compare's whole output on one fixed synthetic history, pinned (console, Markdown, JSON).

Written before compare was made faster (issue #22): any change in any figure, interval,
decision, order or wording fails here.  The input covers every kind of estimate and gap: a
request 1.3x slower, one faster, one unchanged, one without failures anywhere, one with failures
only now, one with two intervals now (too few), one missing from a baseline run, one with a null
interval and a shorter window, one on each side only, the totals slower, POST beside GET.
The expected files are the command's output before the change (regenerate only for a change
meant to alter the output: ``.venv/bin/python -m tests.compare.test_pinned``).
"""

import json
import random
from pathlib import Path

import pytest

from loadgate.cli import main
from tests.helpers import results_row

PINNED = Path(__file__).parent / "pinned"
RUNS = [(), ("--format", "markdown"), ("--format", "json", "--confidence", "90%", "--threshold", "10%")]
FILES = ("console.txt", "markdown.md", "json.json")


def row(rng, name, method="GET", **kw) -> dict:
    out = results_row(rng, name, **kw)
    out["method"] = method
    return out


def document(rng, start: float, now: bool) -> dict:
    def slower(factor: float) -> float:
        return factor if now else 1.0

    rows = [row(rng, "/slow", slower=slower(1.3)), row(rng, "/fast", ms=80, slower=slower(0.7)),
            row(rng, "/same", ms=20, sd=0.02, run_sd=0.005, slower=slower(1.01)),
            row(rng, "/clean", error_rate=0.0), row(rng, "/failing", error_rate=0.05 if now else 0.0),
            row(rng, "/short", intervals=2 if now else 20),
            row(rng, "/gappy", intervals=15, rho=0.6), row(rng, "/busy", error_rate=0.2 if now else 0.02),
            row(rng, "/orders", method="POST", ms=120, sd=0.2, slower=slower(1.1))]
    rows[6]["intervals"]["p95_ms"][3] = None
    rows.append(row(rng, "/new") if now else row(rng, "/old"))
    if not now and start % 120 == 60:
        del rows[1]  # /fast missing from every other baseline run
    totals = results_row(rng, None, ms=60, slower=slower(1.1))
    return {"run_id": f"run-{start:.0f}", "verdict": "pass", "exit_code": 0,
            "window": {"start": start, "end": start + 20}, "slos": [], "totals": totals, "requests": rows}


def write_history(folder: Path) -> None:
    rng = random.Random(22)
    (folder / "main").mkdir()
    for i in range(4):
        doc = document(rng, 1.7e9 + 60 * i, now=False)
        (folder / "main" / f"run-{i}.json").write_text(json.dumps(doc))
    (folder / "current.json").write_text(json.dumps(document(rng, 1.8e9, now=True)))


def output(folder: Path, args: tuple, capsys) -> str:
    assert main(["compare", "main", "current.json", *args]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.mark.parametrize("args, expected", list(zip(RUNS, FILES)))
def test_compare_output_is_what_it_was(tmp_path, monkeypatch, capsys, args, expected):
    monkeypatch.chdir(tmp_path)
    write_history(tmp_path)
    assert output(tmp_path, args, capsys) == (PINNED / expected).read_text()


if __name__ == "__main__":  # regenerate the expected files
    import contextlib
    import io
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        write_history(Path(tmp))
        for args, name in zip(RUNS, FILES):
            with contextlib.redirect_stdout(io.StringIO()) as text:
                main(["compare", "main", "current.json", *args])
            (PINNED / name).write_text(text.getvalue())
