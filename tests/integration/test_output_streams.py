"""A console that fails cannot change the verdict: stdout to a closed pipe, to a full disk or
closed, stderr closed -- the run still exits with its verdict and writes its reports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import read_results
from tests.integration.conftest import RECORDING_LOCUSTFILE

pytestmark = pytest.mark.integration

SLO = ("version: 1\nname: streams\ntarget: {{host: '{host}'}}\nload: {{users: 2, spawn_rate: 2, "
       "duration: 3s}}\nslos: [{{sli: error_rate, max: {limit}}}]\n")


def start(tmp_path, host: str, limit: str, redirect: str = "", **streams) -> subprocess.Popen:
    (tmp_path / "slo.yaml").write_text(SLO.format(host=host, limit=limit))
    (tmp_path / "lf.py").write_text(RECORDING_LOCUSTFILE)
    argv = [sys.executable, "-m", "loadgate", "run", "-v", "--slo", str(tmp_path / "slo.yaml"),
            "-f", str(tmp_path / "lf.py"), "--report-dir", str(tmp_path / "reports")]
    if redirect:  # the shell closes a descriptor before loadgate starts, as `>&-` in a CI script
        argv = ["sh", "-c", f'exec "$@" {redirect}', "sh", *argv]
    return subprocess.Popen(argv, env={"RECORD_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                            **streams)


@pytest.mark.parametrize("case", ["closed pipe", "full disk", "stdout closed", "stderr closed"])
@pytest.mark.parametrize("limit, verdict", [("100%", 0), ("0%", 1)])
def test_a_failing_console_keeps_the_verdict_and_the_reports(tmp_path, demo, case, limit, verdict):
    if case == "closed pipe":
        process = start(tmp_path, demo, limit, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.close()  # the reader left, like `loadgate run | head -1`
    elif case == "full disk":
        with open("/dev/full", "w") as full:
            process = start(tmp_path, demo, limit, stdout=full, stderr=subprocess.PIPE)
    else:
        process = start(tmp_path, demo, limit, ">&-" if case == "stdout closed" else "2>&-",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.wait(60)
    err = process.stderr.read().decode()
    assert (process.returncode, "Traceback" in err) == (verdict, False), err
    assert read_results(tmp_path / "reports" / "results.json")["exit_code"] == verdict
    assert (tmp_path / "reports" / "junit.xml").stat().st_size > 0
