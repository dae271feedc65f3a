"""A load that ended before its duration is judged over what ran, with a note saying so."""

from loadgate.judge.verdict import ended_early, judge
from loadgate.model import Window
from tests.helpers import OBJECTIVES, measurements


def test_a_load_that_ended_early_is_noted_and_one_that_ran_its_duration_is_not():
    assert ended_early(Window(100.0, 108.0), (5.0, 20.0)).startswith(
        "the load ran 13.0 s of the planned 20 s: the locustfile ended it")
    assert ended_early(Window(100.0, 114.6), (5.0, 20.0)) is None  # Locust's -t: within ~0.1 s
    assert ended_early(Window(100.0, 108.0), None) is None


def test_the_note_reaches_the_verdict_unless_an_objective_aborted_the_run():
    figures = measurements()  # a 25 s window after a 5 s warm-up
    assert any(n.startswith("the load ran 30.0 s of the planned 60 s")
               for n in judge(OBJECTIVES, figures, planned=(5.0, 60.0)).notes)
    assert not [n for n in judge(OBJECTIVES, figures, planned=(5.0, 30.0)).notes if "planned" in n]
