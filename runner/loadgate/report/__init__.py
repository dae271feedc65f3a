"""Stage 6, report: junit.xml, results.json, summary.md, report.html and the console; they only
format a verdict and never touch processes."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from loadgate.config.plan import Plan
from loadgate.errors import InfraError
from loadgate.model import Verdict
from loadgate.report import github, html, json_report, junit, markdown

log = logging.getLogger("loadgate")


def write_all(plan: Plan, verdict: Verdict) -> list[Path]:
    """Write junit.xml, results.json, summary.md, report.html (plus $GITHUB_STEP_SUMMARY and,
    in GitHub Actions, ::error/::warning annotations on stdout); return the paths written.

    Every file that can be written is; then InfraError names those that could not.  The step
    summary is a courtesy: when it cannot be written, a warning says so and the verdict stands.
    """
    written, failed = [], []
    for filename, render in (
        ("junit.xml", junit.render),
        ("results.json", json_report.render),
        ("summary.md", markdown.render),
        ("report.html", html.render),
    ):
        path = plan.report_dir / filename
        try:
            plan.report_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(render(plan, verdict), encoding="utf-8")
        except OSError as exc:
            failed.append(f"{path}: {exc.strerror or exc}")
            continue
        written.append(path)
    append_step_summary(plan, verdict)
    github.annotate(plan, verdict, sys.stdout)
    if failed:
        raise InfraError(f"cannot write the reports ({len(failed)} of 4): " + "; ".join(failed))
    return written


def append_step_summary(plan: Plan, verdict: Verdict) -> None:
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not step_summary:
        return
    try:
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(markdown.render(plan, verdict) + "\n")
    except OSError as exc:
        log.warning("cannot append to $GITHUB_STEP_SUMMARY (%s): %s", step_summary,
                    exc.strerror or exc)
