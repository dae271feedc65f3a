"""Reports: they only format a verdict; they never touch processes."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from loadgate.model import Verdict
from loadgate.plan import Plan
from loadgate.report import json_report, junit, markdown

log = logging.getLogger("loadgate")


def write_all(plan: Plan, verdict: Verdict) -> list[Path]:
    """Write junit.xml, results.json and summary.md (plus $GITHUB_STEP_SUMMARY); return paths."""
    plan.report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, render in (
        ("junit.xml", junit.render),
        ("results.json", json_report.render),
        ("summary.md", markdown.render),
    ):
        path = plan.report_dir / filename
        path.write_text(render(plan, verdict), encoding="utf-8")
        written.append(path)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(markdown.render(plan, verdict) + "\n")
    return written
