"""The text of PromQL: durations, string literals, and PromQL made ready to send -- window
variables replaced, every ``loadgate_*`` selector scoped to the run (pure: text in, text out; the
queries loadgate writes are promql.py's).

Window variables in ``promql`` objectives: ``$window`` is the evaluation window's length as a
PromQL duration in milliseconds (``25000ms``), so ``increase(errors_total[$window])`` covers the
window; ``$start`` and ``$end`` are its bounds in unix seconds, for ``@ $end`` or ``timestamp()``
comparisons.  ``${window}`` works too.  Other ``$`` text (``$1`` in ``label_replace``) is left alone.

Run scoping (``scoped``): the reader passes every query, loadgate's and the user's, through it, so
one shared Prometheus can hold many runs and each sees only its own series.
"""

from __future__ import annotations

import re

from loadgate.model import Window
from loadgate.printable import valid

NAMES = ("window", "start", "end")
_VARIABLE = re.compile(r"\$(?:\{(window|start|end)\}|(window|start|end)\b)")


def duration(seconds: float) -> str:
    """A PromQL duration; at least 1 ms, which Prometheus requires of a range."""
    return f"{max(int(round(seconds * 1000)), 1)}ms"


def label_value(text: str) -> str:
    """A PromQL string literal's content; made valid first (printable.valid), as the exporter
    makes every label it serves, so a selector and the name it selects read alike."""
    return valid(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


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


_METRIC = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`|\b(loadgate_[A-Za-z0-9_:]*)')


def scoped(promql: str, run_id: str | None) -> str:
    """``promql`` with ``run_id="..."`` added to every selector of a ``loadgate_*`` metric.

    The reader passes every query through here, so one shared Prometheus can hold many runs and
    each sees only its own series.  String literals are left alone.  The query is made valid
    Unicode (a lone surrogate from slo.yaml cannot be sent at all).
    """
    promql = valid(promql)
    if not run_id:
        return promql
    matcher = f'run_id="{label_value(run_id)}"'
    out, position = [], 0
    for found in _METRIC.finditer(promql):
        if found.group(1) is None:
            continue
        out.append(promql[position:found.end()])
        position = found.end()
        rest = promql[position:]
        blank = len(rest) - len(rest.lstrip())
        if rest[blank:blank + 1] == "{":
            empty = rest[blank + 1:].lstrip()[:1] == "}"
            out.append(rest[:blank + 1] + matcher + ("" if empty else ","))
            position += blank + 1
        else:
            out.append("{" + matcher + "}")
    out.append(promql[position:])
    return "".join(out)
