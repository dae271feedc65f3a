"""Protobuf's wire format, by hand: varints, zigzag, length-delimited fields, label pairs.

Two writers use it: the exporter's exposition (locust_side/protobuf_exposition.py, on the scrape's
hot path inside Locust) and the store probe's remote-write request (measure/probe_write.py, in
loadgate's own process).  Pure and standard-library only, so the Locust side may import it
(tests/locust_side/test_room.py) and the docker image runs it without loadgate's dependencies.

Why by hand and not the ``protobuf`` package: benchmarks/protobuf_wire.py re-encodes every
changed request series (its native histogram and labels, the same bytes both ways) with each.
On this shared 2-core machine while other tests ran (noisy; ratios from one run; protobuf 7.36,
upb backend): 74 us by hand vs 125 us with protobuf a series at 1 000 names x 125 requests
(protobuf x1.68), 374 vs 436 us at 20 names x 30 000 requests (x1.16), 193 vs 254 us for one name
x 1 000 (x1.31); the output: docs/benchmarks.md.  protobuf would also be a dependency inside every
Locust image, where the exporter runs without loadgate's dependencies.
"""

from __future__ import annotations

import struct

VARINT = [bytes([n]) if n < 0x80 else bytes([(n & 0x7F) | 0x80, n >> 7]) for n in range(1 << 14)]
DOUBLE = struct.Struct("<d").pack


def varint(n: int) -> bytes:
    """An unsigned varint (a table look-up below 16 384)."""
    if n < 16384:
        return VARINT[n]
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def zigzag(n: int) -> int:
    """A signed 64-bit integer as the unsigned number a ``sint`` field carries."""
    return (n << 1) ^ (n >> 63)


def message(tag: int, payload: bytes) -> bytes:
    """A length-delimited field: its one-byte tag, the payload's length, the payload."""
    return bytes((tag,)) + varint(len(payload)) + payload


def label_pairs(names: tuple[str, ...], values: tuple[str, ...]) -> bytes:
    """Repeated label pairs in field 1 (name 1, value 2): the layout of both
    ``io.prometheus.client.Metric`` and ``prometheus.TimeSeries``."""
    return b"".join(message(0x0A, message(0x0A, n.encode()) + message(0x12, v.encode()))
                    for n, v in zip(names, values))
