"""What the tests share: one HTTP test target, objective factories, and sample verdicts."""

from __future__ import annotations

import json
import math
import os
import threading
import time
import urllib.request
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import jsonschema

from loadgate import results_format
from loadgate.config.plan import Plan
from loadgate.judge.verdict import judge, unknown
from loadgate.model import Measurements, Objective, RequestFigures, RequestSelector, Timeline, Verdict, Window

ROOT = Path(__file__).resolve().parents[1]  # the checkout
JUNIT_XSD = Path(__file__).parent / "data" / "junit-10.xsd"  # the schema Jenkins' xunit reads

# -- the test target ---------------------------------------------------------------------------

# ``answer(method, path, t)`` -> (delay seconds, HTTP status) for a request arriving ``t`` seconds
# after the first one.
Answer = Callable[[str, str, float], tuple[float, int]]


def always(status: int = 200, delay: float = 0.0) -> Answer:
    return lambda method, path, t: (delay, status)


class Target:
    """A small HTTP service on loopback whose latency and failures the test controls over time.

    ``/metrics`` serves Prometheus counters of the requests and 5xx answers it gave, for
    ``scrape:`` + ``promql`` objectives.  Use it as a context manager; the server stops on exit.
    """

    def __init__(self, answer: Answer | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.answer_for = answer or always()
        self.first: float | None = None
        self.requests = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self.target = f"{host}:{self.server.server_address[1]}"
        self.url = f"http://{self.target}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self) -> Target:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str) -> tuple[float, int]:
        with self.lock:
            now = time.monotonic()
            self.first = self.first if self.first is not None else now
            delay, status = self.answer_for(method, path, now - self.first)
            self.requests += 1
            self.errors += status >= 500
        return delay, status

    def metrics(self) -> bytes:
        return (f"# TYPE controlled_requests_total counter\ncontrolled_requests_total {self.requests}\n"
                f"# TYPE controlled_errors_total counter\ncontrolled_errors_total {self.errors}\n"
                ).encode()


def _handler(service: Target):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            if self.path == "/metrics":
                body, status = service.metrics(), 200
            else:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                delay, status = service.answer(self.command, self.path)
                time.sleep(delay)
                body = b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


def started(process, url: str, what: str, timeout: float = 10.0):
    """``process`` once ``url`` answers (bounded wait); killed, and RuntimeError, if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


# -- locustfiles -------------------------------------------------------------------------------

LOCUSTFILE = """
from locust import HttpUser, task

class U(HttpUser):
    @task
    def index(self):
        self.client.get("/")
"""


def locustfile(*requests: str, wait: tuple[float, float] = (0.02, 0.05)) -> str:
    """A Locust scenario sending each ``"METHOD /path"`` in turn, in every user."""
    calls = "\n".join(f"        self.client.request({r.split()[0]!r}, {r.split()[1]!r})"
                      for r in requests)
    return (f"from locust import HttpUser, between, task\n\n"
            f"class U(HttpUser):\n    wait_time = between{wait!r}\n\n"
            f"    @task\n    def all(self):\n{calls}\n")


# -- objectives --------------------------------------------------------------------------------

def _objective(sli: str, unit: str, name: str | None, request: str | None, **fields) -> Objective:
    selector = RequestSelector.parse(request) if request else None
    objective = Objective(name="", sli=sli, unit=unit, request=selector, **fields)
    if name is None:
        scope = f" of {request}" if request else ""
        name = f"{objective.sli_words}{scope} {objective.threshold}"
    return Objective(**{**objective.__dict__, "name": name})


def latency(percentile: float = 95, max: float = 300.0, *, name: str | None = None,
            request: str | None = None, **fields) -> Objective:
    """A latency objective, named as slo.yaml would name it unless ``name`` is given."""
    return _objective("latency", "ms", name, request, percentile=percentile, max=max, **fields)


def error_rate(max: float = 0.01, *, name: str | None = None, request: str | None = None,
               **fields) -> Objective:
    return _objective("error_rate", "%", name, request, max=max, **fields)


def throughput(min: float = 50.0, *, name: str | None = None, request: str | None = None,
               **fields) -> Objective:
    return _objective("throughput", "/s", name, request, min=min, **fields)


# -- sample plan, measurements and verdicts for the report tests -------------------------------

START = 1764000000.0
P95 = latency(95, 300, warn=250, line=12)
P99 = latency(99, 500, request="GET /items", line=16)
ERRORS = error_rate(0.01, line=20)
RPS = throughput(50, line=22)
OBJECTIVES = (P95, P99, ERRORS, RPS)


def plan(report_dir: Path, name: str = "checkout <service>", objectives=OBJECTIVES) -> Plan:
    return Plan(name=name, slo_path=Path("slo.yaml"), locustfile=Path("x.py"),
                host="http://user:secret@127.0.0.1:8080", users=20, spawn_rate=10, duration=30,
                warmup=5, workers=1, objectives=objectives, report_dir=report_dir)


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


# as stack/explain.py builds it: a sentence, then the lines that explain it
INFRA_ERROR = ("prometheus died during the load (exit code 1).\nprometheus printed:\n"
               'ts=2026-12-04T17:00:00Z level=error msg="opening storage failed" err="<no space left>"')


def failed_infrastructure() -> Verdict:
    return unknown(OBJECTIVES, INFRA_ERROR)


# -- results.json as loadgate writes it ------------------------------------------------------------

@cache
def results_validator() -> jsonschema.protocols.Validator:
    """The JSON Schema shipped in the package, checked itself once."""
    schema = results_format.schema()
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def check_results(document: dict) -> dict:
    """``document`` if it is a results.json as the shipped schema describes it; else fail naming
    the first wrong field."""
    error = jsonschema.exceptions.best_match(results_validator().iter_errors(document))
    if error is not None:
        raise AssertionError(f"results.json breaks {results_format.SCHEMA_FILE} at "
                             f"{error.json_path}: {error.message}")
    return document


def read_results(path: Path) -> dict:
    """A results.json that loadgate wrote (in this process or another), checked against its schema."""
    return check_results(json.loads(Path(path).read_text(encoding="utf-8")))


# -- synthetic results.json documents (loadgate compare, run history) ------------------------------

def results_row(rng, name: str | None, *, ms: float = 50.0, slower: float = 1.0, intervals: int = 20,
                run_sd: float = 0.02, sd: float = 0.08, rho: float = 0.3, error_rate: float = 0.01,
                rps: float = 100.0) -> dict:
    """One row of a results.json (totals, or a request with ``name``) with interval columns: each
    interval's latencies log-normal around ``ms x slower`` with AR(1) noise (``rho``), plus a
    level of this run's own (``run_sd``), as runs on a shared machine have."""
    level, noise, columns = math.exp(rng.gauss(0, run_sd)), 0.0, {}
    shifts = []
    for _ in range(intervals):
        noise = rho * noise + math.sqrt(1 - rho * rho) * rng.gauss(0, sd)
        shifts.append(math.exp(noise))
    requests = [max(int(rng.gauss(rps, rps ** 0.5)), 1) for _ in range(intervals)]
    failures = [sum(rng.random() < error_rate for _ in range(n)) for n in requests]
    for key, factor in (("p50_ms", 1.0), ("p90_ms", 1.7), ("p95_ms", 2.0), ("p99_ms", 3.0)):
        columns[key] = [round(ms * factor * slower * level * s * math.exp(rng.gauss(0, 0.03)), 3)
                        for s in shifts]
    columns.update(seconds=1.0, requests=requests, failures=failures,
                   rps=[n * math.exp(rng.gauss(0, 0.02)) / slower ** 0.5 for n in requests])
    middle = {key: sorted(columns[key])[intervals // 2] for key in ("p50_ms", "p90_ms", "p95_ms", "p99_ms")}
    row = {"requests": sum(requests), "failures": sum(failures), "rps": sum(columns["rps"]) / intervals,
           **middle, "intervals": columns}
    return row if name is None else {"method": "GET", "name": name, **row}


def results_document(rng, names=("/items", "/checkout"), start: float = 1.7e9, slower=None, **row) -> dict:
    """A results.json of a run that passed, with the totals and a row per name; ``slower`` maps a
    name (None: the totals) to how much slower it is in this run."""
    slower = slower or {}
    return {"run_id": f"run-{start:.0f}", "verdict": "pass", "exit_code": 0,
            "window": {"start": start, "end": start + 20}, "slos": [],
            "totals": results_row(rng, None, slower=slower.get(None, 1.0), **row),
            "requests": [results_row(rng, n, slower=slower.get(n, 1.0), **row) for n in names]}


# -- baseline comparisons: one objective against one baseline run of 10 intervals -------------

ITEMS_P95 = latency(95, 500, request="GET /items", max_regression=0.05, line=30)
STEADY = (0.97, 1.02, 0.99, 1.01, 1.0, 0.98, 1.03, 1.0, 0.99, 1.01)
NOISY = (0.7, 1.3, 0.8, 1.25, 1.0, 0.75, 1.35, 0.9, 1.1, 0.85)


def _columns(p95_ms: float, spread: tuple[float, ...]) -> dict:
    return {"seconds": 1.0, "start": list(range(10)), "requests": [100] * 10, "failures": [0] * 10,
            "rps": [100.0] * 10, "p95_ms": [p95_ms * x for x in spread]}


def compared(now_ms: float, spread: tuple[float, ...] = STEADY, baseline: bool = True,
             objectives=(ITEMS_P95, ERRORS)) -> Verdict:
    """ITEMS_P95 measured at ``now_ms`` against a 50 ms baseline run (``baseline=False``: no
    --baseline given): 70 ms regresses; 50 ms with a NOISY spread is inconclusive."""
    from loadgate.judge.baseline import Baseline, Run
    from loadgate.model import Intervals

    slo = {"name": ITEMS_P95.name, "sli": "latency", "measured": 50.0, "intervals": _columns(50.0, spread)}
    runs = Baseline((Run("main/results.json", (slo,), (), {}),), "main/results.json")
    now = Intervals(1.0, tuple(range(10)), (100,) * 10, (0,) * 10, (100.0,) * 10,
                    {"p95_ms": tuple(now_ms * x for x in reversed(spread))})
    items = RequestFigures("GET", "/items", 1000, 0, 100.0, 11.0, 28.0, now_ms, 80.0)
    figures = Measurements(window=Window(START + 5, START + 30), totals=items, requests=(items,),
                           sli_values={ITEMS_P95.name: now_ms, ERRORS.name: 0.0},
                           intervals={ITEMS_P95.name: now})
    return judge(objectives, figures, runs if baseline else None)


# -- processes ----------------------------------------------------------------------------------

def new_children(before: set[int]) -> list[int]:
    """This process's children (zombies too) that ``before`` (``set(processes(os.getpid()))``
    taken earlier) did not hold: in a whole test session, fixtures and earlier tests may have
    children of their own."""
    return sorted(set(processes(os.getpid())) - before)


def process_stat(pid: int | str) -> tuple[str, int, int] | None:
    """A process's state (``Z``: a zombie, ended and not reaped), parent and process group, from
    /proc; None once it is gone."""
    try:
        state, ppid, pgrp = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[:3]
    except OSError:  # ended meanwhile
        return None
    return state, int(ppid), int(pgrp)


def alive(pid: int) -> bool:
    """Running: neither gone nor a zombie."""
    stat = process_stat(pid)
    return stat is not None and stat[0] != "Z"


def processes(parent: int | None = None, group: int | None = None) -> list[int]:
    """The processes (from /proc) whose parent is ``parent`` (zombies too: a child not reaped) or
    that run in the process group ``group`` (zombies left out: they no longer run)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        if (stat := process_stat(entry.name)) is None:
            continue
        state, ppid, pgrp = stat
        if (parent is not None and ppid == parent) or (group is not None and pgrp == group and state != "Z"):
            found.append(int(entry.name))
    return found
