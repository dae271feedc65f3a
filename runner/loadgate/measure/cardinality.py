"""The cardinality guard (pure): too many request names warn once, naming where they come from.

Every request name is a series per figure in Prometheus and a row in every report.  Names with
ids in them (``/users/123``) make thousands; Locust's ``name=`` argument groups them.  Above
NAME_LIMIT names the run goes on and its reports carry one warning naming the most frequent name
prefixes (the name up to its last ``/``).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from loadgate.model import RequestFigures

NAME_LIMIT = 500
SHOWN = 3


def prefix(name: str) -> str:
    path = name.split("?", 1)[0]
    cut = path.rstrip("/").rfind("/")
    return path[:cut + 1] if cut > 0 else path[:24]


def warning(requests: Iterable[RequestFigures], limit: int = NAME_LIMIT) -> str | None:
    """One warning when the run has more than ``limit`` distinct request names, else None."""
    names = {r.name or "" for r in requests}
    if len(names) <= limit:
        return None
    common = Counter(prefix(name) for name in names).most_common(SHOWN)
    listed = ", ".join(f"{p}… ({n} names)" for p, n in common)
    example = common[0][0].rstrip("/") or "/items"
    return (f"{len(names)} request names in this run (more than {limit}): every name costs "
            f"Prometheus memory and a row in every report. Most frequent prefixes: {listed}. "
            f"Group names that carry ids with Locust's name= argument, e.g. "
            f'self.client.get(f"{example}/{{id}}", name="{example}/[id]").')
