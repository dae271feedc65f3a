"""The console summary: an aligned SLO table and the verdict, coloured on a terminal only."""

import dataclasses
import io
import re

from loadgate.report import console
from tests.helpers import breached, failed_infrastructure, passed_with_warning

ANSI = re.compile(r"\033\[[0-9;]*m")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def shown(verdict, out, monkeypatch, **env) -> str:
    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    console.show(verdict, out)
    return out.getvalue()


def test_plain_when_not_a_terminal(monkeypatch):
    text = shown(breached(), io.StringIO(), monkeypatch)
    assert not ANSI.search(text)
    lines = text.splitlines()
    assert lines[0].split() == ["SLO", "measured", "threshold", "status"]
    status_column = lines[0].index("status")
    assert [line[status_column:] for line in lines[1:5]] == ["FAIL", "PASS", "PASS", "PASS"]
    assert lines[1].startswith("p95 latency <= 300 ms") and "412.3 ms" in lines[1]
    assert "1234 requests, 7 failures, 60.0 req/s, p95 41.0 ms over a 25.0 s window" in text
    assert "fail: p95 latency 412.3 ms > 300 ms" in text
    assert lines[-1] == "loadgate: FAILED: SLO breached"


def test_coloured_on_a_terminal(monkeypatch):
    text = shown(breached(), Terminal(), monkeypatch)
    assert "\033[31mFAIL\033[0m" in text and "\033[32mPASS\033[0m" in text
    assert text.rstrip().endswith("\033[31mloadgate: FAILED: SLO breached\033[0m")
    plain = ANSI.sub("", text)
    assert plain == console.render(breached(), colour=False) + "\n"  # same table, only coloured


def test_no_color_and_dumb_terminals_get_plain_text(monkeypatch):
    assert not ANSI.search(shown(breached(), Terminal(), monkeypatch, NO_COLOR="1"))
    assert not ANSI.search(shown(breached(), Terminal(), monkeypatch, TERM="dumb"))


def test_warning_and_error_verdicts():
    warn = console.render(passed_with_warning(), colour=True)
    assert "\033[33mWARN\033[0m" in warn and "loadgate: PASSED: every SLO met" in warn
    error = console.render(failed_infrastructure(), colour=False)
    assert "error: prometheus died during the load (exit code 1)." in error
    assert error.endswith("ERROR: infrastructure failure, verdict unknown")
    assert error.splitlines()[1].split()[-1] == "ERROR" and " - " in error.splitlines()[1]


def test_the_failed_process_tail_is_indented_as_the_cli_prints_errors():
    lines = console.render(failed_infrastructure(), colour=False).splitlines()
    at = lines.index("error: prometheus died during the load (exit code 1).")
    assert lines[at + 1:at + 3] == [
        "  | prometheus printed:",
        '  | ts=2026-12-04T17:00:00Z level=error msg="opening storage failed" err="<no space left>"']


def test_control_characters_in_names_cannot_drive_the_terminal():
    from tests.helpers import error_rate, judge, measurements

    odd = error_rate(0.01, name="errors of GET /a\x1b[2J\nb")
    verdict = judge([odd], dataclasses.replace(measurements(), sli_values={odd.name: 0.5}))
    text = console.render(verdict, colour=False)
    assert "\x1b" not in text and "errors of GET /a\\x1b[2J\\nb" in text
