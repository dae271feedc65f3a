from loadgate.measure.cardinality import NAME_LIMIT, prefix, warning
from loadgate.model import RequestFigures


def figures(names):
    return [RequestFigures("GET", n, 1, 0, 1.0, None, None, None, None) for n in names]


def test_no_warning_up_to_the_limit():
    assert warning(figures(f"/items/{i}" for i in range(NAME_LIMIT))) is None


def test_above_the_limit_one_warning_names_prefixes_and_locust_grouping():
    names = [f"/api/items/{i}" for i in range(NAME_LIMIT)] + [f"/users/{i}?x=1" for i in range(20)] + ["/health"]
    text = warning(figures(names))
    assert text.startswith(f"{NAME_LIMIT + 21} request names in this run (more than {NAME_LIMIT})")
    assert "/api/items/… (500 names), /users/… (20 names)" in text
    assert 'name="/api/items/[id]"' in text


def test_prefix():
    assert prefix("/api/items/42") == "/api/items/"
    assert prefix("/a/b/?q=1/2") == "/a/"
    assert prefix("checkout") == "checkout"
