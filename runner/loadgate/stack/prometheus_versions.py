"""What each Prometheus version needs from loadgate (pure: a version in, flags and config out).

Every rule says where it comes from: Prometheus' CHANGELOG.md (the line quoted) or its source at
the tag named (github.com/prometheus/prometheus).  Run here: 2.42 (Debian bookworm), 2.53.3
(trixie) and 3.5.3 (sid), fetched by scripts/other-stores.sh.  Read, not run: 3.8 and later.

Checked and left as it is: 3.0 made range selectors and the lookback delta left-open
(CHANGELOG 3.0.0: "Range selectors and the lookback delta are now left-open, i.e. a sample
coinciding with the lower time limit is excluded rather than included", #13904).  loadgate's
ranges do not rely on their lower limit: the final-scrape search (``loadgate_load_finished[Ns]``,
measure/reader.py) and the scrape spacing and stall reads (measure/intervals.py, stalls.py) reach
a second or more before the first sample they need; a stretch's ``increase(h[reach])``
(measure/promql.py) reaches one scrape interval less 10 ms before the stretch, so a scrape at
exactly that instant (1 ms of 250) is the only sample 2.x counts and 3.x does not; ``offset`` and
``@`` instants read the last sample at or before them (right-closed in both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int, int]

# The newest version whose rules are known (its changelog read); an unreadable version is taken
# to be this one: a build from source is usually recent.
LATEST: Version = (3, 14, 0)
# 2.40.0: "[FEATURE] Add experimental support for native histograms. Enable with the flag
# `--enable-feature=native-histograms`. #11447"; the latency histogram is a native one.
OLDEST: Version = (2, 40, 0)
FEATURE_FLAG = "--enable-feature=native-histograms"

_NUMBER = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def parse(text: str) -> Version | None:
    """The version in ``prometheus --version``'s first line (``prometheus, version 3.5.3+ds1
    (branch: ...)``) or in buildinfo's ``version`` (``2.42.0``); None: none there."""
    found = _NUMBER.search(text.split("(")[0])
    return tuple(int(part) for part in found.groups()) if found else None


def parse_buildinfo(body: object) -> Version | None:
    """The version in the JSON of ``/api/v1/status/buildinfo``; None for another store's answer.

    Mimir answers there with its own version and an ``application`` ("Grafana Mimir"), Thanos
    Query with its own 0.x version; neither is a Prometheus version and must not pick Prometheus'
    rules (both run a recent Prometheus engine: None gives them LATEST's)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("application") or not isinstance(data.get("version"), str):
        return None
    version = parse(data["version"])
    return version if version is not None and version[0] >= 2 else None


def of_image(image: str) -> Version:
    """The version of a Prometheus container image from its tag (``prom/prometheus:v3.5.0``);
    one without a version in its tag (``latest``, a digest) is taken to be LATEST."""
    tag = image.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
    return parse(tag) or LATEST


def shown(version: Version) -> str:
    return ".".join(map(str, version))


def native_histogram_flags(version: Version) -> list[str]:
    """Command-line flags that make ``version`` ingest native histograms.

    2.40-3.7: the feature flag (2.40.0 #11447).  3.8.0: "[FEATURE] Native histograms are now a
    stable, but optional feature, use the `scrape_native_histograms` config setting. #17232
    #17315" (the flag then only changes that setting's default: cmd/prometheus/main.go at v3.8.0);
    3.9.0: "Make the `native-histogram` feature flag a no-op. #17528".  From 3.8 the config does it
    (scrape_settings)."""
    return [FEATURE_FLAG] if version < (3, 8, 0) else []


def native_histogram_setting(version: Version | None) -> str:
    """What to change on a user's Prometheus of ``version`` (None: unknown) so that it ingests
    loadgate's native histogram, in words for a one-line error."""
    if version is None:
        return (f"{FEATURE_FLAG} up to Prometheus 3.7, `scrape_native_histograms: true` in the "
                "scrape config from 3.8")
    if version < OLDEST:
        return f"Prometheus {shown(version)} has no native histograms: upgrade to {shown(OLDEST)} or later"
    if version < (3, 8, 0):
        return f"start Prometheus {shown(version)} with {FEATURE_FLAG}"
    return (f"set `scrape_native_histograms: true` in Prometheus {shown(version)}'s scrape config "
            "(its global: section, or the job scraping loadgate's exporter)")


def agent_flags(version: Version, path: str) -> list[str]:
    """Flags for agent mode (scrape and remote-write only, no queries), its WAL in ``path``.

    3.0.0: "Agent mode has been promoted to stable. The feature flag `agent` has been removed. To
    run Prometheus in Agent mode, use the new `--agent` cmdline arg instead. #14747"; 2.32.0
    added ``--enable-feature=agent`` (#8785)."""
    mode = "--agent" if version >= (3, 0, 0) else "--enable-feature=agent"
    return [mode, f"--storage.agent.path={path}"]


# config/config.go at v3.8.0: DefaultProtoFirstScrapeProtocols, the order a job scraping native
# histograms asks for (PrometheusText1.0.0 exists from 3.0).
PROTO_FIRST = ["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
               "PrometheusText1.0.0", "PrometheusText0.0.4"]


def global_settings(version: Version) -> dict:
    """Settings for the config's ``global:`` section: every job scrapes native histograms (as the
    2.x flag makes every job do), asking for protobuf first, the only format that carries them.

    3.8+: ``scrape_native_histograms`` (GlobalConfig and ScrapeConfig in config/config.go at
    v3.8.0; false by default).  A job with it on asks for DefaultProtoFirstScrapeProtocols unless
    ``global.scrape_protocols`` is set; it is set here to that list all the same, so that the
    order does not rest on a default (``scrape_protocols`` since 2.49.0 #12738)."""
    if version < (3, 8, 0):
        return {}
    return {"scrape_native_histograms": True, "scrape_protocols": list(PROTO_FIRST)}


def scrape_job_settings(version: Version) -> dict:
    """Settings for a ``scrape:`` job of the user's (targets loadgate does not write).

    3.0.0: "Remove implicit fallback to the Prometheus text format in case of invalid/missing
    Content-Type and fail the scrape instead. Add ability to specify a `fallback_scrape_protocol`
    in the scrape config. #15136": a target that serves text without a Content-Type (2.x scraped
    it) needs the fallback to stay scraped."""
    return {"fallback_scrape_protocol": "PrometheusText0.0.4"} if version >= (3, 0, 0) else {}


@dataclass(frozen=True)
class QuantileRule:
    """How ``histogram_quantile`` of a native histogram picks and reads the bucket of the rank.

    ``from_top``: for q >= 0.5 the bucket is found counting down from the highest bucket (the
    rank is (1 - q) x count from the top), which rounds differently from counting up.
    ``exponential``: inside a bucket of an exponential schema the value is interpolated on a
    log2 scale; linear in the zero bucket (and always before 3.0)."""

    from_top: bool
    exponential: bool


def quantile_rule(version: Version | None) -> QuantileRule:
    """The rule of ``version``'s promql/quantile.go (None: an unknown server, LATEST's rule).

    2.40-2.45: up from the lowest bucket, linear (v2.42.0 histogramQuantile).  2.46: from the top
    for q >= 0.5 (commit 42d9169ba1 "enhance histogram_quantile to get min/max value", in v2.46.0,
    not in the changelog).  3.0.0: "[ENHANCEMENT] PromQL: Introduce exponential interpolation for
    native histograms. #14677" (v3.0.0 histogramQuantile; the same code in v3.5.3 and v3.14.0
    HistogramQuantile)."""
    version = version or LATEST
    return QuantileRule(from_top=version >= (2, 46, 0), exponential=version >= (3, 0, 0))
