"""Bad input: exit 2, one line naming the problem, no traceback, nothing started, within seconds."""

import time

import pytest

from loadgate.cli import main
from tests.helpers import LOCUSTFILE

SLO = ("version: 1\ntarget:\n  host: http://127.0.0.1:9\nload:\n  duration: 5s\nslos:\n"
       "  - sli: error_rate\n    max: 1%\n")


@pytest.fixture
def files(write):
    return write("slo.yaml", SLO), write("lf.py", LOCUSTFILE)


def run_bad(capsys, argv):
    started = time.monotonic()
    code = main(argv)
    err = capsys.readouterr().err
    assert time.monotonic() - started < 5
    return code, err


@pytest.mark.parametrize("command", ["run", "validate"])
def test_nan_threshold_is_one_line_in_validate_and_run(capsys, files, command):
    slo, lf = files
    slo.write_text(SLO.replace("sli: error_rate\n    max: 1%", "sli: promql\n    query: up\n    min: .nan"))
    code, err = run_bad(capsys, [command, "--slo", str(slo), "-f", str(lf)])
    assert (code, err.count("\n"), "Traceback" in err) == (2, 1, False)


@pytest.mark.parametrize("slo_text, expected", [
    (SLO.replace("max: 1%", "max: 1%\n    colour: red"), "slo.yaml:9: slos[0].colour: unknown key"),
    (SLO.replace("max: 1%", "max: 1 furlong"), "slos[0].max: expected a rate"),
    (SLO.replace("sli: error_rate\n    max: 1%", "sli: latency\n    percentile: 100\n    max: 1s"), "percentile"),
    (SLO.replace("error_rate", "joy"), "unknown sli 'joy'"),
    ("version: 1\nslos: [\n", "invalid YAML"),
    ("", "the file is empty"),
    ("version: 1\ntarget: {host: 'http://x'}\nslos: []\n", "slos: List should have at least 1 item"),
    (SLO.replace("http://127.0.0.1:9", "127.0.0.1:9"), "host: the host needs a scheme"),
    (SLO.replace("sli: error_rate\n    max: 1%", "sli: promql\n    query: up\n    min: .nan"),
     "slo.yaml:9: slos[0].min: expected a finite number"),
    (SLO.replace("duration: 5s", "duration: 5s\n  duration: 1s"), "duration: duplicate key"),
])
def test_broken_slo_file(capsys, write, files, slo_text, expected):
    slo, lf = files
    slo.write_text(slo_text)
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf)])
    assert code == 2
    assert err.startswith("loadgate: error: ") and expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("locustfile, expected", [
    (None, "locustfile not found"),
    ("from locust import task\nclass U(:\n", "lf.py:2: syntax error in the locustfile"),
])
def test_broken_locustfile(capsys, files, locustfile, expected):
    slo, lf = files
    if locustfile is None:
        lf.unlink()
    else:
        lf.write_text(locustfile)
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf)])
    assert (code, len(err.strip().splitlines())) == (2, 1) and expected in err


def test_missing_prometheus_binary(capsys, files):
    slo, lf = files
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf), "--prometheus-bin", "/nope/prometheus"])
    assert code == 2 and "apt-get install prometheus" in err


def test_debug_shows_the_traceback(capsys, files):
    slo, lf = files
    slo.write_text("")
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf), "--debug"])
    assert code == 2 and "Traceback" in err


def test_usage_error_is_2(capsys):
    assert main(["run", "--no-such-option"]) == 2
    assert main(["frobnicate"]) == 2


def test_validate_prints_the_plan(capsys, files):
    slo, lf = files
    assert main(["validate", "--slo", str(slo), "-f", str(lf)]) == 0
    out = capsys.readouterr().out
    assert "error rate <= 1%" in out and "http://127.0.0.1:9" in out
    slo.write_text("version: 1\n")
    assert main(["validate", "--slo", str(slo), "-f", str(lf)]) == 2


@pytest.mark.parametrize("report_dir, words", [
    ("file", "--report-dir: {tmp}/file is a file, not a directory"),
    ("/proc/loadgate-reports", "--report-dir: cannot write reports to /proc/loadgate-reports"),
])
def test_an_unusable_report_dir_is_refused_before_anything_starts(capsys, files, tmp_path,
                                                                   report_dir, words):
    (tmp_path / "file").write_text("x")
    path = report_dir if report_dir.startswith("/") else str(tmp_path / report_dir)
    slo, lf = files
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf), "--report-dir", path,
                                 "--prometheus-bin", "/nonexistent"])
    assert (code, err.count("\n")) == (2, 1)
    assert err.startswith(f"loadgate: error: {words.format(tmp=tmp_path)}")


def test_validate_takes_the_host_its_hint_names(capsys, write):
    slo = write("slo.yaml", SLO.replace("target:\n  host: http://127.0.0.1:9\n", ""))
    lf = write("lf.py", LOCUSTFILE)
    code, err = run_bad(capsys, ["validate", "--slo", str(slo), "-f", str(lf)])
    assert code == 2 and "-H" in err
    assert main(["validate", "--slo", str(slo), "-f", str(lf), "-H", "http://127.0.0.1:9", "-t", "7s"]) == 0
    assert "against http://127.0.0.1:9 for 7s" in capsys.readouterr().out
    code, err = run_bad(capsys, ["validate", "--slo", str(slo), "-f", str(lf), "-H", "http://h", "--workers", "0"])
    assert code == 2 and "or 0 with --remote-workers N" in err  # the hint names an option ...
    assert main(["validate", "--slo", str(slo), "-f", str(lf), "-H", "http://h", "--workers", "0",
                 "--remote-workers", "2"]) == 0  # ... validate takes
    assert "+ 2 remote worker(s)" in capsys.readouterr().out


def test_validate_reports_a_locustfile_whose_imports_fail(capsys, files):
    slo, lf = files
    lf.write_text("from locust import HttpUser\n\nimport no_such_module_here\n" + LOCUSTFILE)
    code, err = run_bad(capsys, ["validate", "--slo", str(slo), "-f", str(lf)])
    assert (code, err.count("\n")) == (2, 1), err
    assert f"{lf}:3: Locust cannot import the locustfile: ModuleNotFoundError: No module named " \
           "'no_such_module_here'" in err


@pytest.mark.parametrize("extra, own", [(["-f", "other.py"], "-f"), (["--locustfile=o.py"], "-f"),
                                        (["-t5s"], "-t"), (["--run-time", "5s"], "-t")])
def test_locust_options_loadgate_sets_are_refused_after_the_separator(capsys, files, extra, own):
    slo, lf = files
    code, err = run_bad(capsys, ["run", "--slo", str(slo), "-f", str(lf), "--", "--tags", "x", *extra])
    assert (code, err.count("\n")) == (2, 1), err
    assert f"is loadgate's to set; use loadgate's own {own}" in err


def test_an_ascii_only_console_shows_names_as_escapes(write):
    """Was a UnicodeEncodeError traceback from `validate` under LANG=C with PYTHONIOENCODING=ascii."""
    import os
    import subprocess
    import sys

    slo = write("slo.yaml", SLO.replace("max: 1%", 'max: 1%\n    name: "Fehlerquote ≤ 1 % für /bücher \\udcff"'))
    lf = write("lf.py", LOCUSTFILE)
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}
    done = subprocess.run([sys.executable, "-m", "loadgate", "validate", "--slo", str(slo), "-f", str(lf)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert "Fehlerquote \\u2264 1 % f\\xfcr /b\\xfccher \\udcff" in done.stdout
