"""The verdict on the terminal: a table of SLOs, coloured on a TTY and plain otherwise."""

from __future__ import annotations

import os
from typing import Mapping, TextIO

from loadgate.judge.reasons import TOP
from loadgate.judge.regression import change_text, decision_text, interval_text
from loadgate.model import Measurements, Result, Status, Verdict
from loadgate.printable import visible
from loadgate.units import format_ms, format_number

COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.ERROR: "35"}
WORDS = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.ERROR: "ERROR"}
VERDICTS = {Status.PASS: "PASSED: every SLO met", Status.FAIL: "FAILED: SLO breached",
            Status.ERROR: "ERROR: infrastructure failure, verdict unknown"}


def paint(text: str, status: Status, colour: bool) -> str:
    return f"\033[{COLOURS[status]}m{text}\033[0m" if colour else text


def table(verdict: Verdict, colour: bool) -> list[str]:
    rows = [("SLO", "measured", "threshold", "status")]
    for result in verdict.results:
        measured = "-" if result.measured is None else result.objective.format_value(result.measured)
        rows.append((visible(result.objective.name), measured, result.objective.threshold,
                     WORDS[result.status]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
        if index and colour:
            status = verdict.results[index - 1].status
            text = text[: len(text) - len(row[3])] + paint(row[3], status, colour)
        lines.append(text)
    return lines


def comparison_text(result: Result) -> str:
    c, fmt = result.comparison, result.objective.format_value
    base = "missing" if c.baseline is None else fmt(c.baseline)
    now = "-" if c.now is None else fmt(c.now)
    span = interval_text(c)
    runs = "" if c.runs == 1 else f" ({c.runs} runs)"
    text = (f"baseline{runs} {base}, now {now}, change {change_text(c.change)}"
            f"{f', interval {span}' if span else ''}, limit {c.limit}: {decision_text(c)}")
    return f"{text}; {c.settle}" if c.settle else text


def baseline_lines(verdict: Verdict) -> list[str]:
    """Every baseline comparison and a cut-short notice."""
    lines = [visible(f"{r.objective.name}: {comparison_text(r)}") for r in verdict.results
             if r.comparison is not None]
    if verdict.aborted is not None:
        lines.append(f"run cut short after {format_number(verdict.aborted.elapsed)} s: "
                     f"{visible(verdict.aborted.message)}")
    return lines


def totals_line(figures: Measurements) -> str:
    """``1234 requests, 7 failures, 60.0 req/s, p95 41 ms over a 25.0 s window``"""
    t = figures.totals
    p95 = format_ms(t.p95_ms, "-") + ("" if t.p95_ms is None else " ms")
    return (f"{t.requests} requests, {t.failures} failures, {t.rps:.1f} req/s, "
            f"p95 {p95} over a {figures.window.seconds:.1f} s window")


def render(verdict: Verdict, colour: bool) -> str:
    lines = table(verdict, colour)
    figures = verdict.measurements
    if figures:
        lines.append(totals_line(figures))
    for result in verdict.results:
        if result.status in (Status.FAIL, Status.WARN):
            lines.append(paint(f"{WORDS[result.status].lower()}: {visible(result.message)}",
                               result.status, colour))
        if result.status is Status.FAIL and result.reasons:
            lines += [f"  {visible(r.describe())}" for r in result.reasons[:TOP]]
    lines += baseline_lines(verdict)
    lines += [f"note: {visible(note)}" for note in verdict.notes]
    lines += [paint(f"warning: {visible(text)}", Status.WARN, colour)
              for text in (figures.warnings if figures else ())]
    if verdict.error:  # one line, then what came with it (e.g. Locust's last lines) indented
        lines += indented(f"error: {verdict.error}")
    lines.append(paint(f"loadgate: {VERDICTS[verdict.status]}", verdict.status, colour))
    return "\n".join(lines)


def indented(text: str) -> list[str]:
    """A multi-line message as the CLI prints errors: its first line, then the rest (e.g. the
    failed process's last output) indented with ``  | ``."""
    first, *rest = visible(text, newlines=True).splitlines() or [""]
    return [first] + [f"  | {line}" for line in rest]


def use_colour(out: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org) or TERM=dumb."""
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def show(verdict: Verdict, out: TextIO) -> None:
    out.write(render(verdict, colour=use_colour(out)) + "\n")
    out.flush()
