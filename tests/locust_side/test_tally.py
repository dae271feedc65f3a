"""tally.py: what the exporter counts, and how a worker's delta reaches the master (pure)."""

import math

from loadgate.locust_side import tally


def test_a_request_lands_in_its_series_and_in_every_request_together():
    counted = tally.Tally()
    counted.observe(("GET", "/a", "window"), 0.1, False)
    counted.observe(("POST", "/b", "window"), 0.1, True)
    counted.observe(("GET", "/a", "warmup"), 0.0, False)
    assert counted.series[("GET", "/a", "window")].count == 1
    together = counted.all["window"]
    assert (together.count, together.failures, together.zero) == (2, 1, 0)
    assert together.buckets == {math.ceil(math.log2(0.1) * tally.SCALE): 2}
    assert counted.all["warmup"].zero == 1  # 0 ms (some failures): the zero bucket


def test_workers_deltas_merge_into_the_masters_series_and_its_all_series_once():
    master, worker = tally.Tally(), tally.Tally(together=False)
    master.observe(("GET", "/a", "window"), 0.2, False)
    for seconds in (0.2, 0.4, 0.4):
        worker.observe(("GET", "/a", "window"), seconds, seconds > 0.3)
    worker.observe(("GET", "/b", "window"), 0.4, False)
    master.merge(worker.take())
    assert worker.take() == [] and worker.all == {}  # shipped once: nothing counted twice
    a = master.series[("GET", "/a", "window")]
    assert (a.count, a.failures, sum(a.buckets.values())) == (4, 2, 4)
    together = master.all["window"]
    assert (together.count, together.failures, sum(together.buckets.values())) == (5, 2, 5)
    assert math.isclose(together.total, 0.2 + 0.2 + 0.4 + 0.4 + 0.4)
    assert together.version > 0  # the encoder re-encodes what changed
