"""``--baseline PATH``: an earlier results.json, and each objective compared with it.

Reading the file is configuration (a missing or broken file is a ConfigError, exit 2); the
comparison is pure.  The baseline value of an objective is, in this order: the baseline's SLO
entry with the same SLI and scope (sli, request, percentile), the entry with the same name, or the
baseline's per-request table (``requests`` / ``totals``: p50/p90/p95/p99, failures, rps).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from loadgate.errors import ConfigError
from loadgate.model import Objective

QUANTILE_FIELDS = {50.0: "p50_ms", 90.0: "p90_ms", 95.0: "p95_ms", 99.0: "p99_ms"}


@dataclass(frozen=True)
class Baseline:
    path: str
    slos: tuple[dict, ...]
    requests: tuple[dict, ...]
    totals: dict | None


def load(path: str | Path | None) -> Baseline | None:
    if path is None or str(path) == "":
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("baseline not found (pass the results.json of an earlier run)",
                          path=str(path), key="--baseline") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the baseline is not valid JSON: {exc.msg}", path=str(path),
                          line=exc.lineno, key="--baseline") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the baseline: {exc}", path=str(path), key="--baseline") from None
    if not isinstance(data, dict) or not isinstance(data.get("slos", []), list):
        raise ConfigError("the baseline is not a loadgate results.json (no `slos` list)",
                          path=str(path), key="--baseline")
    return Baseline(path=str(path), slos=tuple(s for s in data.get("slos", []) if isinstance(s, dict)),
                    requests=tuple(r for r in data.get("requests") or [] if isinstance(r, dict)),
                    totals=data.get("totals") if isinstance(data.get("totals"), dict) else None)


def scope_key(objective: Objective) -> tuple:
    request = str(objective.request) if objective.request else None
    return objective.sli, request, objective.percentile, objective.sustain


def entry_key(entry: dict) -> tuple:
    percentile, sustain = entry.get("percentile"), entry.get("for_s")
    return (entry.get("sli"), entry.get("request"), None if percentile is None else float(percentile),
            None if sustain is None else float(sustain))


def value_for(baseline: Baseline, objective: Objective) -> float | None:
    """The objective's SLI in the baseline, in the SLI's unit (ms, fraction, /s); None if absent."""
    for match in (lambda e: "request" in e and entry_key(e) == scope_key(objective),
                  lambda e: e.get("name") == objective.name and e.get("sli") == objective.sli):
        for entry in baseline.slos:
            if match(entry) and isinstance(entry.get("measured"), (int, float)):
                value = float(entry["measured"])
                return value / 100 if objective.unit == "%" else value
    return _from_table(baseline, objective)


def _from_table(baseline: Baseline, objective: Objective) -> float | None:
    if objective.sli == "promql" or objective.matched is not None or objective.sustain:
        return None
    row = baseline.totals if objective.request is None else next(
        (r for r in baseline.requests if r.get("name") == objective.request.name
         and objective.request.method in (None, r.get("method"))
         and not _ambiguous(baseline, objective)), None)
    if row is None:
        return None
    if objective.sli == "latency":
        value = row.get(QUANTILE_FIELDS.get(float(objective.percentile or 0), ""))
    elif objective.sli == "error_rate":
        value = row["failures"] / row["requests"] if row.get("requests") else None
    else:
        value = row.get("rps")
    return float(value) if isinstance(value, (int, float)) else None


def _ambiguous(baseline: Baseline, objective: Objective) -> bool:
    """A request named without a method that the baseline saw under several methods."""
    if objective.request.method is not None:
        return False
    return sum(r.get("name") == objective.request.name for r in baseline.requests) > 1
