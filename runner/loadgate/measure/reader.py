"""The one Prometheus reader (prometheus-api-client): every query goes through it, and every
failure of a query becomes one InfraError here."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from requests.exceptions import RequestException

from loadgate import credentials
from loadgate.errors import InfraError
from loadgate.measure.promql import FINISHED
from loadgate.measure.promql_text import scoped
from loadgate.redaction import redact, redact_url
from loadgate.stack import prometheus_versions

# Measuring starts once Locust has exited, and the exporter keeps Locust alive until its final
# figures have been sent to Prometheus: they are there within milliseconds, or never will be.
# (A store that receives them later, e.g. through remote write, needs a longer timeout.)
FINAL_SCRAPE_TIMEOUT = 1.5
T = TypeVar("T")
# A query's size: Prometheus takes a URL of up to 1 MiB (Go's header limit) and a form body of up
# to 10 MiB.  Queries longer than GET_LIMIT are posted; one longer than MAX_QUERY is refused here
# with one line (with one selector per method, measure/promql.py, that is ~300 000 names).  An
# error message shows a long query shortened (it reached junit.xml and summary.md at 1 MB).
GET_LIMIT = 16 * 1024
MAX_QUERY = 8 * 1024 * 1024
SHOWN = 300


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of the store, as store.py reads it (header names lower-case)."""

    status: int
    headers: dict
    body: dict | None  # the JSON body, None if it was not JSON
    text: str = ""  # its first 200 characters


def shown(promql: str) -> str:
    """A query as messages show it: a long one shortened, its length said."""
    if len(promql) <= SHOWN:
        return promql
    return f"{promql[:SHOWN]}... ({len(promql)} characters)"


class FinalFiguresMissing(InfraError):
    """Locust exited without its final figures reaching Prometheus."""


class Reader:
    """Instant queries at ``at`` (unix seconds; None: now) and range queries, all of one run:
    every ``loadgate_*`` selector gets ``run_id`` (a shared Prometheus holds other runs too)."""

    def __init__(self, url: str, timeout: float = 10, retry=None, run_id: str | None = None,
                 since: float | None = None) -> None:
        options = {"retry": retry} if retry is not None else {}
        options.update(credentials.for_requests(credentials.from_env(credentials.QUERIES)))
        self.client = PrometheusConnect(url=url, disable_ssl=True, timeout=timeout, **options)
        self.final_timeout = FINAL_SCRAPE_TIMEOUT
        self.at: float | None = None
        self.run_id = run_id
        self.since = since  # when this run started: older samples are not this run's
        self._version: tuple[prometheus_versions.Version | None] | None = None

    def _call(self, promql: str, query: Callable[[str], T], kind: str = "query") -> T:
        promql = scoped(promql, self.run_id)
        if len(promql) > MAX_QUERY:
            raise InfraError(f"a query of {len(promql) / 1024 / 1024:.1f} MiB is beyond the "
                             f"{MAX_QUERY // 1024 // 1024} MiB loadgate sends: {shown(promql)}; narrow "
                             "the objective's request pattern, or group names with Locust's name=")
        try:
            return query(promql)
        except (PrometheusApiClientException, RequestException, ValueError) as exc:
            raise InfraError(f"Prometheus {kind} failed: {shown(promql)}: {exc}") from None

    def _ask(self, endpoint: str, promql: str, params: dict | None, fallback: Callable[[], T]) -> T:
        """A short query through the client (GET); a long one posted as a form (Prometheus'
        URL limit), answered alike: the ``result`` of its ``data``."""
        if len(promql) <= GET_LIMIT:
            return fallback()
        response = self.client._session.post(
            f"{self.client.url}/api/v1/{endpoint}", data={"query": promql, **(params or {})},
            headers=self.client.headers, auth=self.client.auth, timeout=self.client._timeout)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or body.get("status") != "success":
            raise PrometheusApiClientException(f"HTTP {response.status_code}: "
                                               f"{body.get('error') or response.text[:200]}")
        return body["data"]["result"]

    def samples(self, promql: str) -> list[tuple[dict, float]]:
        params = {"time": repr(self.at)} if self.at is not None else None
        result = self._call(promql, lambda q: self._ask(
            "query", q, params, lambda: self.client.custom_query(q, params=params)))
        if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
            result = [{"metric": {}, "value": result}]  # a scalar (or a string)
        try:
            return [(r.get("metric", {}), float(r["value"][1])) for r in result]
        except (KeyError, TypeError, ValueError, IndexError):
            raise InfraError(f"Prometheus query {shown(promql)} returned "
                             f"{'a range vector' if result and 'values' in result[0] else 'a string'}"
                             ", not a number") from None

    def result_type(self, promql: str) -> tuple[str | None, str | None]:
        """Ask Prometheus to evaluate ``promql`` now: (its result type, None), or (None, why it
        refused the query) for a parse or evaluation error.  Unreachable: InfraError."""
        def ask(query: str):
            return self.client._session.get(  # the client's session: its retries and TLS settings
                f"{self.client.url}/api/v1/query", params={"query": query},
                headers=self.client.headers, auth=self.client.auth, timeout=self.client._timeout)

        response = self._call(promql, ask)
        try:
            body = response.json()
        except ValueError:
            raise InfraError(f"Prometheus answered HTTP {response.status_code} without JSON to "
                             f"the query {shown(promql)}") from None
        if body.get("status") == "success":
            return body.get("data", {}).get("resultType"), None
        if response.status_code in (400, 422):
            return None, str(body.get("error") or body)
        raise InfraError(f"Prometheus query failed: {shown(promql)}: HTTP {response.status_code}: "
                         f"{body.get('error') or body}")

    def server_version(self) -> prometheus_versions.Version | None:
        """The Prometheus version that answers (``/api/v1/status/buildinfo``, asked once); None:
        a store that does not say (not an error: the rules of the newest version then apply)."""
        if self._version is None:
            try:
                answer = self.get("/api/v1/status/buildinfo")
                self._version = (prometheus_versions.parse_buildinfo(answer.body),)
            except InfraError:
                self._version = (None,)
        return self._version[0]

    def quantile_rule(self) -> prometheus_versions.QuantileRule:
        """How the answering Prometheus computes ``histogram_quantile`` (measure/histograms.py)."""
        return prometheus_versions.quantile_rule(self.server_version())

    def get(self, path: str, params: dict | None = None) -> Answer:
        """Any GET under the store's URL (``/api/v1/status/buildinfo``), with the queries'
        credentials and headers; unreachable: InfraError."""
        try:
            response = self.client._session.get(
                self.client.url.rstrip("/") + path, params=params, headers=self.client.headers,
                auth=self.client.auth, timeout=self.client._timeout)
        except RequestException as exc:
            raise InfraError(f"cannot reach the store at {redact_url(self.client.url)}: "
                             f"{redact(str(exc))}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                      body if isinstance(body, dict) else None, response.text[:200])

    def concurrently(self, queries: dict[str, str]) -> dict[str, list[tuple[dict, float]]]:
        """Several instant queries at once (a few ms each)."""
        with ThreadPoolExecutor(max_workers=min(8, len(queries) or 1)) as pool:
            futures = {name: pool.submit(self.samples, promql) for name, promql in queries.items()}
            return {name: future.result() for name, future in futures.items()}

    def number(self, promql: str) -> float | None:
        values = [v for _, v in self.samples(promql) if not math.isnan(v)]
        return values[0] if values else None

    def raw(self, promql: str) -> list[tuple[dict, list]]:
        """A range-vector selector (``metric[1h]``) at ``at``: each series with its raw samples."""
        params = {"time": repr(self.at)} if self.at is not None else None
        result = self._call(promql, lambda q: self.client.custom_query(q, params=params))
        return [(r.get("metric", {}), r.get("values", [])) for r in result]

    def histograms(self, promql: str) -> list[tuple[dict, dict]]:
        """A range-vector selector of native histograms at ``at``: each series with its last
        histogram (JSON: count, sum, buckets)."""
        params = {"time": repr(self.at)} if self.at is not None else None
        result = self._call(promql, lambda q: self.client.custom_query(q, params=params))
        return [(r.get("metric", {}), r["histograms"][-1][1]) for r in result if r.get("histograms")]

    def range(self, promql: str, start: float, end: float, step: float) -> list[dict]:
        """A range query from ``start`` to ``end`` (unix seconds) every ``step`` seconds.

        The times are sent to the millisecond (prometheus-api-client alone rounds them to whole
        seconds, which would move every evaluation instant off the grid asked for)."""
        begin, finish = (datetime.fromtimestamp(t, timezone.utc) for t in (start, end))
        exact = {"start": f"{start:.3f}", "end": f"{end:.3f}"}
        return self._call(promql, lambda q: self._ask(
            "query_range", q, {**exact, "step": f"{step:.3f}"}, lambda: self.client.custom_query_range(
                q, start_time=begin, end_time=finish, step=f"{step:.3f}", params=exact)),
            kind="range query")

    def final_scrape_time(self, timeout: float | None = None) -> float:
        """Wait until Prometheus holds the exporter's final figures; return that sample's time."""
        deadline = time.monotonic() + (timeout or self.final_timeout)
        since = self.since if self.since is not None else time.time() - 3600
        while True:
            span = max(1, math.ceil(time.time() - since) + 1)
            for _, raw in self.raw(f"{FINISHED}[{span}s]"):
                done = [float(ts) for ts, value in raw if float(value) == 1 and float(ts) >= since]
                if done:
                    return done[0]
            if time.monotonic() > deadline:
                raise FinalFiguresMissing(
                    "Prometheus never scraped the final figures (no loadgate_load_finished=1 "
                    "sample): Locust ended abnormally or Prometheus could not reach the exporter")
            time.sleep(0.1)
