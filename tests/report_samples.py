"""A plan and verdicts with a timeline, as plain data, for the report tests."""

from __future__ import annotations

from pathlib import Path

from loadgate.evaluate import judge, unknown
from loadgate.model import Measurements, Objective, RequestFigures, RequestSelector, Timeline, Verdict, Window
from loadgate.plan import Plan

START = 1764000000.0
P95 = Objective(name="p95 latency <= 300 ms", sli="latency", unit="ms", max=300, warn=250,
                percentile=95, line=12)
P99 = Objective(name="p99 latency of GET /items <= 500 ms", sli="latency", unit="ms", max=500,
                percentile=99, request=RequestSelector("/items", "GET"), line=16)
ERRORS = Objective(name="error rate <= 1%", sli="error_rate", unit="%", max=0.01, line=20)
RPS = Objective(name="throughput >= 50/s", sli="throughput", unit="/s", min=50, line=22)
OBJECTIVES = (P95, P99, ERRORS, RPS)


def plan(report_dir: Path, name: str = "checkout <service>") -> Plan:
    return Plan(name=name, slo_path=Path("slo.yaml"), locustfile=Path("x.py"),
                host="http://user:secret@127.0.0.1:8080", users=20, spawn_rate=10, duration=30,
                warmup=5, workers=1, objectives=OBJECTIVES, report_dir=report_dir)


def timeline() -> Timeline:
    times = tuple(START + i for i in range(32))
    gap = (0, 1)  # nothing scraped yet in the first two steps
    series = {
        "p50_ms": tuple(None if i in gap else 20.0 + i % 3 for i in range(32)),
        "p95_ms": tuple(None if i in gap else 80.0 + 5 * (i % 4) for i in range(32)),
        "p99_ms": tuple(None if i in gap else 140.0 + 10 * (i % 5) for i in range(32)),
        "rps": tuple(None if i in gap else 60.0 + i % 7 for i in range(32)),
        "failures_per_s": tuple(None if i in gap else 0.5 * (i % 2) for i in range(32)),
        "users": tuple(None if i in gap else float(min(20, 2 * i)) for i in range(32)),
    }
    return Timeline(start=START, step=1.0, times=times, series=series)


def measurements(p95: float = 412.3, errors: float = 0.007, rps: float = 60.0,
                 with_timeline: bool = True) -> Measurements:
    items = RequestFigures("GET", "/items", 1000, 7, 40.0, 11.0, 28.0, p95, 480.2)
    checkout = RequestFigures("POST", "/checkout<x>", 234, 0, 9.36, 30.5, 60.25, 70.0, 99.9)
    totals = RequestFigures(None, None, 1234, 7, rps, 12.1, 30.2, 41.0, 88.3)
    values = {P95.name: p95, P99.name: 480.2, ERRORS.name: errors, RPS.name: rps}
    return Measurements(window=Window(START + 5, START + 30), totals=totals,
                        requests=(items, checkout), sli_values=values,
                        timeline=timeline() if with_timeline else None)


def breached(**kwargs) -> Verdict:
    return judge(OBJECTIVES, measurements(**kwargs))


def passed_with_warning() -> Verdict:
    return judge(OBJECTIVES, measurements(p95=260.0, errors=0.001))


def failed_infrastructure() -> Verdict:
    return unknown(OBJECTIVES, "Prometheus died:\n<exit 1>")
