"""Stage 6, report: junit.xml, results.json, summary.md, report.html and the console; they only
format a verdict and never touch processes."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from loadgate.config.plan import Plan
from loadgate.model import Verdict
from loadgate.report import github, html, json_report, junit, markdown

log = logging.getLogger("loadgate")


def write_all(plan: Plan, verdict: Verdict) -> list[Path]:
    """Write junit.xml, results.json, summary.md, report.html (plus $GITHUB_STEP_SUMMARY and,
    in GitHub Actions, ::error/::warning annotations on stdout); return the paths written."""
    plan.report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, render in (
        ("junit.xml", junit.render),
        ("results.json", json_report.render),
        ("summary.md", markdown.render),
        ("report.html", html.render),
    ):
        path = plan.report_dir / filename
        path.write_text(render(plan, verdict), encoding="utf-8")
        written.append(path)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(markdown.render(plan, verdict) + "\n")
    github.annotate(plan, verdict, sys.stdout)
    return written
