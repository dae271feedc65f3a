"""The store loadgate reads (``--prometheus-url``): which kind it is, and whether it can be judged.

Before anything starts, ``identify`` asks the URL what it is (``/api/v1/status/buildinfo``, then
``/api/v1/query``) and ``refusal`` refuses what can never be judged: VictoriaMetrics (it keeps no
native histograms -- 1.143+ turns remote-written ones into ``vmrange`` buckets ~13 % wide -- and
answers instant queries within ``-search.latencyOffset``, 30 s, of now as of 30 s ago: a run
measured there used to end in exit 3 after the whole load), InfluxDB (no PromQL API), a URL that is
no Prometheus query API, a Prometheus older than 2.40 (no native histograms).

Then, instead of reading the store's flags (Prometheus 3.9+ ignores the feature flag, Thanos Query
and Mimir list none), what the store holds is seen: with --remote-write, ``probe`` writes
loadgate's probe (probe_write.py) and reads it back before the load (a receiver without native
histograms: refused 0.74 s after loadgate starts, measured here); and ``Held``, a watch, asks
every half second during the load whether the store shows this run's series, its counted requests
and its latency histogram as a native one (``promql.STORE_HOLDS``).  Counters without the histogram,
or a store that refused the local Prometheus' remote write, end the run with exit 2 (StoreRefused)
naming the store and the setting to change; a load too short to tell is decided once its final
figures are there, before any objective is judged.  The decisions are pure (``classify``,
``refusal``, ``setting``, ``decide``); every read goes through the one reader (the probe's one
write goes with the remote write's own credentials and headers).

Where each store's answers and settings come from: Prometheus 2.42 / 2.53.3 / 3.5.3 and
VictoriaMetrics 1.145 were run here (tests/integration/test_stores.py); Thanos (its ThanosVersion
``buildinfo``, 0.x versions), Mimir (``application: Grafana Mimir``, 401 "no org id" without a
tenant), InfluxDB 1.x (``X-Influxdb-Version`` on every answer) and the 3.8+ settings come from
their source and changelogs (docs/stores.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from requests.adapters import Retry

from loadgate import credentials
from loadgate.errors import InfraError, StoreRefused
from loadgate.measure import probe_write, promql
from loadgate.measure.reader import Answer, Reader
from loadgate.redaction import redact_url
from loadgate.stack import prometheus_versions

log = logging.getLogger("loadgate")

PREFIX = "/prometheus"  # where Mimir (and Cortex) serve the Prometheus API
LOOK_EVERY = 0.5  # seconds between looks at the store during the load
GRACE = 1.0  # counters seen this long without the histogram: it is not coming
PROBE_WAIT = 3.0  # seconds for the probe to show in the store before the live check takes over
MIMIR = ("-ingester.native-histograms-ingestion-enabled=true (the tenant limit "
         "native_histograms_ingestion_enabled)")
THANOS = "--tsdb.enable-native-histograms on Thanos Receive (always on from its Prometheus 3.8 base)"
COPY = "measure with the local Prometheus and keep a copy there with --remote-write URL alone"


@dataclass(frozen=True)
class Store:
    kind: str  # prometheus, thanos, mimir, victoriametrics, influxdb, promql (other), none
    version: str = ""
    answer: str = ""  # none / mimir without a tenant: what the URL answered

    @property
    def name(self) -> str:
        names = {"prometheus": "Prometheus", "thanos": "Thanos Query", "mimir": "Grafana Mimir",
                 "victoriametrics": "VictoriaMetrics", "influxdb": "InfluxDB",
                 "promql": "a PromQL store", "none": "not a Prometheus query API"}
        return f"{names[self.kind]} {self.version}".strip()

    @property
    def parsed(self) -> prometheus_versions.Version:
        """Its Prometheus version; one that does not parse is taken to be the newest known."""
        return prometheus_versions.parse(self.version) or prometheus_versions.LATEST


def classify(buildinfo: Answer, query: Answer | None) -> Store:
    """The kind of store from its answers to buildinfo and to the query ``1``."""
    for answer in (buildinfo, query):
        if answer is not None and "x-influxdb-version" in answer.headers:
            return Store("influxdb", answer.headers["x-influxdb-version"])
    data = (buildinfo.body or {}).get("data") if buildinfo.status == 200 else None
    if isinstance(data, dict) and data.get("version"):
        version = str(data["version"])
        if data.get("application") == "Grafana Mimir":
            return Store("mimir", version)
        if "goVersion" not in data and "revision" not in data:
            return Store("victoriametrics")  # it answers {"version": "2.24.0"} and nothing else
        return Store("thanos" if version.startswith("0.") else "prometheus", version)
    if query is not None and query.body and query.body.get("status") == "success":
        stats = query.body.get("stats")
        return Store("victoriametrics" if isinstance(stats, dict) and "seriesFetched" in stats
                     else "promql")
    last = query or buildinfo
    if last.status == 401 and "no org id" in last.text:
        return Store("mimir", answer="no org id")
    return Store("none", answer=f"HTTP {last.status} {last.text[:80]!r}")


def refusal(store: Store) -> str | None:
    """Why a store can never be judged, with what to do instead; None when it may be."""
    if store.kind == "victoriametrics":
        return ("it keeps no native histograms (1.143+ turns them into vmrange buckets ~13 % wide) "
                "and answers instant queries near now as of -search.latencyOffset (30 s) ago: "
                + COPY)
    if store.kind == "influxdb":
        return f"it has no PromQL API: {COPY} (InfluxDB's remote-write path: /api/v1/prom/write)"
    if store.kind == "none":
        return (f"GET /api/v1/query answered {store.answer}: give the URL under which /api/v1/query "
                "answers (Mimir: https://HOST/prometheus)")
    if store.kind == "mimir" and store.answer:
        return ("it needs a tenant: set LOADGATE_PROMETHEUS_HEADERS='X-Scope-OrgID=TENANT' (and "
                "LOADGATE_REMOTE_WRITE_HEADERS alike for --remote-write)")
    if store.kind == "prometheus" and store.parsed < prometheus_versions.OLDEST:
        return ("it has no native histograms, which loadgate's latency histogram is: use "
                f"{prometheus_versions.shown(prometheus_versions.OLDEST)} or later")
    return None


def setting(store: Store, remote_write: bool) -> str:
    """The setting that makes ``store`` hold the latency histogram, for a store that is written
    to by remote write or scrapes loadgate's exporter itself."""
    if store.kind == "mimir":
        return f"enable native histograms for the tenant: {MIMIR}"
    if store.kind == "thanos":
        return (f"start it with {THANOS}" if remote_write else "the Prometheus behind its sidecar "
                f"needs native histograms: {prometheus_versions.native_histogram_setting(None)}")
    flags = prometheus_versions.native_histogram_flags(store.parsed)  # 3.8+: always ingested
    if store.kind == "prometheus" and remote_write:
        return " ".join(["start it with --web.enable-remote-write-receiver", *flags])
    if store.kind == "prometheus":  # it scrapes loadgate's exporter itself
        return prometheus_versions.native_histogram_setting(prometheus_versions.parse(store.version))
    return (f"it must keep native histograms (a Prometheus receiver: --enable-feature="
            f"native-histograms; Mimir: {MIMIR}; Thanos Receive: --tsdb.enable-native-histograms; "
            "Cortex: -blocks-storage.tsdb.enable-native-histograms)")


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


def identify(url: str) -> Store:
    """The store at ``url``; StoreRefused (exit 2, before anything starts) when it can never be
    judged, InfraError when it cannot be reached."""
    reader = Reader(url, timeout=5, retry=Retry(total=0))
    buildinfo = reader.get("/api/v1/status/buildinfo")
    query = None if buildinfo.status == 200 else reader.get("/api/v1/query", {"query": "1"})
    store = classify(buildinfo, query)
    if store.kind == "none":  # Mimir and Cortex answer under /prometheus
        below = classify(reader.get(PREFIX + "/api/v1/status/buildinfo"), None)
        if below.kind != "none":
            raise StoreRefused(f"--prometheus-url {redact_url(url)} is no query API, but {below.name} "
                              f"answers under it: use --prometheus-url {redact_url(url.rstrip('/'))}{PREFIX}")
    why = refusal(store)
    if why:
        raise StoreRefused(f"--prometheus-url {redact_url(url)} is {store.name}, which loadgate "
                          f"cannot judge from: {why}")
    log.info("the store at %s is %s", redact_url(url), store.name)
    return store


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
