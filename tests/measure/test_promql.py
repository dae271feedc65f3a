import dataclasses

from loadgate.measure import promql
from loadgate.measure.promql import series
from loadgate.measure.promql_text import scoped
from loadgate.model import RequestSelector
from tests.helpers import error_rate, latency

BASE = error_rate(0.1, name="x")


def test_exact_selector_and_union_of_matches():
    exact = error_rate(0.1, name="x", request="GET /a")
    assert series("m", exact) == 'm{phase="window",name="/a",method="GET"}'
    union = dataclasses.replace(BASE, matched=(RequestSelector("/a", "GET"), RequestSelector('/"b', "POST")))
    assert series("m", union, "offset 4s") == ('(m{phase="window",name="/a",method="GET"} offset 4s or '
                                               'm{phase="window",name="/\\"b",method="POST"} offset 4s)')
    assert series("m", dataclasses.replace(BASE, matched=())) is None


def test_scoped_adds_the_run_id_to_every_loadgate_selector():
    assert scoped("sum(loadgate_requests_total)", "r1") == 'sum(loadgate_requests_total{run_id="r1"})'
    assert scoped('h_bucket{a="1"} + loadgate_x{phase="window",name="/a/{id}"}', "r1") == \
        'h_bucket{a="1"} + loadgate_x{run_id="r1",phase="window",name="/a/{id}"}'
    assert scoped("loadgate_load_finished[90s]", "r1") == 'loadgate_load_finished{run_id="r1"}[90s]'
    assert scoped("loadgate_users{}", "r1") == 'loadgate_users{run_id="r1"}'
    assert scoped('x{name="loadgate_y"} or my_loadgate_z', "r1") == 'x{name="loadgate_y"} or my_loadgate_z'
    assert scoped("sum(loadgate_requests_total)", None) == "sum(loadgate_requests_total)"


def test_every_request_together_reads_the_one_all_requests_series():
    everything = latency(95, 300)
    assert promql.selected_quantile(everything) == (
        'histogram_quantile(0.95, sum (loadgate_all_requests_duration_seconds{phase="window"})) * 1000')
    assert "loadgate_all_requests" not in promql.selected_quantile(latency(95, 300, request="GET /a"))
    assert "loadgate_all_requests" in promql.window_quantile(0.5)
    assert "loadgate_request_duration" in promql.window_quantile(0.5, "method, name")
    assert "loadgate_all_requests" in promql.interval_histogram(1.0)
    assert "loadgate_request_duration" in promql.interval_histogram(1.0, "method, name")


def test_a_selector_that_is_not_valid_unicode_is_sent_as_the_exporter_serves_it():
    """The exporter serves a name made valid (printable.valid): the selector reads alike."""
    from loadgate.measure.promql_text import label_value, scoped
    from loadgate.printable import valid

    assert label_value("bad \udcff") == "bad \\\\udcff" == valid("bad \udcff").replace("\\", "\\\\")
    scoped('up{name="\udcff"}', "r1").encode("utf-8")  # no surrogate left to refuse


def test_a_name_set_selects_each_name_as_itself():
    """Regex characters in names stand for themselves (`/a|b.c` is one name, not two)."""
    import re

    from loadgate.measure.promql import name_set
    from loadgate.model import RequestSelector

    names = ("/a|b.c", "/x", '/q"?', "/a")
    matcher = name_set(tuple(RequestSelector(n, "GET") for n in names) + (RequestSelector("/z", None),))
    assert matcher[1] == 'phase="window",name="/z"'  # one name: an exact matcher
    regex = re.search(r'name=~"(.*)",method="GET"', matcher[0]).group(1)
    regex = regex.replace('\\"', '"').replace("\\\\", "\\")  # the PromQL string's content
    assert all(re.fullmatch(regex, n) for n in names)
    assert not any(re.fullmatch(regex, n) for n in ("/a|b", "b.c", "/axb.c", "/q"))
