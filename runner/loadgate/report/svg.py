"""Line charts as inline SVG, generated here: report.html needs no script, font or network.

A chart is lines over time (None values leave gaps), optional horizontal rules (SLO thresholds,
always inside the visible range) and an optional shaded band (the warm-up).  The x axis is
seconds unless ``x_format`` names its points otherwise (run history: one point per run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

LEFT, RIGHT, TOP, BOTTOM = 56, 14, 14, 28
TICKS = 5


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    colour: str
    area: bool = False


@dataclass(frozen=True)
class Rule:
    label: str
    value: float
    colour: str


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value`` (0 -> 1)."""
    if value <= 0 or math.isnan(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value * (1 - 1e-9):
            return factor * power
    return 10 * power


def format_tick(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}" if value == int(value) or value < 1 else f"{value:.1f}"


def format_seconds(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


class Frame:
    """Maps data to pixels: x in seconds from 0 to ``span``, y from 0 to ``top``."""

    def __init__(self, width: int, height: int, span: float, top: float) -> None:
        self.width, self.height, self.span, self.top = width, height, max(span, 1e-9), top

    def x(self, seconds: float) -> float:
        return round(LEFT + (self.width - LEFT - RIGHT) * seconds / self.span, 1)

    def y(self, value: float) -> float:
        return round(self.height - BOTTOM - (self.height - TOP - BOTTOM) * value / self.top, 1)


def axes(frame: Frame, unit: str, x_format=format_seconds) -> list[str]:
    parts = []
    for i in range(TICKS + 1):
        value = frame.top * i / TICKS
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" text-anchor="end">'
                     f'{format_tick(value)}{escape(unit) if i == TICKS else ""}</text>')
    step = nice_ceiling(frame.span / 8)
    tick = 0.0
    while tick <= frame.span + 1e-9:
        if label := x_format(tick):
            parts.append(f'<text class="tick" x="{frame.x(tick)}" y="{frame.height - 8}" '
                         f'text-anchor="middle">{escape(label)}</text>')
        tick += step
    return parts


def segments(times: Sequence[float], values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points that have a value."""
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in zip(times, values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((t, v))
    return [run for run in runs if run]


def draw_line(frame: Frame, times: Sequence[float], line: Line, x_format=format_seconds) -> list[str]:
    parts = []
    for run in segments(times, line.values):
        points = " ".join(f"{frame.x(t)},{frame.y(v)}" for t, v in run)
        if line.area and len(run) > 1:
            base = frame.y(0)
            parts.append(f'<path class="area" fill="{line.colour}" d="M{frame.x(run[0][0])},{base} '
                         f'L{points} L{frame.x(run[-1][0])},{base} Z"/>')
        parts.append(f'<polyline class="series" stroke="{line.colour}" points="{points}">'
                     f'<title>{escape(line.label)}</title></polyline>')
        for t, v in run:
            parts.append(f'<circle class="point" cx="{frame.x(t)}" cy="{frame.y(v)}" r="3" '
                         f'fill="{line.colour}"><title>{escape(line.label)} at '
                         f'{escape(x_format(round(t, 1)))}: {v:g}</title></circle>')
    return parts


def draw_rule(frame: Frame, rule: Rule) -> list[str]:
    y = frame.y(rule.value)
    return [f'<line class="threshold" data-value="{rule.value:g}" stroke="{rule.colour}" '
            f'x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y}" y2="{y}"/>',
            f'<text class="threshold-label" fill="{rule.colour}" x="{frame.width - RIGHT - 4}" '
            f'y="{y - 5}" text-anchor="end">{escape(rule.label)}</text>']


def draw_band(frame: Frame, band: tuple[float, float], label: str) -> list[str]:
    x0, x1 = frame.x(max(band[0], 0)), frame.x(min(band[1], frame.span))
    if x1 <= x0:
        return []
    return [f'<rect class="band" x="{x0}" y="{TOP}" width="{round(x1 - x0, 1)}" '
            f'height="{frame.height - TOP - BOTTOM}"/>',
            f'<text class="band-label" x="{round((x0 + x1) / 2, 1)}" y="{TOP + 14}" '
            f'text-anchor="middle">{escape(label)}</text>']


def chart(name: str, times: Sequence[float], lines: Sequence[Line], rules: Sequence[Rule] = (),
          unit: str = "", band: tuple[float, float] | None = None, band_label: str = "warm-up",
          width: int = 1120, height: int = 300, x_format=format_seconds) -> str:
    """An SVG line chart; ``times`` are seconds from the start of the load (or what ``x_format``,
    which names a tick or returns "" for none, says they are)."""
    values = [v for line in lines for v in line.values if v is not None]
    top = nice_ceiling(max(values + [r.value for r in rules] + [0.0]) * 1.08)
    frame = Frame(width, height, max(times[-1] if times else 1.0, 1.0), top)
    parts = [f'<svg class="chart" data-chart="{escape(name)}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(name)}">']
    if band:
        parts += draw_band(frame, band, band_label)
    parts += axes(frame, unit, x_format)
    for line in lines:
        parts += draw_line(frame, times, line, x_format)
    for rule in rules:
        parts += draw_rule(frame, rule)
    if not values:
        parts.append(f'<text class="empty" x="{width / 2}" y="{height / 2}" '
                     'text-anchor="middle">no data</text>')
    parts.append("</svg>")
    return "\n".join(parts)
