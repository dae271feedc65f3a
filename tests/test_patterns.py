import pytest

from loadgate.model import RequestSelector
from loadgate.patterns import closest, expanded_name, matches, resolve
from tests.helpers import latency

SEEN = [("GET", "/api/users"), ("GET", "/api/orders"), ("POST", "/api/users"),
        ("POST", "/orders/17"), ("POST", "/orders/abc"), ("GET", "/items/[id]")]


@pytest.mark.parametrize("text, method, name, expected", [
    ("GET /api/*", "GET", "/api/users", True), ("GET /api/*", "POST", "/api/users", False),
    ("/api/*", "POST", "/api/users", True), ("GET /api/*", "GET", "/apix", False),
    ("re:^POST /orders/\\d+$", "POST", "/orders/17", True),
    ("re:^POST /orders/\\d+$", "POST", "/orders/abc", False),
    ("/items/[id]", "GET", "/items/[id]", True), ("/items/[id]", "GET", "/items/i", False),
    ("GET /items", "GET", "/items/1", False),
    # a Locust name that begins with a method word: both readings of the selector
    ("GET /get", "GET", "GET /get", True), ("GET /get", "POST", "GET /get", True),
    ("GET /get", "GET", "/get", True), ("GET /get", "POST", "/get", False),
    ("/get", "GET", "GET /get", False),
])
def test_matches(text, method, name, expected):
    assert matches(RequestSelector.parse(text), method, name) is expected


def test_kinds():
    assert RequestSelector.parse("GET /api/*").kind == "glob"
    assert RequestSelector.parse("re:^GET").kind == "regex"
    assert str(RequestSelector.parse("re:^GET /x")) == "re:^GET /x"
    assert RequestSelector.parse("/items/[id]").kind == "exact"


def objective(request, each=False, name=None):
    return latency(95, 300, name=name, request=request, each=each)


def test_each_expands_to_one_objective_per_match_with_exact_requests():
    found = resolve([objective("GET /api/*", each=True)], SEEN)
    assert [o.name for o in found] == ["p95 latency of GET /api/orders <= 300 ms",
                                       "p95 latency of GET /api/users <= 300 ms"]
    assert found[0].request == RequestSelector("/api/orders", "GET") and found[0].matched is None


def test_aggregate_pattern_is_bound_to_its_matches_and_exact_ones_without_method_are_untouched():
    pattern, exact = objective("re:^POST /orders/\\d+"), objective("/items/[id]")
    found = resolve([pattern, exact], SEEN)
    assert found[0].matched == (RequestSelector("/orders/17", "POST"),)
    assert found[1] is exact


def test_exact_selector_with_method_reads_both_ways():
    seen = SEEN + [("GET", "GET /get"), ("POST", "GET /get"), ("GET", "/get"), ("POST", "/get")]
    found = resolve([objective("GET /get")], seen)[0]
    assert found.matched == (RequestSelector("/get", "GET"), RequestSelector("GET /get", "GET"),
                             RequestSelector("GET /get", "POST"))
    assert found.name == "p95 latency of GET /get <= 300 ms"


def test_no_data_lists_names_seen_closest_first():
    text = closest(RequestSelector.parse("GET /api/user"), SEEN, limit=3)
    assert text == ("requests seen, closest first: GET /api/users, GET /api/orders, "
                    "POST /api/users and 3 more")
    assert closest(RequestSelector.parse("/x"), []) == "no requests were seen in the window"


def test_each_without_match_keeps_one_failing_objective_and_names_stay_unique():
    assert resolve([objective("GET /none/*", each=True)], SEEN)[0].matched == ()
    every = resolve([objective(None, each=True)], SEEN)
    assert len({o.name for o in every}) == len(SEEN)


def test_expanded_name_of_a_named_objective():
    named = objective("GET /api/*", each=True, name="api latency")
    assert expanded_name(named, RequestSelector("/api/users", "GET")) == "api latency [GET /api/users]"
