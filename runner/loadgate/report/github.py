"""GitHub Actions workflow commands: ``::error`` / ``::warning`` for breaches and warnings.

Written only when ``GITHUB_ACTIONS=true``.  Each annotation of an objective points at the SLO's
line in the SLO file, so the pull request shows it next to the objective that failed; the run's
notes (crashed users, the locustfile's exceptions, a blocked event loop) are one warning each.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, TextIO

from loadgate.config.plan import Plan
from loadgate.model import Result, Status, Verdict
from loadgate.printable import visible

COMMANDS = {Status.FAIL: ("error", "SLO breached"), Status.WARN: ("warning", "SLO warning")}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: object) -> str:
    """One workflow command; control characters in outside text are made visible first."""
    props = ",".join(f"{key}={escape_property(visible(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(visible(message, newlines=True))}"


def slo_file(plan: Plan, environ: Mapping[str, str]) -> str:
    """The SLO file as GitHub wants it: relative to the workspace when possible."""
    path = plan.slo_path
    workspace = environ.get("GITHUB_WORKSPACE")
    if path.is_absolute() and workspace:
        try:
            return path.relative_to(Path(workspace)).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def result_annotation(plan: Plan, result: Result, environ: Mapping[str, str]) -> str | None:
    if result.status not in COMMANDS:
        return None
    kind, title = COMMANDS[result.status]
    return command(kind, result.message, file=slo_file(plan, environ), line=result.objective.line,
                   title=f"{title}: {result.objective.name}")


def annotations(plan: Plan, verdict: Verdict, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The workflow commands for this verdict (empty when all passed cleanly)."""
    if verdict.status is Status.ERROR:
        return [command("error", verdict.error or "infrastructure error",
                        title="loadgate: infrastructure error, verdict unknown")]
    lines = [result_annotation(plan, r, environ) for r in verdict.results]
    return [line for line in lines if line] + run_annotations(verdict)


def run_annotations(verdict: Verdict) -> list[str]:
    """The run's own warnings and notes, once each (no JUnit reporter shows them by default)."""
    figures = verdict.measurements
    texts = list(figures.warnings if figures else ()) + list(verdict.notes)
    return [command("warning", text, title="loadgate: about the run") for text in texts]


def annotate(plan: Plan, verdict: Verdict, out: TextIO,
             environ: Mapping[str, str] = os.environ) -> None:
    """Write the annotations to ``out`` when running in GitHub Actions; nothing otherwise."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return
    for line in annotations(plan, verdict, environ):
        out.write(line + "\n")
    out.flush()
