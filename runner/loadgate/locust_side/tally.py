"""What the exporter counts: each request's latency in native histogram buckets, and its request
and failure counters, by (method, name, phase) and for every request together by phase.

Pure and free of Locust, so tests check it directly.  Workers ship a tally's delta to the master
(``take``), which adds it to its own (``merge``).

The latency histogram: native, schema 8, populated buckets only (issue #9)
  Before, every (method, name, phase) carried 1 339 classic buckets (1 % wide, 0.1 ms-60 s),
  rendered on every 250 ms scrape: Prometheus ingested ~5 000 samples per name per second.
  Measured here (20 users, ~550 req/s, 30 s): 10 names 175 MiB Prometheus RSS, 50 names
  872 MiB, 20 names x 180 s 977 MiB, 200 names exit 3 (end-of-run queries timed out).
  Candidates, measured on this 2-core machine:
  - Native histograms (chosen).  One series per histogram, only populated buckets, served in the
    protobuf exposition (Prometheus asks for it with --enable-feature=native-histograms, which
    Debian's 2.42 and the docker stack's 2.53 have).  Schema 8 buckets are 0.27 % wide at any
    latency, so a percentile is within 0.27 % plus sampling: against exact percentiles of
    synthetic lognormal data served to a real Prometheus 2.42, totals within 0.001 %, the worst
    of 1 000 names x 1 000 requests x p50-p99 0.65 % (the gap between two neighbouring requests at
    p99 of 1 000).  Cost per scrape of this hand-rolled encoder (each series re-encoded only when
    it changed, its bucket layout and label bytes kept): 1 000 names with 125 requests since the
    last scrape 3.5 ms (nothing changed 1.6 ms, all 1 000 from scratch 33 ms); 20 names x 30 000
    requests each 7.2 ms; 1 name 0.2 ms.  Recording a request: ~0.45 us (was ~1.1 us).
    Encoding everything from scratch on every scrape, as a first prototype did, took longer than
    the 250 ms scrape interval at 1 000 names.
  - Only populated classic buckets (rejected): a percentile over several names sums the buckets
    ``by (le)``, which needs the same bounds in every series; with each name's own populated
    bounds the p99 of the totals came out 181 % off (measured, 10 names).  Giving every series
    the union of populated bounds brings back names x buckets.
  - The ``protobuf`` package (not taken): a dependency in every Locust image, and slower than
    this encoder per changed series (measured: loadgate/protobuf_wire.py).
  - Scraping the histogram less often than the live figures (not needed): the final scrape must
    carry both anyway, and a scrape costs the exporter a few ms.
  - Fewer phases (not needed): warm-up series stop changing at the end of the warm-up and are
    served from their cached bytes.
  - One histogram of every request together (``loadgate_all_requests_duration_seconds``, by
    phase; chosen): the totals, charts, live figures and objectives over all
    requests read one series instead of summing every name's.  At 1 000 names x 30 s the end of
    the run took 1.9 s, 0.9 s of it the four interval percentiles of the totals and 0.5 s the
    charts, each summing 1 000 histograms at every step; with the all-requests series both took
    under 0.05 s and the run ended +1.2 s after the load instead of +2.6 s.  Its cost: one more
    dict update per request (tally.py) and one series per phase.
  Prometheus 2.42 cannot subtract native histograms, so the latency of a stretch of time (``for``
  windows, regression intervals) is read with ``increase()`` (measure/promql.py says what that
  costs).  A Prometheus that does not ask for protobuf gets the text format, with the counters and
  gauges but no histogram (``--prometheus-url`` without the flag is refused before the load).
"""

from __future__ import annotations

import math

# Native histogram layout: bucket i holds (2**((i-1)/2**SCHEMA), 2**(i/2**SCHEMA)] seconds, so each
# bucket is 0.27 % wide at schema 8 (the finest Prometheus accepts) whatever the latency, and only
# buckets that hold a request exist.  Requests of at most ZERO_THRESHOLD seconds (Locust reports 0
# for some failures) go to the zero bucket.  The text format (a Prometheus without the native
# histogram feature) has no histogram: classic buckets cannot be both sparse and summed.
SCHEMA = 8
SCALE = 2**SCHEMA
ZERO_THRESHOLD = 2.0**-20


def bucket(seconds: float) -> int | None:
    """The native histogram bucket of a latency (None: the zero bucket)."""
    return math.ceil(math.log2(seconds) * SCALE) if seconds > ZERO_THRESHOLD else None


class Series:
    """One (method, name, phase): populated buckets, zero bucket, sum, requests, failures."""

    __slots__ = ("buckets", "count", "failures", "total", "version", "zero")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.zero = self.count = self.failures = self.version = 0
        self.total = 0.0

    def observe(self, seconds: float, failed: bool) -> None:
        self.count_one(bucket(seconds), seconds, failed)

    def count_one(self, index: int | None, seconds: float, failed: bool) -> None:
        """One request in bucket ``index`` (None: the zero bucket)."""
        if index is not None:
            self.buckets[index] = self.buckets.get(index, 0) + 1
        else:
            self.zero += 1
        self.total += seconds
        self.count += 1
        self.failures += failed
        self.version += 1

    def add(self, flat: list[int], zero: int, total: float, count: int, failures: int) -> None:
        """Add a shipped delta (buckets as a flat [index, count, ...] list)."""
        buckets = self.buckets
        for position in range(0, len(flat), 2):
            index = flat[position]
            buckets[index] = buckets.get(index, 0) + flat[position + 1]
        self.zero += zero
        self.total += total
        self.count += count
        self.failures += failures
        self.version += 1


class Tally:
    """Request figures by (method, name, phase), and of every request together by phase (``all``:
    what the totals, charts and live figures read, one series whatever the number of names).

    ``together``: keep ``all`` (a worker does not: the master builds it from the shipped deltas).
    Recording a request costs ~0.4 us here with ``all``, ~0.25 us without."""

    def __init__(self, together: bool = True) -> None:
        self.series: dict[tuple[str, str, str], Series] = {}
        self.all: dict[str, Series] = {}
        self.together = together

    def observe(self, key: tuple[str, str, str], seconds: float, failed: bool) -> None:
        index = bucket(seconds)
        (self.series.get(key) or self._entry(self.series, key)).count_one(index, seconds, failed)
        if self.together:
            (self.all.get(key[2]) or self._entry(self.all, key[2])).count_one(index, seconds, failed)

    def take(self) -> list:
        """The figures as plain data (buckets as a flat [index, count, ...] list); start again."""
        shipped = [[list(key), [x for pair in s.buckets.items() for x in pair], s.zero, s.total,
                    s.count, s.failures] for key, s in self.series.items()]
        self.series, self.all = {}, {}
        return shipped

    def merge(self, shipped: list) -> None:
        for key, *figures in shipped:
            for entry in (self._entry(self.series, tuple(key)), self._entry(self.all, key[2])):
                entry.add(*figures)

    @staticmethod
    def _entry(table: dict, key) -> Series:
        entry = table.get(key)
        if entry is None:
            entry = table[key] = Series()
        return entry
