"""Prometheus exporter that runs *inside* the Locust processes.

loadgate passes this file to Locust as an extra locustfile (``-f scenario.py,exporter.py``);
loadgate's own process never imports it (importing locust monkey-patches the interpreter).
It depends only on locust, gevent and prometheus-client, so the docker image can copy it as is.

Where the numbers live
  Every process records each request into a local :class:`Tally` (bucket counts, request and
  failure counters by method, name and phase).  A worker ships its tally's *delta* to the master
  with every stats report (``report_to_master``, including the final one Locust sends on quit)
  and the master merges it: each request is counted once, in one place, whatever the number of
  workers.  The master (or the single standalone process) serves the merged tally.

Phases
  Requests made before the end of the warm-up are labelled ``phase="warmup"``, the rest
  ``phase="window"``; counters start at zero, so the evaluation window is read exactly from the
  ``window`` series at the last scrape, with no ``increase()`` extrapolation.

The last scrape
  On ``quitting`` the master sets ``loadgate_load_finished 1`` and keeps serving until Prometheus
  has scraped it at least once more (bounded wait), so Prometheus holds every request Locust
  measured; loadgate checks for that sample before it reads anything.

Why requests failed
  failure_reasons.py (loaded beside this file) counts failure reasons and the locustfile's own
  exceptions, ships them worker -> master the same way, and adds two counters to every scrape.

Configuration comes from environment variables set by loadgate:
  LOADGATE_EXPORTER_ADDR (default 127.0.0.1), LOADGATE_EXPORTER_PORT (default 9646),
  LOADGATE_WARMUP (seconds, default 0), LOADGATE_FINAL_SCRAPE_TIMEOUT (seconds, default 15),
  LOADGATE_RUN_ID (the run's id, a ``run_id`` label on every series; default ``adhoc``),
  LOADGATE_STOP_AFTER (seconds; set when the duration is not whole seconds, which -t cannot say),
  LOADGATE_STOP_FILE (a path: once it exists, loadgate is tearing down and the final-scrape wait
  ends at once).
Workers on other hosts (``loadgate worker``) greet the master with their versions; the master
checks them and keeps the roster of its workers (roster.py and worker_link.py, loaded like
redaction.py).
"""

from __future__ import annotations

import bisect
import importlib.util
import logging
import math
import os
import time
from pathlib import Path

import gevent
from gevent.pywsgi import WSGIServer
from locust import __version__ as LOCUST_VERSION
from locust import events
from locust.runners import MasterRunner, WorkerRunner
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
)

log = logging.getLogger("loadgate.exporter")

# Bucket layout, chosen on purpose: upper bounds grow geometrically by 1 % from 0.1 ms to 60 s
# (1338 buckets + Inf).  histogram_quantile interpolates linearly inside the bucket that holds the
# percentile, so its error is bounded by that bucket's relative width: with 1 % buckets a
# percentile stays within 1 % of the exact one even in a sparse tail (p99 of a 1 500-request run).
# 3 % buckets were measured up to 2.5 % off there; 5 % (the first experiment) only looked good on
# dense data.  Cost: ~1 ms per scrape per 1 300 series (the renderer below); Prometheus stores the
# constant upper buckets almost for free.  Requests slower than 60 s land in +Inf.
BUCKET_START_S = 0.0001
BUCKET_GROWTH = 1.01
BUCKET_END_S = 60.0
BOUNDS = tuple(
    BUCKET_START_S * BUCKET_GROWTH**i
    for i in range(int(math.log(BUCKET_END_S / BUCKET_START_S, BUCKET_GROWTH)) + 2)
)
BOUND_LABELS = tuple(repr(float(f"{b:.6g}")) for b in BOUNDS) + ("+Inf",)

def _load_sibling(name: str):
    """A module of loadgate's that sits beside this file (Locust loads this file by path, and the
    docker image copies it without loadgate installed: the sibling comes along)."""
    spec = importlib.util.spec_from_file_location(f"loadgate_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


redact_name = _load_sibling("redaction").redact_name
roster = _load_sibling("roster")
link = _load_sibling("worker_link")
failure_reasons = _load_sibling("failure_reasons")


class Tally:
    """Request figures by (method, name, phase): bucket counts, sum, requests, failures."""

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, str], list] = {}

    def observe(self, key: tuple[str, str, str], seconds: float, failed: bool) -> None:
        entry = self.series.get(key)
        if entry is None:
            entry = self.series[key] = [[0] * (len(BOUNDS) + 1), 0.0, 0, 0]
        entry[0][bisect.bisect_left(BOUNDS, seconds)] += 1
        entry[1] += seconds
        entry[2] += 1
        if failed:
            entry[3] += 1

    def take(self) -> list:
        """Return the figures as plain, sparse data and start again from zero."""
        shipped = [
            [list(key), {i: n for i, n in enumerate(buckets) if n}, total, count, failures]
            for key, (buckets, total, count, failures) in self.series.items()
        ]
        self.series = {}
        return shipped

    def merge(self, shipped: list) -> None:
        for key, buckets, total, count, failures in shipped:
            entry = self.series.setdefault(tuple(key), [[0] * (len(BOUNDS) + 1), 0.0, 0, 0])
            for index, n in buckets.items():
                entry[0][int(index)] += n
            entry[1] += total
            entry[2] += count
            entry[3] += failures


HISTOGRAM = "loadgate_request_duration_seconds"
HISTOGRAM_HEAD = (
    f"# HELP {HISTOGRAM} Response time of every request Locust measured, failed ones included\n"
    f"# TYPE {HISTOGRAM} histogram\n"
)


RUN_ID = os.environ.get("LOADGATE_RUN_ID", "") or "adhoc"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_histogram(tally: Tally) -> str:
    """The latency histogram in the text exposition format.

    prometheus-client's generic rendering took ~34 ms per scrape for six series of 476 buckets,
    CPU taken from the Locust process that generates the load; rendering the bucket lines from a
    cached per-series prefix takes well under 1 ms.  Everything else goes through prometheus-client.
    """
    parts = [HISTOGRAM_HEAD]
    for (method, name, phase), (buckets, total, count, _failures) in list(tally.series.items()):
        labels = (f'method="{_label(method)}",name="{_label(name)}",phase="{_label(phase)}",'
                  f'run_id="{_label(RUN_ID)}"')
        prefix = f"{HISTOGRAM}_bucket{{{labels},le="
        running = 0
        for label, n in zip(BOUND_LABELS, buckets):
            running += n
            parts.append(f'{prefix}"{label}"}} {running}\n')
        parts.append(f"{HISTOGRAM}_sum{{{labels}}} {total!r}\n{HISTOGRAM}_count{{{labels}}} {count}\n")
    return "".join(parts)


class Exporter:
    """State of one Locust process; serves Prometheus metrics on the master or standalone."""

    def __init__(self, environment) -> None:
        self.environment = environment
        self.tally = Tally()
        self.warmup = float(os.environ.get("LOADGATE_WARMUP", "0") or 0)
        self.window_start: float | None = None
        self.load_start: float | None = None
        self.load_end: float | None = None
        self.finished = False
        self.final_scrapes = 0  # scrapes sent that carried the final figures
        self.keys: dict[tuple, tuple[str, str, str]] = {}
        self.locust_requests = 0
        self.blocked = (0.0, 0.0)  # the event loop's longest block in a process running users: s, end
        self.watching_loop = None
        self.reasons = failure_reasons.install(environment, self.key)

    def phase(self) -> str:
        if self.window_start is None:
            return "warmup" if self.warmup > 0 else "window"
        return "window" if time.time() >= self.window_start else "warmup"

    def key(self, request_type, name) -> tuple[str, str, str]:
        """The (method, name, phase) labels of a request; names are cleaned once, not per request."""
        raw = (request_type, name, self.phase())
        key = self.keys.get(raw)
        if key is None:
            key = self.keys[raw] = (str(request_type), redact_name(str(name)), raw[2])
        return key

    def on_request(self, request_type, name, response_time, exception=None, **_kw) -> None:
        self.tally.observe(self.key(request_type, name), max(float(response_time or 0), 0.0) / 1000.0,
                           exception is not None)

    def collect(self):
        yield from self._request_families()
        runner = self.environment.runner
        yield _gauge("loadgate_users", "Locust users running", runner.user_count if runner else 0)
        yield _gauge("loadgate_workers", "Locust worker processes connected",
                     len(runner.clients) if isinstance(runner, MasterRunner) else 1)
        yield from self._run_families()
        yield from self.reasons.families({"run_id": RUN_ID})

    def _request_families(self):
        reqs = CounterMetricFamily(
            "loadgate_requests", "Requests Locust measured", labels=["method", "name", "phase", "run_id"]
        )
        fails = CounterMetricFamily(
            "loadgate_request_failures", "Failed requests", labels=["method", "name", "phase", "run_id"]
        )
        for key, (_buckets, _total, count, failures) in list(self.tally.series.items()):
            reqs.add_metric([*key, RUN_ID], count)
            fails.add_metric([*key, RUN_ID], failures)
        return reqs, fails

    def _run_families(self):
        for name, doc, value in (
            ("loadgate_load_start_timestamp_seconds", "When the load started", self.load_start),
            ("loadgate_window_start_timestamp_seconds", "End of the warm-up", self.window_start),
            ("loadgate_load_end_timestamp_seconds", "When the load stopped", self.load_end),
        ):
            if value is not None:
                yield _gauge(name, doc, value)
        if self.blocked[0] > 0:
            yield _gauge("loadgate_event_loop_blocked_seconds", "Longest time a process running users "
                         "could not switch greenlets (a task blocking the event loop)", self.blocked[0])
            yield _gauge("loadgate_event_loop_blocked_end_timestamp_seconds",
                         "When that longest block ended", self.blocked[1])
        yield _gauge("loadgate_load_finished", "1 once every request is counted", int(self.finished))
        yield _gauge("loadgate_locust_requests",
                     "Requests in Locust's own statistics at the end, to check that nothing was lost",
                     self.locust_requests)

    def describe(self):
        return []

    def serve(self) -> None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)

        def counting_app(environ, start_response):
            final = self.finished  # the body below is generated without yielding
            body = generate_latest(registry) + render_histogram(self.tally).encode()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return _Scrape(body, self, final)

        addr = os.environ.get("LOADGATE_EXPORTER_ADDR", "127.0.0.1")
        port = int(os.environ.get("LOADGATE_EXPORTER_PORT", "9646"))
        server = WSGIServer((addr, port), counting_app, log=None, error_log=log)
        server.start()
        log.info("loadgate exporter serving on %s:%s", addr, port)

    def wait_for_final_scrape(self) -> None:
        """Keep serving until a scrape of the final figures has been sent (bounded wait)."""
        timeout = float(os.environ.get("LOADGATE_FINAL_SCRAPE_TIMEOUT", "15"))
        deadline = time.monotonic() + timeout
        stop_file = os.environ.get("LOADGATE_STOP_FILE")  # loadgate creates it when tearing down
        while not self.final_scrapes and time.monotonic() < deadline:
            if stop_file and (os.path.exists(stop_file) or os.getppid() != _PARENT):
                return  # torn down, or loadgate is gone (kill -9): nobody reads the final figures
            gevent.sleep(0.005)
        if not self.final_scrapes:
            log.warning("loadgate exporter: no final scrape within %.0f s", timeout)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, doc, labels=["run_id"])
    gauge.add_metric([RUN_ID], value)
    return gauge


class _Scrape(list):
    """A scrape's WSGI body: the server calls close() once it has written the whole response."""

    def __init__(self, body: bytes, exporter: Exporter, final: bool) -> None:
        super().__init__([body])
        self.exporter, self.final = exporter, final

    def close(self) -> None:
        self.exporter.final_scrapes += self.final


_exporter: Exporter | None = None
_roll = None  # the master's roster of its workers
_PARENT = os.getppid()  # loadgate, in the local stack


@events.init.add_listener
def _on_init(environment, **_kw) -> None:
    global _exporter, _roll
    _exporter = exporter = Exporter(environment)
    environment.events.request.add_listener(exporter.on_request)
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message("loadgate_window", _on_window_message)
        environment.events.report_to_master.add_listener(_ship_to_master)
        link.attach_worker(runner, roster, LOCUST_VERSION)
        return
    if isinstance(runner, MasterRunner):
        _roll = roster.Roll(os.environ.get("LOADGATE_ROSTER_FILE"), LOCUST_VERSION)
        link.attach_master(runner, _roll, exporter)
        environment.events.worker_report.add_listener(_merge_from_worker)
    exporter.serve()


def _on_window_message(environment, msg, **_kw) -> None:
    _exporter.window_start = float(msg.data)


def _ship_to_master(client_id, data, **_kw) -> None:
    data["loadgate"] = _exporter.tally.take()
    data["loadgate_blocked"] = list(_exporter.blocked)


def _merge_from_worker(client_id, data, **_kw) -> None:
    _roll.reported(client_id, data)
    _exporter.tally.merge(data.get("loadgate", []))
    _exporter.blocked = max(_exporter.blocked, tuple(data.get("loadgate_blocked") or (0.0, 0.0)))


def _watch_event_loop(tick: float = 0.1) -> None:
    """How late a short sleep wakes up is how long the event loop was blocked (by a task doing
    blocking I/O or CPU work): the longest such block is kept, with when it ended."""
    while True:
        before = time.monotonic()
        gevent.sleep(tick)
        late = time.monotonic() - before - tick
        if late > _exporter.blocked[0]:
            _exporter.blocked = (late, time.time())


@events.test_start.add_listener
def _on_test_start(environment, **_kw) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner) and not _exporter.watching_loop:
        _exporter.watching_loop = gevent.spawn(_watch_event_loop)  # where the users run
    if isinstance(runner, WorkerRunner) or _exporter.load_start is not None:
        return
    _exporter.load_start = time.time()
    _exporter.window_start = _exporter.load_start + _exporter.warmup
    if isinstance(runner, MasterRunner):
        runner.send_message("loadgate_window", _exporter.window_start)
    stop_after = os.environ.get("LOADGATE_STOP_AFTER")
    if stop_after:  # Locust's -t takes whole seconds: a fractional duration ends here, as -t would
        gevent.spawn_later(float(stop_after), runner.quit)


@events.test_stop.add_listener
def _on_test_stop(environment, **_kw) -> None:
    if not isinstance(environment.runner, WorkerRunner) and _exporter.load_end is None:
        _exporter.load_end = time.time()


@events.quitting.add_listener
def _on_quitting(environment, **_kw) -> None:
    if isinstance(environment.runner, WorkerRunner) or _exporter.load_start is None:
        return
    if _exporter.load_end is None:
        _exporter.load_end = time.time()
    _exporter.locust_requests = environment.stats.total.num_requests
    _exporter.finished = True
    _exporter.wait_for_final_scrape()
