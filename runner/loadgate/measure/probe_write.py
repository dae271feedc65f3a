"""One remote-write request of loadgate's own, sent before the load: a probe of the store.

It holds two series of the run (``run_id``): ``loadgate_store_probe`` (a float, 1) and
``loadgate_store_probe_seconds`` (a native histogram of one 1 ms observation, schema 8 like the
exporter's).  measure/store_check.py sends it to the --remote-write URL with the run's
credentials and headers and reads both back through --prometheus-url: a store that refuses it, or keeps the float
but not the histogram, is refused before any user starts.  Without it the first answer comes after
the local Prometheus' first scrape and remote write, which 2.x does ~5 s after it starts (its
target discovery ticks every 5 s): 4.8 s into the load, measured here.

The request is written with the exporter's wire helpers (loadgate/protobuf_wire.py says why not
the protobuf package): Prometheus' ``prompb.WriteRequest`` (prompb/types.proto, remote.proto:
TimeSeries 1, Label 1/2, Sample 2, Histogram 4 with count_int 1, sum 3, schema 4, zero_threshold 5,
zero_count_int 6, positive_spans 11, positive_deltas 12, timestamp 15), compressed as a snappy
*block* of literals only -- valid snappy that any decoder reads.  A snappy package (cramjam 2.14,
measured on this shared machine) would write the probe's 181 bytes as 146 instead of 185, in
0.6 us instead of 1.0 us, once per run: not worth a dependency for 15 lines.
"""

from __future__ import annotations

import math
import time

from loadgate.protobuf_wire import DOUBLE, label_pairs, message, varint, zigzag

SCHEMA = 8
ZERO_THRESHOLD = 2.0 ** -20
PROBE = "loadgate_store_probe"
PROBE_HISTOGRAM = "loadgate_store_probe_seconds"
HEADERS = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
           "X-Prometheus-Remote-Write-Version": "0.1.0"}


def snappy_literals(data: bytes) -> bytes:
    """``data`` as a snappy block made of literal chunks (each at most 65 536 bytes)."""
    out = bytearray(varint(len(data)))
    for start in range(0, len(data), 65536):
        chunk = data[start:start + 65536]
        size = len(chunk) - 1
        if size < 60:
            out.append(size << 2)
        elif size < 256:
            out += bytes((60 << 2, size))
        else:
            out += bytes((61 << 2,)) + size.to_bytes(2, "little")
        out += chunk
    return bytes(out)


def labels(name: str, run_id: str) -> bytes:
    return label_pairs(("__name__", "run_id"), (name, run_id))  # sorted by name, as remote write wants


def histogram(seconds: float, stamp_ms: int) -> bytes:
    """A native histogram of one observation of ``seconds`` (> ZERO_THRESHOLD)."""
    index = math.ceil(math.log2(seconds) * 2 ** SCHEMA)
    span = b"\x08" + varint(zigzag(index)) + b"\x10" + varint(1)
    return (b"\x08" + varint(1) + b"\x19" + DOUBLE(seconds) + b"\x20" + varint(zigzag(SCHEMA))
            + b"\x29" + DOUBLE(ZERO_THRESHOLD) + b"\x30" + varint(0) + message(0x5A, span)
            + message(0x62, varint(zigzag(1))) + b"\x78" + varint(stamp_ms))


def request(run_id: str, now: float | None = None) -> bytes:
    """The compressed body of the probe's WriteRequest."""
    stamp = int((time.time() if now is None else now) * 1000)
    sample = b"\x09" + DOUBLE(1.0) + b"\x10" + varint(stamp)
    series = [labels(PROBE, run_id) + message(0x12, sample),
              labels(PROBE_HISTOGRAM, run_id) + message(0x22, histogram(0.001, stamp))]
    return snappy_literals(b"".join(message(0x0A, s) for s in series))
