"""The store loadgate reads (``--prometheus-url``): which kind it is, and whether it can be judged.

Before anything starts, ``identify`` asks the URL what it is (``/api/v1/status/buildinfo``, then
``/api/v1/query``) and ``refusal`` refuses what can never be judged: VictoriaMetrics (it keeps no
native histograms -- 1.143+ turns remote-written ones into ``vmrange`` buckets ~13 % wide -- and
answers instant queries within ``-search.latencyOffset``, 30 s, of now as of 30 s ago: a run
measured there used to end in exit 3 after the whole load), InfluxDB (no PromQL API), a URL that is
no Prometheus query API, a Prometheus older than 2.40 (no native histograms).  ``setting`` names
what makes each kind hold the latency histogram; whether it does is seen, not read from its flags
(store_check.py).  The decisions are pure (``classify``, ``refusal``, ``setting``).

Where each store's answers and settings come from: Prometheus 2.42 / 2.53.3 / 3.5.3 and
VictoriaMetrics 1.145 were run here (tests/integration/test_stores.py); Thanos (its ThanosVersion
``buildinfo``, 0.x versions), Mimir (``application: Grafana Mimir``, 401 "no org id" without a
tenant), InfluxDB 1.x (``X-Influxdb-Version`` on every answer) and the 3.8+ settings come from
their source and changelogs (docs/stores.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from requests.adapters import Retry

from loadgate.errors import StoreRefused
from loadgate.measure.reader import Answer, Reader
from loadgate.redaction import redact_url
from loadgate.stack import prometheus_versions

log = logging.getLogger("loadgate")

PREFIX = "/prometheus"  # where Mimir (and Cortex) serve the Prometheus API
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
