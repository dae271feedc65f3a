"""Credentials in the host URL never appear in argv (``ps``), logs at any verbosity or reports."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.helpers import LOCUSTFILE
from tests.integration.test_teardown import descendants

SECRET = "s3cr3t-pw"


def test_no_credential_in_argv_logs_or_reports(tmp_path, demo):
    host = demo.replace("http://", f"http://alice:{SECRET}@")
    (tmp_path / "lf.py").write_text(LOCUSTFILE)
    (tmp_path / "slo.yaml").write_text(
        f"version: 1\ntarget: {{host: '{host}'}}\nload: {{users: 2, duration: 4s, workers: 2}}\n"
        "slos: [{sli: error_rate, max: 100%}]\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "loadgate", "run", "-vv", "--slo", "slo.yaml", "-f", "lf.py",
         "--report-dir", "reports"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)})
    argvs, deadline = [], time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        argvs += list(descendants(process.pid).values())
        time.sleep(0.2)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert sum("--worker" in a for a in argvs) and sum("--master" in a for a in argvs)  # seen
    assert not [a for a in argvs if SECRET in a]
    assert b"starting locust master" in err  # -vv logged the argv
    assert SECRET.encode() not in out + err
    for report in (tmp_path / "reports").iterdir():
        assert SECRET not in report.read_text(), report.name
