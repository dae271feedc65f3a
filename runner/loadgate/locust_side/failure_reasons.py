"""Why requests failed, and where the locustfile's own code raised: counted inside Locust.

Imported by exporter.py, inside the Locust processes; loadgate's own process never imports it.
It keeps two bounded tallies and exports them as two counters:

- ``loadgate_request_failure_reasons_total{method, name, phase, reason}``: failed requests by
  Locust's error text, grouped as Locust groups it (``StatsError.parse_error``: the repr with
  object addresses masked; a ``CatchResponseError`` unwrapped to its message, as Locust's error
  report shows it).  At most REASONS_PER_REQUEST distinct texts per (method, name); later ones
  count as ``other``.  Credentials and query-string values are hidden, control characters escaped,
  texts cut at TEXT_LIMIT characters.
- ``loadgate_user_errors_total{type, message, location, effect}``: exceptions the locustfile raised
  (Locust's ``user_error`` event, fired for ``on_start`` and tasks), ``location`` the innermost
  ``file:line`` of the locustfile's own code; ``effect`` is ``stopped_user`` (``on_start``: Locust
  stops that user), ``continued`` (a task: Locust logs it and the user goes on) or
  ``stopped_load`` (``sys.exit()`` in a task).  At most USER_ERRORS distinct ones, then ``other``.

Cost (benchmarks/failure_reasons.py, this 2-core machine under other engineers' tests): cleaning
an error text (repr, address mask, redaction, escapes) took ~5.4 us per failed request, twice
Locust's own ``StatsError.create_key``; the texts are therefore cached by (type, args), which
costs ~0.5 us per failed request, a quarter of Locust's own (docs/benchmarks.md).  A request
that did not fail costs nothing here: the exporter's one request listener calls in only for
failures.

Workers ship both as deltas with each stats report, as the exporter ships its tally; the master
merges and serves them, so nothing is counted twice.

``sys.exit()`` in a task raises SystemExit, which gevent re-raises in Locust's main greenlet: the
process ends at once, before the last scrape, and nothing would be measured.  The hub's error
handler (gevent documents replacing ``handle_error`` on the hub instance) counts it instead and
stops the load the way ``--run-time`` does, so the figures reach Prometheus and the verdict can
say what happened.
"""

from __future__ import annotations

import logging
import os
import sysconfig
import traceback
from pathlib import Path

import gevent
from locust import User
from locust.exception import CatchResponseError
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import StatsError
from prometheus_client.core import CounterMetricFamily

from loadgate.printable import visible
from loadgate.redaction import redact_text

log = logging.getLogger("loadgate.exporter")

REASONS_PER_REQUEST = 10  # distinct failure texts per (method, name); the rest count as "other"
USER_ERRORS = 20  # distinct (type, message, location, effect); the rest count as "other"
TEXT_LIMIT = 300  # characters of an error text kept in a label
OTHER = "other"
_LIBRARIES = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")})


def clean(text: object) -> str:
    text = visible(redact_text(str(text)))
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


_TEXTS: dict = {}  # (type, args) -> text: most failures repeat the same few errors
_TEXTS_BOUND = 1000


def failure_reason(exception) -> str:
    """A failed request's error text, as Locust groups it and shows it in its error report."""
    try:
        key = (type(exception), exception.args)
        text = _TEXTS.get(key)
    except (AttributeError, TypeError):  # a plain string, or unhashable arguments
        key, text = None, None
    if text is None:
        text = _reason_text(exception)
        if key is not None:
            if len(_TEXTS) >= _TEXTS_BOUND:
                _TEXTS.clear()
            _TEXTS[key] = text
    return text


def _reason_text(exception) -> str:
    if isinstance(exception, CatchResponseError) and exception.args:
        return clean(StatsError.parse_error(str(exception.args[0])))
    return clean(StatsError.parse_error(exception))


def user_code_location(tb) -> str:
    """``file:line`` of the innermost frame that is the locustfile's own code (not Python's, an
    installed library's or Locust's), relative to the working directory when inside it."""
    frames = traceback.extract_tb(tb)
    own = [f for f in frames if not f.filename.startswith(_LIBRARIES) and not f.filename.startswith("<")
           and Path(f.filename).parent != Path(__file__).parent]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return "unknown"
    path = frame.filename
    if path.startswith(os.getcwd() + os.sep):
        path = os.path.relpath(path)
    return clean(f"{path}:{frame.lineno}")


class Reasons:
    """The two bounded tallies; ``take``/``merge`` move deltas from a worker to the master."""

    def __init__(self) -> None:
        self.failures: dict[tuple[str, str, str, str], int] = {}
        self.errors: dict[tuple[str, str, str, str], int] = {}
        self.known: dict[tuple[str, str], set[str]] = {}

    def add_failure(self, method: str, name: str, phase: str, reason: str, count: int = 1) -> None:
        known = self.known.setdefault((method, name), set())
        if reason not in known:
            if len(known) >= REASONS_PER_REQUEST:
                reason = OTHER
            known.add(reason)
        key = (method, name, phase, reason)
        self.failures[key] = self.failures.get(key, 0) + count

    def add_error(self, kind: str, message: str, location: str, effect: str, count: int = 1) -> None:
        key = (kind, message, location, effect)
        if key not in self.errors and len(self.errors) >= USER_ERRORS:
            key = (OTHER, "", "", effect)
        self.errors[key] = self.errors.get(key, 0) + count

    def take(self) -> dict:
        shipped = {"failures": [[*k, n] for k, n in self.failures.items()],
                   "errors": [[*k, n] for k, n in self.errors.items()]}
        self.failures, self.errors = {}, {}
        return shipped

    def merge(self, shipped: dict) -> None:
        for *key, count in shipped.get("failures", []):
            self.add_failure(*key, count=count)
        for *key, count in shipped.get("errors", []):
            self.add_error(*key, count=count)

    def families(self, labels: dict[str, str] | None = None) -> list[CounterMetricFamily]:
        """The two counters (``labels``: more constant labels on every series, e.g. a run id)."""
        extra = labels or {}
        reasons = CounterMetricFamily("loadgate_request_failure_reasons",
                                      "Failed requests by Locust's error text",
                                      labels=["method", "name", "phase", "reason", *extra])
        for key, count in list(self.failures.items()):
            reasons.add_metric([*key, *extra.values()], count)
        errors = CounterMetricFamily("loadgate_user_errors",
                                     "Exceptions raised by the locustfile's own code",
                                     labels=["type", "message", "location", "effect", *extra])
        for key, count in list(self.errors.items()):
            errors.add_metric([*key, *extra.values()], count)
        return [reasons, errors]


def install(environment) -> Reasons:
    """Count the locustfile's exceptions in this Locust process; failed requests are counted by the
    exporter's request listener (``add_failure`` with its labels and :func:`failure_reason`), so a
    request costs one listener, not two.  Workers ship to the master, which merges."""
    reasons = Reasons()

    def on_user_error(user_instance, exception, tb, **_kw) -> None:
        stopped = isinstance(user_instance, User) or not environment.catch_exceptions
        reasons.add_error(type(exception).__name__, clean(exception), user_code_location(tb),
                          "stopped_user" if stopped else "continued")

    environment.events.user_error.add_listener(on_user_error)
    _guard_exit(environment, reasons)
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        environment.events.report_to_master.add_listener(
            lambda client_id, data, **_kw: data.__setitem__("loadgate_reasons", reasons.take()))
    elif isinstance(runner, MasterRunner):
        environment.events.worker_report.add_listener(
            lambda client_id, data, **_kw: reasons.merge(data.get("loadgate_reasons", {})))
        runner.register_message("loadgate_stop", lambda *_a, **_kw: gevent.spawn(runner.quit))
    return reasons


def _through_locust_users(tb) -> bool:
    marker = os.sep.join(("locust", "user")) + os.sep
    return any(marker in frame.filename for frame in traceback.extract_tb(tb))


def _guard_exit(environment, reasons: Reasons) -> None:
    """SystemExit from a user's greenlet: counted, and the load stopped as ``--run-time`` does."""
    hub = gevent.get_hub()
    original = hub.handle_error

    def handle_error(context, kind, value, tb):
        if isinstance(kind, type) and issubclass(kind, SystemExit) and tb is not None \
                and _through_locust_users(tb):
            code = value.code if isinstance(value, SystemExit) else value
            where = user_code_location(tb)
            reasons.add_error("SystemExit", clean(f"sys.exit({code!r})"), where, "stopped_load")
            log.error("the locustfile called sys.exit(%r) at %s: loadgate stops the load", code, where)
            gevent.spawn(_stop_load, environment)
            return None
        return original(context, kind, value, tb)

    hub.handle_error = handle_error


def _stop_load(environment) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message("loadgate_stop", None)
    elif runner is not None:
        runner.quit()
