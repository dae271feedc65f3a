"""Whether the store holds this run: its counted requests and its latency histogram, a native one.

Instead of reading the store's flags (Prometheus 3.9+ ignores the feature flag, Thanos Query and
Mimir list none), what the store holds is seen: with --remote-write, ``probe`` writes loadgate's
probe (probe_write.py) and reads it back before the load (a receiver without native histograms:
refused 0.74 s after loadgate starts, measured here); and ``Held``, a watch, asks every half
second during the load whether the store shows this run's series, its counted requests and its
latency histogram as a native one (``promql.STORE_HOLDS``).  Counters without the histogram, or a
store that refused the local Prometheus' remote write, end the run with exit 2 (StoreRefused)
naming the store and the setting to change (store.py); a load too short to tell is decided once
its final figures are there, before any objective is judged.  ``decide`` is pure; every read goes
through the one reader (the probe's one write goes with the remote write's own credentials and
headers).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import requests
from requests.adapters import Retry

from loadgate import credentials
from loadgate.errors import InfraError, StoreRefused
from loadgate.measure import probe_write, promql
from loadgate.measure.reader import Reader
from loadgate.measure.store import Store, identify, setting
from loadgate.redaction import redact_url

log = logging.getLogger("loadgate")

LOOK_EVERY = 0.5  # seconds between looks at the store during the load
GRACE = 1.0  # counters seen this long without the histogram: it is not coming
PROBE_WAIT = 3.0  # seconds for the probe to show in the store before the live check takes over


def decide(holds: dict[str, bool], counters_for: float, write_error: str | None,
           final: bool) -> str | None:
    """``"held"``, None (look again), or what is wrong: ``holds`` says what the store shows of
    this run, ``counters_for`` how long it has shown counted requests (seconds), ``write_error``
    the local Prometheus' last refused remote write, ``final``: the load's figures are all in."""
    if holds["histogram"]:
        return "held"
    if holds["requests"] and (final or counters_for >= GRACE):
        return "it holds this run's counters but not its latency histogram, a native histogram"
    if not holds["series"] and write_error:
        return f"it refused this run's remote write ({write_error})"
    return None


def before_load(url: str, remote_write: str | None, run_id: str) -> Store:
    """The store at ``url``, refused now if it can never be judged, or (remote write) if it
    refuses or cannot hold loadgate's probe (measure/probe_write.py)."""
    store = identify(url)
    if remote_write:
        probe(store, url, remote_write, run_id)
    return store


def probe(store: Store, url: str, write_url: str, run_id: str) -> None:
    """Remote-write the probe with the run's credentials and headers, read it back: StoreRefused
    when the store refuses it or keeps the float but not the histogram.  A store that cannot be
    reached, or does not show the probe within PROBE_WAIT, is left to the live check."""
    options = credentials.for_requests(credentials.from_env(credentials.REMOTE_WRITE))
    headers = {**options.pop("headers", {}), **probe_write.HEADERS}
    try:
        answer = requests.post(write_url, data=probe_write.request(run_id), headers=headers,
                               timeout=5, **options)
    except requests.RequestException as exc:
        log.info("the probe could not be sent to %s: %s", redact_url(write_url), exc)
        return
    refused = None if answer.status_code < 300 else \
        f"server returned HTTP status {answer.status_code} {answer.reason}: {answer.text[:200].strip()}"
    reader = Reader(url, timeout=2, retry=Retry(total=0), run_id=run_id)
    deadline = time.monotonic() + PROBE_WAIT
    while True:
        found = {name: bool(rows) for name, rows in reader.concurrently(promql.PROBE_HOLDS).items()}
        decision = decide(found, 0.0, refused, final=found["series"] or refused is not None)
        if decision == "held" or (decision is None and time.monotonic() > deadline):
            return
        if decision:
            raise StoreRefused(f"the store at {redact_url(url)} ({store.name}): {decision}: "
                               f"{setting(store, True)}")
        time.sleep(0.1)


class Held:
    """The watch that confirms the store holds this run's counters and native histogram."""

    def __init__(self, store: Store | None, url: str, run_id: str, remote_write: bool,
                 write_error: Callable[[], str | None]) -> None:
        self.store, self.url, self.remote_write, self.write_error = store, url, remote_write, write_error
        self.reader = Reader(url, timeout=2, retry=Retry(total=0), run_id=run_id) if store else None
        self.confirmed = store is None  # loadgate's own Prometheus holds them by construction
        self.next_look, self.counters_since = 0.0, None

    def __call__(self, elapsed: float) -> None:
        if self.confirmed or elapsed < self.next_look:
            return
        self.next_look = elapsed + LOOK_EVERY
        self.look(elapsed, final=False)

    def watching(self, watch: Callable[[float], None] | None) -> Callable[[float], None]:
        """``watch`` (the live progress) followed by this check."""
        def both(elapsed: float) -> None:
            if watch is not None:
                watch(elapsed)
            self(elapsed)
        return both

    def confirm(self) -> None:
        """Before any objective is judged: a load too short for the live check is decided now."""
        if not self.confirmed:
            self.look(None, final=True)

    def look(self, elapsed: float | None, final: bool) -> None:
        try:
            found = self.reader.concurrently(promql.STORE_HOLDS)
        except InfraError as exc:  # a slow store is not a refusal: the final read decides
            log.debug("store check skipped: %s", exc)
            return
        holds = {name: bool(samples) for name, samples in found.items()}
        if holds["requests"] and self.counters_since is None:
            self.counters_since = elapsed or 0.0
        counters_for = (elapsed or 0.0) - self.counters_since if self.counters_since is not None else 0.0
        decision = decide(holds, counters_for, self.write_error() if self.remote_write else None, final)
        if decision == "held":
            self.confirmed = True
            log.info("the store holds this run's counters and latency histogram%s",
                     f" ({elapsed:.1f} s into the load)" if elapsed is not None else "")
        elif decision:
            raise StoreRefused(f"the store at {redact_url(self.url)} ({self.store.name}): {decision}: "
                               f"{setting(self.store, self.remote_write)}")
