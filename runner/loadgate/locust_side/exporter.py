"""Prometheus exporter that runs *inside* the Locust processes.

Locust imports it through the thin entry file loadgate hands it as an extra locustfile
(``-f scenario.py,.../locust_side/loadgate_entry.py``); loadgate's own process never imports it
(importing locust monkey-patches the interpreter).  It depends on locust and gevent, the modules of
this package, and two pure helpers of loadgate's (redaction.py, printable.py).

Where the numbers live
  Every process records each request into a local tally (tally.py: native histogram buckets,
  request and failure counters by method, name and phase, and every request together by phase).
  A worker ships its tally's *delta* to the master with every stats report
  (``report_to_master``, including the final one Locust sends on quit) and the master merges it:
  each request is counted once, in one place, whatever the number of workers.  The master (or
  the single standalone process) serves the merged tally.

Phases
  Requests made before the end of the warm-up are labelled ``phase="warmup"``, the rest
  ``phase="window"``; counters start at zero, so the evaluation window is read exactly from the
  ``window`` series at the last scrape, with no ``increase()`` extrapolation.

The latency histogram
  Native, schema 8, populated buckets only: tally.py counts it and says what was measured
  against the alternatives; protobuf_exposition.py serves it.

The last scrape
  On ``quitting`` the master sets ``loadgate_load_finished 1`` and keeps serving until Prometheus
  has scraped it at least once more (bounded wait), so Prometheus holds every request Locust
  measured; loadgate checks for that sample before it reads anything.  Only a request carrying
  ``X-Prometheus-Scrape-Timeout-Seconds`` (Prometheus sends it with every scrape) counts: loadgate's
  own readiness probe once answered a load stopped 0.1 s in (``sys.exit()`` in a task) before
  Prometheus' first scrape, and Locust quit with its figures never scraped.

Why requests failed
  failure_reasons.py counts failure reasons and the locustfile's own
  exceptions, ships them worker -> master the same way, and adds two counters to every scrape.

Configuration comes from environment variables set by loadgate (settings.py parses them):
  LOADGATE_EXPORTER_ADDR (default 127.0.0.1), LOADGATE_EXPORTER_PORT (default 9646),
  LOADGATE_WARMUP (seconds, default 0), LOADGATE_FINAL_SCRAPE_TIMEOUT (seconds, default 15),
  LOADGATE_RUN_ID (the run's id, a ``run_id`` label on every series; default ``adhoc``),
  LOADGATE_STOP_AFTER (seconds: the duration; the exporter ends the load then where -t cannot:
  a fractional duration, or a LoadTestShape -- listeners.py),
  LOADGATE_STOP_FILE (a path: once it exists, loadgate is tearing down and the final-scrape wait
  ends at once).
Workers on other hosts (``loadgate worker``) greet the master with their versions; the master
checks them and keeps the roster of its workers (roster.py and worker_link.py).
"""

from __future__ import annotations

import logging
import os
import time

import gevent
from gevent.pywsgi import WSGIServer
from locust import __version__ as LOCUST_VERSION
from locust import events
from locust.runners import MasterRunner, WorkerRunner

from loadgate.locust_side import event_loop, failure_reasons, listeners, roster, scrape, settings, tally
from loadgate.locust_side import protobuf_exposition as protobuf
from loadgate.locust_side import worker_link as link
from loadgate.locust_side.settings import RUN_ID
from loadgate.printable import valid
from loadgate.redaction import redact_name

log = logging.getLogger("loadgate.exporter")

HISTOGRAM = "loadgate_request_duration_seconds"
ALL_HISTOGRAM = "loadgate_all_requests_duration_seconds"  # every request together, by phase


class Exporter:
    """State of one Locust process; serves Prometheus metrics on the master or standalone."""

    def __init__(self, environment) -> None:
        self.environment = environment
        self.tally = tally.Tally(together=not isinstance(environment.runner, WorkerRunner))
        self.encoder = protobuf.Encoder(HISTOGRAM, ALL_HISTOGRAM, RUN_ID, tally.SCHEMA, tally.ZERO_THRESHOLD)
        self.warmup = settings.seconds("LOADGATE_WARMUP", 0.0)
        self.window_start: float | None = None
        self.load_start: float | None = None
        self.load_end: float | None = None
        self.start_handlers: float | None = None  # seconds test_start's listeners took
        self.finished = False
        self.final_scrapes = 0  # scrapes sent that carried the final figures
        self.keys: dict[tuple, tuple[str, str, str]] = {}
        self.locust_requests = 0
        self.blocked = (0.0, 0.0)  # the event loop's longest block in a process running users: s, end
        self.watching_loop = None
        self.loop_seen = float("inf")  # when the event-loop watcher last woke (monotonic s)
        self.reasons = failure_reasons.install(environment)

    def phase(self) -> str:
        if self.window_start is None:
            return "warmup" if self.warmup > 0 else "window"
        return "window" if time.time() >= self.window_start else "warmup"

    def key(self, request_type, name) -> tuple[str, str, str]:
        """The (method, name, phase) labels of a request; names are cleaned once, not per request."""
        raw = (request_type, name, self.phase())
        key = self.keys.get(raw)
        if key is None:
            key = self.keys[raw] = (valid(request_type), valid(redact_name(str(name))), raw[2])
        return key

    def on_request(self, request_type, name, response_time, exception=None, **_kw) -> None:
        key = self.key(request_type, name)
        self.tally.observe(key, max(float(response_time or 0), 0.0) / 1000.0, exception is not None)
        if exception is not None:
            self.reasons.add_failure(*key, failure_reasons.failure_reason(exception))

    def serve(self) -> None:
        def counting_app(environ, start_response):
            # the body below is generated without yielding; only a scraper's request (Prometheus
            # and its kin send this header) counts as the final scrape, not loadgate's own
            # readiness probe or a person with curl, whose answer never reaches Prometheus
            final = self.finished and scrape.from_scraper(environ)
            body, content_type = scrape.exposition(self, environ.get("HTTP_ACCEPT", ""))
            start_response("200 OK", [("Content-Type", content_type)])
            return scrape.Scrape(body, self, final)

        addr = os.environ.get("LOADGATE_EXPORTER_ADDR", "127.0.0.1")
        port = settings.port("LOADGATE_EXPORTER_PORT", 9646)
        server = WSGIServer((addr, port), counting_app, log=None, error_log=log)
        server.start()
        log.info("loadgate exporter serving on %s:%s", addr, port)

    def wait_for_final_scrape(self) -> None:
        """Keep serving until a scrape of the final figures has been sent (bounded wait)."""
        timeout = settings.seconds("LOADGATE_FINAL_SCRAPE_TIMEOUT", 15.0)
        deadline = time.monotonic() + timeout
        stop_file = os.environ.get("LOADGATE_STOP_FILE")  # loadgate creates it when tearing down
        while not self.final_scrapes and time.monotonic() < deadline:
            if stop_file and (os.path.exists(stop_file) or os.getppid() != _PARENT):
                return  # torn down, or loadgate is gone (kill -9): nobody reads the final figures
            gevent.sleep(0.005)
        if self.final_scrapes:
            log.info(listeners.FINAL_SCRAPED)
        else:
            log.warning("loadgate exporter: no final scrape within %.0f s", timeout)


_exporter: Exporter | None = None
_before_init: list[dict] = []


@events.request.add_listener
def _on_request_before_init(**kwargs) -> None:
    """A worker that joins a running load gets its spawn message (test_start, users, requests)
    while Locust is still between connecting and ``init``: keep those requests for the exporter."""
    if _exporter is None:
        _before_init.append(kwargs)
_roll = None  # the master's roster of its workers
_PARENT = os.getppid()  # loadgate, in the local stack


@events.init.add_listener
def _on_init(environment, **_kw) -> None:
    global _exporter, _roll
    _exporter = exporter = Exporter(environment)
    events.request.remove_listener(_on_request_before_init)  # one listener per request from now on
    listeners.run_first(environment.events.request, exporter.on_request)  # before the scenario's
    listeners.run_first(environment.events.test_start, _on_test_start)
    environment.events.test_start.add_listener(_after_test_start)  # after the scenario's
    for early in _before_init:  # a worker joining a running load may run users before init
        exporter.on_request(**early)
    _before_init.clear()
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message("loadgate_window", _on_window_message)
        environment.events.report_to_master.add_listener(_ship_to_master)
        link.attach_worker(runner, LOCUST_VERSION)
        return
    if isinstance(runner, MasterRunner):
        _roll = roster.Roll(os.environ.get("LOADGATE_ROSTER_FILE"), LOCUST_VERSION)
        link.attach_master(runner, _roll, exporter)
        environment.events.worker_report.add_listener(_merge_from_worker)
    if not listeners.init_failed():  # else Locust exits: loadgate shows the init hook's traceback
        exporter.serve()


def _on_window_message(environment, msg, **_kw) -> None:
    _exporter.window_start = float(msg.data)


def _ship_to_master(client_id, data, **_kw) -> None:
    data["loadgate"] = _exporter.tally.take()
    event_loop.note_unseen_block(_exporter)  # one the watcher has not woken up to yet
    data["loadgate_blocked"] = list(_exporter.blocked)


def _merge_from_worker(client_id, data, **_kw) -> None:
    _roll.reported(client_id, data)
    _exporter.tally.merge(data.get("loadgate", []))
    _exporter.blocked = max(_exporter.blocked, tuple(data.get("loadgate_blocked") or (0.0, 0.0)))


@events.test_start.add_listener
def _on_test_start(environment, **_kw) -> None:
    runner = environment.runner
    if _exporter is None:  # a worker joining a running load, before init: see _before_init
        return
    if not isinstance(runner, MasterRunner) and not _exporter.watching_loop:
        _exporter.watching_loop = gevent.spawn(event_loop.watch, _exporter)  # where the users run
    if isinstance(runner, WorkerRunner) or _exporter.load_start is not None:
        return
    _exporter.load_start = time.time()
    _exporter.window_start = _exporter.load_start + _exporter.warmup
    if isinstance(runner, MasterRunner):
        runner.send_message("loadgate_window", _exporter.window_start)
    listeners.stop_at(environment, settings.seconds("LOADGATE_STOP_AFTER", None))


def _after_test_start(environment, **_kw) -> None:
    """The last test_start listener: how long the scenario's own ones held the users back."""
    if _exporter is not None and _exporter.load_start is not None and _exporter.start_handlers is None \
            and not isinstance(environment.runner, WorkerRunner):
        _exporter.start_handlers = time.time() - _exporter.load_start


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
