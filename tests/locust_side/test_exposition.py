"""The exporter's exposition formats (pure modules of the Locust side: no Locust)."""

from prometheus_client.core import CounterMetricFamily
from prometheus_client.parser import text_string_to_metric_families

from loadgate.locust_side import protobuf_exposition, tally, text_exposition


def figures():
    counted = tally.Tally()
    counted.observe(("GET", '/a"b\n', "window"), 0.1, True)
    counted.observe(("GET", "/c", "warmup"), 0.2, False)
    reasons = CounterMetricFamily("loadgate_request_failure_reasons", "why", labels=["reason", "run_id"])
    reasons.add_metric(["boom", "r1"], 1)
    return counted, [("loadgate_users", "users", 20), ("loadgate_load_finished", "done", 0)], [reasons]


def test_the_text_format_carries_counters_and_gauges_of_the_run_and_parses():
    counted, gauges, counters = figures()
    body = text_exposition.exposition(counted, gauges, counters, "r1")
    assert body.startswith("# loadgate_request_duration_seconds is served as a native histogram only")
    samples = {(s.name, s.labels.get("name")): (s.value, s.labels["run_id"])
               for family in text_string_to_metric_families(body) for s in family.samples}
    assert samples[("loadgate_requests_total", '/a"b\n')] == (1, "r1")  # escaped, read back
    assert samples[("loadgate_request_failures_total", '/a"b\n')] == (1, "r1")
    assert samples[("loadgate_requests_total", "/c")] == (1, "r1")
    assert samples[("loadgate_users", None)] == (20, "r1")
    assert samples[("loadgate_request_failure_reasons_total", None)][0] == 1


def test_the_protobuf_gauges_and_counters_are_length_delimited_families():
    _, gauges, counters = figures()
    body = protobuf_exposition.gauges(gauges, "r1") + protobuf_exposition.counters(counters)
    position, names = 0, []
    while position < len(body):  # each family: varint length, then the message
        length, shift = 0, 0
        while True:
            byte = body[position]
            position += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        message = body[position:position + length]
        names.append(message[2:2 + message[1]].decode())  # field 1: the family's name
        position += length
    assert names == ["loadgate_users", "loadgate_load_finished", "loadgate_request_failure_reasons_total"]
    assert b"r1" in body and b"boom" in body
