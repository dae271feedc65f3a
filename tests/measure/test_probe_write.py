"""The probe's remote-write request: a snappy block of literals any decoder reads (the receivers
of each version read it in tests/integration/test_stores.py; here a decoder of the format)."""

import pytest

from loadgate.measure.probe_write import request, snappy_literals


def unsnappy(block: bytes) -> bytes:
    """Snappy's block format, literals only (tag & 3 == 0)."""
    size, shift, position = 0, 0, 0
    while True:
        byte = block[position]
        size |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if byte < 0x80:
            break
    out = bytearray()
    while position < len(block):
        tag = block[position]
        assert tag & 3 == 0, "only literals"
        length, position = tag >> 2, position + 1
        if length >= 60:
            extra = length - 59
            length = int.from_bytes(block[position:position + extra], "little")
            position += extra
        out += block[position:position + length + 1]
        position += length + 1
    assert len(out) == size
    return bytes(out)


@pytest.mark.parametrize("size", [0, 1, 60, 61, 256, 257, 65536, 65537, 200_000])
def test_any_length_survives_the_snappy_block(size):
    data = bytes(range(256)) * (size // 256 + 1)
    assert unsnappy(snappy_literals(data[:size])) == data[:size]


def test_the_probe_names_its_two_series_and_the_run():
    body = unsnappy(request("run-42", now=1_800_000_000.0))
    for text in (b"loadgate_store_probe", b"loadgate_store_probe_seconds", b"run_id", b"run-42"):
        assert text in body
