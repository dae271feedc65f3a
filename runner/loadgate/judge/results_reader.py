"""One results.json read as a run's figures: fast, and checked (the gate's ``--baseline`` and
``loadgate compare`` both read here).

The file is a regular file with a size cap (input_files.py).  What a comparison reads is kept:
the run's verdict, window start, its SLO entries and per-request table (the fields in
SLO_FIELDS / ROW_FIELDS), each with its interval columns as float arrays (NaN: no value).
Every field kept has the type loadgate writes, or the file is refused with a one-line
ConfigError naming the field.

Speed (issue #22: ``loadgate compare`` over 30 runs of 1 000 requests x 30 intervals, 77 MB of
JSON, 8 million numbers).  Measured on this 2-core machine while other helpers ran tests (load
average 3-4), best of 3, for the 30 files: the standard library's json 1.52 s, pydantic-core
1.10 s, orjson 1.06 s, msgspec 1.09 s (0.87 s decoding into typed structs, plus 0.31 s to turn
the lists into numpy arrays), yyjson 1.23 s; simdjson (pysimdjson) 0.26 s to parse and 0.30 s
with every column copied straight from its parsed form into a float array (``as_buffer``), no
Python number made on the way.  Number parsing is the cost, so only simdjson avoids it.  Its
``as_buffer`` refuses null, bools, strings and objects (then the column is read as a list and
checked value by value, as before: a results.json writes null for an interval without
requests), but flattens nested arrays: a column holding more or fewer numbers than values
([[1, 2]], [[]]) is refused, one whose nested arrays each hold one number ([[1], [2]]) is read
as those numbers (the previous reader refused it; checking each value would cost what was
saved).  Whatever simdjson refuses (invalid JSON or UTF-8, NaN, integers beyond 64 bits,
nesting beyond 1 024) is parsed again by pydantic-core / the standard library, for their exact
error or result.  A
JSON object with a key twice is read with the first (the standard library keeps the last).
Each column of a run is one matrix (a row per request), from which ``loadgate compare`` takes
its rows by index; a request's own columns are views made when asked for (RowColumns); the
usual list of requests is read in one pass (judge/interval_table.py).  The whole ``loadgate
compare`` of that history, in one process: 2.75-2.86 s of CPU before, 0.93-1.40 s after, 0.63-0.68
s after the second pass (docs/benchmarks.md); many files are read by two processes at once
(judge/forked_reader.py: 0.31-0.33 s -> 0.25-0.27 s for the 30).
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from loadgate import input_files
from loadgate.errors import ConfigError
from loadgate.judge import interval_table
from loadgate.judge.interval_table import NUMBER, UNREAD_COLUMNS, _simdjson  # noqa: F401

MAX_BYTES = 64 * 1024 * 1024  # a results.json of 1 000 names with intervals is a few MB
QUANTILE_FIELDS = {50.0: "p50_ms", 90.0: "p90_ms", 95.0: "p95_ms", 99.0: "p99_ms"}
# types as sets, None allowed everywhere; bool is not a number here (a subclass of int)
TEXT = frozenset({str, type(None)})
# The fields a comparison reads, with the types a results.json holds (None is always allowed).
SLO_FIELDS = {"name": TEXT, "sli": TEXT, "request": TEXT, "measured": NUMBER, "percentile": NUMBER,
              "for_s": NUMBER}
ROW_FIELDS = {"method": TEXT, "name": TEXT, "requests": NUMBER, "failures": NUMBER, "rps": NUMBER,
              **{field: NUMBER for field in QUANTILE_FIELDS.values()}}


def parse(path: Path, key: str):
    """The document (simdjson's lazy form, or Python objects); ConfigError when it is not a
    results.json."""
    what = "baseline" if key == "--baseline" else "results.json"
    raw = input_files.read_bytes(path, what, MAX_BYTES, key=key, missing=(
        "pass the results.json of a run, or a directory of them"))
    try:
        data = _simdjson().Parser().parse(raw)
    except (ValueError, RuntimeError):  # UnicodeDecodeError is a ValueError
        data = _parse_again(raw, path, what, key)
    slos = data.get("slos") if _is_object(data) else None
    if slos is None or not _is_array(slos):
        raise ConfigError(f"the {what} is not a loadgate results.json (no `slos` list)",
                          path=str(path), key=key)
    return data


def _parse_again(raw: bytes, path: Path, what: str, key: str):
    from pydantic_core import from_json  # only for what simdjson refuses

    text = input_files.decode(raw, path, what, key)
    try:
        return from_json(text, allow_inf_nan=False)
    except ValueError:
        pass
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the {what} is not valid JSON: {exc.msg}", path=str(path),
                          line=exc.lineno, key=key) from None
    except (ValueError, RecursionError) as exc:  # NaN / Infinity, or nested beyond reason
        raise ConfigError(f"the {what} is not a loadgate results.json: {exc or 'nested too deeply'}",
                          path=str(path), key=key) from None


def _no_constant(name: str):
    raise ValueError(f"the baseline holds {name}, which is not a number loadgate writes")


def _is_object(value: object) -> bool:
    return type(value) is dict or type(value) is _simdjson().Object


def _is_array(value: object) -> bool:
    return type(value) is list or type(value) is _simdjson().Array


def plain(value: object) -> object:
    """A value as Python objects (simdjson's lazy objects and arrays converted)."""
    if type(value) is _simdjson().Object:
        return value.as_dict()
    return value.as_list() if type(value) is _simdjson().Array else value


def _kind(value: object) -> str:
    return "dict" if _is_object(value) else "list" if _is_array(value) else type(value).__name__


def entries(data, field: str, fields: dict, where: str, refuse) -> tuple[list[dict], dict]:
    """``data[field]``'s objects (a list, or ``totals``: one object) with the fields given,
    checked, their interval columns as float arrays (RowColumns); and the table of those
    columns: per column a matrix with a row per object, NaN-padded to the longest and all NaN
    where an object has none (one conversion per column, not one per object)."""
    found = data.get(field)
    if found is None:
        return [], {}
    single = where == "totals"
    if not (_is_object(found) if single else _is_array(found)):
        refuse(f"{field}: expected {'an object' if single else 'a list'}, got {_kind(found)}")
    if not single and type(found) is _simdjson().Array:  # column by column where it can
        table: dict = {}
        if (fast := interval_table.rows(found, fields, table, where, refuse)) is not None:
            return fast, table
    columns: dict[str, list] = {}
    table = {}
    kept = [_entry(e, fields, where if single else f"{where}[{i}]", refuse, (columns, table, i))
            for i, e in enumerate([found] if single else found)]
    for name, cells in columns.items():
        table[name] = interval_table.matrix(*zip(*cells), len(kept), partial(_where, where, single, name), refuse)
    return kept, table


def _where(where: str, single: bool, column: str, index: int) -> str:
    return f"{where if single else f'{where}[{index}]'}.intervals.{column}"


def _entry(entry, fields: dict, where: str, refuse, gather: tuple) -> dict:
    """One object's fields (checked) and interval columns; the columns' values are gathered
    for _matrix.  This runs once per request of every run, so it is kept lean."""
    if not _is_object(entry):
        refuse(f"{where}: expected an object, got {_kind(entry)}")
    kept = {}
    for name in entry:  # simdjson's items() would convert the columns to Python lists
        types = fields.get(name)
        if types is not None:
            value = entry[name]
            if type(value) not in types:
                kind = "a number" if types is NUMBER else "a string"
                refuse(f"{where}.{name}: expected {kind}, got {plain(value)!r:.40}")
            kept[name] = value
        elif name == "intervals":
            kept[name] = interval_table.intervals(entry[name], where, refuse, *gather)
    return kept
