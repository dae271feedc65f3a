"""The inline SVG line charts."""

import re

import pytest

from loadgate.report.svg import Line, Rule, chart, nice_ceiling, segments


@pytest.mark.parametrize("value, expected", [(0, 1), (0.7, 1), (1, 1), (1.2, 2), (2.2, 2.5), (3, 5),
                                             (7, 10), (130, 200), (480, 500), (501, 1000)])
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


def test_segments_split_at_missing_values():
    assert segments([0, 1, 2, 3, 4], [None, 1, 2, None, 4]) == [[(1, 1), (2, 2)], [(4, 4)]]
    assert segments([0, 1], [None, None]) == []


def points(svg: str) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in m.split()]
            for m in re.findall(r'<polyline class="series"[^>]*points="([^"]+)"', svg)]


def test_rule_above_the_data_is_inside_the_plot_and_above_the_line():
    svg = chart("c", [0, 1, 2], [Line("p95", [10, 20, 30], "#000")], [Rule("max", 300, "#f00")],
                height=300)
    rule_y = float(re.search(r'class="threshold"[^>]*y1="([\d.]+)"', svg).group(1))
    ys = [y for run in points(svg) for _, y in run]
    assert 14 <= rule_y < min(ys)  # inside the plot area (TOP=14), higher on screen than the data


def test_line_values_map_monotonically_and_x_spans_the_width():
    svg = chart("c", [0, 5, 10], [Line("rps", [0, 50, 100], "#000")], width=500, height=200)
    (run,) = points(svg)
    assert [x for x, _ in run] == sorted(x for x, _ in run) and run[0][0] < 100 < 400 < run[-1][0]
    assert run[0][1] > run[1][1] > run[2][1]


def test_empty_chart_says_no_data_and_labels_are_escaped():
    svg = chart("c<1>", [0, 1], [Line("a<b", [None, None], "#000")], [Rule("x & y", 1, "#f00")])
    assert "no data" in svg and "c&lt;1&gt;" in svg and "x &amp; y" in svg and "a<b" not in svg
