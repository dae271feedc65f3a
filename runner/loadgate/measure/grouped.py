"""Objectives that each select one request, read for all of them at once.

``each: true`` over 1 000 request names makes 1 000 objectives; read one by one they would cost
two or three queries each (seconds of round trips at the end of the run, and again on every
``abort_on_fail`` check).  An objective that selects exactly one (method, name) is answered from
queries grouped ``by (method, name)``: one per figure and percentile (and per ``for`` length for
sliding windows), whatever the number of names.  The values are the same as the one-by-one
queries give (same PromQL, grouped instead of filtered).
"""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

from loadgate.measure import promql
from loadgate.measure.histograms import quantiles_ms
from loadgate.measure.promql import FAILURES, REQUESTS, WINDOW
from loadgate.measure.reader import Reader
from loadgate.model import Objective, Window

BY = "method, name"
Key = tuple[str, str]


def request_key(objective: Objective) -> Key | None:
    """(method, name) when the objective selects exactly one request; None otherwise."""
    if objective.sli == "promql" or objective.request is None:
        return None
    if objective.matched is None:
        selector = objective.request
    elif len(objective.matched) == 1:
        selector = objective.matched[0]
    else:
        return None
    if selector.kind != "exact" or not selector.method:
        return None
    return selector.method, selector.name


def _by_key(samples: list[tuple[dict, float]]) -> dict[Key, float]:
    return {(m.get("method", ""), m.get("name", "")): v for m, v in samples}


def values(reader: Reader, objectives: Iterable[Objective], window: Window,
           counts: dict[Key, tuple[int, int]] | None = None,
           histograms: dict[Key, dict] | None = None) -> dict[str, tuple[float | None, str | None]]:
    """(value, note) by objective name, for the objectives that select one request each.

    ``counts``: (requests, failures) by key when already read, and ``histograms``: each key's
    latency histogram at the final scrape (the end-of-run figures; measure/window.py)."""
    chosen = [(o, key) for o in objectives if (key := request_key(o)) is not None]
    if not chosen:
        return {}
    answers = _read(reader, chosen, counts is None, histograms is None)
    if counts is None:
        counts = {k: (int(n), int(answers["failures"].get(k, 0))) for k, n in answers["requests"].items()}
    found = {}
    for objective, key in chosen:
        requests, failures = counts.get(key, (0, 0))
        if requests == 0:  # left to the one-by-one reading (both readings of a name, its note)
            continue
        if objective.sli == "latency":
            value = answers[f"q{objective.percentile!r}"].get(key) if histograms is None else \
                _quantile(histograms.get(key), objective.percentile / 100, reader)
            found[objective.name] = (None if value is None or math.isnan(value) else value, None)
        elif objective.sli == "error_rate":
            found[objective.name] = (failures / requests, None)
        else:
            found[objective.name] = (requests / window.seconds if window.seconds > 0 else 0.0, None)
    return found


def _read(reader: Reader, chosen: list[tuple[Objective, Key]], counts: bool,
          quantiles: bool) -> dict[str, dict[Key, float]]:
    """In one concurrent round: each chosen latency objective's quantile by key (``quantiles``:
    no histograms were read), and every key's window requests and failures (``counts``)."""
    queries = {f"q{o.percentile!r}": promql.window_quantile(o.percentile / 100, BY)
               for o, _ in chosen if o.sli == "latency"} if quantiles else {}
    if counts:
        queries["requests"] = f"sum by ({BY}) ({REQUESTS}{{{WINDOW}}})"
        queries["failures"] = f"sum by ({BY}) ({FAILURES}{{{WINDOW}}})"
    return {name: _by_key(samples) for name, samples in reader.concurrently(queries).items()}


def sliding_groups(objectives: Iterable[Objective]) -> dict[tuple, list[tuple[Objective, Key]]]:
    """``for:`` objectives selecting one request each, by what one grouped query can answer."""
    groups: dict[tuple, list[tuple[Objective, Key]]] = {}
    for objective in objectives:
        key = request_key(objective)
        if objective.sustain and key is not None:
            shape = (objective.sli, objective.percentile, objective.sustain)
            groups.setdefault(shape, []).append((objective, key))
    return {shape: members for shape, members in groups.items() if len(members) > 1}


def grouped_sliding_query(objective: Objective, window: Window) -> str | None:
    """The objective's sliding query for every request of the window, grouped by request."""
    everything = dataclasses.replace(objective, request=None, matched=None)
    return promql.sliding_query(everything, window, by=BY)


def sliding(reader: Reader, objectives: Iterable[Objective], window: Window, steps,
            names: int = 1) -> dict:
    """(window end, figure) series by objective name, one range query per group (at once);
    ``names``: the request names in the window, each a histogram of a grouped latency query."""
    groups = list(sliding_groups(objectives).values())
    with ThreadPoolExecutor(max_workers=min(4, len(groups) or 1)) as pool:
        answers = list(pool.map(lambda members: _sliding_group(reader, members, window, steps, names), groups))
    return {name: series for found in answers for name, series in found.items()}


def _sliding_group(reader: Reader, members: list[tuple[Objective, Key]], window: Window, steps,
                   names: int) -> dict:
    leader = members[0][0]
    positions = steps(window, leader.sustain, reader.at, names if leader.sli == "latency" else 0)
    if positions is None:
        return {}
    first, last, step = positions
    result = reader.range(grouped_sliding_query(leader, window), first, last, step)
    series = {(r["metric"].get("method", ""), r["metric"].get("name", "")): r.get("values", [])
              for r in result}
    return {objective.name: tuple((float(t), float(v)) for t, v in series.get(key, [])
                                  if not math.isnan(float(v)))
            for objective, key in members}


def sliding_now(reader: Reader, objectives: Iterable[Objective], window: Window) -> dict[str, float | None]:
    """The last ``for`` seconds' figure now, by objective name, one instant query per group."""
    found = {}
    for members in sliding_groups(objectives).values():
        if window.seconds < members[0][0].sustain:  # not one full window yet
            found.update({objective.name: None for objective, _ in members})
            continue
        answers = _by_key(reader.samples(grouped_sliding_query(members[0][0], window)))
        for objective, key in members:
            value = answers.get(key)
            found[objective.name] = None if value is None or math.isnan(value) else value
    return found


def _quantile(histogram: dict | None, q: float, reader: Reader) -> float | None:
    """The ``q`` quantile (ms) of a histogram in seconds, as the answering Prometheus computes it."""
    return quantiles_ms(histogram, (("q", q),), reader.quantile_rule())["q"]
