"""Window variables in ``promql`` queries: ``$window``, ``$start``, ``$end`` (pure).

``$window`` is the evaluation window's length as a PromQL duration in milliseconds (``25000ms``),
so ``increase(http_server_errors_total[$window])`` covers the window; ``$start`` and ``$end`` are
its bounds in unix seconds, for ``@ $end`` or ``timestamp()`` comparisons.  ``${window}`` works
too.  Other ``$`` text (``$1`` in ``label_replace``) is left alone.
"""

from __future__ import annotations

import re

from loadgate.model import Window

NAMES = ("window", "start", "end")
_VARIABLE = re.compile(r"\$(?:\{(window|start|end)\}|(window|start|end)\b)")


def duration(seconds: float) -> str:
    """A PromQL duration; at least 1 ms, which Prometheus requires of a range."""
    return f"{max(int(round(seconds * 1000)), 1)}ms"


def uses_variables(query: str) -> bool:
    return _VARIABLE.search(query) is not None


def substitute(query: str, window: Window, range_seconds: float | None = None) -> str:
    """The query with the window variables replaced (``range_seconds`` overrides ``$window``)."""
    values = {
        "window": duration(window.seconds if range_seconds is None else range_seconds),
        "start": f"{window.start:.3f}",
        "end": f"{window.end:.3f}",
    }
    return _VARIABLE.sub(lambda m: values[m.group(1) or m.group(2)], query)
