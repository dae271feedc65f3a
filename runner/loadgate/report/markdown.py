"""summary.md: the verdict and tables in GitHub-flavoured Markdown."""

from __future__ import annotations

from loadgate.model import RequestFigures, Status, Verdict
from loadgate.plan import Plan
from loadgate.report import extensions

ICONS = {Status.PASS: "✅ pass", Status.WARN: "⚠️ warn", Status.FAIL: "❌ fail", Status.ERROR: "💥 error"}
HEADLINES = {Status.PASS: "✅ every SLO met", Status.FAIL: "❌ SLO breached",
             Status.ERROR: "💥 infrastructure error: verdict unknown"}


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def request_row(label: str, figures: RequestFigures) -> str:
    return (f"| {cell(label)} | {figures.requests} | {figures.failures} | {figures.rps:.1f} | "
            f"{_ms(figures.p50_ms)} | {_ms(figures.p90_ms)} | {_ms(figures.p95_ms)} | {_ms(figures.p99_ms)} |")


def render(plan: Plan, verdict: Verdict) -> str:
    lines = [f"## loadgate: {cell(plan.name)} — {HEADLINES[verdict.status]}", ""]
    if verdict.error:
        lines += [f"> {cell(verdict.error)}", ""]
    lines += ["| SLO | measured | threshold | status |", "| --- | ---: | --- | --- |"]
    for result in verdict.results:
        measured = "–" if result.measured is None else result.objective.format_value(result.measured)
        lines.append(f"| {cell(result.objective.name)} | {measured} | "
                     f"{cell(result.objective.threshold)} | {ICONS[result.status]} |")
    lines += extensions.markdown_lines(verdict, cell)
    figures = verdict.measurements
    if figures:
        lines += ["", f"Window: {figures.window.seconds:.1f} s after a {plan.warmup:g} s warm-up, "
                  f"{plan.users} users.", "",
                  "| request | requests | failures | req/s | p50 ms | p90 ms | p95 ms | p99 ms |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [request_row(f"{r.method} {r.name}", r) for r in figures.requests]
        lines.append(request_row("**all**", figures.totals))
    return "\n".join(lines) + "\n"
