"""The Prometheus protobuf exposition format, written by hand (no protobuf package in Locust's
process): length-delimited ``io.prometheus.client.MetricFamily`` messages, and the native
histograms of the exporter's request series.

Pure and free of Locust, so the exporter and tests share it; the wire format itself is
loadgate/protobuf_wire.py (shared with the store probe, and measured there against the protobuf
package).  Field numbers are those of Prometheus' ``metrics.proto`` (client_model); zigzag for
``sint`` fields; bucket counts are deltas from the previous bucket.
"""

from __future__ import annotations

from loadgate.protobuf_wire import DOUBLE, VARINT, label_pairs, message, varint, zigzag

CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"


def family(name: str, help_text: str, kind: int, metrics: list[bytes]) -> bytes:
    """One MetricFamily, prefixed with its length (kind: 0 counter, 1 gauge, 4 histogram)."""
    body = b"".join([message(0x0A, name.encode()), message(0x12, help_text.encode()),
                     b"\x18", varint(kind), *(message(0x22, m) for m in metrics)])
    return varint(len(body)) + body


def gauges(figures: list[tuple[str, str, float]], run_id: str) -> bytes:
    """One gauge family per (name, help, value), labelled with the run id."""
    run = label_pairs(("run_id",), (run_id,))
    return b"".join(family(name, doc, 1, [run + message(0x12, b"\x09" + DOUBLE(value))])
                    for name, doc, value in figures)


def counters(families) -> bytes:
    """prometheus-client counter families (``name``, ``documentation``, ``samples``) in protobuf."""
    return b"".join(family(counted.name + "_total", counted.documentation, 0, [
        label_pairs(tuple(sample.labels), tuple(sample.labels.values()))
        + message(0x1A, b"\x09" + DOUBLE(sample.value))
        for sample in counted.samples if sample.name.endswith("_total")]) for counted in families)


def layout(buckets: dict[int, int]) -> tuple[list[int], bytes]:
    """Bucket indices in order, gaps of up to 2 empty buckets filled, and the spans' bytes."""
    indices, spans, start, previous = [], [], None, None
    for index in sorted(buckets):
        if previous is not None and index - previous <= 3:
            indices.extend(range(previous + 1, index))
        else:
            if previous is not None:
                spans.append((start, previous))
            start = index
        indices.append(index)
        previous = index
    if previous is not None:
        spans.append((start, previous))
    encoded, end = [], 0
    for first, last in spans or [(0, -1)]:  # an empty histogram keeps one empty span: native
        encoded.append(message(0x62, b"\x08" + varint(zigzag(first - end)) + b"\x10"
                               + varint(last - first + 1)))
        end = last + 1
    return indices, b"".join(encoded)


class Encoder:
    """The request families in protobuf; a series is re-encoded only when it changed.

    A series (duck-typed, the exporter's ``Series``) has ``buckets`` (index -> count at
    ``schema``), ``zero``, ``total``, ``count``, ``failures`` and a ``version`` that changes with it.
    A tally has ``series`` by (method, name, phase) and ``all`` (every request together) by phase.
    """

    REQUEST_LABELS = ("method", "name", "phase", "run_id")
    ALL_LABELS = ("phase", "run_id")

    def __init__(self, histogram: str, all_histogram: str, run_id: str, schema: int,
                 zero_threshold: float) -> None:
        self.histogram, self.all_histogram, self.run_id = histogram, all_histogram, run_id
        self.schema, self.zero_threshold = schema, zero_threshold
        self.labels: dict[tuple, bytes] = {}
        self.cache: dict[tuple, list] = {}  # key -> [version, layout size, indices, spans, metrics]

    def protobuf(self, tally) -> bytes:
        histograms, requests, failures = [], [], []
        for key, series in list(tally.series.items()):
            metrics = self.metrics(key, self.REQUEST_LABELS, key, series)
            histograms.append(metrics[0])
            requests.append(metrics[1])
            failures.append(metrics[2])
        together = [self.metrics(("all", phase), self.ALL_LABELS, (phase,), series)[0]
                    for phase, series in list(tally.all.items())]
        return b"".join((
            family(self.histogram, "Response time of every request Locust measured, failed ones "
                   "included", 4, histograms),
            family(self.all_histogram, "Response time of every request together, whatever its "
                   "method and name", 4, together),
            family("loadgate_requests_total", "Requests Locust measured", 0, requests),
            family("loadgate_request_failures_total", "Failed requests", 0, failures)))

    def metrics(self, key: tuple, names: tuple[str, ...], values: tuple[str, ...],
                series) -> tuple[bytes, bytes, bytes]:
        """The histogram, request and failure counter of one series labelled ``names`` =
        ``values`` (and the run id), cached by ``key`` until the series changes."""
        entry = self.cache.get(key)
        if entry is None or entry[0] != series.version:
            labels = self.labels.get(key)
            if labels is None:
                labels = self.labels[key] = label_pairs(names, (*values, self.run_id))
            entry = self.cache[key] = self.encode(labels, series, entry)
        return entry[4]

    def encode(self, labels: bytes, series, entry: list | None) -> list:
        if entry is None or entry[1] != len(series.buckets):
            indices, spans = layout(series.buckets)
        else:
            indices, spans = entry[2], entry[3]
        get, previous, deltas = series.buckets.get, 0, []
        for index in indices:
            count = get(index, 0)
            delta = count - previous
            deltas.append(VARINT[(delta << 1) ^ (delta >> 63)] if -8192 <= delta < 8192
                          else varint(zigzag(delta)))
            previous = count
        histogram = b"".join((b"\x08", varint(series.count), b"\x11", DOUBLE(series.total),
                              b"\x28", varint(zigzag(self.schema)), b"\x31", DOUBLE(self.zero_threshold),
                              b"\x38", varint(series.zero), spans, message(0x6A, b"".join(deltas))))
        metrics = (labels + message(0x3A, histogram),
                   labels + message(0x1A, b"\x09" + DOUBLE(series.count)),
                   labels + message(0x1A, b"\x09" + DOUBLE(series.failures)))
        return [series.version, len(series.buckets), indices, spans, metrics]
