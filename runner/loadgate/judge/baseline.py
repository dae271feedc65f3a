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

import gc
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterable

from loadgate.errors import ConfigError
from loadgate.judge import forked_reader, results_reader
from loadgate.judge.results_reader import MAX_BYTES, QUANTILE_FIELDS, ROW_FIELDS, SLO_FIELDS  # noqa: F401
from loadgate.model import Objective
from loadgate.results_format import unreadable

log = logging.getLogger("loadgate")
# Fewer bytes of results.json are read by this process alone (judge/forked_reader.py): forked,
# 2 runs of 1 000 requests (5 MiB) took 27 ms instead of 23, 3 (7.7 MiB) 33 ms instead of 35,
# 6 (15 MiB) 66 ms instead of 77 (quiet 2-core machine, 4 Dec 2026).
FORK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Run:
    """One baseline run, as its results.json has it."""

    path: str
    slos: tuple[dict, ...]
    requests: tuple[dict, ...]
    totals: dict | None
    started: float | None = None  # the window's start (unix seconds), to order runs
    # per interval column, a matrix with a row per request (``requests``' order; NaN-padded):
    # judge/results_reader.py; empty for a Run made otherwise
    table: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Baseline:
    runs: tuple[Run, ...]
    given: str  # the --baseline argument, for messages

    @property
    def path(self) -> str:
        return self.runs[0].path if len(self.runs) == 1 else f"{len(self.runs)} runs in {self.given}"


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


def read_runs(paths: Iterable[Path], key: str, meanwhile: Callable[[], object] | None = None) -> list[Run]:
    """The runs with figures in these files and directories (every results.json below one).

    Many bytes of them are read by this process and a forked child at once; this process does
    ``meanwhile`` first (judge/forked_reader.py).  The garbage collector is paused meanwhile:
    reading makes many objects and no cycle, and its passes over them took a quarter of the
    reading time (30 runs of 1 000 requests)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_all(list(paths), key, meanwhile)
    finally:
        if enabled:
            gc.enable()


def _read_all(paths: list[Path], key: str, meanwhile) -> list[Run]:
    folders = {path: sorted(path.rglob("*.json")) for path in paths if path.is_dir()}
    files = []
    for path in paths:
        files += [(f, False) for f in folders[path]] if path in folders else [(path, True)]
    read = forked_reader.read_each(partial(_read, key=key), files, meanwhile, fork=_many_bytes(files))
    runs: list[Run] = []
    for path in paths:
        if path not in folders:
            if (run := next(read)) is not None:  # a file given: a ConfigError raised, or a run
                runs.append(run)
            continue
        found = [r for f in folders[path] if (r := _in_folder(next(read), f, key))]
        if not found:
            raise ConfigError("no loadgate results.json in this directory", path=str(path), key=key)
        runs += found
    return runs


def _many_bytes(files: list[tuple[Path, bool]]) -> bool:
    """Whether the files are worth a second process (FORK_BYTES)."""
    total = 0
    for path, _ in files:
        try:
            total += path.stat().st_size
        except OSError:  # reading it says why
            pass
        if total >= FORK_BYTES:
            return True
    return False


def _in_folder(read: Run | bool | None, path: Path, key: str) -> Run | None:
    if read is False:
        log.debug("%s folder: %s is not a loadgate results.json", key, path)
        return None
    return read


def _read(file: tuple[Path, bool], key: str = "--baseline") -> Run | bool | None:
    """One results.json (judge/results_reader.py): its run, or None (it ended in an error); in
    a folder (``strict`` False) anything else is passed over: False (a child may read this, so
    the message is logged where the runs are gathered, in order)."""
    path, strict = file
    try:
        data = results_reader.parse(path, key)
    except ConfigError:
        if strict:
            raise
        return False
    if why := unreadable({k: results_reader.plain(data[k]) for k in ("schema_version",) if k in data}):
        raise ConfigError(why, path=str(path), key=key)  # another version: refused, in a folder too

    def refuse(message: str):  # a results.json with wrong fields is refused, in a folder too
        raise ConfigError(message, path=str(path), key=key)

    read = {name: results_reader.entries(data, name, fields, name, refuse) for name, fields
            in (("slos", SLO_FIELDS), ("requests", ROW_FIELDS), ("totals", ROW_FIELDS))}
    if data.get("verdict") == "error" or not read["totals"][0]:
        return None
    return Run(path=str(path), slos=tuple(read["slos"][0]), requests=tuple(read["requests"][0]),
               totals=read["totals"][0][0], started=_started(data), table=read["requests"][1])


def _started(data) -> float | None:
    window = data.get("window")
    start = window.get("start") if results_reader._is_object(window) else None
    return float(start) if isinstance(start, (int, float)) and not isinstance(start, bool) else None


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
    if entry is not None and isinstance(entry.get("intervals"), Mapping):
        return entry["intervals"]
    row = _row(run, objective)
    columns = row.get("intervals") if row is not None else None
    if not isinstance(columns, Mapping):
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
