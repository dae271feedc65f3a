"""Range-query answers read in parts are one answer (measure/readings.py, pure)."""

from loadgate.measure.readings import Readings, Scrapes

Q = "sum by (method, name) (x)"


def test_parts_read_at_different_times_put_together_are_one_answer():
    readings = Readings()
    readings.add(Q, (1.0, 2.0), {("GET", "/a"): [3.0, 4.0]})
    readings.add(Q, (3.0, 4.0), {("GET", "/a"): [5.0, None], ("GET", "/b"): [None, 1.0]})
    assert readings.aligned(Q, (1.0, 2.0, 3.0, 4.0)) == {
        ("GET", "/a"): [3.0, 4.0, 5.0, None],
        ("GET", "/b"): [None, None, None, 1.0],  # a name that appeared later: absent before
    }
    assert readings.missing(Q, (1.0, 2.0, 3.0, 4.0, 5.0)) == (5.0,)
    assert readings.groups(Q) == 2


def test_a_query_written_differently_never_reuses_another_s_values():
    readings = Readings()
    readings.add(Q, (1.0,), {("", ""): [3.0]})
    assert readings.missing(Q + " offset 2000ms", (1.0,)) == (1.0,)
    assert readings.aligned(Q + " offset 2000ms", (1.0,)) == {}


def test_a_group_is_kept_only_where_it_had_a_value_and_a_later_read_replaces_an_earlier():
    readings = Readings()
    readings.add(Q, (1.0, 2.0), {("", ""): [None, 2.0]})
    assert readings.aligned(Q, (1.0,)) == {}  # no value at the instants asked for
    readings.add(Q, (2.0,), {("", ""): [7.0]})
    assert readings.aligned(Q, (1.0, 2.0)) == {("", ""): [None, 7.0]}
    assert readings.missing(Q, (1.0, 2.0)) == ()  # read, without a value at 1.0


def test_scrapes_read_in_parts_count_each_sample_once_and_sum_the_series_of_one_scrape():
    scrapes = Scrapes()
    requests = [({"name": "/a"}, [[10.0, "1"], [10.25, "3"]]), ({"name": "/b"}, [[10.25, "2"]])]
    scrapes.add(requests, [({}, [[10.0, "5"], [10.25, "5"]])], until=10.25)
    # the next part's range reaches back over the last scrape already held (2.x ranges are closed)
    scrapes.add([({"name": "/a"}, [[10.25, "3"], [10.5, "4"]])], [({}, [[10.25, "5"], [10.5, "4"]])], 10.5)
    assert scrapes.requests == {10.0: 1.0, 10.25: 5.0, 10.5: 4.0}
    assert scrapes.users == {10.0: 5.0, 10.25: 5.0, 10.5: 4.0}
    assert scrapes.until == 10.5
