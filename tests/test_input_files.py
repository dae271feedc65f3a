"""Every file loadgate reads is a regular file read with a cap: a FIFO, a device, a directory or an
endless stream is exit 2 with one line within seconds, wherever it is given."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from loadgate import input_files
from loadgate.errors import ConfigError
from tests.cli.test_cli import SLO
from tests.helpers import LOCUSTFILE


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make, kind", [
    (lambda tmp: tmp / "pipe", "a named pipe (FIFO)"),
    (lambda tmp: "/dev/zero", "a character device"),
    (lambda tmp: tmp, "a directory"),
])
def test_what_is_not_a_regular_file_is_named(tmp_path, make, kind):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ConfigError, match=f"the SLO file is {re.escape(kind)}, not a regular file"):
        input_files.read_text(make(tmp_path), "SLO file", 1024)


def test_a_file_above_the_cap_is_refused_and_one_at_it_is_read(write):
    path = write("big.txt", "x" * 2048)
    assert input_files.read_text(path, "thing", 2048) == "x" * 2048
    with pytest.raises(ConfigError, match=r"big.txt: the thing is 2 kiB; the limit is 1 kiB"):
        input_files.read_text(path, "thing", 1024)


def test_missing_and_not_utf8_files_name_the_file_and_key(write, tmp_path):
    with pytest.raises(ConfigError, match=r"nope: --baseline: baseline not found \(give one\)"):
        input_files.read_text(tmp_path / "nope", "baseline", 10, key="--baseline", missing="give one")
    (tmp_path / "latin").write_bytes(b"caf\xe9")
    with pytest.raises(ConfigError, match="the baseline is not UTF-8 text"):
        input_files.read_text(tmp_path / "latin", "baseline", 10)


def loadgate(*argv: str, cwd=None) -> subprocess.CompletedProcess:
    """The real command line in a process of its own: a hang is a timeout, not a stuck suite."""
    return subprocess.run([sys.executable, "-m", "loadgate", *argv], capture_output=True, text=True, check=False,
                          timeout=30, cwd=cwd)


def test_a_fifo_or_device_anywhere_is_exit_2_in_one_line(write, tmp_path, fifo):
    slo, lf = write("slo.yaml", SLO), write("lf.py", LOCUSTFILE)
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "stream.json").symlink_to("/dev/zero")
    cases = [
        (["validate", "--slo", str(fifo), "-f", str(lf)], "the SLO file is a named pipe (FIFO)"),
        (["validate", "--slo", "/dev/zero", "-f", str(lf)], "the SLO file is a character device"),
        (["validate", "--slo", str(slo), "-f", str(fifo)], "the locustfile is a named pipe (FIFO)"),
        (["run", "--slo", str(slo), "-f", str(lf), "--baseline", str(fifo)],
         "--baseline: the baseline is a named pipe (FIFO)"),
        (["run", "--slo", str(slo), "-f", str(lf), "--baseline", str(folder)],
         "no loadgate results.json in this directory"),
    ]
    for argv, words in cases:
        done = loadgate(*argv, "--report-dir", str(tmp_path / "r")) if argv[0] == "run" \
            else loadgate(*argv)
        assert (done.returncode, done.stderr.count("\n"), words in done.stderr) == (2, 1, True), \
            (argv, done.stderr)


def test_a_baseline_folder_passes_over_a_fifo_and_reads_its_runs(tmp_path, fifo):
    from loadgate.judge.baseline import load

    folder = fifo.parent
    (folder / "run.json").write_text(json.dumps({"verdict": "pass", "slos": [], "totals": {
        "requests": 1, "failures": 0}}))
    assert [run.path for run in load([folder]).runs] == [str(folder / "run.json")]
