"""What one scrape of the exporter serves: the tally's request families, the run's gauges and the
failure-reason counters, in protobuf when Prometheus asks for it, else in the text format.

``exporter`` is the process's Exporter (exporter.py): its tally, encoder, failure reasons and the
load's timestamps.  A scrape's body counts as the final scrape once the server has written it
(``Scrape.close``), and only when a scraper asked for it (``SCRAPER_HEADER``).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from locust.runners import MasterRunner

from loadgate.locust_side import protobuf_exposition as protobuf
from loadgate.locust_side import text_exposition as text
from loadgate.locust_side.settings import OWN_SCRAPER, RUN_ID

SCRAPER_HEADER = "HTTP_X_PROMETHEUS_SCRAPE_TIMEOUT_SECONDS"  # sent with every Prometheus scrape
SCRAPE_PARAM = "loadgate_run"  # stack/prometheus_config.py: loadgate's own Prometheus sends it


def from_scraper(environ: dict, own_scraper: bool = OWN_SCRAPER, run_id: str = RUN_ID) -> bool:
    """Whether a request to the exporter can be the final scrape: a scraper's (Prometheus and its
    kin send SCRAPER_HEADER; loadgate's readiness probe and a person with curl do not), and, when
    loadgate's own Prometheus scrapes, that one's, asking with the run's id: another Prometheus
    scraping the same port (left running, shared) would otherwise take the final figures away."""
    if SCRAPER_HEADER not in environ:
        return False
    return not own_scraper or parse_qs(environ.get("QUERY_STRING", "")).get(SCRAPE_PARAM) == [run_id]


def gauges(exporter) -> list[tuple[str, str, float]]:
    runner = exporter.environment.runner
    found = [("loadgate_users", "Locust users running", runner.user_count if runner else 0),
             ("loadgate_workers", "Locust worker processes connected",
              len(runner.clients) if isinstance(runner, MasterRunner) else 1)]
    for name, doc, value in (
        ("loadgate_load_start_timestamp_seconds", "When the load started", exporter.load_start),
        ("loadgate_window_start_timestamp_seconds", "End of the warm-up", exporter.window_start),
        ("loadgate_load_end_timestamp_seconds", "When the load stopped", exporter.load_end),
    ):
        if value is not None:
            found.append((name, doc, value))
    if exporter.start_handlers is not None:
        found.append(("loadgate_test_start_seconds", "How long the locustfile's test_start "
                      "listeners ran before users could start", exporter.start_handlers))
    if exporter.blocked[0] > 0:
        found += [("loadgate_event_loop_blocked_seconds", "Longest time a process running users "
                   "could not switch greenlets (a task blocking the event loop)", exporter.blocked[0]),
                  ("loadgate_event_loop_blocked_end_timestamp_seconds", "When that longest block ended",
                   exporter.blocked[1])]
    found += [("loadgate_load_finished", "1 once every request is counted", int(exporter.finished)),
              ("loadgate_locust_requests", "Requests in Locust's own statistics at the end, to "
               "check that nothing was lost", exporter.locust_requests)]
    return found


def exposition(exporter, accept: str) -> tuple[bytes, str]:
    """The body and content type of one scrape: protobuf when Prometheus asks for it (its native
    histogram feature is on), else the text format (no histograms)."""
    figures = gauges(exporter)
    counters = exporter.reasons.families({"run_id": RUN_ID})  # prometheus-client families
    if "application/vnd.google.protobuf" in accept and "io.prometheus.client.MetricFamily" in accept:
        return (exporter.encoder.protobuf(exporter.tally) + protobuf.gauges(figures, RUN_ID)
                + protobuf.counters(counters)), protobuf.CONTENT_TYPE
    return text.exposition(exporter.tally, figures, counters, RUN_ID).encode(), text.CONTENT_TYPE


class Scrape(list):
    """A scrape's WSGI body: the server calls close() once it has written the whole response."""

    def __init__(self, body: bytes, exporter, final: bool) -> None:
        super().__init__([body])
        self.exporter, self.final = exporter, final

    def close(self) -> None:
        self.exporter.final_scrapes += self.final
