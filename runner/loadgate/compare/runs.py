"""The runs ``loadgate compare`` reads: earlier runs' results.json and the one to compare with them.

Reading is judge/baseline.py's (regular files only, bounded size, checked types): an unreadable
file is a ConfigError, exit 2.  A directory holds every results.json below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loadgate.errors import ConfigError
from loadgate.judge import special
from loadgate.judge.baseline import Run, read_runs


def baseline_runs(paths: Sequence[str], current: Run | None = None) -> list[Run]:
    """Every run with figures in the files and directories given, oldest first; the current
    run's own file is left out (a directory of runs that holds it too).  scipy is imported
    while a child reads runs (judge/forked_reader.py): the comparison needs it next."""
    runs = read_runs([Path(p) for p in paths], "BASELINE", meanwhile=special.load)
    if current is not None:
        runs = [r for r in runs if Path(r.path).resolve() != Path(current.path).resolve()]
    if not runs:
        raise ConfigError("no run with figures besides CURRENT (every other run given ended in an "
                          "error)", path=paths[0], key="BASELINE")
    return sorted(runs, key=lambda r: (r.started is None, r.started or 0.0, r.path))


def current_run(path: str) -> Run:
    """The one run compared: a results.json, or a directory holding exactly one."""
    runs = read_runs([Path(path)], "CURRENT")
    if len(runs) != 1:
        why = ("it ended in an error: no figures to compare" if not runs else
               f"a directory with {len(runs)} runs (give the one results.json to compare)")
        raise ConfigError(why, path=path, key="CURRENT")
    return runs[0]
