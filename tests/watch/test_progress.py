"""Live progress: a rewritten line on a terminal, bounded plain lines elsewhere, never a crash."""

import io
import re

from urllib3.util.retry import Retry

from loadgate.measure.reader import Reader
from loadgate.stack.processes import free_port
from loadgate.watch import progress
from loadgate.watch.progress import Live, Progress, describe, sample

FIGURES = Live(users=20, rps=123.456, p95_ms=87.6, requests=1000, failures=25)
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # anything but \n


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def drive(out, seconds: float, sampler=lambda: FIGURES, total: float = 30.0) -> tuple[Progress, int]:
    """Call the watch every 0.1 s of a fake clock, as run_load does; count the samples taken."""
    calls = []

    def counting():
        calls.append(1)
        return sampler()

    clock = Clock()
    watch = Progress(total, counting, out, clock)
    for tick in range(int(seconds * 10)):
        clock.now = tick / 10
        watch(clock.now)
    watch.close()
    return watch, len(calls)


def test_describe():
    assert describe(12.4, 30, FIGURES) == "12s/30s  users 20  123.5 req/s  p95 88 ms  failures 25 (2.5%)"
    assert describe(31, 30, Live()) == "30s/30s  stopping  users -  - req/s  p95 -  failures -"


def test_plain_output_is_one_line_every_five_seconds_without_control_characters():
    out = io.StringIO()
    _, samples = drive(out, 33)
    lines = out.getvalue().splitlines()
    assert len(lines) == 6 == samples  # at 5, 10, ... 30 s: queries only when a line is due
    assert lines[0] == "loadgate: 5s/30s  users 20  123.5 req/s  p95 88 ms  failures 25 (2.5%)"
    assert not CONTROL.search(out.getvalue())


def test_terminal_line_is_rewritten_at_most_once_a_second_and_cleared():
    out = Terminal()
    _, samples = drive(out, 10)
    text = out.getvalue()
    assert samples == 10 and text.count("\r") == 11  # one per second, plus the final clear
    assert "\n" not in text and text.endswith("\r\033[K")
    assert "\r[###.................] 5s/30s  users 20" in text


def test_failing_sampler_and_closed_stream_never_break_the_run():
    def broken():
        raise RuntimeError("prometheus went away")

    out = io.StringIO()
    drive(out, 6, sampler=broken)
    assert out.getvalue() == "loadgate: 5s/30s  users -  - req/s  p95 -  failures -\n"
    closed = Terminal()
    closed.close()
    drive(closed, 3)  # writes fail with ValueError: swallowed


def test_sample_from_an_unreachable_prometheus_is_empty():
    reader = Reader(f"http://127.0.0.1:{free_port()}", timeout=1, retry=Retry(total=0))
    assert sample(reader) == Live()


def test_quiet_gives_no_watch(tmp_path):
    import dataclasses

    from tests.helpers import plan

    with progress.live(dataclasses.replace(plan(tmp_path), quiet=True), "http://127.0.0.1:1") as watch:
        assert watch is None
    out = io.StringIO()
    with progress.live(plan(tmp_path), "http://127.0.0.1:1", out) as watch:
        assert isinstance(watch, Progress)
