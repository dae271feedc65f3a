"""summary.md: the verdict and tables in GitHub-flavoured Markdown."""

from __future__ import annotations

import re

from loadgate.config.plan import Plan
from loadgate.judge.regression import change_text, decision_text, interval_text
from loadgate.model import RequestFigures, Status, Verdict
from loadgate.printable import markdown_cell as cell
from loadgate.printable import visible
from loadgate.report import history
from loadgate.units import format_ms

REASON_ROWS = 10  # failure reasons and exceptions listed in summary.md

ICONS = {Status.PASS: "✅ pass", Status.WARN: "⚠️ warn", Status.FAIL: "❌ fail", Status.ERROR: "💥 error"}
HEADLINES = {Status.PASS: "✅ every SLO met", Status.FAIL: "❌ SLO breached",
             Status.ERROR: "💥 infrastructure error: verdict unknown"}


def request_row(label: str, figures: RequestFigures) -> str:
    return (f"| {cell(label)} | {figures.requests} | {figures.failures} | {figures.rps:.1f} | "
            f"{format_ms(figures.p50_ms)} | {format_ms(figures.p90_ms)} | {format_ms(figures.p95_ms)} | "
            f"{format_ms(figures.p99_ms)} |")


def baseline_lines(verdict: Verdict) -> list[str]:
    """A cut-short notice and the table of baseline comparisons."""
    lines = []
    if verdict.aborted is not None:
        lines += ["", f"> ⛔ **Run cut short**: {cell(verdict.aborted.message)}"]
    compared = [r for r in verdict.results if r.comparison is not None]
    if compared:
        lines += ["", "| SLO | baseline | now | change | interval | limit | decision |",
                  "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
        for r in compared:
            c, fmt = r.comparison, r.objective.format_value
            lines.append(f"| {cell(r.objective.name)} | {'missing' if c.baseline is None else fmt(c.baseline)} "
                         f"| {'–' if c.now is None else fmt(c.now)} | {change_text(c.change)} "
                         f"| {interval_text(c) or '–'} | {c.limit} | {decision_text(c)} |")
        unsettled = [r for r in compared if r.comparison.settle]
        lines += [""] * bool(unsettled) + [f"- {cell(r.objective.name)} is inconclusive: "
                                           f"{cell(r.comparison.settle)}" for r in unsettled]
    return lines


def error_lines(error: str) -> list[str]:
    """The error's headline quoted, then what came with it (the lines that explain it) as a
    block, fenced longer than any run of backticks in it."""
    head, *rest = visible(error, newlines=True).splitlines() or [""]
    if not rest:
        return [f"> {cell(head)}", ""]
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", "\n".join(rest))), default=0))
    return [f"> {cell(head)}", "", f"{fence}text", *rest, fence, ""]


def render(plan: Plan, verdict: Verdict) -> str:
    lines = [f"## loadgate: {cell(plan.name)} — {HEADLINES[verdict.status]}", ""]
    if verdict.error:
        lines += error_lines(verdict.error)
    lines += ["| SLO | measured | threshold | status |", "| --- | ---: | --- | --- |"]
    for result in verdict.results:
        measured = "–" if result.measured is None else result.objective.format_value(result.measured)
        lines.append(f"| {cell(result.objective.name)} | {measured} | "
                     f"{cell(result.objective.threshold)} | {ICONS[result.status]} |")
    lines += baseline_lines(verdict)
    lines += history.markdown_lines(verdict, cell)
    figures = verdict.measurements
    lines += [f"\n> **Warning:** {cell(text)}" for text in (figures.warnings if figures else ())]
    if figures:
        lines += ["", f"Window: {figures.window.seconds:.1f} s after a {plan.warmup:g} s warm-up, "
                  f"{plan.users} users.", "",
                  "| request | requests | failures | req/s | p50 ms | p90 ms | p95 ms | p99 ms |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [request_row(f"{r.method} {r.name}", r) for r in figures.requests]
        lines.append(request_row("**all**", figures.totals))
        lines += reason_lines(verdict)
    return "\n".join(lines) + "\n"


def reason_lines(verdict: Verdict) -> list[str]:
    """Why requests failed (window) and the locustfile's own exceptions (run), as two tables."""
    figures, lines = verdict.measurements, [f"> ⚠️ {cell(note)}" for note in verdict.notes]
    lines = ["", *lines] if lines else []
    if figures.failure_reasons:
        lines += ["", "**Why requests failed** (in the window)", "",
                  "| request | failure reason | count |", "| --- | --- | ---: |"]
        lines += [f"| {cell(f'{r.method} {r.name}')} | {cell(r.reason)} | {r.count} |"
                  for r in figures.failure_reasons[:REASON_ROWS]]
        if len(figures.failure_reasons) > REASON_ROWS:
            lines.append(f"| … | {len(figures.failure_reasons) - REASON_ROWS} more in results.json | |")
    if figures.user_errors:
        lines += ["", "**Exceptions in the locustfile**", "",
                  "| exception | where | what it did | count |", "| --- | --- | --- | ---: |"]
        lines += [f"| {cell(f'{e.type}: {e.message}' if e.message else e.type)} | {cell(e.location)} "
                  f"| {EFFECTS.get(e.effect, e.effect)} | {e.count} |"
                  for e in figures.user_errors[:REASON_ROWS]]
    return lines


EFFECTS = {"stopped_user": "stopped the user", "continued": "task failed, user went on",
           "stopped_load": "stopped the load"}
