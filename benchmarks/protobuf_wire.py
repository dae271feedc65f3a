"""The exporter's hand-written protobuf encoder against the ``protobuf`` package (upb backend):
time to re-encode one changed request series (its native histogram and labels), the work a scrape
does for every series that changed since the last one.  loadgate/protobuf_wire.py keeps the numbers.

Usage: .venv/bin/pip install protobuf && .venv/bin/python benchmarks/protobuf_wire.py
(protobuf is not one of loadgate's dependencies: this script is the reason why.)
"""

from __future__ import annotations

import random
import sys
import time

from loadgate.locust_side import protobuf_exposition as exposition
from loadgate.locust_side import tally

try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
except ImportError:
    sys.exit("benchmarks/protobuf_wire.py compares with the protobuf package: pip install protobuf")

F = descriptor_pb2.FieldDescriptorProto
LABELS = ("method", "name", "phase", "run_id")
FIELDS = {  # the part of Prometheus' io.prometheus.client metrics.proto the exporter writes
    "LabelPair": [("name", 1, F.TYPE_STRING, None), ("value", 2, F.TYPE_STRING, None)],
    "BucketSpan": [("offset", 1, F.TYPE_SINT32, None), ("length", 2, F.TYPE_UINT32, None)],
    "Histogram": [("sample_count", 1, F.TYPE_UINT64, None), ("sample_sum", 2, F.TYPE_DOUBLE, None),
                  ("schema", 5, F.TYPE_SINT32, None), ("zero_threshold", 6, F.TYPE_DOUBLE, None),
                  ("zero_count", 7, F.TYPE_UINT64, None), ("positive_span", 12, F.TYPE_MESSAGE, "BucketSpan"),
                  ("positive_delta", 13, F.TYPE_SINT64, "repeated")],
    "Metric": [("label", 1, F.TYPE_MESSAGE, "LabelPair"), ("histogram", 7, F.TYPE_MESSAGE, "Histogram")],
}
REPEATED = {"positive_span", "positive_delta", "label"}


def metric_class():
    file = descriptor_pb2.FileDescriptorProto(name="metrics.proto", package="io.prometheus.client",
                                              syntax="proto2")
    for name, fields in FIELDS.items():
        message = file.message_type.add(name=name)
        for field, number, kind, of in fields:
            added = message.field.add(name=field, number=number, type=kind, label=(
                F.LABEL_REPEATED if field in REPEATED else F.LABEL_OPTIONAL))
            if kind == F.TYPE_MESSAGE:
                added.type_name = f".io.prometheus.client.{of}"
            if of == "repeated":
                added.options.packed = True  # as metrics.proto declares it
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("io.prometheus.client.Metric"))


def with_protobuf(metric, key: tuple, series) -> bytes:
    """One series as the protobuf package writes it: the same fields, spans and deltas."""
    out = metric()
    for name, value in zip(LABELS, (*key, "run")):
        out.label.add(name=name, value=value)
    histogram = out.histogram
    histogram.sample_count, histogram.sample_sum, histogram.schema = series.count, series.total, tally.SCHEMA
    histogram.zero_threshold, histogram.zero_count = tally.ZERO_THRESHOLD, series.zero
    indices, _ = exposition.layout(series.buckets)
    counts = [series.buckets.get(index, 0) for index in indices]
    histogram.positive_delta.extend(b - a for a, b in zip([0, *counts], counts))
    spans, end = [], 0  # layout() keeps each span's indices contiguous
    for index in indices:
        if spans and index == end:
            spans[-1][1] += 1
        else:
            spans.append([index - end, 1])
        end = index + 1
    for offset, length in spans or [(0, 0)]:
        histogram.positive_span.add(offset=offset, length=length)
    return out.SerializeToString()


def best_ms(work, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def compare(metric, names: int, per_name: int) -> str:
    counted, rng = tally.Tally(together=True), random.Random(1)
    for n in range(names):
        for _ in range(per_name):
            counted.observe(("GET", f"/item/{n}", "window"), rng.lognormvariate(-3, 0.5), rng.random() < 0.01)
    items = list(counted.series.items())
    encoder = exposition.Encoder("h", "a", "run", tally.SCHEMA, tally.ZERO_THRESHOLD)
    labels = {key: exposition.label_pairs(LABELS, (*key, "run")) for key, _ in items}
    for key, series in items:  # the same bytes both ways
        assert encoder.encode(labels[key], series, None)[4][0] == with_protobuf(metric, key, series)
    by_hand = best_ms(lambda: [encoder.encode(labels[k], s, None) for k, s in items]) / len(items) * 1000
    package = best_ms(lambda: [with_protobuf(metric, k, s) for k, s in items]) / len(items) * 1000
    return (f"{names} names x {per_name} requests: by hand {by_hand:.0f} us, protobuf {package:.0f} us "
            f"a changed series (protobuf / by hand {package / by_hand:.2f})")


def main() -> None:
    metric = metric_class()
    for names, per_name in ((1000, 125), (20, 30_000), (1, 1000)):
        print(compare(metric, names, per_name))


if __name__ == "__main__":
    main()
