import dataclasses

from loadgate.measure.grouped import grouped_sliding_query, request_key, sliding_groups
from loadgate.model import RequestSelector, Window
from tests.helpers import error_rate, latency


def test_only_objectives_selecting_one_method_and_name_are_grouped():
    assert request_key(latency(request="GET /a")) == ("GET", "/a")
    assert request_key(latency(request="/a")) is None  # any method: summed across methods
    assert request_key(latency()) is None
    pattern = latency(request="GET /a*")
    assert request_key(dataclasses.replace(pattern, matched=(RequestSelector("/ab", "GET"),))) == ("GET", "/ab")
    two = (RequestSelector("/ab", "GET"), RequestSelector("/ac", "GET"))
    assert request_key(dataclasses.replace(pattern, matched=two)) is None


def test_sliding_groups_share_one_query_per_figure_percentile_and_length():
    objectives = [latency(request=f"GET /{i}", name=f"l{i}", sustain=5.0) for i in range(3)]
    objectives += [error_rate(request=f"GET /{i}", name=f"e{i}", sustain=5.0) for i in range(2)]
    objectives += [error_rate(request="GET /x", name="lonely", sustain=9.0)]
    groups = sliding_groups(objectives)
    assert sorted(len(members) for members in groups.values()) == [2, 3]  # a group of one: alone


def test_grouped_sliding_query_covers_every_request_by_method_and_name():
    query = grouped_sliding_query(error_rate(request="GET /a", sustain=5.0), Window(0, 20))
    assert "sum by (method, name)" in query and 'name="/a"' not in query and "vector(0)" not in query
    query = grouped_sliding_query(latency(request="GET /a", sustain=5.0), Window(0, 20))
    h = 'loadgate_request_duration_seconds{phase="window"}'
    assert query == (f'histogram_quantile(0.95, ((sum by (method, name) (increase({h}[5240ms])) and '
                     f'sum by (method, name) ({h} offset 5000ms)) or sum by (method, name) ({h}))) * 1000')
