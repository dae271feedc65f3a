"""PromQL for the requests an objective selects, in the evaluation window (``phase="window"``).

An exact ``request:`` is a label matcher; a pattern resolved to several requests (patterns.py) is
the union (``or``) of one exact selector per request: Prometheus never has to understand globs or
Python regexes, and a (method, name) pair is matched exactly.
"""

from __future__ import annotations

from loadgate.model import Objective, RequestSelector

WINDOW = 'phase="window"'


def label_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def matchers(selector: RequestSelector | None) -> str:
    parts = [WINDOW]
    if selector is not None:
        parts.append(f'name="{label_value(selector.name)}"')
        if selector.method:
            parts.append(f'method="{label_value(selector.method)}"')
    return ",".join(parts)


def series(metric: str, objective: Objective, modifier: str = "") -> str | None:
    """``metric{...}`` for the objective's requests (``modifier``: e.g. ``offset 30s``).

    None when a pattern matched no request: there is nothing to read.
    """
    suffix = f" {modifier}" if modifier else ""
    if objective.matched is None:
        return f"{metric}{{{matchers(objective.request)}}}{suffix}"
    if not objective.matched:
        return None
    parts = [f"{metric}{{{matchers(selector)}}}{suffix}" for selector in objective.matched]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def quantile(q: float, selected: str, by: str = "") -> str:
    group = f"{by}, le" if by else "le"
    return f"histogram_quantile({q!r}, sum by ({group}) ({selected})) * 1000"


def no_match_note(objective: Objective) -> str:
    return f"no data: no request matching {objective.request} in the window"
