import dataclasses

from loadgate.measure.promql import series
from loadgate.model import RequestSelector
from tests.helpers import error_rate

BASE = error_rate(0.1, name="x")


def test_exact_selector_and_union_of_matches():
    exact = error_rate(0.1, name="x", request="GET /a")
    assert series("m", exact) == 'm{phase="window",name="/a",method="GET"}'
    union = dataclasses.replace(BASE, matched=(RequestSelector("/a", "GET"), RequestSelector('/"b', "POST")))
    assert series("m", union, "offset 4s") == ('(m{phase="window",name="/a",method="GET"} offset 4s or '
                                               'm{phase="window",name="/\\"b",method="POST"} offset 4s)')
    assert series("m", dataclasses.replace(BASE, matched=())) is None
