"""``loadgate compare`` with its baseline runs read by two processes (judge/forked_reader.py):
the pinned output (tests/compare/test_pinned.py), byte for byte."""

import os

import pytest

from loadgate.judge import baseline, special
from tests.compare.test_pinned import FILES, PINNED, RUNS, output, write_history
from tests.helpers import new_children, processes


@pytest.mark.parametrize("args, expected", list(zip(RUNS, FILES)))
def test_the_output_with_a_child_reading_is_the_pinned_one(tmp_path, monkeypatch, capsys, args, expected):
    monkeypatch.chdir(tmp_path)
    write_history(tmp_path)
    monkeypatch.setattr(baseline, "FORK_BYTES", 0)  # a few small files: forked all the same
    imported, children, before = special.load, [], set(processes(os.getpid()))
    monkeypatch.setattr(special, "load", lambda: (children.extend(new_children(before)), imported()))
    assert output(tmp_path, args, capsys) == (PINNED / expected).read_text()
    assert len(children) == 1 and new_children(before) == []  # scipy imported while a child read
