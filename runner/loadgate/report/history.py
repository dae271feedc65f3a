"""Run history in the reports (formatting only): a small chart per objective for report.html, a
one-line trend per objective for summary.md.  The figures are judge/history.py's."""

from __future__ import annotations

from html import escape

from loadgate.model import History, Objective, Verdict
from loadgate.printable import visible
from loadgate.report.svg import Line, Rule, chart

LINE, THRESHOLD = "#2563eb", "#e11d48"
BARS = "▁▂▃▄▅▆▇█"


def runs_text(history: History) -> str:
    earlier = history.runs - 1
    return (f"{history.runs} runs: {earlier} earlier run{'s' * (earlier != 1)} from --baseline and "
            "this one, oldest to newest")


def left_out_text(history: History) -> str:
    if not history.left_out:
        return ""
    return (f" {history.left_out} objective{'s' * (history.left_out != 1)} from an `each:` (or beyond "
            "the first 40) have no history here: `loadgate compare` compares every request.")


def in_chart_unit(objective: Objective, value: float | None) -> float | None:
    return None if value is None else value * 100 if objective.unit == "%" else value


def run_label(index: float) -> str:
    """An x tick: the run's number, 1 the oldest; only whole points are named."""
    return f"run {int(index) + 1}" if index == int(index) else ""


def html_chart(objective: Objective, values: tuple[float | None, ...]) -> str:
    line = Line(objective.sli_words, [in_chart_unit(objective, v) for v in values], LINE)
    rules = ([Rule(objective.threshold, in_chart_unit(objective, objective.bound), THRESHOLD)]
             if objective.bound is not None else [])
    svg = chart(f"history {objective.name}", [float(i) for i in range(len(values))], [line], rules,
                " ms" if objective.unit == "ms" else objective.unit, width=400, height=200,
                x_format=run_label)
    return f'<figure class="history"><figcaption>{escape(visible(objective.name))}</figcaption>{svg}</figure>'


def html_section(verdict: Verdict) -> str:
    history = verdict.history
    if history is None or not history.values:
        return ""
    by_name = {r.objective.name: r.objective for r in verdict.results}
    charts = "".join(html_chart(by_name[name], values) for name, values in history.values.items())
    return (f'<section class="history"><h2>History</h2><p class="note">Each objective\'s measured '
            f'value across {escape(runs_text(history))}; the line across is its threshold.'
            f'{escape(left_out_text(history))}</p><div class="charts">{charts}</div></section>')


def sparkline(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low or 1.0
    return "".join(" " if v is None else BARS[round((v - low) / span * (len(BARS) - 1))] for v in values)


def markdown_lines(verdict: Verdict, cell) -> list[str]:
    history = verdict.history
    if history is None or not history.values:
        return []
    lines = ["", f"**History** ({runs_text(history)}){left_out_text(history)}", ""]
    by_name = {r.objective.name: r.objective for r in verdict.results}
    for name, values in history.values.items():
        objective = by_name[name]
        shown = [objective.format_value(v) for v in values if v is not None]
        trend = f"{shown[0]} → {shown[-1]}" if len(shown) > 1 else (shown[0] if shown else "no values")
        lines.append(f"- {cell(name)}: `{sparkline(list(values))}` {trend} "
                     f"({len(shown)} of {history.runs} runs measured it)")
    return lines
