"""Interval columns of many results.json objects as one matrix per column (a row per object).

judge/results_reader.py reads a results.json; its objects' ``intervals`` columns land here: each
column of every object becomes one float matrix (NaN-padded, all NaN where an object has none),
from which ``loadgate compare`` takes rows by index, and an object's own columns are views made
when asked for (RowColumns).

``rows`` reads a list of objects (the thousand requests of a large run) in one pass in the
document's order, with no function call per value and the checks made per field over all
objects: for 30 runs of 1 000 requests x 30 intervals (benchmarks/compare.py) 0.20 s instead
of 0.25 s object by object, besides 0.16 s of parsing (this 2-core machine, load average 1,
20:00 UTC 4 Dec 2026).  Reading field by field across the objects took longer (0.27 s): each
pass walks the whole parsed document again, out of the processor's caches.  It takes only the
usual shape: objects of the same interval columns (the first object's, none twice), each field
of a type the reader keeps; for anything else it returns None and the object-by-object reading
(results_reader.entries) gives its exact result or one-line error.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from loadgate.judge.log_ratio import _np

NUMBER = frozenset({int, float, type(None)})  # bool is not a number here (a subclass of int)
UNREAD_COLUMNS = frozenset({"seconds", "start", "error_rate"})  # every other column is read
_ABSENT = object()


@cache
def _simdjson():
    import simdjson

    return simdjson


class RowColumns(Mapping):
    """One object's interval columns (``names``, each with ``counts`` values), each a view of
    its row in the column's matrix (made when asked for: the comparison reads the matrices,
    the gate a few objects' columns)."""

    __slots__ = ("_counts", "_names", "_row", "_table")

    def __init__(self, table: dict, row: int, names: list[str], counts: list[int]) -> None:
        self._table, self._row, self._names, self._counts = table, row, names, counts

    def __getitem__(self, name: str):
        try:
            count = self._counts[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None
        return self._table[name][self._row, :count]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def matrix(index, counts, raws, rows: int, where, refuse):
    """One column of every object that has it (its row index, count of values, float64 bytes)."""
    np = _np()
    sizes = list(map(len, map(memoryview, raws)))
    if sizes != [8 * n for n in counts]:  # simdjson's as_buffer flattens nested arrays
        refuse(f"{where(next(i for i, n, s in zip(index, counts, sizes) if s != 8 * n))}: "
               "expected a list of numbers")
    width = max(counts)
    if len(raws) == rows and min(counts) == width:
        return np.frombuffer(b"".join(raws)).reshape(rows, width)
    out = np.full((rows, width), np.nan)
    for i, n, raw in zip(index, counts, raws):
        out[i, :n] = np.frombuffer(raw)
    return out


def intervals(value, where: str, refuse, columns: dict, table: dict, index: int) -> RowColumns | None:
    """``intervals``: an object of lists of numbers (or null), one per interval; its columns'
    values are gathered in ``columns`` for ``matrix``."""
    if value is None:
        return None
    if not (type(value) is dict or type(value) is _simdjson().Object):
        refuse(f"{where}.intervals: expected an object, got {_kind(value)}")
    counts: dict[str, int] = {}
    for column in value:
        if column in UNREAD_COLUMNS:
            continue
        values = value[column]
        try:
            raw = values.as_buffer(of_type="d")  # float64s, or TypeError
        except (TypeError, AttributeError):  # null, not a number, not an array, a Python list
            raw = column_bytes(values, f"{where}.intervals.{column}", refuse)
        counts[column] = count = len(values)
        cells = columns.get(column)
        if cells is None:
            columns[column] = cells = []
        cells.append((index, count, raw))
    return RowColumns(table, index, list(counts), list(counts.values()))


def column_bytes(values, where: str, refuse) -> bytes:
    """A column simdjson's ``as_buffer`` refused, value by value (null: NaN)."""
    values = values.as_list() if type(values) is _simdjson().Array else values
    if type(values) is list and set(map(type, values)) <= NUMBER:
        try:
            return _np().array(values, dtype=float).tobytes()
        except OverflowError:  # an integer beyond any float
            pass
    refuse(f"{where}: expected a list of numbers")


def _kind(value: object) -> str:
    sj = _simdjson()
    return ("dict" if type(value) in (dict, sj.Object) else "list" if type(value) in (list, sj.Array)
            else type(value).__name__)


# -- the usual shape, column by column ------------------------------------------------------------

def rows(found, fields: dict, table: dict, place: str, refuse) -> list[dict] | None:
    """The objects of the simdjson array ``found`` (``place``: its name in messages) with the
    fields given (name -> types kept), their interval columns in ``table``; None when they are
    not of the usual shape (read them object by object then).  One pass in the document's
    order, the parsed form read from memory once (field by field over all objects took longer
    than object by object)."""
    names, obj, shape = list(fields), _simdjson().Object, None
    values, read = [], []
    for o in found:
        if type(o) is not obj:
            return None
        values.append([o.get(name, _ABSENT) for name in names])
        intervals = o.get("intervals", _ABSENT)
        if intervals is None or intervals is _ABSENT:
            read.append(intervals)
            continue
        if type(intervals) is not obj or (shape := shape or _Shape.of(intervals)) is None:
            return None
        if len(intervals) != shape.size or not all(map(intervals.__contains__, shape.unread)):
            return None  # other columns than the first object's (or a name twice)
        try:
            arrays = [intervals[k] for k in shape.names]
            read.append((list(map(len, arrays)), [a.as_buffer(of_type="d") for a in arrays]))
        except (TypeError, AttributeError, KeyError):  # a null (an interval without requests)...
            if (slowly := _numbers(intervals, shape.names)) is None:
                return None
            read.append(slowly)
    return _kept(values, names, fields, read, shape, table, (place, refuse))


def _kept(values: list, names: list, fields: dict, read: list, shape, table: dict, where: tuple
          ) -> list[dict] | None:
    """Each object's fields as a dict, with its interval columns (None: a field of a type not
    kept: refused object by object, naming its place)."""
    by_name = list(zip(*values))
    if not values or any(not set(map(type, v)) <= fields[n] | {object} for n, v in zip(names, by_name)):
        return None
    if any(_ABSENT in v for v in by_name):
        kept = [{n: x for n, x in zip(names, row) if x is not _ABSENT} for row in values]
    else:
        kept = [dict(zip(names, row)) for row in values]
    if shape is not None:  # some object has intervals
        _table(read, shape.names, table, *where)
    for i, (row, columns) in enumerate(zip(kept, read)):
        if columns is None:
            row["intervals"] = None
        elif columns is not _ABSENT:
            row["intervals"] = RowColumns(table, i, shape.names, columns[0])
    return kept


class _Shape:
    """The first object's interval columns: the others must have the same, none twice."""

    def __init__(self, keys: list[str]) -> None:
        self.size = len(keys)
        self.names = [k for k in keys if k not in UNREAD_COLUMNS]
        self.unread = [k for k in keys if k in UNREAD_COLUMNS]

    @classmethod
    def of(cls, intervals) -> _Shape | None:
        keys = list(intervals.keys())
        return cls(keys) if len(set(keys)) == len(keys) else None


def _numbers(intervals, names: list[str]) -> tuple[list[int], list[bytes]] | None:
    """One object's columns value by value (None: a column missing or not a list of numbers)."""
    arrays = [intervals.get(k) for k in names]
    raws = list(map(_column, arrays))
    return None if None in raws else (list(map(len, arrays)), raws)


def _column(array) -> bytes | None:
    if type(array) is not _simdjson().Array:
        return None
    try:
        return array.as_buffer(of_type="d")
    except TypeError:
        values = array.as_list()
    if set(map(type, values)) <= NUMBER:
        try:
            return _np().array(values, dtype=float).tobytes()
        except OverflowError:  # an integer beyond any float
            pass
    return None


def _table(columns: list, names: list[str], table: dict, place: str, refuse) -> None:
    """Each column's matrix (a row per object) into ``table``."""
    index = [i for i, read in enumerate(columns) if read is not None and read is not _ABSENT]
    counts, raws = zip(*(columns[i] for i in index))
    for name, n, raw in zip(names, zip(*counts), zip(*raws)):

        def where(i: int, name: str = name) -> str:
            return f"{place}[{i}].intervals.{name}"

        table[name] = matrix(index, n, raw, len(columns), where, refuse)
