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
        data = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_no_constant)
    except FileNotFoundError:
        raise ConfigError("baseline not found (pass the results.json of an earlier run)",
                          path=str(path), key="--baseline") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the baseline: {exc}", path=str(path), key="--baseline") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the baseline is not valid JSON: {exc.msg}", path=str(path),
                          line=exc.lineno, key="--baseline") from None
    except (ValueError, RecursionError) as exc:  # NaN / Infinity, or nested beyond reason
        raise ConfigError(f"the baseline is not a loadgate results.json: {exc or 'nested too deeply'}",
                          path=str(path), key="--baseline") from None
    if not isinstance(data, dict) or not isinstance(data.get("slos", []), list):
        raise ConfigError("the baseline is not a loadgate results.json (no `slos` list)",
                          path=str(path), key="--baseline")
    check_types(data, str(path))
    return Baseline(path=str(path), slos=tuple(s for s in data.get("slos", []) if isinstance(s, dict)),
                    requests=tuple(r for r in data.get("requests") or [] if isinstance(r, dict)),
                    totals=data.get("totals") if isinstance(data.get("totals"), dict) else None)


def _no_constant(name: str):
    raise ValueError(f"the baseline holds {name}, which is not a number loadgate writes")


NUMBER, TEXT = (int, float), (str,)
# The fields a comparison reads, with the types a results.json holds (None is always allowed).
SLO_FIELDS = {"name": TEXT, "sli": TEXT, "request": TEXT, "measured": NUMBER, "percentile": NUMBER,
              "for_s": NUMBER}
ROW_FIELDS = {"method": TEXT, "name": TEXT, "requests": NUMBER, "failures": NUMBER, "rps": NUMBER,
              **{field: NUMBER for field in QUANTILE_FIELDS.values()}}


def check_types(data: dict, path: str) -> None:
    """Every field a comparison reads has the type loadgate writes, or the file is refused."""
    for key, kind in (("requests", list), ("totals", dict)):
        if data.get(key) is not None and not isinstance(data[key], kind):
            raise ConfigError(f"{key}: expected {'a list' if kind is list else 'an object'}, got "
                              f"{type(data[key]).__name__}", path=path, key="--baseline")
    rows = [(f"slos[{i}]", e, SLO_FIELDS) for i, e in enumerate(data.get("slos") or [])]
    rows += [(f"requests[{i}]", e, ROW_FIELDS) for i, e in enumerate(data.get("requests") or [])]
    rows += [("totals", data["totals"], ROW_FIELDS)] if data.get("totals") is not None else []
    for where, entry, fields in rows:
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected an object, got {type(entry).__name__}",
                              path=path, key="--baseline")
        for field, types in fields.items():
            value = entry.get(field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
                kind = "a number" if types is NUMBER else "a string"
                raise ConfigError(f"{where}.{field}: expected {kind}, got {value!r:.40}",
                                  path=path, key="--baseline")


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
