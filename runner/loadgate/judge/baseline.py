"""``--baseline``: earlier runs' results.json, and what each objective is compared with.

``--baseline`` takes one or more files or directories (every ``*.json`` below a directory that is
a loadgate results.json, e.g. the last runs of the main branch).  Reading them is configuration
(a missing or broken file is a ConfigError, exit 2); the lookup is pure.  A run that ended in an
error (no figures) is left out, and so is a file in a directory that is not a results.json.
``loadgate compare`` reads its runs here too (``key`` names its argument in messages).

An objective's baseline in one run is, in this order: the run's SLO entry with the same SLI and
scope (sli, request, percentile), the entry with the same name, or the run's per-request table
(``requests`` / ``totals``: p50/p90/p95/p99, failures, rps).  Its interval figures come from
the same place (``intervals``); files written before intervals existed give a single number.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable

from pydantic_core import from_json

from loadgate import input_files
from loadgate.errors import ConfigError
from loadgate.model import Objective
from loadgate.results_format import unreadable

log = logging.getLogger("loadgate")

QUANTILE_FIELDS = {50.0: "p50_ms", 90.0: "p90_ms", 95.0: "p95_ms", 99.0: "p99_ms"}


@dataclass(frozen=True)
class Run:
    """One baseline run, as its results.json has it."""

    path: str
    slos: tuple[dict, ...]
    requests: tuple[dict, ...]
    totals: dict | None
    started: float | None = None  # the window's start (unix seconds), to order runs


@dataclass(frozen=True)
class Baseline:
    runs: tuple[Run, ...]
    given: str  # the --baseline argument, for messages

    @property
    def path(self) -> str:
        return self.runs[0].path if len(self.runs) == 1 else f"{len(self.runs)} runs in {self.given}"


MAX_BYTES = 64 * 1024 * 1024  # a results.json of 1 000 names with intervals is a few MB


def split_paths(text: str) -> list[str]:
    """``LOADGATE_BASELINE``: paths separated by commas; empty entries are left out."""
    paths = [p.strip() for p in text.split(",") if p.strip()]
    if not paths:
        raise ValueError("no path in it: give results.json files or directories, separated by commas")
    return paths


def load(paths: str | Path | Iterable[str | Path] | None) -> Baseline | None:
    """Every run in the files and directories given; None without any."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths or () if str(p).strip()]
    if not paths:
        return None
    runs = read_runs(paths, "--baseline")
    if not runs:
        raise ConfigError("no baseline run with figures (every run given ended in an error)",
                          path=str(paths[0]), key="--baseline")
    return Baseline(runs=tuple(runs), given=", ".join(map(str, paths)))


def read_runs(paths: Iterable[Path], key: str) -> list[Run]:
    """The runs with figures in these files and directories (every results.json below one)."""
    runs: list[Run] = []
    for path in paths:
        if path.is_dir():
            found = [r for f in sorted(path.rglob("*.json")) if (r := _read(f, False, key))]
            if not found:
                raise ConfigError("no loadgate results.json in this directory", path=str(path), key=key)
            runs += found
        elif (run := _read(path, True, key)) is not None:
            runs.append(run)
    return runs


def _read(path: Path, strict: bool, key: str = "--baseline") -> Run | None:
    """One results.json; in a folder (``strict=False``) anything else is passed over."""
    try:
        data = _parse(path, key)
    except ConfigError:
        if strict:
            raise
        log.debug("%s folder: %s is not a loadgate results.json", key, path)
        return None
    if why := unreadable(data):  # a results.json of another version is refused, in a folder too
        raise ConfigError(why, path=str(path), key=key)
    check_types(data, str(path), key)  # a results.json with wrong fields is refused, in a folder too
    if data.get("verdict") == "error" or not isinstance(data.get("totals"), dict):
        return None
    return Run(path=str(path), slos=tuple(s for s in data["slos"] if isinstance(s, dict)),
               requests=tuple(r for r in data.get("requests") or [] if isinstance(r, dict)),
               totals=data["totals"], started=_started(data))


def _started(data: dict) -> float | None:
    window = data.get("window")
    start = window.get("start") if isinstance(window, dict) else None
    return float(start) if isinstance(start, (int, float)) and not isinstance(start, bool) else None


def _parse(path: Path, key: str = "--baseline") -> dict:
    """The file as a checked results.json (a regular file, capped: input_files.py).

    pydantic-core's JSON parser is about 3x the standard library's on the large files of a long
    history (``loadgate compare``); what it refuses is parsed again by the standard library, for
    its exact error (or, nested deeper than pydantic-core goes, its result)."""
    what = "baseline" if key == "--baseline" else "results.json"
    text = input_files.read_text(path, what, MAX_BYTES, key=key, missing=(
        "pass the results.json of a run, or a directory of them"))
    try:
        data = from_json(text, allow_inf_nan=False)
    except ValueError:
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"the {what} is not valid JSON: {exc.msg}", path=str(path),
                              line=exc.lineno, key=key) from None
        except (ValueError, RecursionError) as exc:  # NaN / Infinity, or nested beyond reason
            raise ConfigError(f"the {what} is not a loadgate results.json: {exc or 'nested too deeply'}",
                              path=str(path), key=key) from None
    if not isinstance(data, dict) or not isinstance(data.get("slos", []), list) or "slos" not in data:
        raise ConfigError(f"the {what} is not a loadgate results.json (no `slos` list)",
                          path=str(path), key=key)
    return data


def _no_constant(name: str):
    raise ValueError(f"the baseline holds {name}, which is not a number loadgate writes")


# types as sets, None allowed everywhere; bool is not a number here (a subclass of int)
NUMBER, TEXT = frozenset({int, float, type(None)}), frozenset({str, type(None)})
# The fields a comparison reads, with the types a results.json holds (None is always allowed).
SLO_FIELDS = {"name": TEXT, "sli": TEXT, "request": TEXT, "measured": NUMBER, "percentile": NUMBER,
              "for_s": NUMBER}
ROW_FIELDS = {"method": TEXT, "name": TEXT, "requests": NUMBER, "failures": NUMBER, "rps": NUMBER,
              **{field: NUMBER for field in QUANTILE_FIELDS.values()}}


def check_types(data: dict, path: str, key: str = "--baseline") -> None:
    """Every field a comparison reads has the type loadgate writes, or the file is refused."""
    for field, kind in (("requests", list), ("totals", dict)):
        if data.get(field) is not None and not isinstance(data[field], kind):
            raise ConfigError(f"{field}: expected {'a list' if kind is list else 'an object'}, got "
                              f"{type(data[field]).__name__}", path=path, key=key)
    rows = [(f"slos[{i}]", e, SLO_FIELDS) for i, e in enumerate(data.get("slos") or [])]
    rows += [(f"requests[{i}]", e, ROW_FIELDS) for i, e in enumerate(data.get("requests") or [])]
    rows += [("totals", data["totals"], ROW_FIELDS)] if data.get("totals") is not None else []
    for where, entry, fields in rows:
        if type(entry) is not dict:
            raise ConfigError(f"{where}: expected an object, got {type(entry).__name__}",
                              path=path, key=key)
        wrong = [f for f, types in fields.items() if type(entry.get(f)) not in types]
        if wrong:
            value, kind = entry[wrong[0]], "a number" if fields[wrong[0]] is NUMBER else "a string"
            raise ConfigError(f"{where}.{wrong[0]}: expected {kind}, got {value!r:.40}", path=path, key=key)
        if "intervals" in entry:
            check_columns(entry["intervals"], f"{where}.intervals", path, key)


UNREAD_COLUMNS = frozenset({"seconds", "start", "error_rate"})  # every other column is read


def check_columns(columns: object, where: str, path: str, key: str = "--baseline") -> None:
    """``intervals``: an object of lists of numbers (or null), one per interval; the columns a
    comparison reads are checked.  Types as one set per row (not isinstance per value): 30 runs
    of 1 000 requests x 30 intervals are 6 million values."""
    if columns is None:
        return
    if type(columns) is not dict:
        raise ConfigError(f"{where}: expected an object, got {type(columns).__name__}",
                          path=path, key=key)
    read = [columns[name] for name in columns if name not in UNREAD_COLUMNS]
    if all(type(v) is list for v in read) and set(map(type, chain.from_iterable(read))) <= NUMBER:
        return
    for name in columns.keys() - UNREAD_COLUMNS:  # which column, for the message
        values = columns[name]
        if type(values) is not list or not set(map(type, values)) <= NUMBER:
            raise ConfigError(f"{where}.{name}: expected a list of numbers", path=path, key=key)


def scope_key(objective: Objective) -> tuple:
    request = str(objective.request) if objective.request else None
    return objective.sli, request, objective.percentile, objective.sustain


def entry_key(entry: dict) -> tuple:
    percentile, sustain = entry.get("percentile"), entry.get("for_s")
    return (entry.get("sli"), entry.get("request"), None if percentile is None else float(percentile),
            None if sustain is None else float(sustain))


def _entry(run: Run, objective: Objective) -> dict | None:
    for match in (lambda e: "request" in e and entry_key(e) == scope_key(objective),
                  lambda e: e.get("name") == objective.name and e.get("sli") == objective.sli):
        for entry in run.slos:
            if match(entry) and isinstance(entry.get("measured"), (int, float)):
                return entry
    return None


def value_for(run: Run, objective: Objective) -> float | None:
    """The objective's SLI in one run, in the SLI's unit (ms, fraction, /s); None if absent."""
    entry = _entry(run, objective)
    if entry is not None:
        value = float(entry["measured"])
        return value / 100 if objective.unit == "%" else value
    row = _row(run, objective)
    if row is None:
        return None
    if objective.sli == "latency":
        value = row.get(QUANTILE_FIELDS.get(float(objective.percentile or 0), ""))
    elif objective.sli == "error_rate":
        value = row["failures"] / row["requests"] if row.get("requests") else None
    else:
        value = row.get("rps")
    return float(value) if isinstance(value, (int, float)) else None


def intervals_for(run: Run, objective: Objective) -> dict | None:
    """The objective's interval columns in one run (results.json ``intervals``); None: none kept."""
    entry = _entry(run, objective)
    if entry is not None and isinstance(entry.get("intervals"), dict):
        return entry["intervals"]
    row = _row(run, objective)
    columns = row.get("intervals") if row is not None else None
    if not isinstance(columns, dict):
        return None
    if objective.sli == "latency" and objective.percentile_field not in columns:
        return None
    return columns


def _row(run: Run, objective: Objective) -> dict | None:
    pattern = objective.request is not None and objective.request.kind != "exact"
    if objective.sli == "promql" or pattern or objective.sustain:
        return None
    if objective.request is None:
        return run.totals
    rows = [r for r in run.requests if r.get("name") == objective.request.name
            and objective.request.method in (None, r.get("method"))]
    return rows[0] if len(rows) == 1 else None  # a name without method seen under several: none
