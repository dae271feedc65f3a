"""The docker stack's Grafana dashboard, with the latency SLOs of slo.yaml drawn as thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from loadgate.model import Objective

DASHBOARD_FILE = "loadgate.json"
LATENCY_PANEL_ID = 1


def threshold_steps(objectives: Iterable[Objective]) -> list[dict]:
    """One step per latency bound (SLO thresholds are in ms, the panel in seconds)."""
    steps: dict[float, str] = {}
    for objective in objectives:
        if objective.sli != "latency" or objective.max is None:
            continue
        if objective.warn is not None:
            steps.setdefault(objective.warn / 1000, "orange")
        steps[objective.max / 1000] = "red"
    return [{"color": "green", "value": None}] + [
        {"color": color, "value": value} for value, color in sorted(steps.items())]


def render_dashboard(template: Path, objectives: Iterable[Objective]) -> dict:
    """The dashboard of ``template`` with the latency panel's thresholds drawn as lines."""
    objectives = list(objectives)
    dashboard = json.loads(template.read_text(encoding="utf-8"))
    panel = next(p for p in dashboard["panels"] if p["id"] == LATENCY_PANEL_ID)
    defaults = panel["fieldConfig"]["defaults"]
    defaults["thresholds"] = {"mode": "absolute", "steps": threshold_steps(objectives)}
    slos = [o.name for o in objectives if o.sli == "latency"]
    if slos:
        defaults["custom"]["thresholdsStyle"] = {"mode": "dashed"}
        panel["description"] += " SLOs: " + "; ".join(slos) + "."
    return dashboard


def write_dashboard(stack_dir: Path, dest: Path, objectives: Iterable[Objective]) -> Path:
    template = stack_dir / "grafana" / "provisioning" / "dashboards" / DASHBOARD_FILE
    dest.mkdir(mode=0o755, parents=True, exist_ok=True)
    dest.chmod(0o755)
    path = dest / DASHBOARD_FILE
    path.write_text(json.dumps(render_dashboard(template, objectives), indent=2) + "\n",
                    encoding="utf-8")
    path.chmod(0o644)
    return path
