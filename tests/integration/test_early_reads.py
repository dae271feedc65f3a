"""The interval figures read while the load runs (watch/early_reads.py) are the figures one read
after the final scrape gives: a real run, measured again from its Prometheus afterwards."""

from __future__ import annotations

import threading
import time

import pytest

from loadgate.errors import InfraError
from loadgate.measure import intervals, stalls, timeline, window
from loadgate.measure.reader import Reader
from loadgate.measure.readings import Scrapes
from loadgate.report.json_report import columns
from loadgate.stack.processes import free_port

pytestmark = pytest.mark.integration

SLOS = "  - sli: throughput\n    min: 1/s\n"


@pytest.mark.parametrize("early_reads_fail", [False, True], ids=["read early", "early reads fail"])
def test_intervals_read_while_the_load_runs_are_those_read_at_the_end(gate, prometheus_for, monkeypatch,
                                                                      early_reads_fail):
    """Read while the load runs, or (every read then failing) all at the end: the same figures."""
    exporter = free_port()
    url = prometheus_for(exporter)  # outlives the run: its figures can be read again afterwards
    monkeypatch.setenv("LOADGATE_EXPORTER_PORT", str(exporter))
    reads: list[tuple[str, int]] = []
    real = intervals.read_range

    def watched(reader, text, instants, seconds):
        reads.append((threading.current_thread().name, len(instants)))
        if early_reads_fail and threading.current_thread().name == "early-reads":
            raise InfraError("Prometheus range query failed: (a test)")
        return real(reader, text, instants, seconds)

    monkeypatch.setattr(intervals, "read_range", watched)
    charted = watch_charts(monkeypatch, early_reads_fail)
    started = time.time()
    assert gate.run(SLOS, "--prometheus-url", url, "--run-id", "early",
                    load="users: 10\n  spawn_rate: 10\n  duration: 16s\n  warmup: 2s") == 0
    drawn, chart_reads = charted["timeline"], list(charted["points"])  # before the reads below
    early = [n for thread, n in reads if thread == "early-reads"]
    late = [n for thread, n in reads if thread != "early-reads"]
    assert early, "nothing was read while the load ran"
    if early_reads_fail:  # every end read after the final scrape
        assert sum(late) >= max(early) * 7
    else:
        assert sum(early) > sum(late), "most interval ends should be read before the load ended"

    results = gate.results()
    again = window.measure(url, [], run_id="early", since=started)  # everything read at the end
    assert results["totals"]["intervals"] == as_json(again.totals.intervals)
    by_name = {(r.method, r.name): r.intervals for r in again.requests}
    assert len(results["requests"]) >= 2 and all(r["intervals"] for r in results["requests"])
    for request in results["requests"]:
        assert request["intervals"] == as_json(by_name[(request["method"], request["name"])])
    scrapes_in_parts_are_scrapes_read_at_once(url, again.window)
    charts_in_parts_are_charts_read_at_once(url, again.window, drawn, chart_reads, early_reads_fail)


def watch_charts(monkeypatch, early_reads_fail: bool) -> dict:
    """Which thread read how many chart points, and the timeline the run drew."""
    charted: dict = {"points": [], "timeline": None}
    real_points, real_chart = timeline.read_points, timeline.chart

    def points(reader, readings, query, times, step):
        missing = readings.missing(query, times)
        charted["points"].append((threading.current_thread().name, len(missing)))
        if early_reads_fail and threading.current_thread().name == "early-reads":
            raise InfraError("Prometheus range query failed: (a test)")
        return real_points(reader, readings, query, times, step)

    def chart(*args):
        charted["timeline"] = real_chart(*args)
        return charted["timeline"]

    monkeypatch.setattr(timeline, "read_points", points)
    monkeypatch.setattr(timeline, "chart", chart)
    return charted


def charts_in_parts_are_charts_read_at_once(url: str, measured, drawn, chart_reads: list,
                                            early_reads_fail: bool) -> None:
    """The charts' points read while the load ran and the rest at the end are those one read of
    the whole load gives (up to the window's end: later, Prometheus marks the exporter's series
    stale), and most were read early."""
    early = sum(n for thread, n in chart_reads if thread == "early-reads")
    late = sum(n for thread, n in chart_reads if thread != "early-reads")
    whole = timeline.chart(url, measured, "early")
    if early_reads_fail:  # every point read after the final scrape
        assert late >= len(whole.times) * len(whole.series), chart_reads
    else:
        assert early > late, chart_reads
    assert drawn.times == whole.times and len(drawn.times) >= 16
    upto = sum(t <= measured.end for t in drawn.times)
    for key, values in drawn.series.items():
        assert values[:upto] == whole.series[key][:upto], key
        assert any(v is not None for v in values), key


def scrapes_in_parts_are_scrapes_read_at_once(url: str, measured) -> None:
    """stalls.py's raw samples read up to three scrapes in turn, then to the end: what one read
    gives (a sample on a part's edge is counted once)."""
    reader = Reader(url, run_id="early")
    reader.at = measured.end + 0.3
    whole = stalls.read_scrapes(reader, measured.start, Scrapes())
    stamps = sorted(whole.users)
    parts = Scrapes()
    for at in (stamps[len(stamps) // 4], stamps[len(stamps) // 2], stamps[-3], measured.end + 0.3):
        reader.at = at
        stalls.read_scrapes(reader, measured.start, parts)
    assert len(stamps) > 40 and parts.requests == whole.requests and parts.users == whole.users


def as_json(figures) -> dict:
    return columns(figures)
