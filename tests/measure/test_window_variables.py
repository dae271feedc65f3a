from loadgate.measure.promql_text import substitute, uses_variables
from loadgate.model import Window

WINDOW = Window(1764000005.0, 1764000030.5)


def test_window_start_and_end_are_substituted():
    query = "increase(x[$window]) @ $end + ${start} - ${window}"
    assert substitute(query, WINDOW) == ("increase(x[25500ms]) @ 1764000030.500 + 1764000005.000"
                                         " - 25500ms")


def test_other_dollars_are_left_alone_and_range_overrides_window():
    query = 'label_replace(up, "a", "$1", "b", "(.*)") + $windows + rate(x[$window])'
    assert substitute(query, WINDOW, 30) == ('label_replace(up, "a", "$1", "b", "(.*)") + $windows'
                                             ' + rate(x[30000ms])')
    assert uses_variables("x[$window]") and not uses_variables("$1")
