"""What was read while the load ran, so that a figure is read once (pure).

measure/intervals.py evaluates each of its queries at every interval end of the window.  The
value at one end depends only on the samples up to that end, so the answers of several range
queries over parts of the ends (read while the load runs, measure/live.py) put together are the
answer of one range query over all of them.  An answer is kept under its PromQL text: a query
written differently (another interval length) never reuses another's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable

Key = Hashable  # a label group, e.g. (method, name)


@dataclass
class Answers:
    """One query's values: the instants it was evaluated at, and per label group the value at
    each of them where it had one (a group absent at an instant has none there)."""

    read: set[float] = field(default_factory=set)
    values: dict[Key, dict[float, object]] = field(default_factory=dict)


@dataclass
class Scrapes:
    """Per answered scrape (its time): the requests so far, all series summed, and the users;
    raw samples added in parts, each part only after the scrapes already held (``until``)."""

    until: float | None = None
    requests: dict[float, float] = field(default_factory=dict)
    users: dict[float, float] = field(default_factory=dict)

    def add(self, requests: list[tuple[dict, list]], users: list[tuple[dict, list]], until: float) -> None:
        """Raw samples (each series with its ``[time, value]`` pairs) read up to ``until``."""
        for _, samples in requests:
            for ts, value in samples:
                if self.until is None or float(ts) > self.until:
                    self.requests[float(ts)] = self.requests.get(float(ts), 0.0) + float(value)
        for _, samples in users:
            self.users.update({float(ts): float(v) for ts, v in samples
                               if self.until is None or float(ts) > self.until})
        self.until = until


@dataclass
class Readings:
    """Answers by PromQL text, and the scrapes' raw totals (measure/stalls.py)."""

    answers: dict[str, Answers] = field(default_factory=dict)
    scrapes: Scrapes = field(default_factory=Scrapes)
    chart_step: float | None = None  # the charts' step, chosen from the planned load (timeline.py)

    def add(self, promql: str, instants: tuple[float, ...], found: dict[Key, list]) -> None:
        """Keep a range query's answer: per group, one value per instant (None: no sample)."""
        kept = self.answers.setdefault(promql, Answers())
        kept.read.update(instants)
        for key, values in found.items():
            group = kept.values.setdefault(key, {})
            for instant, value in zip(instants, values):
                if value is None:
                    group.pop(instant, None)
                else:
                    group[instant] = value

    def missing(self, promql: str, instants: tuple[float, ...]) -> tuple[float, ...]:
        """The instants at which ``promql`` has not been read."""
        kept = self.answers.get(promql)
        return instants if kept is None else tuple(t for t in instants if t not in kept.read)

    def aligned(self, promql: str, instants: tuple[float, ...]) -> dict[Key, list]:
        """Per group that has a value at one of ``instants`` at least, one value per instant."""
        kept = self.answers.get(promql, Answers())
        found = {key: [group.get(t) for t in instants] for key, group in kept.values.items()}
        return {key: values for key, values in found.items() if any(v is not None for v in values)}

    def groups(self, promql: str) -> int:
        """How many label groups ``promql`` has had a value for."""
        return len(self.answers.get(promql, Answers()).values)
