"""One remote-write request of loadgate's own, sent before the load: a probe of the store.

It holds two series of the run (``run_id``): ``loadgate_store_probe`` (a float, 1) and
``loadgate_store_probe_seconds`` (a native histogram of one 1 ms observation, schema 8 like the
exporter's).  measure/store.py sends it to the --remote-write URL with the run's credentials and
headers and reads both back through --prometheus-url: a store that refuses it, or keeps the float
but not the histogram, is refused before any user starts.  Without it the first answer comes after
the local Prometheus' first scrape and remote write, which 2.x does ~5 s after it starts (its
target discovery ticks every 5 s): 4.8 s into the load, measured here.

The request is written by hand, as the exporter writes its exposition (no protobuf or snappy
package): Prometheus' ``prompb.WriteRequest`` (prompb/types.proto, remote.proto: TimeSeries 1,
Label 1/2, Sample 2, Histogram 4 with count_int 1, sum 3, schema 4, zero_threshold 5,
zero_count_int 6, positive_spans 11, positive_deltas 12, timestamp 15), compressed as a snappy
*block* of literals only -- valid snappy that any decoder reads, a few hundred bytes larger.
"""

from __future__ import annotations

import math
import struct
import time

SCHEMA = 8
ZERO_THRESHOLD = 2.0 ** -20
PROBE = "loadgate_store_probe"
PROBE_HISTOGRAM = "loadgate_store_probe_seconds"
DOUBLE = struct.Struct("<d").pack
HEADERS = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
           "X-Prometheus-Remote-Write-Version": "0.1.0"}


# Protobuf's wire format (the exporter has its own, faster, in the Locust side, which loadgate's
# stages never import: tests/locust_side/test_room.py).
def varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def message(tag: int, payload: bytes) -> bytes:
    return bytes((tag,)) + varint(len(payload)) + payload


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
    pairs = sorted({"__name__": name, "run_id": run_id}.items())
    return b"".join(message(0x0A, message(0x0A, k.encode()) + message(0x12, v.encode())) for k, v in pairs)


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
